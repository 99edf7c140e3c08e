package secrets

import (
	"testing"
)

func benchRing(b *testing.B) *Keyring {
	b.Helper()
	k, err := ParseKeyring(keyLine("1", 1))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func BenchmarkSeal(b *testing.B) {
	k, r := benchRing(b), seeded(20)
	secret, ad := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), []byte("AKIAIOSFODNN7EXAMPLE")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Seal(secret, ad, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	k := benchRing(b)
	ad := []byte("AKIAIOSFODNN7EXAMPLE")
	sealed, err := k.Seal([]byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ad, seeded(21))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open(sealed, ad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenToken(b *testing.B) {
	k := benchRing(b)
	payload := []byte(`{"arn":"arn:aws:sts::123456789012:assumed-role/deploy/ci-run-42","secret":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","exp":"2024-05-01T13:00:00Z","policies":[],"tags":{"team":"infra"}}`)
	tok, err := k.SealToken(payload, seeded(22))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.OpenToken(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	h, err := HashPassword("correct horse battery staple", seeded(23))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := CheckPassword(h, "correct horse battery staple"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkSealToken seals a role session's claims (about 200 bytes) into a session token, as
// every AssumeRole does.
func BenchmarkSealToken(b *testing.B) {
	k, r := benchRing(b), seeded(23)
	payload := make([]byte, 200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.SealToken(payload, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewCredentials mints a temporary access key ID and its secret.
func BenchmarkNewCredentials(b *testing.B) {
	r := seeded(24)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewAccessKeyID("ASIA", r); err != nil {
			b.Fatal(err)
		}
		if _, err := NewSecretAccessKey(r); err != nil {
			b.Fatal(err)
		}
	}
}
