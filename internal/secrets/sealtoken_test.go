package secrets

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"io"
	"strconv"
	"testing"
	"testing/iotest"
)

// The forms SealToken, newID and NewSecretAccessKey had before they were made to allocate less:
// the current ones must give the same text from the same randomness.

func referenceSealToken(k *Keyring, payload []byte, rand io.Reader) (string, error) {
	sealed, err := k.Seal(payload, []byte(tokenAD), rand)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(append([]byte(tokenMarker), sealed...)), nil
}

func referenceNewID(prefix string, total int, rand io.Reader) (string, error) {
	n := total - prefixLen
	buf := make([]byte, (n*5+7)/8)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return "", err
	}
	return prefix + base32.StdEncoding.EncodeToString(buf)[:n], nil
}

func referenceSecretAccessKey(rand io.Reader) (string, error) {
	var buf [30]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf[:]), nil
}

func TestSealTokenMatchesSeal(t *testing.T) {
	for _, ring := range []string{keyLine("7", 1), keyLine("4294967295", 9) + "\n" + keyLine("3", 2)} {
		k := newRing(t, ring)
		for _, size := range []int{0, 1, 200, 5000} {
			t.Run(strconv.Itoa(size), func(t *testing.T) {
				payload := bytes.Repeat([]byte{byte(size)}, size)
				got, err := k.SealToken(payload, seeded(byte(size)))
				if err != nil {
					t.Fatal(err)
				}
				want, err := referenceSealToken(k, payload, seeded(byte(size)))
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("SealToken(%d bytes) = %q, want %q", size, got, want)
				}
				opened, err := k.OpenToken(got)
				if err != nil || !bytes.Equal(opened, payload) {
					t.Errorf("OpenToken(SealToken(%d bytes)) = %d bytes, %v; want the payload", size, len(opened), err)
				}
			})
		}
	}
}

func TestSealTokenErrors(t *testing.T) {
	if tok, err := (&Keyring{}).SealToken([]byte("x"), seeded(1)); err == nil {
		t.Errorf("SealToken with no keys = %q, want an error", tok)
	}
	k := newRing(t, keyLine("7", 1))
	if tok, err := k.SealToken([]byte("x"), iotest.ErrReader(io.ErrUnexpectedEOF)); err == nil {
		t.Errorf("SealToken with a failing reader = %q, want an error", tok)
	}
}

func TestIdentifiersMatchReference(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		total  int
	}{{"ASIA", accessKeyIDLen}, {"AIDA", uniqueIDLen}, {"ABCD", 36}, {"WXYZ", 60}} {
		t.Run(tc.prefix, func(t *testing.T) {
			r, ref := seeded(5), seeded(5)
			for range 50 {
				got, err := newID(tc.prefix, tc.total, r)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := referenceNewID(tc.prefix, tc.total, ref)
				if got != want {
					t.Fatalf("newID(%s, %d) = %q, want %q", tc.prefix, tc.total, got, want)
				}
			}
		})
	}
	r, ref := seeded(6), seeded(6)
	for range 50 {
		got, err := NewSecretAccessKey(r)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := referenceSecretAccessKey(ref); got != want {
			t.Fatalf("NewSecretAccessKey = %q, want %q", got, want)
		}
	}
}
