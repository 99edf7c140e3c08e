package main

import (
	"io"
	"net"
	"net/http"
	"time"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

// baseline is the floor: a bare net/http server that verifies SigV4 against one fixed key and
// answers a constant GetUser response.
type baseline struct {
	url, accessKey, secretKey string
	srv                       *http.Server
}

const baselineResponse = `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>load-0</UserName><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Arn>arn:aws:iam::123456789012:user/load-0</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata></GetUserResponse>`

func startBaseline() (*baseline, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &baseline{url: "http://" + ln.Addr().String(), accessKey: "AKIABASELINEEXAMPLE1", secretKey: "baselinebaselinebaselinebaselinebaseline"}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		req := &sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Host: r.Host, Header: r.Header, Body: body}
		auth, err := sigv4.Parse(req)
		if err == nil && auth.AccessKeyID == b.accessKey {
			err = sigv4.Verify(req, auth, b.secretKey, time.Now())
		} else if err == nil {
			w.WriteHeader(403)
			return
		}
		if err != nil {
			w.WriteHeader(403)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, baselineResponse)
	}), ReadHeaderTimeout: 10 * time.Second}
	go b.srv.Serve(ln)
	return b, nil
}

func (b *baseline) close() { b.srv.Close() }
