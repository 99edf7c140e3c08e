package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHMACMatchesStandard(t *testing.T) {
	keys := [][]byte{nil, []byte("k"), []byte(strings.Repeat("x", 64)), []byte(strings.Repeat("y", 65)), []byte(strings.Repeat("z", 200))}
	msgs := [][]byte{nil, []byte("message"), []byte(strings.Repeat("m", 1000))}
	for _, k := range keys {
		for _, m := range msgs {
			h := hmac.New(sha256.New, k)
			h.Write(m)
			want := h.Sum(nil)
			got, _ := hmacSHA256(nil, k, m)
			if !hmac.Equal(got[:], want) {
				t.Errorf("hmacSHA256(key len %d, msg len %d) = %x, want %x", len(k), len(m), got, want)
			}
		}
	}
}

func TestCanonicalRequestOfAWSExample(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	h.Set("X-Amz-Date", "20150830T123600Z")
	r := &Request{Method: "GET", Path: "/", RawQuery: "Action=ListUsers&Version=2010-05-08", Host: "iam.amazonaws.com", Header: h}
	a := &Auth{SignedHeaders: []string{"content-type", "host", "x-amz-date"}}
	ph := appendPayloadHash(nil, r)
	got := string(appendCanonicalRequest(nil, r, a, canonicalURI(r.Path), ph))
	want := "GET\n/\nAction=ListUsers&Version=2010-05-08\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n" +
		"content-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got != want {
		t.Errorf("canonical request:\n%s\nwant:\n%s", got, want)
	}
	// The hash the documentation publishes for this canonical request.
	if sum := sha256.Sum256([]byte(got)); hex.EncodeToString(sum[:]) != "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59" {
		t.Errorf("canonical request hash = %x", sum)
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := []struct{ name, raw, want string }{
		{"empty", "", ""},
		{"sorted by key", "b=2&a=1", "a=1&b=2"},
		{"same key sorted by value", "a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"sorted after encoding", "a=a/b&a=a-b", "a=a%2Fb&a=a-b"},
		{"upper case before lower", "b=1&B=2&a=3", "B=2&a=3&b=1"},
		{"plus is space", "a=1+2", "a=1%202"},
		{"encoded plus", "a=1%2B2", "a=1%2B2"},
		{"lower-case escapes", "a=%2f%7e", "a=%2F~"},
		{"reserved characters", "a=*!'()", "a=%2A%21%27%28%29"},
		{"unicode", "%C3%A9=1&z=2", "%C3%A9=1&z=2"},
		{"bare key", "flag", "flag="},
		{"empty pairs", "&&a=1&", "a=1"},
		{"semicolon dropped", "a=1;b=2&c=3", "c=3"},
		{"bad escape dropped", "a=%zz&b=1", "b=1"},
		{"empty key", "=v", "=v"},
		{"many pairs", "p=17&p=16&p=15&p=14&p=13&p=12&p=11&p=10&p=9&p=8&p=7&p=6&p=5&p=4&p=3&p=2&p=1",
			"p=1&p=10&p=11&p=12&p=13&p=14&p=15&p=16&p=17&p=2&p=3&p=4&p=5&p=6&p=7&p=8&p=9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(appendCanonicalQuery([]byte("prefix"), c.raw, false)); got != "prefix"+c.want {
				t.Errorf("appendCanonicalQuery(%q) = %q, want %q", c.raw, got, "prefix"+c.want)
			}
		})
	}
	if got := string(appendCanonicalQuery(nil, "X-Amz-Signature=abc&b=1", true)); got != "b=1" {
		t.Errorf("presigned query kept X-Amz-Signature: %q", got)
	}
	if got := string(appendCanonicalQuery(nil, "X-Amz-Signature=abc&b=1", false)); got != "X-Amz-Signature=abc&b=1" {
		t.Errorf("header-signed query dropped X-Amz-Signature: %q", got)
	}
}

