package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

// baseline is the floor: a bare net/http server that verifies SigV4 against one fixed key and
// answers a constant GetUser response.
//
// By default it runs in a process of its own (load runs itself with -serve-baseline), as iamd
// does: a server in the client's process shares the client's Go scheduler, so a request's
// hand-over from client to server and back costs no wake-up of another process, which no server
// the client talks to over loopback can match (on the 2-core machine of docs/benchmarks.md: 13,000
// req/s at one client in process against 5,000 in its own process, p99 3.7 against 6 ms at 32).
// -baseline-inprocess measures that in-process form too.
type baseline struct {
	url   string
	close func()
}

// Both forms verify with this key.
const (
	baselineAccessKey = "AKIABASELINEEXAMPLE1"
	baselineSecretKey = "baselinebaselinebaselinebaselinebaseline"
)

const baselineResponse = `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User><Path>/</Path><UserName>load-0</UserName><UserId>AIDAEXAMPLEEXAMPLE01</UserId><Arn>arn:aws:iam::123456789012:user/load-0</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></User></GetUserResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ResponseMetadata></GetUserResponse>`

// startBaseline serves the baseline in this process, on addr.
func startBaseline(addr string) (*baseline, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	b := &baseline{url: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		req := &sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Host: r.Host, Header: r.Header, Body: body}
		auth, err := sigv4.Parse(req)
		if err == nil && auth.AccessKeyID == baselineAccessKey {
			err = sigv4.Verify(req, auth, baselineSecretKey, time.Now())
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
	go srv.Serve(ln)
	b.close = func() { srv.Close() }
	return b, nil
}

// serveBaseline is load -serve-baseline ADDR: it serves the baseline, prints its URL and runs
// until its standard input closes (the parent load ends).
func serveBaseline(addr string, out io.Writer) error {
	b, err := startBaseline(addr)
	if err != nil {
		return err
	}
	defer b.close()
	fmt.Fprintln(out, b.url)
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}

// spawnBaseline runs the baseline in a child process (this program with -serve-baseline).
func spawnBaseline() (*baseline, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-baseline", "127.0.0.1:0")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() {
		stdin.Close()
		cmd.Wait()
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		stop()
		return nil, fmt.Errorf("baseline process: no URL (%q, %v)", line, err)
	}
	return &baseline{url: strings.TrimSpace(line), close: stop}, nil
}
