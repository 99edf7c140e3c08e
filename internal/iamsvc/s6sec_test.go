package iamsvc

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
)

// TestBoundaryKeyedMatchesCatalog: iam:PermissionsBoundary is set for exactly the actions the
// Service Authorization Reference lists it for: boundaryKeyed, plus the four actions that set
// it to the boundary in the request.
func TestBoundaryKeyedMatchesCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatalf("catalog.Load: %v", err)
	}
	var want []string
	for action, keys := range cat.ActionConditionKeys() {
		if slices.Contains(keys, "iam:PermissionsBoundary") {
			want = append(want, strings.ToLower(action))
		}
	}
	got := []string{"iam:createrole", "iam:createuser", "iam:putrolepermissionsboundary", "iam:putuserpermissionsboundary"}
	for action := range boundaryKeyed {
		got = append(got, strings.ToLower(action))
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("actions with iam:PermissionsBoundary (-catalog +iamd):\n%s", diff)
	}
}

// TestCheckPasswordField: 1 to 128 characters of [\u0009\u000A\u000D\u0020-\u00FF], counted in
// characters, and the error never carries the password.
func TestCheckPasswordField(t *testing.T) {
	const pattern = `Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	tests := []struct {
		name, pw, want string // want: the error text, "" for none
	}{
		{"empty", "", "Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"printable ASCII", "Correct-Horse-1", ""},
		{"tab newline return", "a\tb\nc\rd", ""},
		{"space and DEL", " \x7f", ""},
		{"Latin-1", "\u00a0\u00e9\u00ff", ""},
		{"128 two-byte characters", strings.Repeat("\u00e9", 128), ""},
		{"129 characters", strings.Repeat("a", 129), "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"SOH", "secret\x01", pattern},
		{"NUL", "\x00secret", pattern},
		{"vertical tab", "secret\v", pattern},
		{"U+0100", "secret\u0100", pattern},
		{"invalid UTF-8", "secret\xff", pattern},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPasswordField("password", tc.pw)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("checkPasswordField(%q) = %q, want %q", tc.pw, got, tc.want)
			}
			if tc.pw != "" && strings.Contains(got, tc.pw) {
				t.Errorf("checkPasswordField(%q) error %q carries the password", tc.pw, got)
			}
		})
	}
}
