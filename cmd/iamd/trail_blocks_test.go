package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/audit"
)

// blockSeqs returns the Seqs of the served trail's records kept in blocks.
func blockSeqs(t *testing.T, dir string) []int64 {
	t.Helper()
	db := sqlDB(t, dir)
	defer db.Close()
	rows, err := db.Query(`SELECT first_seq, n FROM event_blocks ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var first, n int64
		if err := rows.Scan(&first, &n); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			out = append(out, first+i)
		}
	}
	return out
}

// editJournaled changes the last letter of record seq's event name where the record
// journal's file keeps it (found by its bytes as stored).
func editJournaled(t *testing.T, dir string, seq int64) {
	t.Helper()
	ctx := context.Background()
	db := offlineStore(t, dir)
	evs, err := db.Chain(ctx, seq-1, 1)
	db.Close()
	if err != nil || len(evs) != 1 || evs[0].Seq != seq {
		t.Fatalf("record %d: %d records, %v", seq, len(evs), err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "iamd.db.records.[0-9]*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rec := evs[0].Chained()
		i := bytes.Index(b, rec)
		if i < 0 {
			continue
		}
		editName(t, b[i:i+len(rec)], evs[0].Name)
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("record %d is in no journal file", seq)
}

// TestTrailVerifyBlocks: a served trail keeps its reads in blocks (records in the journal
// files, lookup postings per block); verify finds a record edited in its file, a block
// removed, a chain hash edited in a block, and postings that disagree with their records.
func TestTrailVerifyBlocks(t *testing.T) {
	fixture := servedTrail(t)
	seqs := blockSeqs(t, fixture)
	if len(seqs) < 3 {
		t.Fatalf("served trail has %d records in blocks, want at least 3 (its GetUser calls)", len(seqs))
	}
	last, head := int64(0), ""
	{
		db := sqlDB(t, fixture)
		var h []byte
		if err := db.QueryRow(`SELECT max(first_seq + n - 1), last_hash FROM event_blocks`).Scan(&last, &h); err != nil {
			t.Fatal(err)
		}
		db.Close()
		out, _, err := runIamd("trail", "verify", "--data", fixture)
		if err != nil || !strings.HasPrefix(out, "ok: ") {
			t.Fatalf("verify of the served trail: %q, %v", out, err)
		}
		head = strings.Fields(out)[4]
		if n, _ := strconv.ParseInt(strings.Fields(out)[1], 10, 64); n < last {
			t.Fatalf("verify counted %d records, want at least %d", n, last)
		}
	}
	s := seqs[1]
	ss := strconv.FormatInt(s, 10)
	for _, tc := range []struct {
		name    string
		tamper  []string
		edit    bool
		args    []string
		wantSeq int64
		want    audit.Kind
		field   string
	}{
		{name: "record edited in the journal file", edit: true, wantSeq: s, want: audit.Edited},
		{name: "block removed", tamper: []string{`DELETE FROM event_blocks WHERE first_seq = ` + ss}, wantSeq: s, want: audit.Removed},
		{name: "chain hash edited", tamper: []string{`UPDATE event_blocks SET meta = substr(meta, 1, length(meta) - 32) || zeroblob(32) WHERE first_seq = ` + ss},
			wantSeq: s, want: audit.Edited},
		// The served trail's postings wait for a merge (the sqlite package's tests edit
		// merged ones too).
		{name: "posting renamed", tamper: []string{`UPDATE event_block_postings SET postings = replace(postings, 'GetUser', 'GetRole') WHERE first_seq = ` + ss},
			wantSeq: s, want: audit.Edited, field: "event_postings"},
		{name: "postings removed", tamper: []string{`DELETE FROM event_block_postings WHERE first_seq = ` + ss},
			wantSeq: s, want: audit.Edited, field: "event_postings"},
		{name: "block times edited", tamper: []string{`UPDATE event_blocks SET t_min = 0 WHERE first_seq = ` + ss},
			wantSeq: s, want: audit.Edited, field: "event_blocks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyData(t, fixture)
			tamper(t, dir, tc.tamper...)
			if tc.edit {
				editJournaled(t, dir, tc.wantSeq)
			}
			out, _, err := runIamd(append([]string{"trail", "verify", "--data", dir, "--head", head}, tc.args...)...)
			var ce *audit.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("verify after %v: %q, %v; want record %d %s", tc.tamper, out, err, tc.wantSeq, tc.want)
			}
			if ce.Seq != tc.wantSeq || ce.Kind != tc.want || ce.Field != tc.field {
				t.Errorf("verify after %v: record %d %s field %q, want record %d %s field %q", tc.tamper, ce.Seq, ce.Kind, ce.Field, tc.wantSeq, tc.want, tc.field)
			}
		})
	}
}

// TestServedReadsKeptCompact: the server keeps the records of reads in the compact form
// (audit.AppendCompact) and those of mutations as JSON; the trail gives back every record as
// JSON whose columns are the record's, and the chain hashes each record as it is kept.
func TestServedReadsKeptCompact(t *testing.T) {
	ctx := context.Background()
	dir := servedTrail(t)
	db := offlineStore(t, dir)
	defer db.Close()
	chain, err := db.Chain(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]int{}
	recs := make([]audit.Stored, len(chain))
	for i, e := range chain {
		switch {
		case e.Name == "GetUser" && !audit.IsCompact(e.Stored):
			t.Errorf("record %d (GetUser) is kept as %.40q, not compact", e.Seq, e.Chained())
		case e.Name == "CreateUser" && e.Stored != nil:
			t.Errorf("record %d (CreateUser) is kept compact, not as JSON", e.Seq)
		}
		kept[e.Name]++
		if !json.Valid(e.Record) {
			t.Fatalf("record %d reads back as %q, not JSON", e.Seq, e.Record)
		}
		s, err := audit.Summarize(e.Record)
		if err != nil || s.Name != e.Name || s.ID != e.ID || s.Username != e.Username || s.AccessKey != e.AccessKey {
			t.Errorf("record %d: its JSON says %+v (%v); its columns %s %s %q %q", e.Seq, s, err, e.Name, e.ID, e.Username, e.AccessKey)
		}
		if e.Stored != nil && 3*len(e.Stored) > 2*len(e.Record) {
			t.Errorf("record %d: %d bytes kept for %d of JSON", e.Seq, len(e.Stored), len(e.Record))
		}
		recs[i] = audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}
	}
	if kept["GetUser"] != 4 || kept["CreateUser"] != 4 {
		t.Errorf("records by name: %v, want 4 of GetUser and of CreateUser", kept)
	}
	if err := audit.Verify(recs, nil); err != nil {
		t.Errorf("the chain over the records as kept: %v", err)
	}
	for i := range recs {
		recs[i].Record = chain[i].Record // the JSON: not what the chain hashes
	}
	if err := audit.Verify(recs, nil); err == nil {
		t.Error("the chain verifies over the records' JSON too")
	}
}
