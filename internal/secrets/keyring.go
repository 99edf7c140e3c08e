package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ErrOpen is returned by Open and OpenToken for every failure: wrong or unknown key,
// tampering, truncation, wrong associated data.
var ErrOpen = errors.New("secrets: cannot open sealed value")

const (
	sealVersion = 1
	keySize     = 32
	nonceSize   = 12
	headerSize  = 1 + 4
	overhead    = headerSize + nonceSize + 16 // + GCM tag
)

// Keyring seals and opens secrets with AES-256-GCM keys; the first key seals, any key opens.
type Keyring struct {
	keys []ringKey
}

type ringKey struct {
	id   uint32
	aead cipher.AEAD
	// tokenAD is the associated data of the session tokens the key seals: the seal header
	// (version and key ID) and tokenAD, as Seal forms it.
	tokenAD []byte
}

// KeyFileError is a problem in a key file. It names the line but never shows its content,
// which may be key material.
type KeyFileError struct {
	Line   int // 1-based; 0 for the file as a whole
	Reason string
}

func (e *KeyFileError) Error() string {
	if e.Line == 0 {
		return "key file: " + e.Reason
	}
	return "key file line " + strconv.Itoa(e.Line) + ": " + e.Reason
}

// ParseKeyring reads a key file: one key per line as "id:base64(32 bytes)", blank lines and
// lines starting with '#' ignored. The first key seals. Errors name the bad line without
// echoing it.
func ParseKeyring(text string) (*Keyring, error) {
	k := &Keyring{}
	seen := map[uint32]bool{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		idText, b64, ok := strings.Cut(line, ":")
		if !ok {
			return nil, &KeyFileError{Line: i + 1, Reason: `want "id:base64 key"`}
		}
		id, err := strconv.ParseUint(strings.TrimSpace(idText), 10, 32)
		if err != nil {
			return nil, &KeyFileError{Line: i + 1, Reason: "key id is not a number from 0 to 4294967295"}
		}
		if seen[uint32(id)] {
			return nil, &KeyFileError{Line: i + 1, Reason: "key id " + strconv.FormatUint(id, 10) + " appears twice"}
		}
		seen[uint32(id)] = true
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, &KeyFileError{Line: i + 1, Reason: "key is not valid standard base64"}
		}
		if len(raw) != keySize {
			return nil, &KeyFileError{Line: i + 1, Reason: fmt.Sprintf("key is %d bytes, want %d", len(raw), keySize)}
		}
		aead, err := newAEAD(raw)
		if err != nil {
			return nil, &KeyFileError{Line: i + 1, Reason: "key rejected by AES"}
		}
		k.keys = append(k.keys, ringKey{id: uint32(id), aead: aead, tokenAD: associated(sealHeader(uint32(id)), []byte(tokenAD))})
	}
	if len(k.keys) == 0 {
		return nil, &KeyFileError{Reason: "no keys"}
	}
	return k, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// GenerateKeyFile returns the content of a new key file with one random key under a random
// id. To rotate, put its key line above the lines of an existing file.
func GenerateKeyFile(rand io.Reader) (string, error) {
	var buf [4 + keySize]byte
	if _, err := io.ReadFull(rand, buf[:]); err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	id := binary.BigEndian.Uint32(buf[:4])
	return "# iamd keyring: one key per line, id:base64(32 bytes). The first key seals; every key opens.\n" +
		strconv.FormatUint(uint64(id), 10) + ":" + base64.StdEncoding.EncodeToString(buf[4:]) + "\n", nil
}

// Seal encrypts plaintext with the first key, binding it to ad.
func (k *Keyring) Seal(plaintext, ad []byte, rand io.Reader) ([]byte, error) {
	return k.sealTo(nil, plaintext, rand, func(_ *ringKey, header []byte) []byte { return associated(header, ad) })
}

// sealTo appends to dst what Seal returns: the header, the nonce and plaintext sealed with the
// first key, bound to the associated data adFor gives for the key and the header.
func (k *Keyring) sealTo(dst, plaintext []byte, rand io.Reader, adFor func(key *ringKey, header []byte) []byte) ([]byte, error) {
	if k == nil || len(k.keys) == 0 {
		return nil, errors.New("seal: keyring has no keys")
	}
	key := &k.keys[0]
	start := len(dst)
	dst = slices.Grow(dst, overhead+len(plaintext))[:start+headerSize+nonceSize]
	putHeader(dst[start:], key.id)
	nonce := dst[start+headerSize:]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("seal: read nonce: %w", err)
	}
	return key.aead.Seal(dst, nonce, plaintext, adFor(key, dst[start:start+headerSize])), nil
}

// Open decrypts a value Seal returned with the same ad. Any failure is ErrOpen.
func (k *Keyring) Open(sealed, ad []byte) ([]byte, error) {
	if k == nil || len(sealed) < overhead || sealed[0] != sealVersion {
		return nil, ErrOpen
	}
	id := binary.BigEndian.Uint32(sealed[1:headerSize])
	for _, key := range k.keys {
		if key.id != id {
			continue
		}
		nonce := sealed[headerSize : headerSize+nonceSize]
		plain, err := key.aead.Open(nil, nonce, sealed[headerSize+nonceSize:], associated(sealed[:headerSize], ad))
		if err != nil {
			return nil, ErrOpen
		}
		return plain, nil
	}
	return nil, ErrOpen
}

func associated(header, ad []byte) []byte {
	return append(bytes.Clone(header), ad...)
}

// sealHeader is the header Seal writes for the key id.
func sealHeader(id uint32) []byte {
	h := make([]byte, headerSize)
	putHeader(h, id)
	return h
}

// putHeader writes the seal header for the key id at the start of b.
func putHeader(b []byte, id uint32) {
	b[0] = sealVersion
	binary.BigEndian.PutUint32(b[1:headerSize], id)
}

// tokenMarker starts every decoded session token; in base64 it reads "IQoJ".
const tokenMarker = "\x21\x0a\x09"

// tokenAD is the associated data of session tokens, which keeps tokens and stored secrets apart.
const tokenAD = "iamd session token"

// SealToken seals payload into an opaque session token: standard base64 starting "IQoJ". The
// token is the marker followed by what Seal(payload, tokenAD) returns, sealed in place after the
// marker with the key's associated data formed once (AssumeRole's cost: one buffer, not four).
func (k *Keyring) SealToken(payload []byte, rand io.Reader) (string, error) {
	dst := append(make([]byte, 0, len(tokenMarker)+overhead+len(payload)), tokenMarker...)
	raw, err := k.sealTo(dst, payload, rand, func(key *ringKey, _ []byte) []byte { return key.tokenAD })
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// OpenToken returns the payload of a token SealToken made with any key of the ring. Any
// failure is ErrOpen.
func (k *Keyring) OpenToken(token string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(raw) < len(tokenMarker) || string(raw[:len(tokenMarker)]) != tokenMarker {
		return nil, ErrOpen
	}
	return k.Open(raw[len(tokenMarker):], []byte(tokenAD))
}
