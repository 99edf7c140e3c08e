package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// signingKeyFile is the digest signing key in the data directory, created on first export.
const signingKeyFile = "trail-signing-key.pem"

// publicKeyFile is where an export writes the public key that validates its digests.
const publicKeyFile = "trail-public-key.pem"

// digestMetadataSuffix names the sidecar file holding a digest's signature: CloudTrail puts
// it in the S3 object metadata (x-amz-meta-signature, x-amz-meta-signature-algorithm).
const digestMetadataSuffix = ".metadata.json"

// digestMetadata is the S3 user metadata CloudTrail sets on a digest object.
type digestMetadata struct {
	Signature          string `json:"signature"`
	SignatureAlgorithm string `json:"signature-algorithm"`
}

// signingKeyBits is the size of the RSA key iamd generates (CloudTrail's keys are 2048 bits).
const signingKeyBits = 2048

// signingKey reads the data directory's digest signing key, creating it (mode 0600) on first
// use. A key file readable by others is refused, as ssh refuses such private keys.
func signingKey(dataDir string) (*rsa.PrivateKey, error) {
	path := filepath.Join(dataDir, signingKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createSigningKey(path)
	}
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("signing key %s is accessible by others (mode %v); make it 0600", path, fi.Mode().Perm())
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s: no PEM PRIVATE KEY block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s is not an RSA key", path)
	}
	return rk, nil
}

func createSigningKey(path string) (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	// O_EXCL: two exports starting at once must not each write a different key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return signingKey(filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return key, nil
}

// publicKeyPEM encodes a public key as PKCS #1 ("RSA PUBLIC KEY"), the DER form CloudTrail's
// ListPublicKeys returns and whose MD5 is the digest's fingerprint.
func publicKeyPEM(pub *rsa.PublicKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)})
}

// readPublicKey reads a PEM public key, PKCS #1 ("RSA PUBLIC KEY") or PKIX ("PUBLIC KEY").
func readPublicKey(path string) (*rsa.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("public key %s: no PEM block", path)
	}
	switch blk.Type {
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(blk.Bytes)
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key %s: %w", path, err)
		}
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
		return nil, fmt.Errorf("public key %s is not an RSA key", path)
	}
	return nil, fmt.Errorf("public key %s: PEM block %q is not a public key", path, blk.Type)
}
