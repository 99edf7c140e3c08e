package middleware

import (
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/api/query"
)

// params returns a form-encoded string of n parameters: Action=ListUsers, Version and fillers.
func params(n int) string {
	var b strings.Builder
	b.WriteString("Action=ListUsers&Version=2010-05-08")
	for i := 2; i < n; i++ {
		b.WriteString("&X=1")
	}
	return b.String()
}

// TestTooManyParams: a request with more parameters than net/url parses (10,000) is answered
// 400 InvalidQueryParameter saying so, not 404 MalformedQueryString "not valid form encoding";
// one at the limit goes on to authentication (here: unsigned, so MissingAuthenticationToken).
func TestTooManyParams(t *testing.T) {
	a := &API{Codec: query.NewCodec(), Logger: slog.New(slog.DiscardHandler), MaxBody: 1 << 20,
		Now: func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }}
	const form = "application/x-www-form-urlencoded; charset=utf-8"
	tooMany := "The request has more than 10000 parameters."
	for _, tc := range []struct {
		name        string
		method      string
		query, body string
		contentType string
		status      int
		code, msg   string
	}{
		{"body at the limit", http.MethodPost, "", params(maxParams), form, 403, "MissingAuthenticationToken", ""},
		{"body over the limit", http.MethodPost, "", params(maxParams + 1), form, 400, "InvalidQueryParameter", tooMany},
		{"body of separators only", http.MethodPost, "", strings.Repeat("&", maxParams), form, 400, "InvalidQueryParameter", tooMany},
		{"query over the limit", http.MethodGet, params(maxParams + 1), "", "", 400, "InvalidQueryParameter", tooMany},
		{"query at the limit", http.MethodGet, params(maxParams), "", "", 403, "MissingAuthenticationToken", ""},
		{"body not form encoding", http.MethodPost, "", "Action=%zz", form, 404, "MalformedQueryString", "The request body is not valid form encoding."},
		{"query not form encoding", http.MethodGet, "Action=%zz", "", "", 404, "MalformedQueryString", "The query string is malformed."},
		{"many separators in a body that is not a form", http.MethodPost, "", params(maxParams + 1), "text/plain", 403, "MissingAuthenticationToken", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := "/"
			if tc.query != "" {
				target += "?" + tc.query
			}
			req := httptest.NewRequest(tc.method, target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			a.ServeHTTP(rec, req)
			raw, _ := io.ReadAll(rec.Result().Body)
			var got struct {
				Code    string `xml:"Error>Code"`
				Message string `xml:"Error>Message"`
			}
			if err := xml.Unmarshal(raw, &got); err != nil {
				t.Fatalf("answer is not error XML: %v: %s", err, raw)
			}
			if rec.Code != tc.status || got.Code != tc.code || tc.msg != "" && got.Message != tc.msg {
				t.Errorf("%s %d-byte query, %d-byte %s body: %d %s %q, want %d %s %q",
					tc.method, len(tc.query), len(tc.body), tc.contentType, rec.Code, got.Code, got.Message, tc.status, tc.code, tc.msg)
			}
		})
	}
}
