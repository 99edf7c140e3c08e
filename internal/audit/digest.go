package audit

import (
	"crypto"
	"crypto/md5" //nolint:gosec // CloudTrail's public key fingerprint is MD5; it identifies, it does not protect
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Values CloudTrail writes into digest files.
const (
	// DigestSignatureAlgorithm is the only signature algorithm CloudTrail uses for digests.
	DigestSignatureAlgorithm = "SHA256withRSA"
	// HashAlgorithmSHA256 names the hash of log files and of the previous digest.
	HashAlgorithmSHA256 = "SHA-256"
)

// Digest is a CloudTrail digest file: the log files delivered in one period with their
// hashes, and the hash and signature of the previous digest of the same trail and region.
// Its JSON form has CloudTrail's field names in CloudTrail's order; the previous* fields are
// written as null in the first digest of a chain, as CloudTrail does.
type Digest struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []DigestLogFile `json:"logFiles"`
}

// DigestLogFile is one log file a digest covers. HashValue is the hex SHA-256 of the log
// file's uncompressed content.
type DigestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// DigestTime formats a time as digest files (and eventTime) write it: UTC, whole seconds.
func DigestTime(t time.Time) string { return formatTime(t) }

// DigestFileName returns the object key CloudTrail delivers a digest under:
//
//	AWSLogs/ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_REGION_YYYYMMDDTHHmmssZ.json.gz
//
// end is the digest's end time, taken in UTC.
func DigestFileName(account, region, trail string, end time.Time) string {
	end = end.UTC()
	return "AWSLogs/" + account + "/CloudTrail-Digest/" + region + "/" + end.Format("2006/01/02") + "/" +
		account + "_CloudTrail-Digest_" + region + "_" + trail + "_" + region + "_" + end.Format("20060102T150405Z") + ".json.gz"
}

// DigestStringToSign returns the string CloudTrail signs for a digest file whose
// uncompressed content is body ("Validating CloudTrail log file integrity with custom
// implementations"):
//
//	digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(body)) \n previousDigestSignature
//
// with the literal "null" for the previous signature of the first digest of a chain.
func DigestStringToSign(body []byte) ([]byte, error) {
	var d Digest
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("audit: digest file: %w", err)
	}
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	sum := sha256.Sum256(body)
	return []byte(d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" +
		hex.EncodeToString(sum[:]) + "\n" + prev), nil
}

// SignDigest signs a digest file's uncompressed content as CloudTrail does: SHA256withRSA
// (RSASSA-PKCS1-v1_5 over the SHA-256 of DigestStringToSign), hex encoded. PKCS #1 v1.5
// signatures are deterministic, so no randomness is needed.
func SignDigest(key *rsa.PrivateKey, body []byte) (string, error) {
	msg, err := DigestStringToSign(body)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		return "", fmt.Errorf("audit: sign digest: %w", err)
	}
	return hex.EncodeToString(sig), nil
}

// ErrDigestSignature: a digest's signature does not verify with the public key.
var ErrDigestSignature = errors.New("audit: digest signature verification failed")

// VerifyDigest checks the hex signature of a digest file's uncompressed content. It returns
// ErrDigestSignature (wrapped) when the content or the signature was changed.
func VerifyDigest(pub *rsa.PublicKey, body []byte, sigHex string) error {
	msg, err := DigestStringToSign(body)
	if err != nil {
		return err
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil {
		return fmt.Errorf("%w: signature is not hex", ErrDigestSignature)
	}
	h := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return ErrDigestSignature
	}
	return nil
}

// PublicKeyFingerprint returns digestPublicKeyFingerprint for a key: the hex MD5 of the
// key's PKCS #1 DER encoding, the form in which CloudTrail's ListPublicKeys returns keys.
func PublicKeyFingerprint(pub *rsa.PublicKey) string {
	sum := md5.Sum(x509.MarshalPKCS1PublicKey(pub)) //nolint:gosec // see the import
	return hex.EncodeToString(sum[:])
}
