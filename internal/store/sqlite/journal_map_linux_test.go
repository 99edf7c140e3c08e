//go:build linux

package sqlite

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/store"
	"golang.org/x/sys/unix"
)

// openRecorded opens a store in a new directory with a 64 MB journal file and records ids.
func openRecorded(t *testing.T, ids ...string) (*DB, string) {
	t.Helper()
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, ids...)
	return db, path
}

// openMapped is openRecorded for a test of the mapping: it skips where the file is not mapped.
func openMapped(t *testing.T, ids ...string) (*DB, string) {
	t.Helper()
	db, path := openRecorded(t, ids...)
	if db.j.m == nil {
		t.Skip("the journal file is not mapped here (mmap refused)")
	}
	return db, path
}

// needPopulate skips the test on a kernel that cannot populate a mapping.
func needPopulate(t *testing.T, m []byte) {
	t.Helper()
	if err := populate(m[:pageSize]); errors.Is(err, unix.EINVAL) {
		t.Skipf("this kernel cannot populate a mapping (MADV_POPULATE_WRITE needs Linux 5.14): %v", err)
	}
}

// TestPopulateAhead: the indexer populates the mapped pages after the records, up to
// populateAheadBytes past their end, without writing a byte of them: a crash then replays
// exactly the records, and the file after them holds zeros.
func TestPopulateAhead(t *testing.T) {
	db, path := openMapped(t, "a", "b")
	j := db.j
	needPopulate(t, j.m)
	j.populateAhead()
	j.mu.Lock()
	off, ahead := j.off, j.ahead
	j.mu.Unlock()
	if want := off&^(pageSize-1) + populateAheadBytes; ahead != want {
		t.Errorf("populated up to %d, want %d (%d past the page of the records' end %d)", ahead, want, populateAheadBytes, off)
	}
	for i, in := range mappedPages(t, j.m[off&^(pageSize-1):ahead]) {
		if !in {
			t.Fatalf("page %d after the records is not mapped after populateAhead", i)
		}
	}
	if far := mappedPages(t, j.m[ahead:ahead+populateStep]); slices.Contains(far, true) {
		t.Errorf("pages beyond the populated ones are mapped: %v", far)
	}
	// A second call with nothing written since populates nothing more.
	j.populateAhead()
	if j.ahead != ahead {
		t.Errorf("populated up to %d after a second call, want %d still", j.ahead, ahead)
	}
	record(t, db, "c")
	crash(t, db)

	data, err := os.ReadFile(path + ".records.1")
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(data)) < ahead {
		t.Fatalf("journal file is %d bytes, want the mapping's size", len(data))
	}
	if !allZero(data[off+int64(len(appendFrame(nil, ev("c")))):]) {
		t.Error("the journal file holds bytes other than zero after its records")
	}
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail after the crash = %v, want %v", got, want)
	}
}

// TestSyncCoversWhatWasWritten: the syncs of index transactions write back every byte of
// records written through the mapping (each msync from the page where the last one ended to
// the records' end), never the populated pages past the records, and unmap only whole pages
// before the records' end.
func TestSyncCoversWhatWasWritten(t *testing.T) {
	db, _ := openMapped(t, "first") // the file is made and mapped at the first write
	j := db.j
	base := uintptr(unsafe.Pointer(&j.m[0]))
	at := func(m []byte) (from, to int64) {
		from = int64(uintptr(unsafe.Pointer(unsafe.SliceData(m))) - base)
		return from, from + int64(len(m))
	}
	type span struct{ from, to int64 }
	var synced, released []span
	saved := sys
	t.Cleanup(func() { sys = saved })
	sys.msync = func(m []byte) error {
		from, to := at(m)
		synced = append(synced, span{from, to})
		return saved.msync(m)
	}
	sys.release = func(m []byte) {
		if len(m) > 0 {
			from, to := at(m)
			released = append(released, span{from, to})
		}
		saved.release(m)
	}
	covered := int64(0) // every byte before this was in some msync's range
	for round, n := range []int{1, 40, 3, 200, 1} {
		record(t, db, seqIDs(fmt.Sprintf("r%d-", round), n)...)
		j.populateAhead()
		end := j.end.off
		synced, released = nil, nil
		if err := db.catchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(synced) != 1 {
			t.Fatalf("round %d: %d msync calls, want 1", round, len(synced))
		}
		r := synced[0]
		if r.from > covered || r.from%pageSize != 0 || r.to != end {
			t.Errorf("round %d: msync of [%d, %d), want from a page at or before %d to the records' end %d", round, r.from, r.to, covered, end)
		}
		for _, u := range released {
			if u.from%pageSize != 0 || u.to%pageSize != 0 || u.to > end&^(pageSize-1) || u.from < r.from {
				t.Errorf("round %d: released [%d, %d): want whole pages within [%d, %d)", round, u.from, u.to, r.from, end&^(pageSize-1))
			}
		}
		covered = r.to
		if j.synced != j.end {
			t.Errorf("round %d: synced to %v, want %v", round, j.synced, j.end)
		}
	}
}