func TestCanonicalURI(t *testing.T) {
	cases := []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a/b", "/a/b"},
		{"/foo%20bar", "/foo%2520bar"},
		{"/a+b/~x*", "/a%2Bb/~x%2A"},
		{"/%2F", "/%252F"},
	}
	for _, c := range cases {
		if got := canonicalURI(c.path); got != c.want {
			t.Errorf("canonicalURI(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

func TestNormalizedURI(t *testing.T) {
	cases := []struct {
		path, want string
		ok         bool
	}{
		{"/a/b", "", false},
		{"/a/./b/../c//d/", "/a/c/d/", true},
		{"/..", "/", true},
		{"./a", "a", true},
		{"//", "/", true},
		{"/a%20b//c", "/a%2520b/c", true},
	}
	for _, c := range cases {
		got, ok := normalizedURI(c.path)
		if got != c.want || ok != c.ok {
			t.Errorf("normalizedURI(%q) = %q, %v; want %q, %v", c.path, got, ok, c.want, c.ok)
		}
	}
}

func TestAppendTrimmed(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"  a   b  ", "a b"},
		{"\ta \t b\t", "a \t b"},
		{"a,  b", "a, b"},
	}
	for _, c := range cases {
		if got := string(appendTrimmed(nil, c.in)); got != c.want {
			t.Errorf("appendTrimmed(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHeaderValues(t *testing.T) {
	h := http.Header{"X-Amz-Date": {"d"}, "x-custom_h": {"c"}, "Weird": {"w"}}
	long := strings.Repeat("x", 70)
	h[long] = []string{"l"}
	cases := []struct {
		name string
		want []string
	}{
		{"x-amz-date", []string{"d"}},
		{"x-custom_h", []string{"c"}},
		{"weird", []string{"w"}},
		{long, []string{"l"}},
		{"absent", nil},
	}
	for _, c := range cases {
		if got := headerValues(h, c.name); !slices.Equal(got, c.want) {
			t.Errorf("headerValues(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// signFor signs r the way this package canonicalises it, with the given URI and payload hash,
// and sets the Authorization header; it stands in for signers other than the Go SDK.
func signFor(t *testing.T, r *Request, signed []string, uri, payloadHash string, when time.Time) {
	t.Helper()
	a := &Auth{Date: when.Format("20060102"), Region: "us-east-1", Service: "execute-api", terminator: terminator, SignedHeaders: signed, Time: when}
	key := SigningKey("secret", a.Date, a.Region, a.Service)
	cr := appendCanonicalRequest(nil, r, a, uri, []byte(payloadHash))
	crHash := sha256.Sum256(cr)
	sts := Algorithm + "\n" + when.Format(amzDateFormat) + "\n" + a.Date + "/us-east-1/execute-api/aws4_request\n" + hex.EncodeToString(crHash[:])
	m := hmac.New(sha256.New, key)
	m.Write([]byte(sts))
	sig := hex.EncodeToString(m.Sum(nil))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+a.Date+"/us-east-1/execute-api/aws4_request, SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

func TestVerifyAlternatives(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	newReq := func(path string, body []byte) *Request {
		h := http.Header{}
		h.Set("X-Amz-Date", when.Format(amzDateFormat))
		return &Request{Method: "POST", Path: path, Host: "h", Header: h, Body: body}
	}
	emptyHash := hex.EncodeToString(func() []byte { s := sha256.Sum256(nil); return s[:] }())
	t.Run("botocore normalised path", func(t *testing.T) {
		r := newReq("/a/./b/../c", nil)
		signFor(t, r, []string{"host", "x-amz-date"}, "/a/c", emptyHash, when)
		a, err := Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(r, a, "secret", when); err != nil {
			t.Errorf("Verify = %v, want nil", err)
		}
	})
	t.Run("content-length from body", func(t *testing.T) {
		body := []byte("Action=X")
		r := newReq("/", body)
		r.Header.Set("Content-Length", "8")
		signFor(t, r, []string{"content-length", "host", "x-amz-date"}, "/", hex.EncodeToString(func() []byte { s := sha256.Sum256(body); return s[:] }()), when)
		r.Header.Del("Content-Length")
		a, err := Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(r, a, "secret", when); err != nil {
			t.Errorf("Verify = %v, want nil", err)
		}
	})
	t.Run("host header when Host is empty", func(t *testing.T) {
		r := newReq("/", nil)
		signFor(t, r, []string{"host", "x-amz-date"}, "/", emptyHash, when)
		r.Host = ""
		r.Header.Set("Host", "h")
		a, err := Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := Verify(r, a, "secret", when); err != nil {
			t.Errorf("Verify = %v, want nil", err)
		}
	})
}

func TestUnsignedPayloadPresigned(t *testing.T) {
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	q := url.Values{
		"Action":              {"GetCallerIdentity"},
		"X-Amz-Algorithm":     {Algorithm},
		"X-Amz-Credential":    {"AKID/20240501/us-east-1/sts/aws4_request"},
		"X-Amz-Date":          {"20240501T120000Z"},
		"X-Amz-SignedHeaders": {"host"},
	}
	r := &Request{Method: "GET", Path: "/", RawQuery: q.Encode(), Host: "sts", Header: http.Header{}}
	a := &Auth{Date: "20240501", Region: "us-east-1", Service: "sts", terminator: terminator, SignedHeaders: []string{"host"}, Time: when, Presigned: true}
	cr := appendCanonicalRequest(nil, r, a, "/", []byte(unsignedPayload))
	crHash := sha256.Sum256(cr)
	m := hmac.New(sha256.New, SigningKey("secret", "20240501", "us-east-1", "sts"))
	m.Write([]byte(Algorithm + "\n20240501T120000Z\n20240501/us-east-1/sts/aws4_request\n" + hex.EncodeToString(crHash[:])))
	q.Set("X-Amz-Signature", hex.EncodeToString(m.Sum(nil)))
	r.RawQuery = q.Encode()
	parsed, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(r, parsed, "secret", when); err != nil {
		t.Errorf("Verify(UNSIGNED-PAYLOAD, empty body) = %v, want nil", err)
	}
	r.Body = []byte("Action=CreateUser")
	if err := Verify(r, parsed, "secret", when); err == nil {
		t.Error("Verify(UNSIGNED-PAYLOAD, with body) = nil, want SignatureDoesNotMatch")
	}
}
