package secrets

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func TestIdentifiers(t *testing.T) {
	cases := []struct {
		name   string
		mint   func(io.Reader) (string, error)
		prefix string
		length int
	}{
		{"access key", func(r io.Reader) (string, error) { return NewAccessKeyID("AKIA", r) }, "AKIA", 20},
		{"temporary access key", func(r io.Reader) (string, error) { return NewAccessKeyID("ASIA", r) }, "ASIA", 20},
		{"user", func(r io.Reader) (string, error) { return NewUniqueID("AIDA", r) }, "AIDA", 21},
		{"role", func(r io.Reader) (string, error) { return NewUniqueID("AROA", r) }, "AROA", 21},
		{"group", func(r io.Reader) (string, error) { return NewUniqueID("AGPA", r) }, "AGPA", 21},
		{"policy", func(r io.Reader) (string, error) { return NewUniqueID("ANPA", r) }, "ANPA", 21},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := seeded(11)
			seen := map[string]bool{}
			counts := map[rune]int{}
			const n = 2000
			for range n {
				id, err := c.mint(r)
				if err != nil {
					t.Fatal(err)
				}
				if len(id) != c.length || !strings.HasPrefix(id, c.prefix) {
					t.Fatalf("id %q: want %d characters starting %s", id, c.length, c.prefix)
				}
				for _, ch := range id[4:] {
					if !strings.ContainsRune(idAlphabet, ch) {
						t.Fatalf("id %q has %q outside A-Z2-7", id, ch)
					}
					counts[ch]++
				}
				if seen[id] {
					t.Fatalf("id %q minted twice", id)
				}
				seen[id] = true
			}
			// Every letter of the alphabet turns up, about equally often.
			per := n * (c.length - 4) / len(idAlphabet)
			for _, ch := range idAlphabet {
				if got := counts[ch]; got < per*3/4 || got > per*5/4 {
					t.Errorf("character %q appears %d times, want about %d", ch, got, per)
				}
			}
		})
	}
}

func TestIdentifierErrors(t *testing.T) {
	for _, prefix := range []string{"", "AKI", "AKIAA", "akia", "AK1A"} {
		if id, err := NewAccessKeyID(prefix, seeded(1)); err == nil {
			t.Errorf("NewAccessKeyID(%q) = %q, want error", prefix, id)
		}
	}
	failing := iotest.ErrReader(io.ErrUnexpectedEOF)
	if _, err := NewUniqueID("AIDA", failing); err == nil {
		t.Error("NewUniqueID with failing reader = nil error")
	}
	if _, err := NewSecretAccessKey(failing); err == nil {
		t.Error("NewSecretAccessKey with failing reader = nil error")
	}
}

func TestSecretAccessKey(t *testing.T) {
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	r := seeded(12)
	a, err := NewSecretAccessKey(r)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSecretAccessKey(r)
	if len(a) != 40 || a == b {
		t.Errorf("secrets %q, %q: want 40 characters, different", a, b)
	}
	for _, ch := range a + b {
		if !strings.ContainsRune(b64, ch) {
			t.Errorf("secret %q has %q outside the base64 alphabet", a, ch)
		}
	}
}

func TestEqual(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"", "", true}, {"abc", "abc", true}, {"abc", "abd", false}, {"abc", "ab", false}, {"", "a", false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
