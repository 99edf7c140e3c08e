package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, and that an Authorization header rebuilt from a
// parsed one parses to the same Auth.
func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d67", "20150830T123600Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders, Signature=", "201", "")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240501%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20240501T120000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=abc")
	f.Add("AWS4-X", "Sun, 30 Aug 2015 12:36:00 GMT", "X-Amz-Algorithm=x;y&X-Amz-Expires=9999999")
	f.Fuzz(func(t *testing.T, authz, date, query string) {
		h := http.Header{}
		if authz != "" {
			h.Set("Authorization", authz)
		}
		if date != "" {
			h.Set("X-Amz-Date", date)
		}
		r := &Request{Method: "GET", Path: "/", RawQuery: query, Host: "h", Header: h}
		a, err := Parse(r)
		if err != nil {
			if _, ok := err.(*Error); !ok { //nolint:errorlint // Parse returns *Error itself, never wrapped
				t.Fatalf("Parse error %T %v, want *Error", err, err)
			}
			return
		}
		_ = Verify(r, a, "secret", a.Time) // must not panic either
		if a.Presigned || strings.ContainsAny(a.AccessKeyID+a.Date+a.Region+a.Service+a.terminator+a.Signature+strings.Join(a.SignedHeaders, ""), ", =") {
			return
		}
		rebuilt := Algorithm + " Credential=" + a.AccessKeyID + "/" + a.Date + "/" + a.Region + "/" + a.Service + "/" + a.terminator +
			", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
		h2 := http.Header{}
		h2.Set("Authorization", rebuilt)
		h2.Set("X-Amz-Date", a.Time.UTC().Format(amzDateFormat))
		b, err := Parse(&Request{Header: h2})
		if err != nil {
			t.Fatalf("Parse(%q) = %v after Parse(%q) succeeded", rebuilt, err, authz)
		}
		if b.AccessKeyID != a.AccessKeyID || b.Date != a.Date || b.Region != a.Region || b.Service != a.Service ||
			b.Signature != a.Signature || !slices.Equal(b.SignedHeaders, a.SignedHeaders) || !b.Time.Equal(a.Time) {
			t.Errorf("round trip of %q: got %+v, want %+v", authz, b, a)
		}
	})
}

// FuzzCanonical checks that canonicalisation never panics, that the canonical query agrees
// with one built from url.ParseQuery, and that canonicalising a canonical query changes nothing.
func FuzzCanonical(f *testing.F) {
	f.Add("/a b/%2F/./..//", "Action=ListUsers&Version=2010-05-08&a=b+c&%C3%A9=~*", "  x   y ")
	f.Add("", "a=%zz;&&=&b", "")
	f.Add("/", "X-Amz-Signature=1&a=a/b&a=a-b", "\t")
	f.Fuzz(func(t *testing.T, path, query, header string) {
		h := http.Header{"X-Test": {header}}
		r := &Request{Method: "POST", Path: path, RawQuery: query, Host: header, Header: h, Body: []byte(query)}
		a := &Auth{SignedHeaders: []string{"host", "x-test", "content-length", "absent"}, Time: time.Unix(0, 0), terminator: terminator}
		ph := appendPayloadHash(nil, r)
		_ = appendCanonicalRequest(nil, r, a, canonicalURI(path), ph)
		_, _ = normalizedURI(path)

		got := string(appendCanonicalQuery(nil, query, false))
		if want := referenceQuery(query); got != want {
			t.Errorf("canonical query of %q = %q, reference %q", query, got, want)
		}
		if again := string(appendCanonicalQuery(nil, got, false)); again != got {
			t.Errorf("canonical query not stable: %q -> %q -> %q", query, got, again)
		}
	})
}

// referenceQuery is the canonical query string built the slow, obvious way.
func referenceQuery(raw string) string {
	vals, _ := url.ParseQuery(raw)
	var pairs [][2]string
	for k, vs := range vals {
		for _, v := range vs {
			pairs = append(pairs, [2]string{enc(k), enc(v)})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p[0] + "=" + p[1]
	}
	return strings.Join(parts, "&")
}

func enc(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
