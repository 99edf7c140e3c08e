package credsrv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type staticSource struct {
	c   Creds
	err error
}

func (s staticSource) Credentials(context.Context) (Creds, error) { return s.c, s.err }

var testCreds = Creds{AccessKeyID: "ASIAEXAMPLE000000001", SecretAccessKey: "secret", SessionToken: "token",
	Expiration: t0.Add(time.Hour), LastUpdated: t0, RoleArn: "arn:aws:iam::111122223333:role/app"}

func newIMDS(t *testing.T, clk *clock, v1 bool, src Source) *IMDS {
	t.Helper()
	m, err := NewIMDS(IMDSConfig{Source: src, RoleName: "app", InstanceProfileArn: "arn:aws:iam::111122223333:instance-profile/web",
		InstanceProfileID: "AIPAEXAMPLE", InstanceID: "i-0123456789abcdef0", AccountID: "111122223333", Region: "eu-west-1",
		AllowV1: v1, Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 32)), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func do(h http.Handler, method, path string, hdr map[string]string) (int, string, http.Header) {
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestIMDSToken(t *testing.T) {
	clk := &clock{t0}
	m := newIMDS(t, clk, false, staticSource{c: testCreds})
	for _, tc := range []struct {
		name   string
		method string
		hdr    map[string]string
		want   int
	}{
		{"ttl 1", "PUT", map[string]string{TokenTTLHeader: "1"}, 200},
		{"ttl 21600", "PUT", map[string]string{TokenTTLHeader: "21600"}, 200},
		{"ttl 0", "PUT", map[string]string{TokenTTLHeader: "0"}, 400},
		{"ttl 21601", "PUT", map[string]string{TokenTTLHeader: "21601"}, 400},
		{"ttl not a number", "PUT", map[string]string{TokenTTLHeader: "1h"}, 400},
		{"ttl missing", "PUT", nil, 400},
		{"GET on the token path", "GET", map[string]string{TokenTTLHeader: "60"}, 405},
		{"X-Forwarded-For", "PUT", map[string]string{TokenTTLHeader: "60", "X-Forwarded-For": "10.0.0.1"}, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := do(m, tc.method, "/latest/api/token", tc.hdr)
			if code != tc.want {
				t.Fatalf("%s /latest/api/token %v: %d %q, want %d", tc.method, tc.hdr, code, body, tc.want)
			}
			if code == 200 && hdr.Get(TokenTTLHeader) != tc.hdr[TokenTTLHeader] {
				t.Errorf("TTL header %q, want %q", hdr.Get(TokenTTLHeader), tc.hdr[TokenTTLHeader])
			}
		})
	}
}

func TestIMDSTokenChecks(t *testing.T) {
	clk := &clock{t0}
	m := newIMDS(t, clk, false, staticSource{c: testCreds})
	other := newIMDS(t, clk, false, staticSource{c: testCreds})
	other.key = bytes.Repeat([]byte{8}, 32)
	_, tok, _ := do(m, "PUT", "/latest/api/token", map[string]string{TokenTTLHeader: "60"})
	forged := other.Token(t0.Add(time.Hour))
	tampered := []byte(tok)
	tampered[3] ^= 1
	const path = "/latest/meta-data/instance-id"
	for _, tc := range []struct {
		name    string
		advance time.Duration
		hdr     map[string]string
		want    int
	}{
		{"valid token", 0, map[string]string{TokenHeader: tok}, 200},
		{"no token (IMDSv1 off)", 0, nil, 401},
		{"garbage token", 0, map[string]string{TokenHeader: "not-a-token"}, 401},
		{"tampered token", 0, map[string]string{TokenHeader: string(tampered)}, 401},
		{"token from another endpoint", 0, map[string]string{TokenHeader: forged}, 401},
		{"X-Forwarded-For with a valid token", 0, map[string]string{TokenHeader: tok, "X-Forwarded-For": "1.2.3.4"}, 403},
		{"just before expiry", 59 * time.Second, map[string]string{TokenHeader: tok}, 200},
		{"expired", time.Second, map[string]string{TokenHeader: tok}, 401},
	} {
		clk.t = clk.t.Add(tc.advance)
		if code, body, _ := do(m, "GET", path, tc.hdr); code != tc.want {
			t.Errorf("%s: GET %s %v = %d %q, want %d", tc.name, path, tc.hdr, code, body, tc.want)
		}
	}
	if code, _, _ := do(m, "POST", path, map[string]string{TokenHeader: tok}); code != 405 {
		t.Errorf("POST %s = %d, want 405", path, code)
	}
}

func TestIMDSPaths(t *testing.T) {
	clk := &clock{t0}
	m := newIMDS(t, clk, false, staticSource{c: testCreds})
	_, tok, _ := do(m, "PUT", "/latest/api/token", map[string]string{TokenTTLHeader: "21600"})
	auth := map[string]string{TokenHeader: tok}
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{"/latest/meta-data/iam/security-credentials/", 200, "app"},
		{"/latest/meta-data/instance-id", 200, "i-0123456789abcdef0"},
		{"/latest/meta-data/placement/region", 200, "eu-west-1"},
		{"/latest/meta-data/placement/availability-zone", 200, "eu-west-1a"},
		{"/latest/meta-data/iam/", 200, "info\nsecurity-credentials/"},
		{"/latest/meta-data/iam/security-credentials/other", 404, "Not Found"},
		{"/latest/meta-data/nothing", 404, "Not Found"},
	} {
		if code, body, _ := do(m, "GET", tc.path, auth); code != tc.code || body != tc.want {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, code, body, tc.code, tc.want)
		}
	}
	jsonCases := []struct {
		path string
		want map[string]any
	}{
		{"/latest/meta-data/iam/security-credentials/app", map[string]any{
			"Code": "Success", "LastUpdated": "2026-03-01T12:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "ASIAEXAMPLE000000001",
			"SecretAccessKey": "secret", "Token": "token", "Expiration": "2026-03-01T13:00:00Z"}},
		{"/latest/meta-data/iam/info", map[string]any{"Code": "Success", "LastUpdated": "2026-03-01T12:00:00Z",
			"InstanceProfileArn": "arn:aws:iam::111122223333:instance-profile/web", "InstanceProfileId": "AIPAEXAMPLE"}},
	}
	for _, tc := range jsonCases {
		code, body, _ := do(m, "GET", tc.path, auth)
		var got map[string]any
		if err := json.Unmarshal([]byte(body), &got); code != 200 || err != nil {
			t.Fatalf("GET %s = %d %q (%v)", tc.path, code, body, err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("GET %s (-want +got):\n%s", tc.path, d)
		}
	}
	_, body, _ := do(m, "GET", "/latest/dynamic/instance-identity/document", auth)
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("identity document %q: %v", body, err)
	}
	for k, want := range map[string]string{"accountId": "111122223333", "region": "eu-west-1", "instanceId": "i-0123456789abcdef0", "availabilityZone": "eu-west-1a"} {
		if doc[k] != want {
			t.Errorf("identity document %s = %v, want %s", k, doc[k], want)
		}
	}
}

