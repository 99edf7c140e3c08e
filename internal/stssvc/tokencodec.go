package stssvc

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// tokenV2 starts a session token's payload in the binary form below. Older payloads still open,
// so that live sessions survive an upgrade: tokenV1, the same form without the two fields that
// follow Chained (WebIdentityProvider and IssuerID, then empty), and payloads that start with
// '{', the JSON form iamd sealed before the binary one.
const (
	tokenV1 = 0x01
	tokenV2 = 0x02
)

// errTokenFormat is any malformed payload (the caller answers InvalidClientTokenId).
var errTokenFormat = errors.New("session token payload is malformed")

// marshal encodes t in the binary form: the version byte, then every field in declaration
// order; strings and lists are length-prefixed (uvarint), times are flagged Unix nanoseconds,
// tags are sorted by key. Decoding it costs a fraction of decoding JSON, which matters because
// every request made with temporary credentials opens its token.
func (t *token) marshal() []byte {
	b := make([]byte, 0, 256+len(t.ARN)*2)
	b = append(b, tokenV2)
	b = appendString(b, t.AccessKeyID)
	b = appendString(b, t.Secret)
	b = appendTime(b, t.Expires)
	b = append(b, t.Type)
	for _, s := range []string{t.ARN, t.Account, t.SourceARN, t.UserID, t.UserName} {
		b = appendString(b, s)
	}
	b = appendStrings(b, t.Policies)
	keys := make([]string, 0, len(t.Tags))
	for k := range t.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(appendString(b, k), t.Tags[k])
	}
	b = appendStrings(b, t.TransitiveKeys)
	b = appendBool(b, t.MFA)
	b = appendTime(b, t.MFATime)
	b = appendTime(b, t.Issued)
	b = appendString(b, t.SourceIdentity)
	b = appendBool(b, t.Chained)
	b = appendString(b, t.WebIdentityProvider)
	return appendString(b, t.IssuerID)
}

// unmarshalToken decodes a payload written by marshal, or one of the older forms.
func unmarshalToken(b []byte) (*token, error) {
	var t token
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, errTokenFormat
		}
		return &t, nil
	}
	if len(b) == 0 || b[0] != tokenV1 && b[0] != tokenV2 {
		return nil, errTokenFormat
	}
	r := tokenReader{b: b[1:]}
	t.AccessKeyID = r.string()
	t.Secret = r.string()
	t.Expires = r.time()
	t.Type = r.byte()
	t.ARN, t.Account, t.SourceARN, t.UserID, t.UserName = r.string(), r.string(), r.string(), r.string(), r.string()
	t.Policies = r.strings()
	if n := r.count(); n > 0 {
		t.Tags = make(map[string]string, n)
		for range n {
			k := r.string()
			t.Tags[k] = r.string()
		}
	}
	t.TransitiveKeys = r.strings()
	t.MFA = r.bool()
	t.MFATime = r.time()
	t.Issued = r.time()
	t.SourceIdentity = r.string()
	t.Chained = r.bool()
	if b[0] == tokenV2 {
		t.WebIdentityProvider = r.string()
		t.IssuerID = r.string()
	}
	if r.bad || len(r.b) != 0 {
		return nil, errTokenFormat
	}
	return &t, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), t.UnixNano())
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// tokenReader reads the binary form; the first error sticks (bad) and later reads return zero
// values, so unmarshalToken checks once at the end.
type tokenReader struct {
	b   []byte
	bad bool
}

func (r *tokenReader) byte() byte {
	if r.bad || len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// count reads a length and checks it could fit in what is left (every element takes a byte).
func (r *tokenReader) count() int {
	if r.bad {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.bad = true
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *tokenReader) string() string {
	n := r.count()
	if r.bad || n > len(r.b) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *tokenReader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.string()
	}
	return out
}

func (r *tokenReader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		r.bad = true
		return time.Time{}
	}
	v, k := binary.Varint(r.b)
	if k <= 0 {
		r.bad = true
		return time.Time{}
	}
	r.b = r.b[k:]
	return time.Unix(0, v).UTC()
}

func (r *tokenReader) bool() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.bad = true
	return false
}
