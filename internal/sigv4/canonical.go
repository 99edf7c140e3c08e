package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// unsignedPayload is the payload hash of a request whose body the signature does not cover.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// appendCanonicalRequest appends the canonical request of r for the canonical URI uri and
// the payload hash payloadHash:
//
//	Method \n URI \n Query \n Headers (each ending in \n) \n SignedHeaders \n PayloadHash
func appendCanonicalRequest(dst []byte, r *Request, a *Auth, uri string, payloadHash []byte) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	dst = append(dst, uri...)
	dst = append(dst, '\n')
	dst = appendCanonicalQuery(dst, r.RawQuery, a.Presigned)
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, r, a.SignedHeaders)
	dst = append(dst, '\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h...)
	}
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

// canonicalURI returns the path escaped once more, every byte but unreserved ones and '/'
// becoming %XX ("URI-encoded twice", since path is already escaped). An empty path is "/".
func canonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	if !needsEscape(path, true) {
		return path
	}
	return string(appendEscaped(make([]byte, 0, len(path)+16), path, true))
}

// normalizedURI is the canonical URI of path after removing ".", ".." and empty segments, as
// botocore does before signing; ok is false when that changes nothing.
func normalizedURI(path string) (uri string, ok bool) {
	if !strings.Contains(path, "//") && !strings.Contains(path, "/.") && !strings.HasPrefix(path, ".") {
		return "", false
	}
	var out []string
	for seg := range strings.SplitSeq(path, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	var b strings.Builder
	if strings.HasPrefix(path, "/") {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(out, "/"))
	if strings.HasSuffix(path, "/") && len(out) > 0 {
		b.WriteByte('/')
	}
	n := b.String()
	if n == path {
		return "", false
	}
	return canonicalURI(n), true
}

// eachQueryPair calls fn with the decoded name and value of every pair of raw that
// url.ParseQuery keeps (it drops empty pairs, pairs containing ';' and bad escapes), in order,
// until fn returns false.
func eachQueryPair(raw string, fn func(key, val string) bool) {
	for raw != "" {
		var seg string
		seg, raw, _ = strings.Cut(raw, "&")
		if seg == "" || strings.Contains(seg, ";") {
			continue
		}
		k, v, _ := strings.Cut(seg, "=")
		k, err := unescape(k)
		if err != nil {
			continue
		}
		v, err = unescape(v)
		if err != nil {
			continue
		}
		if !fn(k, v) {
			return
		}
	}
}

func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// span locates one encoded pair in the scratch area of appendCanonicalQuery: the name is
// [k0,k1), the value [k1,v1).
type span struct{ k0, k1, v1 int }

// appendCanonicalQuery appends the canonical query string of raw: pairs decoded, encoded
// again per RFC 3986, sorted by encoded name then encoded value. For presigned requests
// X-Amz-Signature is left out. The pairs are encoded past the end of dst as scratch, then
// written in order and moved back, so nothing else is allocated.
func appendCanonicalQuery(dst []byte, raw string, presigned bool) []byte {
	if raw == "" {
		return dst
	}
	base := len(dst)
	var arr [16]span
	spans := arr[:0]
	eachQueryPair(raw, func(k, v string) bool {
		if presigned && k == "X-Amz-Signature" {
			return true
		}
		k0 := len(dst)
		dst = appendEscaped(dst, k, false)
		k1 := len(dst)
		dst = appendEscaped(dst, v, false)
		spans = append(spans, span{k0, k1, len(dst)})
		return true
	})
	slices.SortFunc(spans, func(a, b span) int {
		if c := bytes.Compare(dst[a.k0:a.k1], dst[b.k0:b.k1]); c != 0 {
			return c
		}
		return bytes.Compare(dst[a.k1:a.v1], dst[b.k1:b.v1])
	})
	end := len(dst)
	for i, s := range spans {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, dst[s.k0:s.k1]...)
		dst = append(dst, '=')
		dst = append(dst, dst[s.k1:s.v1]...)
	}
	n := copy(dst[base:], dst[end:])
	return dst[:base+n]
}

// appendCanonicalHeaders appends "name:value\n" for every signed header.
func appendCanonicalHeaders(dst []byte, r *Request, signed []string) []byte {
	for _, name := range signed {
		lname := strings.ToLower(name)
		dst = append(dst, lname...)
		dst = append(dst, ':')
		if lname == "host" {
			host := r.Host
			if host == "" {
				host = r.Header.Get("Host")
			}
			dst = appendTrimmed(dst, host)
		} else {
			vals := headerValues(r.Header, lname)
			if vals == nil && lname == "content-length" && len(r.Body) > 0 {
				dst = strconv.AppendInt(dst, int64(len(r.Body)), 10)
			}
			for i, v := range vals {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendTrimmed(dst, v)
			}
		}
		dst = append(dst, '\n')
	}
	return dst
}

// headerValues returns the values of the header lname (lower case) without allocating for
// canonical keys; a map built by hand with other spellings is searched case-insensitively.
func headerValues(h http.Header, lname string) []string {
	var buf [64]byte
	if len(lname) <= len(buf) {
		b := buf[:len(lname)]
		upper := true
		for i := range len(lname) {
			c := lname[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(b)]; ok {
			return v
		}
	}
	for k, v := range h {
		if strings.EqualFold(k, lname) {
			return v
		}
	}
	return nil
}

// appendTrimmed appends v without leading and trailing white space and with every run of
// spaces collapsed to one.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	for i := range len(v) {
		if v[i] == ' ' && i > 0 && v[i-1] == ' ' {
			continue
		}
		dst = append(dst, v[i])
	}
	return dst
}

// appendPayloadHash appends the hex SHA-256 of the body. An X-Amz-Content-Sha256 header is
// never taken in its place: a signature over a hash the request only claims would not cover
// the body, and a captured request could be sent again with another one.
func appendPayloadHash(dst []byte, r *Request) []byte {
	sum := sha256.Sum256(r.Body)
	return hex.AppendEncode(dst, sum[:])
}

// unreserved reports whether c is an RFC 3986 unreserved character, never escaped.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func needsEscape(s string, keepSlash bool) bool {
	for i := range len(s) {
		if c := s[i]; !unreserved(c) && (c != '/' || !keepSlash) {
			return true
		}
	}
	return false
}

// appendEscaped appends s with every byte but unreserved ones (and '/' when keepSlash)
// written as %XX with upper-case hex.
func appendEscaped(dst []byte, s string, keepSlash bool) []byte {
	const hexUpper = "0123456789ABCDEF"
	for i := range len(s) {
		c := s[i]
		if unreserved(c) || (c == '/' && keepSlash) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}
