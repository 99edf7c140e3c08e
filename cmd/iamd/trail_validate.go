package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/audit"
)

// validation problems, worded as `aws cloudtrail validate-logs` words them.
const (
	kindDigest = "Digest file"
	kindLog    = "Log file"
)

type problem struct{ kind, path, reason string }

// validateError is the first problem `iamd trail validate` found.
type validateError struct{ problem }

func (e *validateError) Error() string {
	return fmt.Sprintf("trail validate: %s %s INVALID: %s", e.kind, e.path, e.reason)
}

type loadedDigest struct {
	path  string
	body  []byte // uncompressed
	d     audit.Digest
	chain string // account/region
}

type validator struct {
	dir         string
	pub         *rsa.PublicKey
	fingerprint string
	digests     map[string]*loadedDigest
	logs        map[string]bool // log file path → listed by a digest
	problems    []problem
	okDigests   int
	okLogs      int
}

// trailValidate checks an exported directory as `aws cloudtrail validate-logs` checks a
// bucket: each chain of digests (one per account and region) from its newest digest back
// through previousDigestS3Object, each digest's place, key fingerprint and signature, that
// it is the digest its successor hashed and signed over, and the SHA-256 of every log file
// it lists. Log files no digest lists are reported too (CloudTrail would have digested
// them). It prints every problem and returns the first.
func trailValidate(dir, pubPath string, stdout io.Writer) error {
	if dir == "" {
		return errors.New("trail validate: --dir is required")
	}
	if pubPath == "" {
		pubPath = filepath.Join(dir, publicKeyFile)
	}
	pub, err := readPublicKey(pubPath)
	if err != nil {
		return fmt.Errorf("trail validate: %w", err)
	}
	v := &validator{dir: dir, pub: pub, fingerprint: audit.PublicKeyFingerprint(pub), digests: map[string]*loadedDigest{}, logs: map[string]bool{}}
	if err := v.scan(); err != nil {
		return fmt.Errorf("trail validate: %w", err)
	}
	if len(v.digests) == 0 && len(v.problems) == 0 {
		return fmt.Errorf("trail validate: no digest files under %s", filepath.Join(dir, "AWSLogs"))
	}
	chains := map[string][]*loadedDigest{}
	for _, d := range v.digests {
		chains[d.chain] = append(chains[d.chain], d)
	}
	keys := make([]string, 0, len(chains))
	for k := range chains {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.walk(chains[k])
	}
	var uncovered []string
	for p, listed := range v.logs {
		if !listed {
			uncovered = append(uncovered, p)
		}
	}
	sort.Strings(uncovered)
	for _, p := range uncovered {
		v.problems = append(v.problems, problem{kindLog, p, "not listed in any digest file"})
	}
	for _, p := range v.problems {
		fmt.Fprintf(stdout, "%s\t%s\tINVALID: %s\n", p.kind, p.path, p.reason)
	}
	nDigests, nLogs := v.okDigests, v.okLogs
	for _, p := range v.problems {
		if p.kind == kindDigest {
			nDigests++
		} else {
			nLogs++
		}
	}
	fmt.Fprintf(stdout, "%d/%d digest files valid, %d/%d log files valid (public key fingerprint %s)\n",
		v.okDigests, nDigests, v.okLogs, nLogs, v.fingerprint)
	if len(v.problems) > 0 {
		return &validateError{v.problems[0]}
	}
	return nil
}

