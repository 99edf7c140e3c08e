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
	// Encoded on the stack: the result is the one string allocated besides buf.
	var enc [maxIDEncoded]byte
	if base32.StdEncoding.EncodedLen(len(buf)) > len(enc) {
		return prefix + base32.StdEncoding.EncodeToString(buf)[:n], nil
	}
	base32.StdEncoding.Encode(enc[:], buf)
	return prefix + string(enc[:n]), nil
}

// maxIDEncoded is the base32 text newID encodes on the stack: enough for every identifier AWS
// forms (at most 32 random characters, 20 bytes, 32 characters of base32).
const maxIDEncoded = 32

// secretKeyBytes is the randomness of a secret access key: 40 base64 characters.
const secretKeyBytes = 30

// NewSecretAccessKey returns a secret access key: 40 characters of the standard base64
// alphabet, 240 random bits.
func NewSecretAccessKey(rand io.Reader) (string, error) {
	var buf [secretKeyBytes]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return "", fmt.Errorf("new secret access key: %w", err)
	}
	var enc [secretKeyBytes / 3 * 4]byte
	base64.StdEncoding.Encode(enc[:], buf[:])
	return string(enc[:]), nil
}

// Equal compares two strings in time that depends only on their lengths.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
