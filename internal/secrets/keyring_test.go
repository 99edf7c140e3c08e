package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// seeded returns a deterministic random source for tests.
func seeded(n byte) io.Reader {
	var seed [32]byte
	seed[0] = n
	return rand.NewChaCha8(seed)
}

func newRing(t *testing.T, text string) *Keyring {
	t.Helper()
	k, err := ParseKeyring(text)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

func keyLine(id string, fill byte) string {
	return id + ":" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{fill}, 32))
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := newRing(t, keyLine("7", 1))
	for _, plain := range [][]byte{nil, []byte("x"), []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), bytes.Repeat([]byte("z"), 5000)} {
		sealed, err := k.Seal(plain, []byte("AKIAEXAMPLE"), seeded(1))
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if len(sealed) != overhead+len(plain) || sealed[0] != 1 || !bytes.Equal(sealed[1:5], []byte{0, 0, 0, 7}) {
			t.Errorf("sealed form of %d bytes = % x, want version 1, key id 7, length %d", len(plain), sealed[:5], overhead+len(plain))
		}
		got, err := k.Open(sealed, []byte("AKIAEXAMPLE"))
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	k := newRing(t, keyLine("1", 1))
	r := seeded(2)
	a, _ := k.Seal([]byte("same"), nil, r)
	b, _ := k.Seal([]byte("same"), nil, r)
	if bytes.Equal(a, b) {
		t.Error("two seals of the same plaintext are equal")
	}
}

func TestOpenRejectsTampering(t *testing.T) {
	k := newRing(t, keyLine("7", 1))
	sealed, err := k.Seal([]byte("secret"), []byte("owner"), seeded(3))
	if err != nil {
		t.Fatal(err)
	}
	regions := map[string][2]int{"version": {0, 1}, "key id": {1, 5}, "nonce": {5, 17}, "ciphertext": {17, 23}, "tag": {23, len(sealed)}}
	for name, span := range regions {
		for i := span[0]; i < span[1]; i++ {
			for _, bit := range []byte{0x01, 0x80} {
				bad := bytes.Clone(sealed)
				bad[i] ^= bit
				if got, err := k.Open(bad, []byte("owner")); !errors.Is(err, ErrOpen) {
					t.Errorf("Open with %s byte %d flipped (%#x) = %q, %v; want ErrOpen", name, i, bit, got, err)
				}
			}
		}
	}
	for _, n := range []int{0, 1, 5, 17, 32, len(sealed) - 1} {
		if _, err := k.Open(sealed[:n], []byte("owner")); !errors.Is(err, ErrOpen) {
			t.Errorf("Open of the first %d bytes = %v, want ErrOpen", n, err)
		}
	}
	if _, err := k.Open(append(bytes.Clone(sealed), 0), []byte("owner")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with a byte appended = %v, want ErrOpen", err)
	}
}

func TestOpenRejectsWrongADAndKey(t *testing.T) {
	k := newRing(t, keyLine("7", 1))
	sealed, err := k.Seal([]byte("secret"), []byte("AKIAONE"), seeded(4))
	if err != nil {
		t.Fatal(err)
	}
	for _, ad := range [][]byte{nil, []byte("AKIATWO"), []byte("AKIAONE ")} {
		if _, err := k.Open(sealed, ad); !errors.Is(err, ErrOpen) {
			t.Errorf("Open with AD %q = %v, want ErrOpen", ad, err)
		}
	}
	sameID := newRing(t, keyLine("7", 2))
	if _, err := sameID.Open(sealed, []byte("AKIAONE")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with another key under the same id = %v, want ErrOpen", err)
	}
	otherID := newRing(t, keyLine("8", 1))
	if _, err := otherID.Open(sealed, []byte("AKIAONE")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with the key under an unknown id = %v, want ErrOpen", err)
	}
	var nilRing *Keyring
	if _, err := nilRing.Open(sealed, nil); !errors.Is(err, ErrOpen) {
		t.Errorf("nil Keyring Open = %v, want ErrOpen", err)
	}
	if _, err := (&Keyring{}).Seal(nil, nil, seeded(1)); err == nil {
		t.Error("empty Keyring Seal = nil error")
	}
}

