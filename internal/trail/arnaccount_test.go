package trail

import (
	"strings"
	"testing"
)

// TestARNAccount: arnAccount is the fifth colon-separated field of an ARN, as strings.SplitN(arn,
// ":", 6)[4] gives it, and "" for text with fewer than six fields.
func TestARNAccount(t *testing.T) {
	cases := []struct{ arn, want string }{
		{"arn:aws:iam::123456789012:role/r", "123456789012"},
		{"arn:aws:iam::123456789012:saml-provider/p", "123456789012"},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "aws"},
		{"arn:aws:s3:::bucket", ""},
		{"arn:aws:iam::123456789012:role/a:b:c", "123456789012"},
		{"arn:aws:iam::123456789012", ""},
		{"arn:aws:iam::123456789012:", "123456789012"},
		{"arn:aws:iam:", ""},
		{"nothing-valid-in-here", ""},
		{"", ""},
		{":::::", ""},
		{"a:b:c:d:é:f", "é"},
	}
	for _, tc := range cases {
		if got := arnAccount(tc.arn); got != tc.want {
			t.Errorf("arnAccount(%q) = %q, want %q", tc.arn, got, tc.want)
		}
		want := ""
		if parts := strings.SplitN(tc.arn, ":", 6); len(parts) == 6 {
			want = parts[4]
		}
		if got := arnAccount(tc.arn); got != want {
			t.Errorf("arnAccount(%q) = %q, strings.SplitN gives %q", tc.arn, got, want)
		}
	}
}

func TestSource(t *testing.T) {
	for _, service := range []string{"iam", "sts", "cloudtrail", "access-analyzer", ""} {
		if got, want := Source(service), service+".amazonaws.com"; got != want {
			t.Errorf("Source(%q) = %q, want %q", service, got, want)
		}
	}
}
