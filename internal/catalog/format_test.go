package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// layout builds uncompressed data from a string table and the varints that follow it.
func layout(table []string, body ...uint64) string {
	b := []byte(magic)
	b = binary.AppendUvarint(b, uint64(len(table)))
	for _, s := range table {
		b = binary.AppendUvarint(b, uint64(len(s)))
	}
	for _, s := range table {
		b = append(b, s...)
	}
	for _, v := range body {
		b = binary.AppendUvarint(b, v)
	}
	return string(b)
}

var table = []string{"v1", "s3", "Amazon S3", "GetObject", "aws:SourceIp", "IPAddress", "ec2", "PutObject"}

// one service s3 with one action GetObject (level given) and one catalog key.
func oneService(level uint64) []uint64 {
	return []uint64{
		0,                   // version
		1, 1, 0, 0, 0, 1, 0, // totals
		1, 4, 5, // keys
		1, 1, 2, // service s3
		1, 3, level, 0, 0, 0, // action
		0, 0, // resource types, keys
	}
}

func TestParseLayout(t *testing.T) {
	valid := layout(table, oneService(2)...)
	c, err := parse(valid)
	if err != nil {
		t.Fatalf("parse(valid) = %v", err)
	}
	if a, ok := c.Action("s3:getobject"); !ok || a.AccessLevel != Read || c.Version() != "v1" {
		t.Fatalf("parsed %+v, %v", a, ok)
	}
	twoServices := func(first, second uint64) []uint64 {
		return []uint64{0, 2, 0, 0, 0, 0, 0, 0, 0, 2, first, 2, 0, 0, 0, second, 2, 0, 0, 0}
	}
	twoActions := func(first, second uint64) []uint64 {
		return []uint64{0, 1, 2, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, first, 1, 0, 0, 0, second, 1, 0, 0, 0, 0, 0}
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"empty", "", "bad magic"},
		{"bad magic", "IAMCAT9\n", "bad magic"},
		{"no strings", magic, "truncated"},
		{"string table too long", layout(nil, 0)[:len(magic)] + "\x01\x05ab", "string table"},
		{"bad level 0", layout(table, oneService(0)...), "access level"},
		{"bad level 6", layout(table, oneService(6)...), "access level"},
		{"trailing bytes", valid + "x", "trailing bytes"},
		{"string index", layout(table, 99), "string index out of range"},
		{"count over total", layout(table, 0, 0, 0, 0, 0, 0, 0, 0, 5), "count out of range"},
		{"varint overflow", layout(table) + strings.Repeat("\xff", 10), "varint overflow"},
		{"services unsorted", layout(table, twoServices(1, 6)...), "services or keys not sorted"},
		{"services duplicate", layout(table, twoServices(1, 1)...), "services or keys not sorted"},
		{"actions unsorted", layout(table, twoActions(7, 3)...), "not sorted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parse(%q) = %v, want an error containing %q", tc.data, err, tc.want)
			}
			if err != nil && !errors.Is(err, errCorrupt) {
				t.Errorf("parse(%q) = %v, not errCorrupt", tc.data, err)
			}
		})
	}
	if _, err := parse(layout(table, twoServices(6, 1)...)); err != nil {
		t.Errorf("two sorted services: %v", err)
	}
	if _, err := parse(layout(table, twoActions(3, 7)...)); err != nil {
		t.Errorf("two sorted actions: %v", err)
	}
}

func gunzipFile(t testing.TB, name string) string {
	t.Helper()
	gz, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestParseTruncated cuts the fixture at every byte: parse must fail, never panic.
func TestParseTruncated(t *testing.T) {
	data := gunzipFile(t, "testdata/fixture.bin.gz")
	if _, err := parse(data); err != nil {
		t.Fatalf("parse(fixture) = %v", err)
	}
	for n := range len(data) {
		if _, err := parse(data[:n]); err == nil {
			t.Errorf("parse(fixture[:%d]) succeeded", n)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(gunzipFile(f, "testdata/fixture.bin.gz"))
	f.Add(layout(table, oneService(2)...))
	f.Fuzz(func(t *testing.T, data string) {
		c, err := parse(data)
		if err != nil {
			return
		}
		for _, p := range c.Services() {
			if _, ok := c.Service(p); !ok {
				t.Errorf("service %q listed but not found", p)
			}
		}
		c.Match("*")
		c.ConditionKey("aws:RequestTag/x")
	})
}

func TestDecodeErrors(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write([]byte("not a catalog")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte("plain"), "gzip"},
		{"truncated gzip", gz.Bytes()[:gz.Len()-6], "unexpected EOF"},
		{"not a catalog", gz.Bytes(), "bad magic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decode(tc.data); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decode = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAction(b *testing.B) {
	c := load(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Action("s3:GetObject"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkConditionKey(b *testing.B) {
	c := load(b)
	for _, name := range []string{"aws:SourceIp", "aws:PrincipalTag/team"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := c.ConditionKey(name); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	c := load(b)
	for _, p := range []string{"s3:Get*", "*:List*"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Match(p)
			}
		})
	}
}
