package trail

import (
	"reflect"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
)

// CloudTrail writes the dates in IAM's and STS's responseElements the way those services'
// Java SDK prints them, in UTC, not as RFC 3339: IAM's "createDate":"Aug 1, 2024 1:33:28 PM",
// STS's "expiration":"Jul 30, 2024, 9:46:15 PM" (with a comma after the year), as AWS's own
// 2024 records of CreateUser, CreateAccessKey, AssumeRole and GetFederationToken show. IAM also
// writes the policy documents of its responses percent-encoded, as its API returns them
// (CreateRole's role.assumeRolePolicyDocument), while requestParameters carry them as sent.
// Values of other services' types keep RFC 3339.
const (
	iamDateLayout = "Jan 2, 2006 3:04:05 PM"
	stsDateLayout = "Jan 2, 2006, 3:04:05 PM"

	iamPackage = "github.com/aws/aws-sdk-go-v2/service/iam"
	stsPackage = "github.com/aws/aws-sdk-go-v2/service/sts"
)

// dateLayout is the layout of the dates in members of struct type t ("" for RFC 3339).
func dateLayout(t reflect.Type) string {
	switch strings.TrimSuffix(t.PkgPath(), "/types") {
	case iamPackage:
		return iamDateLayout
	case stsPackage:
		return stsDateLayout
	}
	return ""
}

// isTime reports whether t is time.Time or *time.Time.
func isTime(t reflect.Type) bool {
	return t == timeType || t.Kind() == reflect.Pointer && t.Elem() == timeType
}

// timeOf returns the time v holds when it is a time.Time or a non-nil *time.Time.
func timeOf(v reflect.Value) (time.Time, bool) {
	if !v.IsValid() {
		return time.Time{}, false
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() || v.Type().Elem() != timeType {
			return time.Time{}, false
		}
		v = v.Elem()
	}
	if v.Type() != timeType {
		return time.Time{}, false
	}
	return v.Interface().(time.Time), true
}

// formatDate writes t in layout, in UTC. ok is false for a time encoding/json cannot write
// (a year outside 0-9999), which the general path turns into no value at all.
func formatDate(dst []byte, t time.Time, layout string) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return dst, false
	}
	return t.UTC().AppendFormat(dst, layout), true
}

// timeEncoder encodes a time.Time or *time.Time member (type ft) in layout.
func timeEncoder(ft reflect.Type, layout string) *encoder {
	enc := func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			v = v.Elem()
		}
		start := len(dst)
		dst, ok := formatDate(append(dst, '"'), v.Interface().(time.Time), layout)
		if !ok {
			return dst[:start], errUnsupported
		}
		return append(dst, '"'), nil
	}
	if ft.Kind() == reflect.Pointer {
		return &encoder{enc: enc, omit: func(v reflect.Value) bool { return v.IsNil() }}
	}
	return &encoder{enc: enc, omit: never}
}

// percentEncodedField reports whether member name of struct type t is a policy document that IAM
// returns percent-encoded: the documents in IAM's output types (a Role's trust policy, a
// PolicyVersion's Document, a PolicyDetail's PolicyDocument) and the Get*Policy outputs'
// PolicyDocument. Inputs (whose documents are recorded as sent) are never percent-encoded.
func percentEncodedField(t reflect.Type, name string) bool {
	switch t.PkgPath() {
	case iamPackage + "/types":
		return name == "AssumeRolePolicyDocument" || name == "PolicyDocument" || name == "Document" && t.Name() == "PolicyVersion"
	case iamPackage:
		return name == "PolicyDocument" && strings.HasSuffix(t.Name(), "Output")
	}
	return false
}

// percentEncoder encodes a *string member percent-encoded (see percentEncodedField).
var percentEncoder = &encoder{
	enc: func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return audit.AppendString(dst, percentEncode(audit.ValidString(v.Elem().String()))), nil
	},
	omit: func(v reflect.Value) bool { return v.IsNil() },
}

// percentEncode escapes every byte of s but RFC 3986's unreserved characters, as IAM does.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
