package oidc_test

import (
	"context"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

// BenchmarkVerify is one AssumeRoleWithWebIdentity token check with the key set cached: parse,
// then verify.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			is, k := benchIssuer(b, alg)
			v := oidc.NewVerifier(is.Client())
			tok := oidctest.Sign(b, k, claims(is.URL, nil))
			ids := []string{"sts.amazonaws.com"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := verify(ctx, v, is.URL, ids, tok, t0); err != nil {
					b.Fatal(err)
				}
			}
			if is.Hits() != 1 {
				b.Errorf("key set fetched %d times, want 1", is.Hits())
			}
		})
	}
}

// BenchmarkWebIdentityPath is what AssumeRoleWithWebIdentity does with a token that carries a
// source identity and session tags: parse it once, take its issuer (to find the provider),
// verify it, and read AWS's claims from the verified claims.
func BenchmarkWebIdentityPath(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			is, k := benchIssuer(b, alg)
			v := oidc.NewVerifier(is.Client())
			tok := oidctest.Sign(b, k, claims(is.URL, func(c map[string]any) {
				c["https://aws.amazon.com/source_identity"] = "alice"
				c["https://aws.amazon.com/tags"] = map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}}
			}))
			ids := []string{"sts.amazonaws.com"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				t, err := oidc.Parse(tok)
				if err != nil {
					b.Fatal(err)
				}
				c, err := v.Verify(ctx, t.Issuer(), ids, nil, t, t0)
				if err != nil {
					b.Fatal(err)
				}
				if c.Raw["https://aws.amazon.com/source_identity"] == nil || c.Raw["https://aws.amazon.com/tags"] == nil {
					b.Fatal("AWS claims missing")
				}
			}
		})
	}
}

func benchIssuer(b *testing.B, alg string) (*oidctest.Issuer, jose.JSONWebKey) {
	is := oidctest.NewIssuer(b)
	k := oidctest.RSAKey(b, "k")
	if alg == "ES256" {
		k = oidctest.ECKey(b, "k")
	}
	is.Publish(k)
	return is, k
}
