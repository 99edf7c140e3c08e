package npmpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestReadTarballAndDir(t *testing.T) {
	files := map[string]string{"package.json": `{"name":"x"}`, "data/a.json": `[1]`, "README.md": "r"}
	dir := t.TempDir()
	tarPath := filepath.Join(dir, "x.tgz")
	data := tgz(t, files)
	os.WriteFile(tarPath, data, 0o600)
	want := func(n string) bool { return n != "README.md" }
	got, err := Read(tarPath, Integrity(data), want)
	if err != nil {
		t.Fatal(err)
	}
	wantFiles := map[string][]byte{"package.json": []byte(`{"name":"x"}`), "data/a.json": []byte(`[1]`)}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("tarball (-want +got):\n%s", diff)
	}
	if _, err := Read(tarPath, "sha512-wrong", nil); err == nil {
		t.Error("a wrong integrity was accepted")
	}
	pkg := filepath.Join(dir, "pkg")
	for name, body := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(pkg, name)), 0o755)
		os.WriteFile(filepath.Join(pkg, name), []byte(body), 0o600)
	}
	got, err = Read(pkg, "", want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("directory (-want +got):\n%s", diff)
	}
	var v struct{ Name string }
	if err := DecodeJSON(got, "package.json", &v); err != nil || v.Name != "x" {
		t.Errorf("DecodeJSON = %+v, %v", v, err)
	}
	if err := DecodeJSON(got, "missing.json", &v); err == nil {
		t.Error("DecodeJSON of a missing file succeeded")
	}
	if _, err := Read(filepath.Join(dir, "none"), "", nil); err == nil {
		t.Error("Read of a missing path succeeded")
	}
	os.WriteFile(filepath.Join(dir, "bad.tgz"), []byte("not gzip"), 0o600)
	if _, err := Read(filepath.Join(dir, "bad.tgz"), "", nil); err == nil {
		t.Error("Read of a corrupt tarball succeeded")
	}
}
