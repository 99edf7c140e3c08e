package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

const (
	testKeyID  = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testToken  = "IQoJb3JpZ2luX2VjEAAaCXVzLWVhc3QtMSJHMEUCIQD+token/with=chars"
)

var signTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// capture sends req through a real net/http server and returns what the server hands
// verification, filled the way the iamd server fills it.
func capture(t *testing.T, req *http.Request) *sigv4.Request {
	t.Helper()
	var got *sigv4.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading body: %v", err)
		}
		got = &sigv4.Request{
			Method:   r.Method,
			Path:     r.URL.EscapedPath(),
			RawQuery: r.URL.RawQuery,
			Host:     r.Host,
			Header:   r.Header.Clone(),
			Body:     body,
		}
	}))
	defer srv.Close()
	// Send to the test server, keeping the Host the request was signed for.
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	req.URL.Scheme, req.URL.Host = "http", strings.TrimPrefix(srv.URL, "http://")
	req.Host = host
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("sending request: %v", err)
	}
	resp.Body.Close()
	if got == nil {
		t.Fatal("server saw no request")
	}
	return got
}

type sdkCase struct {
	name    string
	method  string
	url     string
	body    string
	headers [][2]string // added in order; repeated names give several values
	region  string
	service string
	token   string
	// contentSHA sets X-Amz-Content-Sha256 to the body's hash before signing.
	contentSHA bool
}

func sdkCases() []sdkCase {
	return []sdkCase{
		{name: "iam POST form", method: "POST", url: "https://iam.amazonaws.com/", body: "Action=ListUsers&Version=2010-05-08",
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}},
		{name: "sts POST form with session token", method: "POST", url: "https://sts.amazonaws.com/", body: "Action=GetCallerIdentity&Version=2011-06-15",
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}, service: "sts", region: "eu-west-1", token: testToken},
		{name: "POST empty body", method: "POST", url: "https://iam.amazonaws.com/"},
		{name: "GET query params", method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision_abc%2F"},
		{name: "GET space plus tilde star", method: "GET", url: "https://iam.amazonaws.com/?a=b%20c&plus=x%2By&sp=1+2&t=~tilde&star=*&bang=!"},
		{name: "GET unicode", method: "GET", url: "https://iam.amazonaws.com/?name=%C3%A9t%C3%A9&z=1&%C3%A9=2&Z=3"},
		{name: "GET repeated keys", method: "GET", url: "https://iam.amazonaws.com/?a=2&a=1&a=10&b=&a=a%2Fb&a=a-b"},
		{name: "GET empty values and bare key", method: "GET", url: "https://iam.amazonaws.com/?flag&empty=&x=1"},
		{name: "path with special characters", method: "GET", url: "https://example.amazonaws.com/foo%20bar/%C3%BC/a+b/%2F/~x*/$'()@:", service: "execute-api"},
		{name: "path with dot segments", method: "GET", url: "https://example.amazonaws.com/a/./b/../c//d/", service: "execute-api"},
		{name: "extra headers with runs of spaces", method: "POST", url: "https://iam.amazonaws.com/", body: "Action=ListRoles&Version=2010-05-08",
			headers: [][2]string{
				{"Content-Type", "application/x-www-form-urlencoded"},
				{"X-Amz-Meta-Thing", "  a   b    c  "},
				{"My-Header", "v1"}, {"My-Header", "v2   with  spaces"},
				{"X-Amz-Target", "x"},
			}},
		{name: "content sha header", method: "POST", url: "https://iam.amazonaws.com/", body: "Action=ListUsers&Version=2010-05-08", contentSHA: true},
		{name: "non-default port", method: "POST", url: "https://localhost:8443/", body: "Action=GetUser&Version=2010-05-08"},
	}
}

func (c sdkCase) region_() string {
	if c.region == "" {
		return "us-east-1"
	}
	return c.region
}

func (c sdkCase) service_() string {
	if c.service == "" {
		return "iam"
	}
	return c.service
}

func (c sdkCase) newRequest(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", c.url, err)
	}
	if c.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for _, h := range c.headers {
		req.Header.Add(h[0], h[1])
	}
	return req
}

func bodyHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// signed signs the case with the SDK signer and returns what the server sees.
func (c sdkCase) signed(t *testing.T) *sigv4.Request {
	t.Helper()
	req := c.newRequest(t)
	if c.contentSHA {
		req.Header.Set("X-Amz-Content-Sha256", bodyHash(c.body))
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: c.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, bodyHash(c.body), c.service_(), c.region_(), signTime); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
	return capture(t, req)
}

