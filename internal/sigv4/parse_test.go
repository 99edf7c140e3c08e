package sigv4_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

const goodAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

func headerReq(kv ...string) *sigv4.Request {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return &sigv4.Request{Method: "GET", Path: "/", Host: "iam.amazonaws.com", Header: h}
}

func TestParseHeader(t *testing.T) {
	a, err := sigv4.Parse(headerReq("Authorization", goodAuth, "X-Amz-Date", "20150830T123600Z", "X-Amz-Security-Token", "tok"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &sigv4.Auth{
		AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "iam",
		SignedHeaders: []string{"content-type", "host", "x-amz-date"},
		Signature:     "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		Time:          time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC),
		SecurityToken: "tok",
	}
	if diff := cmp.Diff(want, a, cmpopts.IgnoreUnexported(sigv4.Auth{})); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
}

func TestParseDateHeader(t *testing.T) {
	a, err := sigv4.Parse(headerReq("Authorization", goodAuth, "Date", "Sun, 30 Aug 2015 12:36:00 GMT"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if want := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC); !a.Time.Equal(want) {
		t.Errorf("Time = %v, want %v", a.Time, want)
	}
}

func TestParseQuery(t *testing.T) {
	r := &sigv4.Request{Method: "GET", Path: "/", Host: "sts.amazonaws.com", Header: http.Header{},
		RawQuery: "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240501%2Fus-east-1%2Fsts%2Faws4_request" +
			"&X-Amz-Date=20240501T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc&X-Amz-Security-Token=a%2Bb"}
	a, err := sigv4.Parse(r)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !a.Presigned || a.Expires != time.Minute || a.SecurityToken != "a+b" || a.AccessKeyID != "AKID" || a.Service != "sts" ||
		a.Signature != "abc" || !cmp.Equal(a.SignedHeaders, []string{"host"}) {
		t.Errorf("Parse(%q) = %+v", r.RawQuery, a)
	}
}

func TestParseErrors(t *testing.T) {
	const date = "20150830T123600Z"
	presign := func(q string) *sigv4.Request {
		return &sigv4.Request{Method: "GET", Path: "/", Header: http.Header{}, RawQuery: q}
	}
	const cred = "&X-Amz-Credential=AKID%2F20240501%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-SignedHeaders=host&X-Amz-Signature=abc&X-Amz-Date=20240501T120000Z"
	both := headerReq("Authorization", goodAuth, "X-Amz-Date", date)
	both.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	cases := []struct {
		name string
		req  *sigv4.Request
		code string
		msg  string
	}{
		{"no authentication", headerReq(), sigv4.CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"basic auth", headerReq("Authorization", "Basic dXNlcjpwYXNz"), sigv4.CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"sigv2 style", headerReq("Authorization", "AWS AKID:sig"), sigv4.CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"query without algorithm", presign("X-Amz-Credential=a"), sigv4.CodeMissingAuthenticationToken, "Request is missing Authentication Token"},
		{"both header and query", both, sigv4.CodeSignatureDoesNotMatch, "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{"missing equal sign", headerReq("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders, Signature=x", "X-Amz-Date", date),
			sigv4.CodeIncompleteSignature, "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders, Signature=x'."},
		{"everything missing", headerReq("Authorization", "AWS4-HMAC-SHA256"), sigv4.CodeIncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"},
		{"missing signature", headerReq("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host", "X-Amz-Date", date), sigv4.CodeIncompleteSignature,
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host"},
		{"empty credential", headerReq("Authorization", "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=x", "X-Amz-Date", date), sigv4.CodeIncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 Credential=, SignedHeaders=host, Signature=x"},
		{"missing date", headerReq("Authorization", goodAuth), sigv4.CodeIncompleteSignature,
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + goodAuth},
		{"bad x-amz-date", headerReq("Authorization", goodAuth, "X-Amz-Date", "201"), sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"x-amz-date with fraction", headerReq("Authorization", goodAuth, "X-Amz-Date", "20150830T123600.5Z"), sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '20150830T123600.5Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"bad date header", headerReq("Authorization", goodAuth, "Date", "yesterday"), sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"unsupported algorithm", headerReq("Authorization", "AWS4-HMAC-SHA25 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", "X-Amz-Date", date), sigv4.CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{"short credential", headerReq("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=x", "X-Amz-Date", date), sigv4.CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"},
		{"long credential", headerReq("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f, SignedHeaders=host, Signature=x", "X-Amz-Date", date), sigv4.CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d/e/f'"},
		{"query missing all", presign("X-Amz-Algorithm="), sigv4.CodeIncompleteSignature,
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"query missing signature", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-SignedHeaders=host&X-Amz-Date=" + date), sigv4.CodeIncompleteSignature,
			"AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{"query bad date", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-SignedHeaders=host&X-Amz-Signature=x&X-Amz-Date=2015"), sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '2015'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"query bad algorithm", presign("X-Amz-Algorithm=AWS4-HMAC-SHA1" + cred), sigv4.CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1' (only AWS4-HMAC-SHA256 for now). "},
		{"query bad credential", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID&X-Amz-SignedHeaders=host&X-Amz-Signature=x&X-Amz-Date=" + date), sigv4.CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID'"},
		{"expires not a number", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256" + cred + "&X-Amz-Expires=soon"), sigv4.CodeIncompleteSignature, "X-Amz-Expires should be a number"},
		{"expires zero", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256" + cred + "&X-Amz-Expires=0"), sigv4.CodeIncompleteSignature, "X-Amz-Expires must be non-negative"},
		{"expires negative", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256" + cred + "&X-Amz-Expires=-5"), sigv4.CodeIncompleteSignature, "X-Amz-Expires must be non-negative"},
		{"expires over a week", presign("X-Amz-Algorithm=AWS4-HMAC-SHA256" + cred + "&X-Amz-Expires=604801"), sigv4.CodeIncompleteSignature,
			"X-Amz-Expires must be less than a week (in seconds) that is 604800"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := sigv4.Parse(c.req)
			var e *sigv4.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(auth %q, query %q) = %+v, %v; want *Error %s", c.req.Header.Get("Authorization"), c.req.RawQuery, a, err, c.code)
			}
			if diff := cmp.Diff(&sigv4.Error{Code: c.code, Message: c.msg}, e); diff != "" {
				t.Errorf("Parse(auth %q, query %q) error mismatch (-want +got):\n%s", c.req.Header.Get("Authorization"), c.req.RawQuery, diff)
			}
			if got, want := e.Error(), c.code+": "+c.msg; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}
}

func TestParseTrailingSlashInCredential(t *testing.T) {
	a, err := sigv4.Parse(headerReq("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request/, SignedHeaders=host, Signature=x", "X-Amz-Date", "20150830T123600Z"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if a.AccessKeyID != "AKID" || a.Service != "iam" {
		t.Errorf("Parse = %+v, want AKID and iam", a)
	}
}