// scan finds the digest and log files under the directory and loads every digest.
func (v *validator) scan() error {
	var digestPaths []string
	err := filepath.WalkDir(v.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(v.dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		parts := strings.Split(rel, "/")
		if len(parts) < 5 || parts[0] != "AWSLogs" {
			return nil
		}
		switch {
		case parts[2] == "CloudTrail-Digest" && strings.HasSuffix(rel, ".json.gz"):
			digestPaths = append(digestPaths, rel)
		case parts[2] == "CloudTrail" && (strings.HasSuffix(rel, ".json.gz") || strings.HasSuffix(rel, ".json")):
			v.logs[rel] = false
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(digestPaths)
	for _, p := range digestPaths {
		body, err := v.content(p)
		ld := &loadedDigest{path: p, body: body}
		if err == nil {
			err = json.Unmarshal(body, &ld.d)
		}
		if err != nil {
			v.problems = append(v.problems, problem{kindDigest, p, "not a readable digest file: " + err.Error()})
			continue
		}
		parts := strings.Split(p, "/")
		ld.chain = parts[1] + "/" + parts[3]
		v.digests[p] = ld
	}
	return nil
}

// content returns a file's uncompressed content.
func (v *validator) content(rel string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(v.dir, filepath.FromSlash(rel)))
	if err != nil || !strings.HasSuffix(rel, ".gz") {
		return b, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// walk validates one chain from its newest digest back. Where a previous digest is missing
// the walk reports it and starts again from the newest digest not yet visited, as
// validate-logs goes on with the digests it can still find.
func (v *validator) walk(chain []*loadedDigest) {
	sort.Slice(chain, func(i, j int) bool {
		if chain[i].d.DigestEndTime != chain[j].d.DigestEndTime {
			return chain[i].d.DigestEndTime > chain[j].d.DigestEndTime
		}
		return chain[i].path > chain[j].path
	})
	visited := map[string]bool{}
	for _, start := range chain {
		if visited[start.path] {
			continue
		}
		cur := start
		var next *loadedDigest // the newer digest that named cur as its previous one
		for cur != nil && !visited[cur.path] {
			visited[cur.path] = true
			v.check(cur, next)
			prev := cur.d.PreviousDigestS3Object
			if prev == nil {
				break
			}
			p, ok := v.digests[*prev]
			if !ok {
				v.problems = append(v.problems, problem{kindDigest, *prev, "not found"})
				break
			}
			cur, next = p, cur
		}
	}
}

// check validates one digest and, if it is valid, the log files it lists.
func (v *validator) check(ld *loadedDigest, next *loadedDigest) {
	bad := func(reason string) { v.problems = append(v.problems, problem{kindDigest, ld.path, reason}) }
	d := &ld.d
	for _, lf := range d.LogFiles {
		if _, ok := v.logs[lf.S3Object]; ok {
			v.logs[lf.S3Object] = true
		}
	}
	sig, err := v.signature(ld.path)
	sum := sha256.Sum256(ld.body)
	switch {
	case d.DigestS3Object != ld.path:
		bad("has been moved from its original location " + d.DigestS3Object)
		return
	case d.DigestPublicKeyFingerprint != v.fingerprint:
		bad("public key not found for fingerprint " + d.DigestPublicKeyFingerprint)
		return
	case err != nil:
		bad(err.Error())
		return
	case audit.VerifyDigest(v.pub, ld.body, sig) != nil:
		bad("signature verification failed")
		return
	case next != nil && (next.d.PreviousDigestHashValue == nil || *next.d.PreviousDigestHashValue != hex.EncodeToString(sum[:])):
		bad("hash value doesn't match the previousDigestHashValue of " + next.path)
		return
	case next != nil && (next.d.PreviousDigestSignature == nil || *next.d.PreviousDigestSignature != sig):
		bad("signature doesn't match the previousDigestSignature of " + next.path)
		return
	}
	v.okDigests++
	for _, lf := range d.LogFiles {
		if _, ok := v.logs[lf.S3Object]; !ok {
			v.problems = append(v.problems, problem{kindLog, lf.S3Object, "not found"})
			continue
		}
		b, err := v.content(lf.S3Object)
		if err != nil {
			v.problems = append(v.problems, problem{kindLog, lf.S3Object, "unreadable: " + err.Error()})
			continue
		}
		h := sha256.Sum256(b)
		if hex.EncodeToString(h[:]) != lf.HashValue {
			v.problems = append(v.problems, problem{kindLog, lf.S3Object, "hash value doesn't match"})
			continue
		}
		v.okLogs++
	}
}

// signature reads a digest's signature from its metadata sidecar.
func (v *validator) signature(rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(v.dir, filepath.FromSlash(rel+digestMetadataSuffix)))
	if err != nil {
		return "", errors.New("signature not found (no " + filepath.Base(rel) + digestMetadataSuffix + ")")
	}
	var m digestMetadata
	if err := json.Unmarshal(b, &m); err != nil || m.Signature == "" {
		return "", errors.New("signature not found in " + filepath.Base(rel) + digestMetadataSuffix)
	}
	if m.SignatureAlgorithm != audit.DigestSignatureAlgorithm {
		return "", fmt.Errorf("unsupported signature algorithm %q", m.SignatureAlgorithm)
	}
	return m.Signature, nil
}
