package secrets

import (
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/crypto/argon2"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", seeded(13))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(h, "$") != 5 {
		t.Errorf("hash %q is not a PHC argon2id string", h)
	}
	for _, c := range []struct {
		pw   string
		want bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapler", false},
		{"", false},
		{"Correct horse battery staple", false},
	} {
		ok, err := CheckPassword(h, c.pw)
		if err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
	h2, _ := HashPassword("correct horse battery staple", seeded(14))
	if h2 == h {
		t.Error("two salts give the same hash")
	}
	if _, err := HashPassword("x", iotest.ErrReader(io.ErrUnexpectedEOF)); err == nil {
		t.Error("HashPassword with failing reader = nil error")
	}
}

func TestCheckPasswordCheaperParameters(t *testing.T) {
	// A hash made with other parameters (here the cheapest allowed) is checked with its own.
	salt := []byte("saltsalt")
	key := argon2.IDKey([]byte("pw"), salt, 1, 8, 1, 16)
	h := "$argon2id$v=19$m=8,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
	for _, c := range []struct {
		pw   string
		want bool
	}{{"pw", true}, {"pw2", false}} {
		if ok, err := CheckPassword(h, c.pw); err != nil || ok != c.want {
			t.Errorf("CheckPassword(%q, %q) = %v, %v; want %v", h, c.pw, ok, err, c.want)
		}
	}
}

func TestCheckPasswordBadHashes(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	cases := []string{
		"",
		"plain",
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2$" + salt + "$" + key + "$extra",
		"x$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=x$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,q=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=99,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=200$" + salt + "$" + key,
		"$argon2id$v=19$m=4,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$c2Fs$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$!!$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$AAAA",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$!!!",
	}
	for _, h := range cases {
		if ok, err := CheckPassword(h, "pw"); !errors.Is(err, ErrBadHash) || ok {
			t.Errorf("CheckPassword(%q) = %v, %v; want false, ErrBadHash", h, ok, err)
		}
	}
}
