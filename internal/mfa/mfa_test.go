package mfa

import (
	"bytes"
	"image/png"
	"math/rand/v2"
	"testing"
	"time"
)

func TestNewAndCodes(t *testing.T) {
	seed, qr, err := New("123456789012", "phone", rand.NewChaCha8([32]byte{1}))
	if err != nil {
		t.Fatal(err)
	}
	if len(seed) != 64 {
		t.Errorf("seed has %d characters, want 64", len(seed))
	}
	if _, err := png.Decode(bytes.NewReader(qr)); err != nil {
		t.Errorf("QR code is not a PNG: %v", err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 15, 0, time.UTC)
	c1, _ := Code(seed, now.Add(-Step))
	c2, _ := Code(seed, now)
	s, ok := Consecutive(seed, c1, c2, now, 10)
	if !ok || s != now.Unix()/30 {
		t.Errorf("Consecutive(current pair) = %d, %v", s, ok)
	}
	if _, ok := Consecutive(seed, c2, c1, now, 10); ok {
		t.Error("codes in the wrong order accepted")
	}
	if _, ok := Consecutive(seed, c1, c1, now, 10); ok && c1 != c2 {
		t.Error("the same code twice accepted")
	}
	old1, _ := Code(seed, now.Add(-20*Step))
	old2, _ := Code(seed, now.Add(-19*Step))
	if _, ok := Consecutive(seed, old1, old2, now, 10); ok {
		t.Error("a pair outside the window accepted")
	}
	if _, ok := Consecutive(seed, old1, old2, now, 30); !ok {
		t.Error("a pair inside a wider (resync) window refused")
	}
	st, ok := Check(seed, c2, 0, now)
	if !ok {
		t.Fatal("current code refused")
	}
	if _, ok := Check(seed, c2, st, now); ok {
		t.Error("a code accepted twice")
	}
	if _, ok := Check(seed, "000000", 0, now); ok && c2 != "000000" {
		t.Error("a wrong code accepted")
	}
	if _, ok := Check(seed, "12345", 0, now); ok {
		t.Error("a 5-digit code accepted")
	}
}
