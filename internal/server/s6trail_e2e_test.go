package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/trail"
)

// TestS6TrailUnauthenticatedHeadersBounded: requests that fail authentication are recorded, as
// CloudTrail records them, but what their records copy from the request's headers is bounded
// (trail.MaxUserAgent, trail.MaxErrorMessage): a 60 KB User-Agent, Authorization header or
// claimed access key makes a record of a few KB, not of 60 KB or more. LookupEvents shows the
// truncated values, cut at a rune boundary.
func TestS6TrailUnauthenticatedHeadersBounded(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	const big = 60 << 10
	longUA := "curl/8 " + strings.Repeat("ü€", big/5)
	amzDate := time.Now().UTC().Format("20060102T150405Z")
	type record struct {
		UserAgent, ErrorCode, ErrorMessage, EventName, AWSRegion string
		UserIdentity                                             struct{ Type, AccessKeyID string }
	}
	for _, tc := range []struct {
		name    string
		action  string // the Action parameter, distinct per case: the event to look up
		header  map[string]string
		code    string
		check   func(t *testing.T, r record)
		maxSize int
	}{
		{
			name: "unsigned with a 60 KB User-Agent", action: "ListUsers", header: map[string]string{"User-Agent": longUA},
			code: "MissingAuthenticationToken",
			check: func(t *testing.T, r record) {
				if !strings.HasPrefix(longUA, r.UserAgent) || len(r.UserAgent) > trail.MaxUserAgent || len(r.UserAgent) <= trail.MaxUserAgent-utf8.UTFMax {
					t.Errorf("userAgent is %d bytes %.40q…, want the first %d bytes or so of the %d-byte User-Agent sent",
						len(r.UserAgent), r.UserAgent, trail.MaxUserAgent, len(longUA))
				}
			},
			maxSize: 4 << 10,
		},
		{
			// The error message echoes the whole Authorization header (as AWS's does).
			name: "60 KB malformed Authorization header", action: "ListRoles",
			header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 " + strings.Repeat("x", big), "X-Amz-Date": amzDate},
			code:   "IncompleteSignature",
			check: func(t *testing.T, r record) {
				if len(r.ErrorMessage) > trail.MaxErrorMessage || !strings.HasPrefix(r.ErrorMessage, "'xxx") {
					t.Errorf("errorMessage is %d bytes %.40q…, want at most %d bytes of the message", len(r.ErrorMessage), r.ErrorMessage, trail.MaxErrorMessage)
				}
			},
			maxSize: 4 << 10,
		},
		{
			// A well-formed header whose credential claims a 30 KB key in a 30 KB region.
			name: "60 KB credential scope", action: "ListGroups",
			header: map[string]string{"X-Amz-Date": amzDate, "Authorization": "AWS4-HMAC-SHA256 Credential=AKIA" + strings.Repeat("K", big/2) + "/" + amzDate[:8] + "/" +
				strings.Repeat("r", big/2) + "/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64)},
			code: "InvalidClientTokenId",
			check: func(t *testing.T, r record) {
				if len(r.UserIdentity.AccessKeyID) > 128 || !strings.HasPrefix(r.UserIdentity.AccessKeyID, "AKIAKKK") {
					t.Errorf("userIdentity.accessKeyId is %d bytes %.40q…, want the first 128 bytes of the key claimed", len(r.UserIdentity.AccessKeyID), r.UserIdentity.AccessKeyID)
				}
				if len(r.AWSRegion) > 64 || !strings.HasPrefix(r.AWSRegion, "rrr") {
					t.Errorf("awsRegion is %d bytes %.40q…, want the first 64 bytes of the scope's region", len(r.AWSRegion), r.AWSRegion)
				}
			},
			maxSize: 4 << 10,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", strings.NewReader("Action="+tc.action+"&Version=2010-05-08"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), "<Code>"+tc.code+"</Code>") {
				t.Fatalf("%s: status %d %s, want %s", tc.action, resp.StatusCode, body, tc.code)
			}
			evs := lookupOK(t, srv, attr("EventName", tc.action)).Events
			if len(evs) != 1 {
				t.Fatalf("LookupEvents EventName %s: %d events %v, want the failed call's", tc.action, len(evs), names(evs))
			}
			raw := evs[0].CloudTrailEvent
			if len(raw) > tc.maxSize {
				t.Errorf("the record is %d bytes, want at most %d", len(raw), tc.maxSize)
			}
			if !utf8.ValidString(raw) {
				t.Errorf("the record is not valid UTF-8")
			}
			var r record
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				t.Fatalf("the record is not JSON: %v: %.200s", err, raw)
			}
			if r.ErrorCode != tc.code || r.EventName != tc.action || r.UserIdentity.Type != "Unknown" {
				t.Errorf("record: errorCode %q, eventName %q, userIdentity.type %q, want %s, %s, Unknown", r.ErrorCode, r.EventName, r.UserIdentity.Type, tc.code, tc.action)
			}
			tc.check(t, r)
		})
	}
}

// TestS6TrailTooManyParams: a form with more parameters than iamd parses (10,000, net/url's
// limit) is answered 400 InvalidQueryParameter saying so, not 404 MalformedQueryString "not
// valid form encoding".
func TestS6TrailTooManyParams(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	for _, tc := range []struct {
		name      string
		n         int
		status    int
		code, msg string
	}{
		{"10,000 parameters", 10000, 403, "MissingAuthenticationToken", ""},
		{"10,001 parameters", 10001, 400, "InvalidQueryParameter", "The request has more than 10000 parameters."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "Action=ListUsers&Version=2010-05-08" + strings.Repeat("&X=1", tc.n-2)
			resp, err := http.Post(srv.Endpoint()+"/", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(raw), "<Code>"+tc.code+"</Code>") || !strings.Contains(string(raw), "<Message>"+tc.msg) {
				t.Errorf("POST of %d parameters: %d %s, want %d %s %q", tc.n, resp.StatusCode, raw, tc.status, tc.code, tc.msg)
			}
		})
	}
}
