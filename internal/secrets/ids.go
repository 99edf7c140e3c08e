package secrets

import (
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"io"
)

const (
	accessKeyIDLen = 20
	uniqueIDLen    = 21
	prefixLen      = 4
)

// NewAccessKeyID returns an access key ID as AWS forms them: a four-letter prefix ("AKIA" for
// long-term keys, "ASIA" for temporary ones) and 16 characters from A-Z and 2-7, 20 in all.
func NewAccessKeyID(prefix string, rand io.Reader) (string, error) {
	return newID(prefix, accessKeyIDLen, rand)
}

// NewUniqueID returns a unique ID as AWS forms them: a four-letter prefix naming the kind
// ("AIDA" user, "AROA" role, "AGPA" group, "ANPA" managed policy, "AIPA" instance profile,
// "ASCA" certificate, ...) and 17 characters from A-Z and 2-7, 21 in all.
func NewUniqueID(prefix string, rand io.Reader) (string, error) {
	return newID(prefix, uniqueIDLen, rand)
}

// newID draws every character from 5 random bits, so characters are uniform over the
// 32-letter alphabet (the standard base32 one).
func newID(prefix string, total int, rand io.Reader) (string, error) {
	if len(prefix) != prefixLen {
		return "", fmt.Errorf("identifier prefix %q: want %d characters", prefix, prefixLen)
	}
	for i := range len(prefix) {
		if c := prefix[i]; c < 'A' || c > 'Z' {
			return "", fmt.Errorf("identifier prefix %q: want upper-case letters", prefix)
		}
	}
	n := total - prefixLen
	buf := make([]byte, (n*5+7)/8)
	if _, err := io.ReadFull(rand, buf); err != nil {
		return "", fmt.Errorf("new identifier: %w", err)
	}
	return prefix + base32.StdEncoding.EncodeToString(buf)[:n], nil
}

// NewSecretAccessKey returns a secret access key: 40 characters of the standard base64
// alphabet, 240 random bits.
func NewSecretAccessKey(rand io.Reader) (string, error) {
	var buf [30]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return "", fmt.Errorf("new secret access key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(buf[:]), nil
}

// Equal compares two strings in time that depends only on their lengths.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
