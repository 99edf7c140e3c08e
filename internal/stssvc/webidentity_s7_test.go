package stssvc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

// unverifiedClaims is a token's claims undecoded, as the verified oidc.Claims.Raw carries them,
// for the claim tests that need no provider: oidc.Parse checks the token's form (refusals as
// AssumeRoleWithWebIdentity answers them), and the payload is decoded here without checking the
// signature.
func unverifiedClaims(idToken string) (map[string]json.RawMessage, error) {
	if _, err := oidc.Parse(idToken); err != nil {
		return nil, webIdentityError(err)
	}
	parts := strings.Split(idToken, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	return claims, nil
}

// webIdentitySourceIdentity is sourceIdentityOf on a token's claims.
func webIdentitySourceIdentity(idToken string) (string, error) {
	claims, err := unverifiedClaims(idToken)
	if err != nil {
		return "", err
	}
	return sourceIdentityOf(claims)
}

// countingVerifier fails the test if STS asks it to verify anything.
type countingVerifier struct{ calls int }

func (v *countingVerifier) Verify(context.Context, string, []string, []string, *oidc.Token, time.Time) (*oidc.Claims, error) {
	v.calls++
	return nil, errors.New("unexpected Verify")
}

// TestWebIdentityMalformedToken: a token that does not parse is refused as AWS refuses it
// (InvalidIdentityToken) before any provider is looked up (the Service has no store) or any
// key is fetched.
func TestWebIdentityMalformedToken(t *testing.T) {
	k := oidctest.RSAKey(t, "k")
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for _, tc := range []struct{ name, token string }{
		{"not a JWT", "an.opaque-access-token"},
		{"alg none", enc(map[string]string{"alg": "none"}) + "." + enc(map[string]string{"iss": "https://idp.example.com"}) + "."},
		{"no iss", oidctest.Sign(t, k, map[string]any{"sub": "u", "aud": "app", "exp": 2000000000})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &countingVerifier{}
			s := &Service{webID: v}
			_, err := s.AssumeRoleWithWebIdentity(context.Background(), &authn.Caller{}, &sdk.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String("arn:aws:iam::111122223333:role/web"), RoleSessionName: aws.String("web-session"), WebIdentityToken: aws.String(tc.token)})
			var ie *iam.Error
			if !errors.As(err, &ie) || ie.Code != iam.CodeInvalidIdentityToken || ie.Message != oidc.MsgMalformed {
				t.Errorf("token %q: err = %v, want %s %q", tc.token, err, iam.CodeInvalidIdentityToken, oidc.MsgMalformed)
			}
			if v.calls != 0 {
				t.Errorf("token %q: Verify called %d times, want 0", tc.token, v.calls)
			}
		})
	}
}