// presigned presigns the case (a GET) with the SDK and returns what the server sees.
func (c sdkCase) presigned(t *testing.T, expires string) *sigv4.Request {
	t.Helper()
	req := c.newRequest(t)
	if expires != "" {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", expires)
		req.URL.RawQuery = q.Encode()
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: c.token}
	signedURL, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, bodyHash(c.body), c.service_(), c.region_(), signTime)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(c.method, signedURL, strings.NewReader(c.body))
	if err != nil {
		t.Fatalf("NewRequest(%q): %v", signedURL, err)
	}
	if c.body == "" {
		out.Body, out.ContentLength = http.NoBody, 0
	}
	for k, vs := range hdr {
		if k == "Host" {
			out.Host = vs[0]
			continue
		}
		for _, v := range vs {
			out.Header.Add(k, v)
		}
	}
	return capture(t, out)
}

func mustParse(t *testing.T, r *sigv4.Request) *sigv4.Auth {
	t.Helper()
	a, err := sigv4.Parse(r)
	if err != nil {
		t.Fatalf("Parse(%+v): %v", r, err)
	}
	return a
}

func TestVerifyAcceptsSDKSigned(t *testing.T) {
	for _, c := range sdkCases() {
		t.Run(c.name, func(t *testing.T) {
			r := c.signed(t)
			a := mustParse(t, r)
			if a.AccessKeyID != testKeyID || a.Region != c.region_() || a.Service != c.service_() || a.Date != "20240501" ||
				!a.Time.Equal(signTime) || a.SecurityToken != c.token || a.Presigned {
				t.Errorf("Parse = %+v, want key %s region %s service %s token %q at %v", a, testKeyID, c.region_(), c.service_(), c.token, signTime)
			}
			if err := sigv4.Verify(r, a, testSecret, signTime); err != nil {
				t.Errorf("Verify(%s %s?%s, headers %v) = %v, want nil", r.Method, r.Path, r.RawQuery, r.Header, err)
			}
		})
	}
}

