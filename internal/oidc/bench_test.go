package oidc_test

import (
	"context"
	"testing"

	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

// BenchmarkVerify is one AssumeRoleWithWebIdentity token check with the key set cached.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			is := oidctest.NewIssuer(b)
			k := oidctest.RSAKey(b, "k")
			if alg == "ES256" {
				k = oidctest.ECKey(b, "k")
			}
			is.Publish(k)
			v := oidc.NewVerifier(is.Client())
			tok := oidctest.Sign(b, k, claims(is.URL, nil))
			ids := []string{"sts.amazonaws.com"}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, is.URL, ids, nil, tok, t0); err != nil {
					b.Fatal(err)
				}
			}
			if is.Hits() != 1 {
				b.Errorf("key set fetched %d times, want 1", is.Hits())
			}
		})
	}
}
