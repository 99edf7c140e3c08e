package seed

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/managed"
	"github.com/iamd-dev/iamd/internal/store"
)

var update = flag.Bool("update", false, "rewrite rows.bin.gz from package managed's data")

// wantRows is what the precomputed rows must hold: entity of each of managed.Load's policies.
func wantRows(t *testing.T) []*store.Entity {
	t.Helper()
	ps, err := managed.Load()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*store.Entity, len(ps))
	for i := range ps {
		if out[i], err = entity(&ps[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func readRows(t *testing.T, gz []byte) (string, []*store.Entity, error) {
	t.Helper()
	rr, err := openRows(gz)
	if err != nil {
		return "", nil, err
	}
	var out []*store.Entity
	for {
		e, err := rr.next()
		if errors.Is(err, io.EOF) {
			return rr.version, out, nil
		}
		if err != nil {
			return rr.version, out, err
		}
		out = append(out, e)
	}
}

// TestEmbeddedRows checks that rows.bin.gz is package managed's data, converted as entity
// does (with -update, it rewrites the file first).
func TestEmbeddedRows(t *testing.T) {
	want := wantRows(t)
	if *update {
		var buf bytes.Buffer
		if err := encodeRows(&buf, managed.Version(), want); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("rows.bin.gz", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		embeddedRows = buf.Bytes()
	}
	version, got, err := readRows(t, embeddedRows)
	if err != nil {
		t.Fatalf("reading rows.bin.gz: %v", err)
	}
	if version != managed.Version() {
		t.Fatalf("rows.bin.gz is of data version %q, package managed of %q: run go test ./internal/managed/seed -run TestEmbeddedRows -update", version, managed.Version())
	}
	// cmp.Diff over 13 MB of rows takes minutes under -race: compare the fields directly (a new
	// field in store.Entity must be added to sameRow), and diff only the first row that differs.
	if len(got) != len(want) {
		t.Fatalf("rows.bin.gz has %d rows, package managed's data %d: run with -update", len(got), len(want))
	}
	for i := range want {
		if !sameRow(want[i], got[i]) {
			t.Fatalf("rows.bin.gz differs from package managed's data at row %d (-want +got); run with -update:\n%s", i, cmp.Diff(want[i], got[i]))
		}
	}
}

// sameRow reports whether two stored rows are equal in every field.
func sameRow(w, g *store.Entity) bool {
	return w.Account == g.Account && w.Kind == g.Kind && w.Name == g.Name && w.ID == g.ID && w.Path == g.Path &&
		w.Created.Equal(g.Created) && w.Created.Location() == g.Created.Location() && bytes.Equal(w.Data, g.Data)
}

func TestRowsRoundTripAndErrors(t *testing.T) {
	es := []*store.Entity{
		{Account: Account, Kind: store.KindPolicy, Name: "A", ID: "ANPAA", Path: "/", Created: time.Date(2015, 2, 6, 18, 39, 46, 123, time.UTC), Data: []byte(`{"x":1}`)},
		{Account: Account, Kind: store.KindPolicy, Name: "B", ID: "ANPAB", Path: "/service-role/", Created: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), Data: []byte{}},
	}
	var buf bytes.Buffer
	if err := encodeRows(&buf, "0.0.7", es); err != nil {
		t.Fatal(err)
	}
	version, got, err := readRows(t, buf.Bytes())
	if err != nil || version != "0.0.7" {
		t.Fatalf("readRows = %q, %v; want version 0.0.7", version, err)
	}
	if diff := cmp.Diff(es, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// A truncated stream is an error, never a short set.
	raw := []byte(rowsMagic + "0.0.7\n\x02\x01A")
	var trunc bytes.Buffer
	if err := gzipBytes(&trunc, raw); err != nil {
		t.Fatal(err)
	}
	if _, got, err := readRows(t, trunc.Bytes()); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated rows: %d rows, error %v; want io.ErrUnexpectedEOF", len(got), err)
	}
	if _, _, err := readRows(t, []byte("not gzip")); err == nil {
		t.Error("rows that are not gzip: no error")
	}
}

// TestSourceFailsTransaction checks that a source's error fails the transaction: nothing
// is stored, not even the version.
func TestSourceFailsTransaction(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	boom := errors.New("boom")
	_, err := ensure(ctx, db, now, "0.0.1", func(ctx context.Context) *source {
		return startSource(ctx, func(yield func(*store.Entity) bool) error {
			yield(&store.Entity{Account: Account, Kind: store.KindPolicy, Name: "A", ID: "ANPAA", Path: "/", Created: now, Data: []byte(`{}`)})
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ensure = %v, want %v", err, boom)
	}
	var n int
	if err := db.View(ctx, func(r store.Reader) (err error) { n, err = r.Count(ctx, Account, store.KindPolicy); return err }); err != nil || n != 0 {
		t.Errorf("stored %d policies (%v) after a failed load, want 0", n, err)
	}
}

func gzipBytes(w io.Writer, b []byte) error {
	zw := gzip.NewWriter(w)
	if _, err := zw.Write(b); err != nil {
		return err
	}
	return zw.Close()
}
