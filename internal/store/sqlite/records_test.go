package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// sizedEvent is ev(id) with a record of about n bytes.
func sizedEvent(id string, n int) *store.Event {
	e := ev(id)
	e.Record = []byte(`{"eventID":"` + id + `","pad":"` + strings.Repeat(string(rune('a'+len(id)%26)), n) + `"}`)
	return e
}

// TestJournaledRecordsRead: records indexed from the journal are not copied into the events
// table, and Events and Chain read them back byte for byte, whatever their size and order
// (records read together, records too far apart to share a read, records over maxSpan).
func TestJournaledRecordsRead(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	sizes := []int{0, 10, 3000, maxGap + 100, 5, maxSpan + 10, 200, 1, maxGap * 2, 7}
	want := map[string][]byte{}
	var evs []*store.Event
	for i, n := range sizes {
		e := sizedEvent(fmt.Sprintf("e%02d", i), n)
		want[e.ID] = e.Record
		evs = append(evs, e)
	}
	// Two writes, the first of several records at once.
	if err := db.Record(context.Background(), evs[:6]...); err != nil {
		t.Fatal(err)
	}
	if err := db.Record(context.Background(), evs[6:]...); err != nil {
		t.Fatal(err)
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := journaledRows(t, db); n != len(sizes) {
		t.Fatalf("%d events keep their record in the journal, want %d", n, len(sizes))
	}
	chain, err := db.Chain(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	newest, err := db.Events(context.Background(), store.EventFilter{Account: "123456789012"})
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]*store.StoredEvent{"Chain": chain, "Events": newest} {
		if len(got) != len(sizes) {
			t.Fatalf("%s: %d events, want %d", name, len(got), len(sizes))
		}
		for _, e := range got {
			if string(e.Record) != string(want[e.ID]) {
				t.Errorf("%s: record of %s is %d bytes %.40q, want %d bytes %.40q", name, e.ID, len(e.Record), e.Record, len(want[e.ID]), want[e.ID])
			}
		}
	}
	trailIDs(t, db) // the chain verifies over the records read back
}

// TestJournalFileTampered: a record edited or a journal file removed behind iamd's back is
// caught: the chain no longer verifies, or reading the record fails naming the file.
func TestJournalFileTampered(t *testing.T) {
	db, file := indexedABC(t)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), `"eventID":"b"`)
	if i < 0 {
		t.Fatalf("record b not found in %s", file)
	}
	edited := append([]byte(nil), b...)
	edited[i+len(`"eventID":"`)] = 'x'
	if err := os.WriteFile(file, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	chain, err := db.Chain(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.Verify(stored(chain), nil); err == nil || !strings.Contains(err.Error(), "2") {
		t.Errorf("Verify after editing record b (seq 2) = %v, want an error naming it", err)
	}

	// Removed: a fresh reader (no file kept open) cannot read the records.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	db.recs.close()
	_, err = db.Chain(context.Background(), 0, 100)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(file)) {
		t.Errorf("Chain with the journal file removed = %v, want an error naming %s", err, filepath.Base(file))
	}
}

