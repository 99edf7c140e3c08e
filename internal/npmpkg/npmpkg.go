// Package npmpkg fetches and reads npm package tarballs for iamd's data generators
// (internal/catalog/gen, internal/managed/gen): `npm pack` at a pinned version, the tarball's
// integrity checked, its files read into memory. Only generator commands and their tests use it.
package npmpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Pack runs `npm pack spec` into dir and returns the tarball's path.
func Pack(ctx context.Context, dir, spec string, stderr io.Writer) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", dir, spec)
	cmd.Stderr = stderr
	name, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w", spec, err)
	}
	return filepath.Join(dir, filepath.Base(strings.TrimSpace(string(name)))), nil
}

// Integrity is npm's integrity string of a tarball ("sha512-" + base64 of its SHA-512).
func Integrity(data []byte) string {
	sum := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Read returns the files of a package tarball (.tgz) or unpacked package directory, keyed by their
// path inside the package, keeping those want accepts (nil: all). A tarball's integrity is
// checked when integrity is not empty.
func Read(src, integrity string, want func(name string) bool) (map[string][]byte, error) {
	if want == nil {
		want = func(string) bool { return true }
	}
	info, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	if info.IsDir() {
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(src, p)
			if err != nil {
				return err
			}
			name := filepath.ToSlash(rel)
			if !want(name) {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files[name] = b
			return nil
		})
		return files, err
	}
	tgz, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if integrity != "" {
		if got := Integrity(tgz); got != integrity {
			return nil, fmt.Errorf("%s: integrity %s, want %s", src, got, integrity)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("%s: gzip: %w", src, err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		// npm puts everything under one top directory ("package/").
		name := path.Clean(h.Name)
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		if !want(name) {
			continue
		}
		if files[name], err = io.ReadAll(tr); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", src, h.Name, err)
		}
	}
}

// DecodeJSON decodes a package file into v, naming the file in errors.
func DecodeJSON(files map[string][]byte, name string, v any) error {
	b, ok := files[name]
	if !ok {
		return fmt.Errorf("package has no %s", name)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