// TestSyncFailureStopsRecording: after a failed sync no sync succeeds (the kernel reports a
// failed write-back once), Record fails instead of answering calls it cannot record, and a
// restart indexes what the file holds.
func TestSyncFailureStopsRecording(t *testing.T) {
	db, path := openRecorded(t, "a", "b")
	saved := sys
	t.Cleanup(func() { sys = saved })
	eio := errors.New("input/output error")
	sys.msync = func([]byte) error { return eio }
	sys.fsync = func(*os.File) error { return eio }
	if err := db.catchUp(context.Background()); !errors.Is(err, eio) || !errors.Is(err, errSyncFailed) {
		t.Fatalf("catchUp with failing syncs = %v, want %v", err, eio)
	}
	sys = saved
	if err := db.catchUp(context.Background()); err == nil {
		t.Fatal("a sync succeeded after one failed")
	}
	if db.Journaled() {
		t.Error("the journal is still Journaled after a failed sync")
	}
	if err := db.Record(context.Background(), ev("c")); err == nil {
		t.Error("Record succeeded after a failed sync")
	}
	if err := db.Update(context.Background(), func(store.Tx) error { return nil }); err == nil {
		t.Error("a transaction committed after a failed sync")
	}
	crash(t, db)
	db = openAt(t, path)
	if got := trailIDs(t, db); !cmp.Equal(got, []string{"a", "b"}) {
		t.Errorf("trail after the restart = %v, want [a b]", got)
	}
}

// TestReplaySyncsFiles: records replayed after a crash are synced before they are indexed
// (they were only in the page cache), and a new file's directory entry is synced with it.
func TestReplaySyncsFiles(t *testing.T) {
	db, path := openRecorded(t, "a", "b")
	crash(t, db)
	saved := sys
	t.Cleanup(func() { sys = saved })
	var fsynced []string
	sys.fsync = func(f *os.File) error {
		fsynced = append(fsynced, f.Name())
		return saved.fsync(f)
	}
	db = openAt(t, path)
	if !slices.Contains(fsynced, path+".records.1") {
		t.Errorf("files synced by the replay: %v, want %s.records.1", fsynced, path)
	}
	fsynced = nil
	record(t, db, "c") // a new file, generation 2
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(fsynced, filepath.Dir(path)) {
		t.Errorf("files synced after a new journal file: %v, want its directory %s", fsynced, filepath.Dir(path))
	}
	if got := trailIDs(t, db); !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("trail = %v, want [a b c]", got)
	}
}

// TestSyncAfterCloseFails: once Close has closed the journal's files, a sync (an Update racing
// Close) fails instead of reporting records synced.
func TestSyncAfterCloseFails(t *testing.T) {
	db, _ := openRecorded(t, "a")
	j := db.j
	j.mu.Lock()
	b := batchTaken{recs: j.pending, end: j.end}
	j.mu.Unlock()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.sync(b); err == nil {
		t.Error("a sync after Close succeeded")
	}
}

// TestRotationUnmapsAtNextSync: a rotation drops the full file's mapping, and the next sync
// (after syncing that file) unmaps it.
func TestRotationUnmapsAtNextSync(t *testing.T) {
	frame := int64(len(appendFrame(nil, ev("r00"))))
	tune(t, 1<<20, 1<<20, int64(len(journalMagic))+3*frame) // three records a file
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	ids := seqIDs("r", 7)
	record(t, db, ids...)
	db.j.mu.Lock()
	dropped := len(db.j.dropped)
	db.j.mu.Unlock()
	if dropped != 2 {
		t.Fatalf("%d mappings dropped after two rotations, want 2", dropped)
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(db.j.dropped); n != 0 {
		t.Errorf("%d dropped mappings left after a sync, want 0", n)
	}
	if got := trailIDs(t, db); !cmp.Equal(got, ids) {
		t.Errorf("trail = %v, want %v", got, ids)
	}
}

// mappedPages reports, for each page of m, whether this process maps it now (the present bit
// of /proc/self/pagemap).
func mappedPages(t *testing.T, m []byte) []bool {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Skipf("no pagemap here: %v", err)
	}
	defer f.Close()
	n := (int64(len(m)) + pageSize - 1) / pageSize
	buf := make([]byte, 8*n)
	if _, err := f.ReadAt(buf, int64(uintptr(unsafe.Pointer(&m[0])))/pageSize*8); err != nil {
		t.Fatalf("pagemap: %v", err)
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(buf[8*i:])>>63 != 0
	}
	return out
}

// TestSyncReleasesWrittenPages: a sync unmaps the whole pages of records it syncs (so that
// writing them back does not write-protect them one at a time), keeps the page still being
// written and the populated ones mapped, and the records read the same through the mapping
// and from the file after a crash.
func TestSyncReleasesWrittenPages(t *testing.T) {
	ids := seqIDs("p", 300) // about 20 KB: several pages
	db, path := openMapped(t, ids...)
	j := db.j
	needPopulate(t, j.m)
	j.populateAhead()
	j.mu.Lock()
	end := j.off
	j.mu.Unlock()
	last := end / pageSize // the page still being written
	if last < 3 {
		t.Fatalf("records end at %d: want several pages", end)
	}
	if before := mappedPages(t, j.m[:(last+2)*pageSize]); slices.Contains(before[:last], false) {
		t.Fatalf("written pages not mapped before the sync: %v", before)
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := mappedPages(t, j.m[:(last+2)*pageSize])
	for i, in := range after {
		switch {
		case int64(i) < last && in:
			t.Errorf("page %d (whole, synced) is still mapped after the sync", i)
		case int64(i) >= last && !in:
			t.Errorf("page %d (being written, or populated) was unmapped by the sync", i)
		}
	}
	var want []byte
	for _, id := range ids {
		want = appendFrame(want, ev(id))
	}
	if got := j.m[len(journalMagic):end]; !bytes.Equal(got, want) {
		t.Error("the records read through the mapping after the sync differ from those written")
	}
	more := seqIDs("q", 5)
	record(t, db, more...)
	crash(t, db)
	db = openAt(t, path)
	if got := trailIDs(t, db); !cmp.Equal(got, append(ids, more...)) {
		t.Errorf("trail after the crash = %v, want %v then %v", got, ids, more)
	}
}