// TestJournalRetire: a retention prune removes journal files no remaining event refers to, and
// only retireDelay after finding them so; the events kept still read and verify.
func TestJournalRetire(t *testing.T) {
	frame := int64(len(appendFrame(nil, ev("r00"))))
	tune(t, 1<<20, 1<<20, int64(len(journalMagic))+3*frame) // three records a file
	delay := retireDelay
	t.Cleanup(func() { retireDelay = delay })
	retireDelay = 1 << 62
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	ids := seqIDs("r", 10) // files 1-4: r00-r02, r03-r05, r06-r08, r09
	record(t, db, ids...)
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Prune(context.Background(), 8); err != nil || n != 7 {
		t.Fatalf("Prune(8) = %d, %v; want 7 (r00-r06)", n, err)
	}
	if files := journalFiles(t, path); len(files) != 4 {
		t.Errorf("journal files before retireDelay = %v, want all 4", files)
	}
	retireDelay = 0
	record(t, db, "s")
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Prune(context.Background(), 9); err != nil || n != 1 {
		t.Fatalf("Prune(9) = %d, %v; want 1 (r07)", n, err)
	}
	// r08 (file 3), r09 and s (file 4) remain: files 1 and 2 go.
	if got, want := journalFiles(t, path), []string{"iamd.db.records.3", "iamd.db.records.4"}; !cmp.Equal(got, want) {
		t.Errorf("journal files after the prune = %v, want %v", got, want)
	}
	cp, err := db.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	chain, err := db.Chain(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := eventIDs(chain)
	if want := []string{"r08", "r09", "s"}; !cmp.Equal(got, want) {
		t.Errorf("trail after the prunes = %v, want %v", got, want)
	}
	if err := audit.VerifyResumed(cp.Seq, cp.Hash, stored(chain), nil); err != nil {
		t.Errorf("trail after the prunes does not verify: %v", err)
	}
}

// TestJournalSyncedBeforeCommit: an index transaction puts the journal on disk up to what it
// indexes before it commits (synced follows the committed position).
func TestJournalSyncedBeforeCommit(t *testing.T) {
	frame := int64(len(appendFrame(nil, ev("r00"))))
	tune(t, 1<<20, 1<<20, int64(len(journalMagic))+3*frame)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	record(t, db, seqIDs("r", 4)...) // file 1 full and rotated, one record in file 2
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.j.mu.Lock()
	synced, committed, rotated := db.j.synced, db.j.committed, len(db.j.rotated)
	db.j.mu.Unlock()
	if synced != committed || committed.gen != 2 {
		t.Errorf("synced %v, committed %v; want both at the end of generation 2", synced, committed)
	}
	if rotated != 0 {
		t.Errorf("%d rotated files left unsynced, want 0", rotated)
	}
}

// TestJournalRetireAtOpen: files a prune left unreferenced (an offline `iamd trail prune`, say)
// are removed by the next Open.
func TestJournalRetireAtOpen(t *testing.T) {
	frame := int64(len(appendFrame(nil, ev("r00"))))
	tune(t, 1<<20, 1<<20, int64(len(journalMagic))+3*frame) // three records a file
	delay := retireDelay
	t.Cleanup(func() { retireDelay = delay })
	retireDelay = 1 << 62
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, seqIDs("r", 10)...) // files 1-4
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Prune(context.Background(), 8); err != nil || n != 7 {
		t.Fatalf("Prune(8) = %d, %v; want 7 (r00-r06)", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if files := journalFiles(t, path); len(files) != 4 {
		t.Fatalf("journal files after the prune = %v, want all 4", files)
	}
	db = openAt(t, path)
	// r07 and r08 are in file 3, r09 in file 4.
	if got, want := journalFiles(t, path), []string{"iamd.db.records.3", "iamd.db.records.4"}; !cmp.Equal(got, want) {
		t.Errorf("journal files after Open = %v, want %v", got, want)
	}
	chain, err := db.Chain(context.Background(), 0, 100)
	if err != nil || len(chain) != 3 {
		t.Fatalf("Chain after Open = %d events, %v; want 3", len(chain), err)
	}
}

// TestWriterPageCache: the write connection has the larger page cache; readers keep SQLite's
// default.
func TestWriterPageCache(t *testing.T) {
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	for _, tc := range []struct {
		name string
		pool interface {
			QueryRow(string, ...any) *sql.Row
		}
		want int
	}{{"writer", db.w, -writerCacheKiB}, {"reader", db.r, -2000}} {
		var got int
		if err := tc.pool.QueryRow(`PRAGMA cache_size`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s cache_size = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestJournalFileCutWhileRunning: a journal file cut short behind iamd's back does not move
// the records written after it away from where their rows point: they read back intact (the
// lost ones fail to verify). With O_APPEND writes they landed at the new end of the file.
func TestJournalFileCutWhileRunning(t *testing.T) {
	db, file := indexedABC(t)
	if err := os.Truncate(file, int64(len(journalMagic))); err != nil {
		t.Fatal(err)
	}
	record(t, db, "d")
	evs, err := db.Events(context.Background(), store.EventFilter{Account: "123456789012", ID: "d"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("Events(d) = %d events, %v", len(evs), err)
	}
	if want := ev("d").Record; string(evs[0].Record) != string(want) {
		t.Errorf("record d read back as %q, want %q", evs[0].Record, want)
	}
}

// TestJournalFileHoldsItsRecords: a journal file holds its header and its records' frames,
// nothing more, once they are indexed, after a crash and its replay, and after Close.
func TestJournalFileHoldsItsRecords(t *testing.T) {
	tune(t, 1<<20, 1<<20, 1<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, "a", "b")
	file := db.j.path(db.j.gen)
	crash(t, db)
	db = openAt(t, path)
	if got := trailIDs(t, db); !cmp.Equal(got, []string{"a", "b"}) {
		t.Errorf("trail after the crash = %v, want [a b]", got)
	}
	want := append([]byte(journalMagic), frames("a", "b")...)
	if got := fileBytes(t, file); !bytes.Equal(got, want) {
		t.Errorf("journal file after the replay holds %d bytes, want %d (the header and a, b)", len(got), len(want))
	}
	record(t, db, "c")
	file = db.j.path(db.j.gen)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want = append([]byte(journalMagic), frames("c")...)
	if got := fileBytes(t, file); !bytes.Equal(got, want) {
		t.Errorf("journal file after Close holds %d bytes, want %d (the header and c)", len(got), len(want))
	}
}

// indexedABC opens a database, records a, b and c through the journal, indexes them and returns
// the database and the one journal file holding them.
func indexedABC(t *testing.T) (*DB, string) {
	t.Helper()
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, "a", "b", "c")
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	files := journalFiles(t, path)
	if len(files) != 1 {
		t.Fatalf("journal files = %v, want one", files)
	}
	return db, filepath.Join(filepath.Dir(path), files[0])
}

// TestJournalFileMappedByOlderVersion: iamd before the ring mapped the journal file it wrote,
// sized to 64 MB; killed, it left the records followed by zeros. The replay indexes the
// records and cuts the zeros off.
func TestJournalFileMappedByOlderVersion(t *testing.T) {
	db, path := openIndexed(t, "a")
	next := db.j.path(db.j.gen + 1)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	older := append([]byte(journalMagic), frames("b", "c")...)
	if err := os.WriteFile(next, append(older, make([]byte, 1<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
	if got := fileBytes(t, next); !bytes.Equal(got, older) {
		t.Errorf("the older version's file holds %d bytes after the replay, want %d (its records)", len(got), len(older))
	}
}
