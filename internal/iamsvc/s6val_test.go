package iamsvc

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/iam"
)

// errText is err's text, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fieldErr is the text of a FieldError at field for value.
func fieldErr(field, value, constraint string) string {
	return "Value '" + value + "' at '" + field + "' failed to satisfy constraint: " + constraint
}

// TestCheckMarker: the model's markerType, 1–320 characters of [\u0020-\u00FF]+, counted in
// characters; "" is no marker. Markers iamd issues satisfy it.
func TestCheckMarker(t *testing.T) {
	const pattern = `Member must satisfy regular expression pattern: [\u0020-\u00FF]+`
	const tooLong = "Member must have length less than or equal to 320"
	// The longest name key iamd pages by (a virtual MFA device name, 226 characters) and
	// ListPolicies' marker (owner index byte plus a 128-character policy name).
	mfaMarker, _ := nextMarker(strings.Repeat("z", 226))
	policiesMarker := base64.RawURLEncoding.EncodeToString(append([]byte{1}, strings.Repeat("z", 128)...))
	tests := []struct {
		name   string
		marker *string
		want   string // the error text, "" for none
	}{
		{"nil", nil, ""},
		{"empty", ptr(""), ""},
		{"issued by slicePage", ptr("MTAw"), ""},
		{"not base64 but in the pattern", ptr("bogus! ~"), ""},
		{"320 characters", ptr(strings.Repeat("a", 320)), ""},
		{"320 two-byte characters", ptr(strings.Repeat("\u00e9", 320)), ""},
		{"space and U+00FF", ptr(" \u00ff"), ""},
		{"longest MFA device marker", mfaMarker, ""},
		{"longest ListPolicies marker", ptr(policiesMarker), ""},
		{"321 characters", ptr(strings.Repeat("a", 321)), fieldErr("marker", strings.Repeat("a", 321), tooLong)},
		{"321 two-byte characters", ptr(strings.Repeat("\u00e9", 321)), fieldErr("marker", strings.Repeat("\u00e9", 321), tooLong)},
		{"tab", ptr("ab\tc"), fieldErr("marker", "ab\tc", pattern)},
		{"U+0100", ptr("ab\u0100"), fieldErr("marker", "ab\u0100", pattern)},
		{"invalid UTF-8", ptr("ab\xff"), fieldErr("marker", "ab\xff", pattern)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errText(checkMarker(tc.marker)); got != tc.want {
				t.Errorf("checkMarker(%q) = %q, want %q", str(tc.marker), got, tc.want)
			}
		})
	}
}

// TestPagingMarkerErrors: page and slicePage answer a marker breaking the model's constraint with
// a ValidationError at 'marker', and keep "Invalid Marker." for a well-formed one iamd did not
// issue.
func TestPagingMarkerErrors(t *testing.T) {
	long := strings.Repeat("A", 321)
	invalid := "InvalidInput: Invalid Marker."
	tests := []struct {
		name, marker string
		wantPage     string
		wantSlice    string
	}{
		{"too long", long, fieldErr("marker", long, "Member must have length less than or equal to 320"), fieldErr("marker", long, "Member must have length less than or equal to 320")},
		{"control character", "MTA\n", fieldErr("marker", "MTA\n", `Member must satisfy regular expression pattern: [\u0020-\u00FF]+`), fieldErr("marker", "MTA\n", `Member must satisfy regular expression pattern: [\u0020-\u00FF]+`)},
		{"not issued", "bogus!", invalid, invalid},
		{"index past the end", base64.RawURLEncoding.EncodeToString([]byte("11")), "", invalid},
		{"issued", base64.RawURLEncoding.EncodeToString([]byte("3")), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := page(nil, ptr(tc.marker), nil)
			if got := errText(err); got != tc.wantPage {
				t.Errorf("page(marker %q) = %q, want %q", tc.marker, got, tc.wantPage)
			}
			_, _, _, err = slicePage(10, ptr(tc.marker), nil)
			if got := errText(err); got != tc.wantSlice {
				t.Errorf("slicePage(10, marker %q) = %q, want %q", tc.marker, got, tc.wantSlice)
			}
			err = checkPaging(ptr(tc.marker), nil)
			if got, want := errText(err), tc.wantPage; tc.wantPage != invalid && got != want {
				t.Errorf("checkPaging(marker %q) = %q, want %q", tc.marker, got, want)
			}
		})
	}
	if got, want := errText(checkPaging(nil, ptr(int32(1001)))), fieldErr("maxItems", "1001", "Member must have value less than or equal to 1000"); got != want {
		t.Errorf("checkPaging(MaxItems 1001) = %q, want %q", got, want)
	}
}