func TestVerifyAcceptsSDKPresigned(t *testing.T) {
	cases := []struct {
		sdkCase
		expires string
	}{
		{sdkCase{name: "sts GetCallerIdentity", method: "GET", url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts"}, "900"},
		{sdkCase{name: "with session token", method: "GET", url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", token: testToken}, "60"},
		{sdkCase{name: "no expires", method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"}, ""},
		{sdkCase{name: "extra signed header", method: "GET", url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts",
			headers: [][2]string{{"X-K8s-Aws-Id", "my-cluster"}}}, "60"},
		{sdkCase{name: "hoisted x-amz header and odd query", method: "GET", url: "https://iam.amazonaws.com/?a=%20b&c=~*&%C3%A9=1",
			headers: [][2]string{{"X-Amz-Meta-Foo", "bar"}}}, "604800"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.presigned(t, c.expires)
			a := mustParse(t, r)
			if !a.Presigned || a.SecurityToken != c.token || a.AccessKeyID != testKeyID {
				t.Errorf("Parse(%s) = %+v, want presigned with token %q", r.RawQuery, a, c.token)
			}
			if err := sigv4.Verify(r, a, testSecret, signTime.Add(30*time.Second)); err != nil {
				t.Errorf("Verify(%s?%s, headers %v) = %v, want nil", r.Path, r.RawQuery, r.Header, err)
			}
		})
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *sigv4.Error with code %s", err, code)
	}
	if e.Code != code {
		t.Errorf("error = %v, want code %s", err, code)
	}
}

func cloneReq(r *sigv4.Request) *sigv4.Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = bytes.Clone(r.Body)
	return &c
}

func TestVerifyRejectsTampering(t *testing.T) {
	base := sdkCase{name: "base", method: "POST", url: "https://iam.amazonaws.com/?x=1", body: "Action=CreateUser&UserName=bob&Version=2010-05-08",
		headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"X-Amz-Meta-Foo", "a"}}, token: testToken}
	signed := base.signed(t)
	if err := sigv4.Verify(signed, mustParse(t, signed), testSecret, signTime); err != nil {
		t.Fatalf("untampered request fails: %v", err)
	}
	replaceAuth := func(old, new string) func(r *sigv4.Request) {
		return func(r *sigv4.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	cases := []struct {
		name   string
		tamper func(r *sigv4.Request)
		secret string
		want   string // message prefix
	}{
		{name: "body", tamper: func(r *sigv4.Request) { r.Body = []byte("Action=CreateUser&UserName=eve&Version=2010-05-08") }},
		{name: "body appended", tamper: func(r *sigv4.Request) { r.Body = append(r.Body, '&') }},
		{name: "signed header", tamper: func(r *sigv4.Request) { r.Header.Set("X-Amz-Meta-Foo", "b") }},
		{name: "signed header extra value", tamper: func(r *sigv4.Request) { r.Header.Add("X-Amz-Meta-Foo", "b") }},
		{name: "session token", tamper: func(r *sigv4.Request) { r.Header.Set("X-Amz-Security-Token", "other") }},
		{name: "content type", tamper: func(r *sigv4.Request) { r.Header.Set("Content-Type", "text/plain") }},
		{name: "host", tamper: func(r *sigv4.Request) { r.Host = "evil.example.com" }},
		{name: "query", tamper: func(r *sigv4.Request) { r.RawQuery = "x=2" }},
		{name: "query added", tamper: func(r *sigv4.Request) { r.RawQuery += "&Action=DeleteUser" }},
		{name: "path", tamper: func(r *sigv4.Request) { r.Path = "/other" }},
		{name: "method", tamper: func(r *sigv4.Request) { r.Method = "PUT" }},
		{name: "secret", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEz"},
		{name: "signature", tamper: replaceAuth("Signature=", "Signature=0")},
		{name: "signature not hex", tamper: func(r *sigv4.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+"g")
		}},
		{name: "region", tamper: replaceAuth("/us-east-1/", "/us-west-2/")},
		{name: "service", tamper: replaceAuth("/iam/", "/sts/")},
		// The access key ID is not part of the string to sign: another key's ID with this key's
		// signature fails only because authn looks up the other key's secret (case "secret").
		{name: "signed headers list", tamper: replaceAuth("SignedHeaders=", "SignedHeaders=accept;")},
		{name: "date scope", tamper: replaceAuth("/20240501/", "/20240502/"), want: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240502' != '20240501', from '20240501T120000Z'."},
		{name: "terminator", tamper: replaceAuth("/aws4_request", "/aws5_request"), want: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{name: "host unsigned", tamper: replaceAuth("host;", ""), want: "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "x-amz-date", tamper: func(r *sigv4.Request) { r.Header.Set("X-Amz-Date", "20240501T120001Z") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := cloneReq(signed)
			if c.tamper != nil {
				c.tamper(r)
			}
			secret := testSecret
			if c.secret != "" {
				secret = c.secret
			}
			a := mustParse(t, r)
			err := sigv4.Verify(r, a, secret, signTime)
			wantCode(t, err, sigv4.CodeSignatureDoesNotMatch)
			want := c.want
			if want == "" {
				want = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
			}
			var e *sigv4.Error
			if errors.As(err, &e) && e.Message != want {
				t.Errorf("message = %q, want %q", e.Message, want)
			}
		})
	}
}

func TestVerifyPresignedTampering(t *testing.T) {
	c := sdkCase{method: "GET", url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", token: testToken}
	signed := c.presigned(t, "900")
	cases := []struct {
		name   string
		tamper func(r *sigv4.Request)
	}{
		{"action", func(r *sigv4.Request) { r.RawQuery = strings.Replace(r.RawQuery, "GetCallerIdentity", "AssumeRole", 1) }},
		{"expires", func(r *sigv4.Request) {
			r.RawQuery = strings.Replace(r.RawQuery, "X-Amz-Expires=900", "X-Amz-Expires=901", 1)
		}},
		{"token", func(r *sigv4.Request) {
			r.RawQuery = strings.Replace(r.RawQuery, "X-Amz-Security-Token=", "X-Amz-Security-Token=x", 1)
		}},
		{"body on unsigned-payload fallback", func(r *sigv4.Request) { r.Body = []byte("Action=CreateUser") }},
		{"method", func(r *sigv4.Request) { r.Method = "POST" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cloneReq(signed)
			tc.tamper(r)
			a := mustParse(t, r)
			wantCode(t, sigv4.Verify(r, a, testSecret, signTime), sigv4.CodeSignatureDoesNotMatch)
		})
	}
}
