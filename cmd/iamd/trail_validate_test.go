package main

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/audit"
)

// exportFixture exports a trail with two hours of records (two log files, two chained
// digests) and returns the data directory, the export directory and its files, sorted.
func exportFixture(t *testing.T) (data, out string, logs, digests []string) {
	t.Helper()
	data = copyData(t, trailFixture(t))
	tamper(t, data, `UPDATE events SET time = time - 7200000000000 WHERE seq <= 4`)
	out = t.TempDir()
	stdout, _, err := runIamd("trail", "export", "--data", data, "--dir", out)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	if want := filepath.Join(out, publicKeyFile); !strings.Contains(stdout, want) {
		t.Errorf("export printed %q, want it to name the public key %s", stdout, want)
	}
	for name := range readExport(t, out) {
		if strings.Contains(name, "/CloudTrail-Digest/") {
			digests = append(digests, name)
		} else {
			logs = append(logs, name)
		}
	}
	sort.Strings(logs)
	sort.Strings(digests)
	if len(logs) != 2 || len(digests) != 2 {
		t.Fatalf("export wrote logs %v, digests %v: want two of each", logs, digests)
	}
	return data, out, logs, digests
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTrailExportSigns(t *testing.T) {
	data, out, _, digests := exportFixture(t)
	fi, err := os.Stat(filepath.Join(data, signingKeyFile))
	if err != nil {
		t.Fatalf("export left no signing key: %v", err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("signing key mode %v, want 0600", m)
	}
	pemBytes, err := os.ReadFile(filepath.Join(out, publicKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	if blk == nil || blk.Type != "RSA PUBLIC KEY" {
		t.Fatalf("public key file %q is not a PEM RSA PUBLIC KEY", pemBytes)
	}
	// AWS's fingerprint: MD5 of the PKCS #1 DER, computed here straight from the file.
	sum := md5.Sum(blk.Bytes)
	wantFP := hex.EncodeToString(sum[:])
	pub, err := x509.ParsePKCS1PublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	files := readExport(t, out)
	var prevSig *string
	for i, name := range digests {
		var d audit.Digest
		if err := json.Unmarshal(files[name], &d); err != nil {
			t.Fatal(err)
		}
		if d.DigestPublicKeyFingerprint != wantFP || d.DigestSignatureAlgorithm != "SHA256withRSA" {
			t.Errorf("digest %s: fingerprint %q, algorithm %q; want %q, SHA256withRSA", name, d.DigestPublicKeyFingerprint, d.DigestSignatureAlgorithm, wantFP)
		}
		meta, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)+digestMetadataSuffix))
		if err != nil {
			t.Fatalf("digest %s has no signature sidecar: %v", name, err)
		}
		var m digestMetadata
		if err := json.Unmarshal(meta, &m); err != nil {
			t.Fatal(err)
		}
		if err := audit.VerifyDigest(pub, files[name], m.Signature); err != nil {
			t.Errorf("digest %s: signature does not verify: %v", name, err)
		}
		switch {
		case i == 0 && d.PreviousDigestSignature != nil:
			t.Errorf("first digest has previousDigestSignature %q", *d.PreviousDigestSignature)
		case i > 0 && (d.PreviousDigestSignature == nil || *d.PreviousDigestSignature != *prevSig):
			t.Errorf("digest %s: previousDigestSignature %v, want %s", name, d.PreviousDigestSignature, *prevSig)
		}
		prevSig = &m.Signature
	}
	// A second export from the same data directory signs with the same key.
	out2 := t.TempDir()
	if _, _, err := runIamd("trail", "export", "--data", data, "--dir", out2); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(out2, publicKeyFile)); !bytes.Equal(b, pemBytes) {
		t.Error("a second export wrote a different public key")
	}
}

