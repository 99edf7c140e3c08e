//go:build linux

package sqlite

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// resident reports whether each page of m is in memory (mincore).
func resident(t *testing.T, m []byte) []bool {
	t.Helper()
	vec := make([]byte, (int64(len(m))+pageSize-1)/pageSize)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		t.Fatalf("mincore: %v", e)
	}
	out := make([]bool, len(vec))
	for i, v := range vec {
		out[i] = v&1 != 0
	}
	return out
}

// TestPopulateAhead: the indexer populates the mapped pages after the records, up to
// populateAheadBytes past their end, without writing a byte of them: a crash then replays
// exactly the records, and the file after them holds zeros.
func TestPopulateAhead(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, "a", "b")
	j := db.j
	if j.m == nil {
		t.Skip("the journal file is not mapped here (mmap refused)")
	}
	if err := populate(j.m[:pageSize]); errors.Is(err, unix.EINVAL) {
		t.Skipf("this kernel cannot populate a mapping (MADV_POPULATE_WRITE needs Linux 5.14): %v", err)
	}
	j.populateAhead()
	j.mu.Lock()
	off, ahead := j.off, j.ahead
	j.mu.Unlock()
	if want := off&^(pageSize-1) + populateAheadBytes; ahead != want {
		t.Errorf("populated up to %d, want %d (%d past the page of the records' end %d)", ahead, want, populateAheadBytes, off)
	}
	for i, in := range resident(t, j.m[off&^(pageSize-1):ahead]) {
		if !in {
			t.Fatalf("page %d after the records is not resident after populateAhead", i)
		}
	}
	// Pages well past those (the kernel may fault in a large folio, up to 2 MiB, around a page)
	// were not touched: residency is populateAhead's doing.
	if far := resident(t, j.m[ahead+4<<20:ahead+4<<20+populateStep]); slices.Contains(far, true) {
		t.Errorf("pages beyond the populated ones are resident: %v", far)
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

// TestSyncCoversWhatWasWritten: each index transaction syncs the mapped file from the page
// where the last sync ended to its records' end, so the syncs together cover every byte
// written, and none covers the populated pages past the records.
func TestSyncCoversWhatWasWritten(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	j := db.j
	record(t, db, "first") // the file is made and mapped at the first write
	if j.m == nil {
		t.Skip("the journal file is not mapped here (mmap refused)")
	}
	base := uintptr(unsafe.Pointer(&j.m[0]))
	covered := int64(0) // every byte before this was in some sync's range
	for round, ids := range [][]string{seqIDs("a", 1), seqIDs("b", 40), seqIDs("c", 3), seqIDs("d", 200)} {
		record(t, db, ids...)
		j.populateAhead()
		j.mu.Lock()
		end := j.end
		r := j.unsynced(end)
		j.mu.Unlock()
		if r == nil {
			t.Fatalf("round %d: nothing to sync in the mapped file after %d records", round, len(ids))
		}
		from := int64(uintptr(unsafe.Pointer(&r[0])) - base)
		to := from + int64(len(r))
		if from > covered || to != end.off || from%pageSize != 0 {
			t.Errorf("round %d: sync range [%d, %d), want from a page at or before %d to the records' end %d", round, from, to, covered, end.off)
		}
		if err := db.catchUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		covered = to
		j.mu.Lock()
		synced, left := j.synced, j.unsynced(j.end)
		j.mu.Unlock()
		if synced != end {
			t.Errorf("round %d: synced to %v, want %v", round, synced, end)
		}
		if int64(len(left)) >= pageSize {
			t.Errorf("round %d: %d bytes still to sync right after a sync, want less than a page", round, len(left))
		}
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
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	ids := seqIDs("p", 300) // about 20 KB: several pages
	record(t, db, ids...)
	j := db.j
	if j.m == nil {
		t.Skip("the journal file is not mapped here (mmap refused)")
	}
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