func TestIMDSSourceFailure(t *testing.T) {
	m := newIMDS(t, &clock{t0}, true, staticSource{err: errors.New("dial tcp 10.1.2.3:8343: refused")})
	code, body, _ := do(m, "GET", credsPrefix+"app", nil)
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); code != 200 || err != nil {
		t.Fatalf("GET credentials = %d %q (%v)", code, body, err)
	}
	if got["Code"] != "AssumeRoleUnauthorizedAccess" || strings.Contains(body, "10.1.2.3") || strings.Contains(body, "AccessKeyId") {
		t.Errorf("failure body %q: want Code AssumeRoleUnauthorizedAccess, no credentials, no internal detail", body)
	}
}

// TestSSRF plays the classic server-side request forgery: a web application that fetches any
// URL path it is given with GET, and hands back the body. Through it an attacker reads the role's
// credentials from IMDSv1, but not from IMDSv2: the forwarder cannot PUT for a token, nor add
// the token header.
func TestSSRF(t *testing.T) {
	for _, tc := range []struct {
		name      string
		v1        bool
		wantCreds bool
	}{
		{"IMDSv2 only", false, false},
		{"IMDSv1 switched on", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t0}
			metadata := httptest.NewServer(newIMDS(t, clk, tc.v1, staticSource{c: testCreds}))
			defer metadata.Close()
			forwarder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet {
					http.Error(w, "GET only", http.StatusMethodNotAllowed)
					return
				}
				resp, err := http.Get(metadata.URL + r.URL.Path)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				w.WriteHeader(resp.StatusCode)
				io.Copy(w, resp.Body)
			}))
			defer forwarder.Close()
			get := func(path string) (int, string) {
				resp, err := http.Get(forwarder.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			// The attacker cannot obtain a token through the forwarder.
			if resp, err := http.NewRequest(http.MethodPut, forwarder.URL+"/latest/api/token", nil); err == nil {
				resp.Header.Set(TokenTTLHeader, "60")
				r, err := http.DefaultClient.Do(resp)
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode == 200 {
					t.Errorf("PUT through the forwarder returned 200")
				}
			}
			code, role := get(credsPrefix)
			code2, creds := get(credsPrefix + role)
			leaked := strings.Contains(creds, testCreds.SecretAccessKey) && strings.Contains(creds, testCreds.AccessKeyID)
			if leaked != tc.wantCreds {
				t.Errorf("role listing %d %q, credentials %d %q: leaked = %v, want %v", code, role, code2, creds, leaked, tc.wantCreds)
			}
			if !tc.wantCreds && (code != 401 || code2 != 401) {
				t.Errorf("IMDSv2 through the forwarder: %d, %d, want 401, 401", code, code2)
			}
		})
	}
}