func TestTrailValidate(t *testing.T) {
	_, fixture, logs, digests := exportFixture(t)
	other, err := rsa.GenerateKey(nil, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := filepath.Join(t.TempDir(), "other.pem")
	if err := os.WriteFile(otherKey, publicKeyPEM(&other.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	path := func(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	rewrite := func(t *testing.T, dir, rel string, edit func(string) string) {
		t.Helper()
		plain := readExport(t, dir)[rel]
		changed := edit(string(plain))
		if changed == string(plain) {
			t.Fatalf("edit of %s changed nothing", rel)
		}
		if err := os.WriteFile(path(dir, rel), gz(t, []byte(changed)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name     string
		tamper   func(t *testing.T, dir string)
		args     []string
		wantKind string
		wantFile string
		wantWhy  string
	}{
		{name: "intact"},
		{name: "log file edited", tamper: func(t *testing.T, dir string) {
			rewrite(t, dir, logs[1], func(s string) string { return strings.Replace(s, "GetUser", "GetUsex", 1) })
		}, wantKind: kindLog, wantFile: logs[1], wantWhy: "hash value doesn't match"},
		{name: "log file removed", tamper: func(t *testing.T, dir string) {
			os.Remove(path(dir, logs[0]))
		}, wantKind: kindLog, wantFile: logs[0], wantWhy: "not found"},
		{name: "digest edited", tamper: func(t *testing.T, dir string) {
			rewrite(t, dir, digests[0], func(s string) string { return strings.Replace(s, `"digestStartTime":"2`, `"digestStartTime":"1`, 1) })
		}, wantKind: kindDigest, wantFile: digests[0], wantWhy: "signature verification failed"},
		{name: "digest log hash edited", tamper: func(t *testing.T, dir string) {
			rewrite(t, dir, digests[1], func(s string) string { return strings.Replace(s, `"hashValue":"`, `"hashValue":"0`, 1) })
		}, wantKind: kindDigest, wantFile: digests[1], wantWhy: "signature verification failed"},
		{name: "older digest removed", tamper: func(t *testing.T, dir string) {
			os.Remove(path(dir, digests[0]))
		}, wantKind: kindDigest, wantFile: digests[0], wantWhy: "not found"},
		{name: "newest digest removed", tamper: func(t *testing.T, dir string) {
			os.Remove(path(dir, digests[1]))
		}, wantKind: kindLog, wantFile: logs[1], wantWhy: "not listed in any digest file"},
		{name: "signature removed", tamper: func(t *testing.T, dir string) {
			os.Remove(path(dir, digests[1]) + digestMetadataSuffix)
		}, wantKind: kindDigest, wantFile: digests[1], wantWhy: "signature not found"},
		{name: "digest replaced by a copy of the older one", tamper: func(t *testing.T, dir string) {
			b, _ := os.ReadFile(path(dir, digests[0]))
			os.WriteFile(path(dir, digests[1]), b, 0o600)
		}, wantKind: kindDigest, wantFile: digests[1], wantWhy: "has been moved"},
		{name: "other public key", args: []string{"--public-key", otherKey}, wantKind: kindDigest, wantFile: digests[1], wantWhy: "public key not found for fingerprint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(fixture)); err != nil {
				t.Fatal(err)
			}
			if tc.tamper != nil {
				tc.tamper(t, dir)
			}
			stdout, _, err := runIamd(append([]string{"trail", "validate", "--dir", dir}, tc.args...)...)
			if tc.wantKind == "" {
				if err != nil {
					t.Fatalf("validate of an intact export: %v\n%s", err, stdout)
				}
				if !strings.HasPrefix(stdout, "2/2 digest files valid, 2/2 log files valid") {
					t.Errorf("validate printed %q", stdout)
				}
				return
			}
			var ve *validateError
			if !errors.As(err, &ve) {
				t.Fatalf("validate after %s: err = %v, want %s %s invalid\n%s", tc.name, err, tc.wantKind, tc.wantFile, stdout)
			}
			if ve.kind != tc.wantKind || ve.path != tc.wantFile || !strings.HasPrefix(ve.reason, tc.wantWhy) {
				t.Errorf("validate after %s: %v; want %s %s INVALID: %s…", tc.name, err, tc.wantKind, tc.wantFile, tc.wantWhy)
			}
			if !strings.Contains(stdout, tc.wantFile+"\tINVALID: ") {
				t.Errorf("validate printed %q, want a line for %s", stdout, tc.wantFile)
			}
		})
	}
}

func TestTrailValidateUsage(t *testing.T) {
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, publicKeyFile), []byte("not pem"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no dir", []string{"trail", "validate"}, "--dir is required"},
		{"no public key", []string{"trail", "validate", "--dir", t.TempDir()}, "no such file"},
		{"bad public key", []string{"trail", "validate", "--dir", empty}, "no PEM block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runIamd(tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("iamd %v: err = %v, want one containing %q", tc.args, err, tc.want)
			}
		})
	}
}
