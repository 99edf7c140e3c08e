package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/store"
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

// openThreeAFile opens a store in a new directory whose journal files hold three records
// each (of seqIDs' three-character IDs), with the ring, and returns it with its path and a
// frame's size.
func openThreeAFile(t *testing.T) (*DB, string, int64) {
	t.Helper()
	frame := int64(len(frames("r00")))
	tune(t, 1<<20, 1<<20, int64(len(journalMagic))+3*frame)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	needRing(t, db)
	return db, path, frame
}

// openIndexed is openRecorded with the records indexed.
func openIndexed(t *testing.T, ids ...string) (*DB, string) {
	t.Helper()
	db, path := openRecorded(t, ids...)
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// needRing skips a test of the ring where it cannot be mapped.
func needRing(t *testing.T, db *DB) {
	t.Helper()
	if db.j.ring == nil {
		t.Skip("the record ring is not mapped here (mmap refused, or not Linux)")
	}
}

// tuneRing sets the ring's size for one test (before the store is opened).
func tuneRing(t *testing.T, size int64) {
	t.Helper()
	saved := ringBytes
	ringBytes = size
	t.Cleanup(func() { ringBytes = saved })
}

func frames(ids ...string) []byte {
	var b []byte
	for _, id := range ids {
		b = appendFrame(b, ev(id))
	}
	return b
}

func fileBytes(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRecordGoesToTheRing: Record puts a write's frames in the ring only, as one entry naming
// their place; the index transaction writes them into the journal file at that place, and
// frees their room in the ring.
func TestRecordGoesToTheRing(t *testing.T) {
	db, path := openRecorded(t, "a")
	needRing(t, db)
	if err := db.Record(context.Background(), ev("b"), ev("c")); err != nil {
		t.Fatal(err)
	}
	j := db.j
	file := j.path(j.gen)
	if got := fileBytes(t, file); string(got) != journalMagic {
		t.Errorf("journal file before indexing holds %d bytes, want its header only", len(got))
	}
	entries := readRing(j.ring.m)
	magic := int64(len(journalMagic))
	want := []ringEntry{{j.gen, magic, frames("a")}, {j.gen, magic + int64(len(frames("a"))), frames("b", "c")}}
	if !cmp.Equal(entries, want, cmp.AllowUnexported(ringEntry{})) {
		t.Errorf("ring entries = %+v, want %+v", entries, want)
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := fileBytes(t, file), append([]byte(journalMagic), frames("a", "b", "c")...); !bytes.Equal(got, want) {
		t.Errorf("journal file after indexing holds %d bytes, want the header and the three frames (%d)", len(got), len(want))
	}
	if j.ring.tail != j.ring.head || j.ring.head == 0 {
		t.Errorf("ring tail %d, head %d after indexing: want the room freed", j.ring.tail, j.ring.head)
	}
	// A replay now would find every entry before the indexed position: it writes nothing.
	if last, err := j.replayRing(path+".records.ring", j.committed); last != 0 || err != nil {
		t.Errorf("replayRing after indexing = generation %d, %v; want nothing written", last, err)
	}
	if got := trailIDs(t, db); !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("trail = %v, want [a b c]", got)
	}
}

// TestRingLaps: over many laps of a small ring, with crashes between them, every record is
// indexed exactly once and in order: entries of older laps, partly written over, are passed
// over or, already indexed, ignored.
func TestRingLaps(t *testing.T) {
	tuneRing(t, 4096)
	db, path := openRecorded(t)
	needRing(t, db)
	var all []string
	for round := range 6 {
		for step := range 5 {
			ids := seqIDs(fmt.Sprintf("r%d-%d-", round, step), 8)
			record(t, db, ids...)
			all = append(all, ids...)
			if step%2 == 1 {
				if err := db.catchUp(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		}
		laps := db.j.ring.head / ringBytes
		if laps < 1 {
			t.Fatalf("round %d: the ring's head is at %d: it has not gone round", round, db.j.ring.head)
		}
		crash(t, db)
		db = openAt(t, path)
		if got := trailIDs(t, db); !cmp.Equal(got, all) {
			t.Fatalf("round %d (%d laps): trail after the crash = %v, want %v", round, laps, got, all)
		}
	}
}

// TestRingFullWritesToFile: a write that finds no room in the ring goes straight to its file,
// after the records still in the ring; a crash then loses none of them, the ring's filling
// the gap they leave in the file.
func TestRingFullWritesToFile(t *testing.T) {
	tuneRing(t, 1024)
	db, path := openRecorded(t)
	needRing(t, db)
	ids := seqIDs("f", 20) // about 2 KB
	record(t, db, ids...)
	file := db.j.path(db.j.gen)
	if got := fileBytes(t, file); len(got) <= len(journalMagic) {
		t.Fatal("no record went straight to the file with the ring full")
	}
	if db.j.ring.head == 0 {
		t.Fatal("no record went to the ring")
	}
	crash(t, db)
	db = openAt(t, path)
	if got := trailIDs(t, db); !cmp.Equal(got, ids) {
		t.Errorf("trail after the crash = %v, want %v", got, ids)
	}
	if got, want := fileBytes(t, file), append([]byte(journalMagic), frames(ids...)...); !bytes.Equal(got, want) {
		t.Errorf("journal file after the replay holds %d bytes, want the header and the frames (%d)", len(got), len(want))
	}
}

// TestRingDamagedEntry: a ring entry damaged before the replay loses its own records only.
func TestRingDamagedEntry(t *testing.T) {
	db, path := openRecorded(t, "a", "b", "c")
	needRing(t, db)
	i := bytes.Index(db.j.ring.m, []byte(`"eventID":"b"`))
	if i < 0 {
		t.Fatal("record b not found in the ring")
	}
	db.j.ring.m[i+3] ^= 0x20
	crash(t, db)
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail after replaying a ring damaged in b = %v, want %v", got, want)
	}
}

// TestReadRing: readRing finds each intact entry in a ring's bytes and passes over the rest:
// an entry partly written over by a later lap, a damaged header or frame, zeros.
func TestReadRing(t *testing.T) {
	r := &ring{m: make([]byte, 1200)}
	second := 8 + int64(len(frames("a", "b")))
	if !r.put(1, 8, frames("a", "b")) || !r.put(1, second, frames("c")) {
		t.Fatal("put refused with room")
	}
	old := bytes.Clone(r.m)
	if got, want := readRing(old), []ringEntry{{1, 8, frames("a", "b")}, {1, second, frames("c")}}; !cmp.Equal(got, want, cmp.AllowUnexported(ringEntry{})) {
		t.Errorf("entries = %+v, want %+v", got, want)
	}
	// A lap later, an entry shorter than the first is written over its start: the first's
	// header is gone and its frames are cut, so only the new entry and the second are read.
	r.free(r.head)
	r.head = int64(len(r.m))
	if !r.put(2, 8, frames("x")) {
		t.Fatal("put refused with room")
	}
	got := readRing(r.m)
	want := []ringEntry{{2, 8, frames("x")}, {1, second, frames("c")}}
	if !cmp.Equal(got, want, cmp.AllowUnexported(ringEntry{})) {
		t.Errorf("entries after a lap = %+v, want %+v", got, want)
	}
	// A header from an older lap over frames of a newer one (or the reverse) does not check out.
	mixed := bytes.Clone(old)
	copy(mixed[ringHeaderLen:], frames("z", "b"))
	if got := readRing(mixed); len(got) != 1 || got[0].off != second {
		t.Errorf("entries with the first entry's frames replaced = %+v, want the second only", got)
	}
	for _, at := range []int{9, ringHeaderLen + len(frames("a")) + frameHeaderLen + 2} {
		bad := bytes.Clone(old)
		bad[at] ^= 1
		if got := readRing(bad); len(got) != 1 || got[0].off != second {
			t.Errorf("entries with byte %d damaged = %+v, want the second only", at, got)
		}
	}
	if got := readRing(make([]byte, 4096)); len(got) != 0 {
		t.Errorf("entries in zeros = %+v, want none", got)
	}
}

// TestRingPut: an entry that would pass the ring's end begins the next lap; an entry is
// refused when the ring holds no room for it before the entries not yet in their files.
func TestRingPut(t *testing.T) {
	r := &ring{m: make([]byte, 1000)}
	f := bytes.Repeat([]byte{1}, 300)
	for i := range 3 {
		if !r.put(1, 8, f) {
			t.Fatalf("put %d refused in an empty ring", i)
		}
	}
	if r.put(1, 8, f) {
		t.Fatal("put accepted with no room")
	}
	r.free(r.head - 332) // the last entry is not in its file yet
	if !r.put(1, 8, f) {
		t.Fatal("put refused with room at the ring's start")
	}
	if r.head != 1000+332 {
		t.Errorf("head %d after a put that begins a lap, want %d", r.head, 1000+332)
	}
	if r.put(1, 8, make([]byte, 1000)) {
		t.Error("put accepted an entry larger than the ring")
	}
}

// TestRingCutWhileRunning: a ring file cut short behind iamd's back faults the next copy; the
// journal then writes straight to its files, and no record is lost.
func TestRingCutWhileRunning(t *testing.T) {
	db, path := openRecorded(t, "a")
	needRing(t, db)
	if err := os.Truncate(path+".records.ring", 0); err != nil {
		t.Fatal(err)
	}
	record(t, db, "b", "c")
	if db.j.ring.m != nil {
		t.Error("the ring is still used after a copy into it faulted")
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	record(t, db, "d")
	crash(t, db)
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "c", "d"}; !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
}

// TestSyncWritesWhatWasTaken: the sync writes the frames of the records it indexes into their
// files with one write for each file's run of records, and syncs them.
func TestSyncWritesWhatWasTaken(t *testing.T) {
	db, _, frame := openThreeAFile(t)
	saved := sys
	t.Cleanup(func() { sys = saved })
	type write struct {
		file string
		off  int64
		n    int
	}
	var writes []write
	var fsynced []string
	sys.writeAt = func(f *os.File, b []byte, off int64) (int, error) {
		writes = append(writes, write{filepath.Base(f.Name()), off, len(b)})
		return saved.writeAt(f, b, off)
	}
	sys.fsync = func(f *os.File) error {
		fsynced = append(fsynced, filepath.Base(f.Name()))
		return saved.fsync(f)
	}
	ids := seqIDs("r", 7)
	record(t, db, ids...)
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	magic := int64(len(journalMagic))
	want := []write{{"iamd.db.records.1", magic, int(3 * frame)}, {"iamd.db.records.2", magic, int(3 * frame)}, {"iamd.db.records.3", magic, int(frame)}}
	if !cmp.Equal(writes, want, cmp.AllowUnexported(write{})) {
		t.Errorf("writes = %+v, want %+v", writes, want)
	}
	for _, w := range want {
		if !slices.Contains(fsynced, w.file) {
			t.Errorf("files synced: %v, want %s among them", fsynced, w.file)
		}
	}
	if got := trailIDs(t, db); !cmp.Equal(got, ids) {
		t.Errorf("trail = %v, want %v", got, ids)
	}
}

// TestSyncFailureStopsRecording: after a failed sync no sync succeeds (the kernel reports a
// failed write-back once), Record fails instead of answering calls it cannot record, and a
// restart indexes what the ring and the file hold.
func TestSyncFailureStopsRecording(t *testing.T) {
	db, path := openRecorded(t, "a", "b")
	saved := sys
	t.Cleanup(func() { sys = saved })
	eio := errors.New("input/output error")
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

// TestSyncWriteFailureRetried: a failed write of the frames into their file (a full disk)
// fails that transaction only; the records stay in the ring, and the next transaction indexes
// them.
func TestSyncWriteFailureRetried(t *testing.T) {
	db, path := openRecorded(t, "a", "b")
	needRing(t, db)
	saved := sys
	t.Cleanup(func() { sys = saved })
	enospc := errors.New("no space left on device")
	sys.writeAt = func(*os.File, []byte, int64) (int, error) { return 0, enospc }
	if err := db.catchUp(context.Background()); !errors.Is(err, enospc) {
		t.Fatalf("catchUp with failing writes = %v, want %v", err, enospc)
	}
	if db.j.ring.tail != 0 {
		t.Errorf("ring tail %d after a failed write, want 0: the records are in no file yet", db.j.ring.tail)
	}
	sys = saved
	record(t, db, "c")
	if got, want := trailIDs(t, db), []string{"a", "b", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail after the write failed once = %v, want %v", got, want)
	}
	crash(t, db)
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail after a restart = %v, want %v", got, want)
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

// TestRotationDuringIndexing: a file that fills up while a transaction indexes the records
// before it stays open for the next transaction, which writes the rest of its records from the
// ring (a sync closes only the files whose records it has all written); and a batch given back
// after its sync is not written again into files that sync closed.
func TestRotationDuringIndexing(t *testing.T) {
	db, path, _ := openThreeAFile(t)
	record(t, db, "r00")
	// The transaction takes r00; r01 and r02 fill generation 1 while it runs.
	err := db.Update(context.Background(), func(store.Tx) error {
		record(t, db, "r01", "r02", "r03")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatalf("indexing the records after a rotation during the last transaction: %v", err)
	}
	// Given back after its sync (its commit failed), then taken again with more: the records
	// the sync wrote are not written again (the sync closed generation 2's file).
	record(t, db, "r04", "r05", "r06")
	b := db.j.take()
	if err := db.j.sync(b); err != nil {
		t.Fatal(err)
	}
	db.j.giveBack(b)
	record(t, db, "r07")
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatalf("indexing records given back after their sync: %v", err)
	}
	want := seqIDs("r", 8)
	if got := trailIDs(t, db); !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
	crash(t, db)
	db = openAt(t, path)
	if got := trailIDs(t, db); !cmp.Equal(got, want) {
		t.Errorf("trail after a crash = %v, want %v", got, want)
	}
}

// TestRingUnderLoad: writers record while the indexer runs every millisecond, files rotate
// every few records and the ring goes round many times (and fills, now and then): every
// record is indexed exactly once, before a crash and after it.
func TestRingUnderLoad(t *testing.T) {
	frame := int64(len(frames("w0-000")))
	tune(t, 16, 64, int64(len(journalMagic))+7*frame)
	indexEvery = time.Millisecond
	tuneRing(t, 8192)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	needRing(t, db)
	const writers, each = 4, 300
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := db.Record(context.Background(), ev(fmt.Sprintf("w%d-%03d", w, i))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	laps := db.j.ring.head / ringBytes
	check := func(when string) {
		seen := map[string]int{}
		for _, id := range trailIDs(t, db) {
			seen[id]++
		}
		for w := range writers {
			for i := range each {
				if id := fmt.Sprintf("w%d-%03d", w, i); seen[id] != 1 {
					t.Fatalf("%s: record %s is in the trail %d times, want once", when, id, seen[id])
				}
			}
		}
		if len(seen) != writers*each+1 || seen["last"] != 1 {
			t.Errorf("%s: %d records in the trail (last %d times), want %d and last once", when, len(seen), seen["last"], writers*each+1)
		}
	}
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatalf("indexing after the load: %v", err)
	}
	record(t, db, "last") // pending at the crash
	crash(t, db)
	db = openAt(t, path)
	check("after a crash")
	if laps < 2 {
		t.Errorf("the ring went round %d times, want several", laps)
	}
}
