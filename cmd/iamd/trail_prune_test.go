package main

import (
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/audit"
)

func countRecords(t *testing.T, dir string) int64 {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func recordHash(t *testing.T, dir string, seq int64) string {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	var h []byte
	if err := db.QueryRow(`SELECT hash FROM events WHERE seq = ?`, seq).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h)
}

// old moves records 1-4 to 2020 (the time column is not hashed).
const old = `UPDATE events SET time = 1577836800000000000 WHERE seq <= 4`

func TestTrailPrune(t *testing.T) {
	fixture := trailFixture(t)
	last, head := lastRecord(t, fixture)

	t.Run("prune, verify, export, append, verify", func(t *testing.T) {
		dir := t.TempDir() // the whole data directory: the server needs its seal keys
		if err := os.CopyFS(dir, os.DirFS(fixture)); err != nil {
			t.Fatal(err)
		}
		tamper(t, dir, old)
		out, _, err := runIamd("trail", "prune", "--data", dir, "--before", "2021-01-01T00:00:00Z")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "pruned 4 records older than 2021-01-01T00:00:00Z; checkpoint: record 4, hash ") {
			t.Errorf("prune printed %q", out)
		}
		if n := countRecords(t, dir); n != last-4 {
			t.Errorf("%d records remain, want %d", n, last-4)
		}
		out, _, err = runIamd("trail", "verify", "--data", dir, "--head", head)
		if err != nil {
			t.Fatalf("verify after prune: %v", err)
		}
		if want := "ok: " + strconv.FormatInt(last-4, 10) + " records, head " + head + " (from the prune checkpoint after record 4, "; !strings.HasPrefix(out, want) {
			t.Errorf("verify printed %q, want %q…", out, want)
		}
		out, _, err = runIamd("trail", "export", "--data", dir, "--dir", t.TempDir())
		if err != nil || !strings.HasPrefix(out, "exported "+strconv.FormatInt(last-4, 10)+" records") {
			t.Errorf("export after prune: %q, %v", out, err)
		}
		// The server appends after a pruned trail; the chain goes on.
		serveCalls(t, dir, "later", 2)
		if out, _, err := runIamd("trail", "verify", "--data", dir); err != nil || !strings.HasPrefix(out, "ok: ") {
			t.Errorf("verify after more calls: %q, %v", out, err)
		}
	})

	for _, tc := range []struct {
		name    string
		tamper  []string
		wantSeq int64
		want    audit.Kind
	}{
		{"first remaining record removed", []string{`DELETE FROM events WHERE seq = 5`}, 5, audit.Removed},
		{"remaining record edited", nil, 6, audit.Edited},
		{"checkpoint edited", []string{`UPDATE trail_checkpoint SET hash = zeroblob(32)`}, 5, audit.Edited},
	} {
		t.Run("after prune: "+tc.name, func(t *testing.T) {
			dir := copyData(t, fixture)
			tamper(t, dir, old)
			if _, _, err := runIamd("trail", "prune", "--data", dir, "--before", "2021-01-01T00:00:00Z"); err != nil {
				t.Fatal(err)
			}
			tamper(t, dir, tc.tamper...)
			if tc.tamper == nil {
				editRecord(t, dir, tc.wantSeq)
			}
			_, _, err := runIamd("trail", "verify", "--data", dir)
			var ce *audit.ChainError
			if !errors.As(err, &ce) || ce.Seq != tc.wantSeq || ce.Kind != tc.want {
				t.Errorf("verify: %v, want record %d %s", err, tc.wantSeq, tc.want)
			}
		})
	}

	t.Run("a broken trail is not pruned", func(t *testing.T) {
		dir := copyData(t, fixture)
		tamper(t, dir, old, `UPDATE events SET record = replace(record, 'eventName', 'eventNamf') WHERE seq = 7`)
		_, _, err := runIamd("trail", "prune", "--data", dir, "--before", "2021-01-01T00:00:00Z")
		var ce *audit.ChainError
		if !errors.As(err, &ce) || ce.Seq != 7 {
			t.Errorf("prune of a broken trail: %v, want record 7 edited", err)
		}
		if n := countRecords(t, dir); n != last {
			t.Errorf("%d records remain, want all %d", n, last)
		}
	})

	t.Run("everything older keeps the newest record", func(t *testing.T) {
		dir := copyData(t, fixture)
		before := recordHash(t, dir, last)
		out, _, err := runIamd("trail", "prune", "--data", dir, "--before", "2999-01-01T00:00:00Z")
		if err != nil || !strings.HasPrefix(out, "pruned "+strconv.FormatInt(last-1, 10)+" records") {
			t.Errorf("prune: %q, %v", out, err)
		}
		if n := countRecords(t, dir); n != 1 || recordHash(t, dir, last) != before {
			t.Errorf("%d records remain, want the newest one only", n)
		}
		if out, _, err := runIamd("trail", "verify", "--data", dir, "--head", head); err != nil || !strings.HasPrefix(out, "ok: 1 records") {
			t.Errorf("verify: %q, %v", out, err)
		}
	})

	t.Run("nothing older", func(t *testing.T) {
		dir := copyData(t, fixture)
		out, _, err := runIamd("trail", "prune", "--data", dir, "--before", "2001-01-01T00:00:00Z")
		if err != nil || !strings.HasPrefix(out, "pruned 0 records") || countRecords(t, dir) != last {
			t.Errorf("prune: %q, %v; %d records remain, want %d", out, err, countRecords(t, dir), last)
		}
	})

	for _, tc := range []struct{ name, arg, want string }{
		{"no --before", "", "--before is required"},
		{"bad time", "yesterday", "not an RFC 3339 time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"trail", "prune", "--data", t.TempDir()}
			if tc.arg != "" {
				args = append(args, "--before", tc.arg)
			}
			if _, _, err := runIamd(args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("iamd %v: %v, want %q", args, err, tc.want)
			}
		})
	}
}