// TestCheckAccessKeyID: the model's accessKeyIdType, 16–128 characters of [\w]+.
func TestCheckAccessKeyID(t *testing.T) {
	const pattern = `Member must satisfy regular expression pattern: [\w]+`
	tests := []struct{ name, id, want string }{
		{"AKIA key", "AKIAIOSFODNN7EXAMPLE", ""},
		{"16 characters", strings.Repeat("a", 16), ""},
		{"128 characters with underscore and digits", strings.Repeat("a_9", 42) + "ab", ""},
		{"empty", "", fieldErr("accessKeyId", "", "Member must have length greater than or equal to 16")},
		{"15 characters", strings.Repeat("a", 15), fieldErr("accessKeyId", strings.Repeat("a", 15), "Member must have length greater than or equal to 16")},
		{"129 characters", strings.Repeat("a", 129), fieldErr("accessKeyId", strings.Repeat("a", 129), "Member must have length less than or equal to 128")},
		{"space", "aaaaaaaa aaaaaaa", fieldErr("accessKeyId", "aaaaaaaa aaaaaaa", pattern)},
		{"hyphen", "AKIAIOSFODNN7-XAMPLE", fieldErr("accessKeyId", "AKIAIOSFODNN7-XAMPLE", pattern)},
		{"non-ASCII letter", "AKIAIOSFODNN7\u00e9XAMPLE", fieldErr("accessKeyId", "AKIAIOSFODNN7\u00e9XAMPLE", pattern)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errText(iam.CheckAccessKeyID(tc.id)); got != tc.want {
				t.Errorf("iam.CheckAccessKeyID(%q) = %q, want %q", tc.id, got, tc.want)
			}
		})
	}
}

// TestCheckSerialPattern: the model's serialNumberType, 9–256 characters of [\w+=/:,.@-]+.
func TestCheckSerialPattern(t *testing.T) {
	const pattern = `Member must satisfy regular expression pattern: [\w+=/:,.@-]+`
	const short, long = "Member must have length greater than or equal to 9", "Member must have length less than or equal to 256"
	tests := []struct{ name, serial, want string }{
		{"virtual device ARN", "arn:aws:iam::123456789012:mfa/a_b+c=d,e.f@g-h", ""},
		{"hardware serial", "GAHT12345678", ""},
		{"8 characters", "GAHT1234", fieldErr("serialNumber", "GAHT1234", short)},
		{"257 characters", strings.Repeat("a", 257), fieldErr("serialNumber", strings.Repeat("a", 257), long)},
		{"space", "arn:aws:iam::1234 6789012:mfa/fxmfa", fieldErr("serialNumber", "arn:aws:iam::1234 6789012:mfa/fxmfa", pattern)},
		{"exclamation mark", "arn:aws:iam::123456789012:mfa/a!", fieldErr("serialNumber", "arn:aws:iam::123456789012:mfa/a!", pattern)},
		{"non-ASCII letter", "arn:aws:iam::123456789012:mfa/\u00e9", fieldErr("serialNumber", "arn:aws:iam::123456789012:mfa/\u00e9", pattern)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errText(checkSerial(tc.serial)); got != tc.want {
				t.Errorf("checkSerial(%q) = %q, want %q", tc.serial, got, tc.want)
			}
		})
	}
}

// TestCheckPolicyPath: the model's policyPathType, 1–512 characters matching
// ((/[A-Za-z0-9\.,\+@=_-]+)*)/, named by the member it checks.
func TestCheckPolicyPath(t *testing.T) {
	const pattern = `Member must satisfy regular expression pattern: ((/[A-Za-z0-9\.,\+@=_-]+)*)/`
	long := "/" + strings.Repeat("a", 510) + "/"
	tests := []struct{ name, field, path, want string }{
		{"root", "path", "/", ""},
		{"one segment", "path", "/a/", ""},
		{"nested", "pathPrefix", "/service-role/x/", ""},
		{"every allowed punctuation", "path", "/a.b,c+d@e=f_g-h/", ""},
		{"512 characters", "path", long, ""},
		{"exclamation mark", "path", "/a!a/", fieldErr("path", "/a!a/", pattern)},
		{"space", "pathPrefix", "/aaa aa/", fieldErr("pathPrefix", "/aaa aa/", pattern)},
		{"empty segment", "path", "/a//b/", fieldErr("path", "/a//b/", pattern)},
		{"double slash", "path", "//", fieldErr("path", "//", pattern)},
		{"no trailing slash", "pathPrefix", "/a", fieldErr("pathPrefix", "/a", pattern)},
		{"no leading slash", "path", "a/", fieldErr("path", "a/", pattern)},
		{"non-ASCII letter", "path", "/\u00e9/", fieldErr("path", "/\u00e9/", pattern)},
		{"empty", "path", "", fieldErr("path", "", "Member must have length greater than or equal to 1")},
		{"513 characters", "path", long + "a", fieldErr("path", long+"a", "Member must have length less than or equal to 512")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errText(checkPolicyPath(tc.field, tc.path)); got != tc.want {
				t.Errorf("checkPolicyPath(%q, %q) = %q, want %q", tc.field, tc.path, got, tc.want)
			}
		})
	}
}

// TestCheckSourceARNLength: PolicySourceArn is an arnType, 20–2048 characters, checked before the
// principal is looked up.
func TestCheckSourceARNLength(t *testing.T) {
	user := "arn:aws:iam::123456789012:user/"
	maxARN := user + strings.Repeat("a", 2048-len(user))
	tests := []struct{ name, arn, want string }{
		{"2048 characters", maxARN, ""},
		{"2049 characters", maxARN + "a", fieldErr("policySourceArn", maxARN+"a", "Member must have length less than or equal to 2048")},
		{"19 characters", "arn:aws:iam::1:user", fieldErr("policySourceArn", "arn:aws:iam::1:user", "Member must have length greater than or equal to 20")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := errText(checkSourceARN(tc.arn)); got != tc.want {
				t.Errorf("checkSourceARN(%d characters) = %.120q, want %.120q", len(tc.arn), got, tc.want)
			}
		})
	}
}
