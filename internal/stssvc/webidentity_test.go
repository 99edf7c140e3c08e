package stssvc

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

// TestWebIdentitySourceIdentity: the https://aws.amazon.com/source_identity claim becomes the
// session's source identity when it is a valid SourceIdentity, and is an InvalidIdentityToken
// otherwise.
func TestWebIdentitySourceIdentity(t *testing.T) {
	k := oidctest.RSAKey(t, "k")
	tests := []struct {
		name     string
		claim    any // nil: no claim
		want     string
		wantCode string
	}{
		{"no claim", nil, "", ""},
		{"email", "alice@example.com", "alice@example.com", ""},
		{"every allowed character", "aZ09_+=,.@-", "aZ09_+=,.@-", ""},
		{"two characters", "ab", "ab", ""},
		{"64 characters", strings.Repeat("s", 64), strings.Repeat("s", 64), ""},
		{"one character", "a", "", iam.CodeInvalidIdentityToken},
		{"65 characters", strings.Repeat("s", 65), "", iam.CodeInvalidIdentityToken},
		{"aws: prefix", "aws:alice", "", iam.CodeInvalidIdentityToken},
		{"AWS: prefix", "AWS:alice", "", iam.CodeInvalidIdentityToken},
		{"space", "alice smith", "", iam.CodeInvalidIdentityToken},
		{"non-ASCII letter", "alicé", "", iam.CodeInvalidIdentityToken},
		{"empty", "", "", iam.CodeInvalidIdentityToken},
		{"number", 42, "", iam.CodeInvalidIdentityToken},
		{"list", []string{"alice"}, "", iam.CodeInvalidIdentityToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "app", "exp": 2000000000}
			if tc.claim != nil {
				claims[sourceIdentityClaim] = tc.claim
			}
			got, err := webIdentitySourceIdentity(oidctest.Sign(t, k, claims))
			gotCode := errCode(err)
			if got != tc.want || gotCode != tc.wantCode {
				t.Errorf("claim %#v: got (%q, %v), want (%q, code %q)", tc.claim, got, err, tc.want, tc.wantCode)
			}
		})
	}
	if _, err := webIdentitySourceIdentity("not.a.jwt"); errCode(err) != iam.CodeInvalidIdentityToken {
		t.Errorf("not a JWT: err = %v, want %s", err, iam.CodeInvalidIdentityToken)
	}
}

// errCode is err's AWS error code: "" for nil, "?" for an error that is not an *iam.Error.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *iam.Error
	if !errors.As(err, &e) {
		return "?"
	}
	return e.Code
}