func TestRotation(t *testing.T) {
	old := newRing(t, keyLine("1", 1))
	sealedOld, err := old.Seal([]byte("old"), []byte("ad"), seeded(5))
	if err != nil {
		t.Fatal(err)
	}
	rotated := newRing(t, "# new key first\n"+keyLine("2", 2)+"\n\n"+keyLine("1", 1)+"\n")
	if got, err := rotated.Open(sealedOld, []byte("ad")); err != nil || string(got) != "old" {
		t.Errorf("rotated ring opens old secret = %q, %v", got, err)
	}
	sealedNew, err := rotated.Seal([]byte("new"), []byte("ad"), seeded(6))
	if err != nil {
		t.Fatal(err)
	}
	if id := sealedNew[1:5]; !bytes.Equal(id, []byte{0, 0, 0, 2}) {
		t.Errorf("rotated ring sealed with key id % x, want 2", id)
	}
	if _, err := old.Open(sealedNew, []byte("ad")); !errors.Is(err, ErrOpen) {
		t.Errorf("old ring opens secret sealed with the new key: %v", err)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	secretLooking := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xAB}, 32))
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xCD}, 16))
	cases := []struct {
		name, text, want string
	}{
		{"empty", "", "key file: no keys"},
		{"only comments", "# nothing\n\n   \n", "key file: no keys"},
		{"no colon", secretLooking, `key file line 1: want "id:base64 key"`},
		{"bad id", "# c\nabc:" + secretLooking, "key file line 2: key id is not a number from 0 to 4294967295"},
		{"id too big", "4294967296:" + secretLooking, "key file line 1: key id is not a number from 0 to 4294967295"},
		{"bad base64", "1:" + secretLooking[:10] + "!!" + secretLooking[12:], "key file line 1: key is not valid standard base64"},
		{"url-safe base64", "1:" + strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFB}, 32))), "key file line 1: key is not valid standard base64"},
		{"short key", "1:" + short, "key file line 1: key is 16 bytes, want 32"},
		{"duplicate id", "1:" + secretLooking + "\n1:" + secretLooking, "key file line 2: key id 1 appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKeyring(c.text)
			var kfe *KeyFileError
			if !errors.As(err, &kfe) {
				t.Fatalf("ParseKeyring(%q) = %v, %v; want *KeyFileError", c.text, k, err)
			}
			if err.Error() != c.want {
				t.Errorf("ParseKeyring(%q) error = %q, want %q", c.text, err.Error(), c.want)
			}
			for _, material := range []string{secretLooking, short, secretLooking[:10]} {
				if strings.Contains(err.Error(), material) {
					t.Errorf("error %q echoes key material", err.Error())
				}
			}
		})
	}
}

func TestGenerateKeyFile(t *testing.T) {
	text, err := GenerateKeyFile(seeded(7))
	if err != nil {
		t.Fatal(err)
	}
	k := newRing(t, text)
	if len(k.keys) != 1 {
		t.Fatalf("generated file has %d keys, want 1:\n%s", len(k.keys), text)
	}
	other, _ := GenerateKeyFile(seeded(8))
	if other == text {
		t.Error("two seeds generate the same key file")
	}
	if _, err := GenerateKeyFile(iotest.ErrReader(io.ErrUnexpectedEOF)); err == nil {
		t.Error("GenerateKeyFile with a failing reader = nil error")
	}
	if _, err := k.Seal(nil, nil, iotest.ErrReader(io.ErrUnexpectedEOF)); err == nil {
		t.Error("Seal with a failing reader = nil error")
	}
	if _, err := k.SealToken(nil, iotest.ErrReader(io.ErrUnexpectedEOF)); err == nil {
		t.Error("SealToken with a failing reader = nil error")
	}
}

func TestTokens(t *testing.T) {
	k := newRing(t, keyLine("3", 9))
	payload := []byte(`{"principal":"arn:aws:sts::123456789012:assumed-role/r/s","exp":1714567890}`)
	tok, err := k.SealToken(payload, seeded(9))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "IQoJ") || strings.ContainsAny(tok, "-_") {
		t.Errorf("token %q does not start with IQoJ or is not standard base64", tok)
	}
	got, err := k.OpenToken(tok)
	if err != nil || !bytes.Equal(got, payload) {
		t.Errorf("OpenToken = %q, %v; want %q", got, err, payload)
	}
	raw, _ := base64.StdEncoding.DecodeString(tok)
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x04
		if _, err := k.OpenToken(base64.StdEncoding.EncodeToString(bad)); !errors.Is(err, ErrOpen) {
			t.Errorf("OpenToken with byte %d changed = %v, want ErrOpen", i, err)
		}
	}
	// A stored secret is not a token, even with the marker added.
	sealed, _ := k.Seal(payload, nil, seeded(10))
	for _, bad := range []string{"", "IQoJ", "not base64!", base64.StdEncoding.EncodeToString(sealed),
		base64.StdEncoding.EncodeToString(append([]byte(tokenMarker), sealed...)), tok[:len(tok)-4]} {
		if _, err := k.OpenToken(bad); !errors.Is(err, ErrOpen) {
			t.Errorf("OpenToken(%q) = %v, want ErrOpen", bad, err)
		}
	}
	if _, err := newRing(t, keyLine("3", 8)).OpenToken(tok); !errors.Is(err, ErrOpen) {
		t.Errorf("OpenToken with another key = %v, want ErrOpen", err)
	}
}
