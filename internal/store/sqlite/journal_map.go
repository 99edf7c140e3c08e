package sqlite

import (
	"fmt"
	"os"
	"runtime/debug"
)

// The journal file being written is mapped into memory (journal_map_linux.go): a batch of
// records is copied into the mapping instead of written with write(2). The mapping is the
// file's page cache, so a copied record survives the process being killed as a written one
// does, and the sync before an index transaction (msync of the range written) writes it to
// disk the same way.
// write(2) was the largest part of what recording a read cost (a system call per batch of
// 3–4 records under load). The file is sized to rotateBytes when it begins, and cut to its
// records when it ends (closeJournal; after a crash, the replay): until then a file ends in
// zeros, which the replay reads as its end.

// put writes b at off of the current file: into the mapping when it holds b, else with
// WriteAt. A fault in the mapping (the file was cut short behind iamd's back) unmaps it and
// writes through the file from then on.
func (j *journal) put(b []byte, off int64) (int, error) {
	if j.m != nil && off+int64(len(b)) <= int64(len(j.m)) {
		if copyMapped(j.m[off:], b) {
			return len(b), nil
		}
		j.dropMap()
	}
	return j.f.WriteAt(b, off)
}

// copyMapped copies src to the start of dst, a file mapping, reporting false when the copy
// faulted (the mapped file is shorter than the mapping).
func copyMapped(dst, src []byte) (ok bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if recover() != nil {
			ok = false
		}
	}()
	copy(dst, src)
	return true
}

// unmap unmaps the current file's mapping, if any: when no sync can be reading it (the
// journal is closing, or a sync itself repairs the file).
func (j *journal) unmap() {
	if j.m != nil {
		unmapFile(j.m)
		j.m = nil
	}
}

// dropMap stops writing through the current file's mapping; the next sync unmaps it (a sync
// under way may be syncing it).
func (j *journal) dropMap() {
	if j.m != nil {
		j.dropped = append(j.dropped, j.m)
		j.m = nil
	}
}

// The system calls a sync makes, replaced by tests to see what a sync writes back, or to
// make it fail.
var sys = struct {
	fsync   func(*os.File) error
	msync   func([]byte) error
	release func([]byte)
}{(*os.File).Sync, syncMapped, release}

// closeAll closes the files that are not nil.
func closeAll(fs []*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}

// unmapAll unmaps dropped mappings.
func unmapAll(ms [][]byte) {
	for _, m := range ms {
		unmapFile(m)
	}
}

// pageSize is the unit the kernel maps and syncs a file in (syncMapped starts on one).
var pageSize = int64(os.Getpagesize())

// Populating ahead: the first copy into a page of a mapped file faults, and on ext4 the fault
// allocates the page and reserves its block. In Record that was 1.1 µs of a GetUser's 9 µs of
// recording, taken with j.mu held. The indexer populates the pages the next records will go to
// instead, populateAhead at a time, in steps of populateStep.
const (
	populateAheadBytes = 4 << 20
	populateStep       = 256 << 10
)

// populateAhead faults in, between index transactions, the mapped pages up to
// populateAheadBytes past the end of the records. madvise runs without j.mu, so that Record
// is not held up. A rotation may drop the mapping meanwhile and a sync unmap it: populating
// changes no byte of any memory, so the worst is an error, ignored, or pages of whatever was
// mapped there since faulted in.
func (j *journal) populateAhead() {
	for {
		j.mu.Lock()
		m, page := j.m, j.off&^(pageSize-1)
		from := max(j.ahead, page)
		to := min(from+populateStep, page+populateAheadBytes, int64(len(m)))
		if m == nil || to <= from {
			j.mu.Unlock()
			return
		}
		j.ahead = to
		j.mu.Unlock()
		populate(m[from:to]) // an error leaves the pages to fault in Record, as without it
	}
}

// allZero reports that b holds only zero bytes: the unwritten end of a mapped journal file.
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// repair checks, as sync begins (j.mu held), that the mapped file was not cut short behind
// iamd's back: a copy into the cut part of the file's last page does not fault and is lost.
// If it was, the mapping goes and the frames of the records not yet indexed (the
// transaction's, taken, and those pending) that lay past the cut are written again through the
// file, at their places, as they were.
func (j *journal) repair(taken *pendingRecords) error {
	if j.m == nil || j.f == nil {
		return nil
	}
	st, err := j.f.Stat()
	if err != nil {
		return fmt.Errorf("sqlite: record journal: %w", err)
	}
	if st.Size() >= int64(len(j.m)) {
		return nil
	}
	j.unmap()
	for _, p := range [...]*pendingRecords{taken, &j.pending} {
		for i, r := range p.recs {
			if r.loc.gen != j.gen || r.loc.at+int64(r.loc.n) <= st.Size() {
				continue
			}
			if _, err := j.f.WriteAt(p.frame(i), r.loc.frame); err != nil {
				return fmt.Errorf("sqlite: record journal repair: %w", err)
			}
		}
	}
	return nil
}
