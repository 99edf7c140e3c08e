package audit

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// testdata/digest-key.pem, digest-body.json and digest-body.sig come from openssl, the
// independent oracle: the signature is `openssl dgst -sha256 -sign` over the string to sign
// built by hand in the shell, and the fingerprint is
// `openssl rsa -RSAPublicKey_out -outform DER | md5sum`.
const opensslFingerprint = "98756cadf4de6cb5f0416e2f509bec8d"

func digestFixture(t *testing.T) (*rsa.PrivateKey, []byte, string) {
	t.Helper()
	pemBytes, err := os.ReadFile("testdata/digest-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	key, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/digest-body.json")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile("testdata/digest-body.sig")
	if err != nil {
		t.Fatal(err)
	}
	return key, body, strings.TrimSpace(string(sig))
}

func TestDigestSignatureMatchesOpenSSL(t *testing.T) {
	key, body, want := digestFixture(t)
	got, err := SignDigest(key, body)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("SignDigest = %s…, openssl signed %s…", got[:16], want[:16])
	}
	if err := VerifyDigest(&key.PublicKey, body, want); err != nil {
		t.Errorf("VerifyDigest of openssl's signature: %v", err)
	}
	if fp := PublicKeyFingerprint(&key.PublicKey); fp != opensslFingerprint {
		t.Errorf("PublicKeyFingerprint = %s, want %s", fp, opensslFingerprint)
	}
}

func TestVerifyDigestDetectsTampering(t *testing.T) {
	key, body, sig := digestFixture(t)
	other, err := rsa.GenerateKey(nil, 2048)
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(sig)
	flipped[10] ^= 1 // still hex
	for _, tc := range []struct {
		name string
		pub  *rsa.PublicKey
		body string
		sig  string
	}{
		{"log file hash edited", &key.PublicKey, strings.Replace(string(body), `"hashValue":"9bb6`, `"hashValue":"0bb6`, 1), sig},
		{"end time edited", &key.PublicKey, strings.Replace(string(body), `"digestEndTime":"2015-08-17T15`, `"digestEndTime":"2015-08-17T16`, 1), sig},
		{"previous signature edited", &key.PublicKey, strings.Replace(string(body), `"previousDigestSignature":"5088`, `"previousDigestSignature":"5188`, 1), sig},
		{"signature edited", &key.PublicKey, string(body), string(flipped)},
		{"signature not hex", &key.PublicKey, string(body), "zz" + sig[2:]},
		{"other key", &other.PublicKey, string(body), sig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.body == string(body) && tc.sig == sig && tc.pub == &key.PublicKey {
				t.Fatal("case changes nothing")
			}
			if err := VerifyDigest(tc.pub, []byte(tc.body), tc.sig); !errors.Is(err, ErrDigestSignature) {
				t.Errorf("VerifyDigest = %v, want ErrDigestSignature", err)
			}
		})
	}
}

func TestDigestStringToSign(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{
			"first digest of a chain",
			`{"digestEndTime":"2015-05-08T07:19:37Z","digestS3Bucket":"b","digestS3Object":"AWSLogs/1/CloudTrail-Digest/x.json.gz","previousDigestSignature":null}`,
			"2015-05-08T07:19:37Z\nb/AWSLogs/1/CloudTrail-Digest/x.json.gz\n%s\nnull",
		},
		{
			"chained digest",
			`{"digestEndTime":"2015-05-08T08:19:37Z","digestS3Bucket":"b","digestS3Object":"o","previousDigestSignature":"abcd"}`,
			"2015-05-08T08:19:37Z\nb/o\n%s\nabcd",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DigestStringToSign([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			// The third line is the SHA-256 of the body, which TestDigestSignatureMatchesOpenSSL
			// checks against sha256sum; here only its shape.
			lines := strings.Split(string(got), "\n")
			if len(lines) != 4 || len(lines[2]) != 64 {
				t.Fatalf("DigestStringToSign(%s) = %q, want four lines with a hex SHA-256 third", tc.body, got)
			}
			if want := strings.Replace(tc.want, "%s", lines[2], 1); string(got) != want {
				t.Errorf("DigestStringToSign(%s) = %q, want %q", tc.body, got, want)
			}
		})
	}
	if _, err := DigestStringToSign([]byte(`{"digestEndTime":`)); err == nil {
		t.Error("DigestStringToSign of invalid JSON: no error")
	}
}

func TestDigestFileName(t *testing.T) {
	got := DigestFileName("111122223333", "us-east-2", "your-trail-name", time.Date(2015, 8, 17, 15, 1, 31, 0, time.FixedZone("x", 3600)))
	want := "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz"
	if got != want {
		t.Errorf("DigestFileName = %s, want %s", got, want)
	}
}
