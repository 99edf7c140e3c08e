package sqlite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime/debug"
)

// The ring: where Record puts the frames of records first (journal.write). It is one file,
// <db>.records.ring, of ringBytes, mapped once and written over and over, lap after lap. The
// records' journal files are written by the index transaction instead (journal.sync writes
// the frames of the records it indexes at their places with WriteAt, then syncs the files,
// before it commits), and a ring entry is written over only once its frames are in their
// journal file.
//
// Why: copying a record into a new page of a mapped journal file costs a page fault, and in a
// VM such as the one of docs/benchmarks.md a fault on memory new to the process costs 5–18 µs
// (session 16: about 1.1 µs of each read's recording at 32 clients when the host was calm,
// 6 µs when it was not, and the sync's write-protection of the pages flushed every CPU's
// TLB). The ring's pages are the same pages every lap: they stay mapped and in the page cache,
// so a copy into them is a copy. The kernel writes the journal files from its own mapping of
// the page cache, where a new page costs about 1 µs for the batch's 4 KiB (bench/pagecost).
//
// Durability is as before. The ring is in the page cache, so a record whose Record returned
// survives the process being killed: the next Open writes the ring's entries past the indexed
// position into their journal files before it replays those (replayRing). Like the journal's
// unsynced tail before, the ring is not synced: a power loss takes what was not yet indexed.
//
// An entry is a header and the frames of one write, as they go in the journal file:
//
//	uint32 ringMagic, uint32 frames' length, int64 generation, int64 offset,
//	uint32 CRC-32C of the 24 bytes before it and the frames, uint32 zero, the frames.
//
// The checksum covers the whole entry, so that an entry cut short by a kill, or partly written
// over by a later lap, is not read at all: its header or its frames could otherwise be an older
// lap's, and put records where they never were. An entry that would pass the ring's end begins
// the next lap at the ring's start instead; what is left of older laps is passed over when the
// ring is read, and their entries, at positions already indexed, are ignored.
const (
	ringMagic     = 0x676e6972 // "ring"
	ringHeaderLen = 32
)

// ringBytes is the ring's size: it holds the records written and not yet in their journal
// files, at most maxPending and a transaction's batch (about 13 MB of reads' records). A write
// that finds no room goes straight to its journal file.
var ringBytes int64 = 32 << 20

// ring is the mapped ring file. head and tail count bytes written since it was opened: the
// entries from tail to head are not yet all in their journal files (journal.mu guards both).
type ring struct {
	f          *os.File
	m          []byte
	head, tail int64
}

// openRing opens (creating) the ring file at path and maps it, or returns nil when it cannot
// be mapped (the journal then writes to its files directly). Its old contents stay until they
// are written over: replayRing has read them.
func openRing(path string) (*ring, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: record ring: %w", err)
	}
	m := mapFile(f, ringBytes)
	if m == nil {
		f.Close()
		return nil, nil
	}
	return &ring{f: f, m: m}, nil
}

// close unmaps and closes the ring.
func (r *ring) close() {
	if r != nil {
		if r.m != nil {
			unmapFile(r.m)
		}
		r.f.Close()
	}
}

// put copies an entry of frames, whose first byte goes at off of generation gen, into the
// ring. It reports false when there is no room, or the copy faulted (the file was cut short
// behind iamd's back: the ring is not used again); the caller then writes the frames to their
// file.
func (r *ring) put(gen, off int64, frames []byte) bool {
	size := int64(len(r.m))
	if size == 0 {
		return false
	}
	n := int64(ringHeaderLen + len(frames))
	at := r.head % size
	skip := int64(0)
	if at+n > size {
		skip, at = size-at, 0 // the entry begins the next lap
	}
	if n > size || r.head+skip+n-r.tail > size {
		return false
	}
	if !writeEntry(r.m[at:at+n], gen, off, frames) {
		unmapFile(r.m)
		r.m = nil // no room from now on
		return false
	}
	r.head += skip + n
	return true
}

// writeEntry writes the entry of frames into e, a part of the ring's mapping of its size,
// reporting false when a write faulted (the file is shorter than the mapping).
func writeEntry(e []byte, gen, off int64, frames []byte) (ok bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if recover() != nil {
			ok = false
		}
	}()
	binary.LittleEndian.PutUint32(e[0:], ringMagic)
	binary.LittleEndian.PutUint32(e[4:], uint32(len(frames)))
	binary.LittleEndian.PutUint64(e[8:], uint64(gen))
	binary.LittleEndian.PutUint64(e[16:], uint64(off))
	binary.LittleEndian.PutUint32(e[24:], entryChecksum(e[:24], frames))
	binary.LittleEndian.PutUint32(e[28:], 0)
	copy(e[ringHeaderLen:], frames)
	return true
}

// free notes that the entries before head (a position head returned earlier) are in their
// journal files.
func (r *ring) free(head int64) {
	if r != nil && head > r.tail {
		r.tail = head
	}
}

// entryChecksum is the checksum of an entry with header h (its first 24 bytes) and frames.
func entryChecksum(h, frames []byte) uint32 {
	return crc32.Update(crc32.Checksum(h, castagnoli), castagnoli, frames)
}

// ringEntry is an entry read back from a ring: its frames' place and the frames.
type ringEntry struct {
	gen, off int64
	frames   []byte
}

// readRing returns the intact entries in b, a ring's bytes, in the order they lie there.
func readRing(b []byte) []ringEntry {
	var out []ringEntry
	magic := binary.LittleEndian.AppendUint32(nil, ringMagic)
	for i := 0; i+ringHeaderLen <= len(b); {
		k := bytes.Index(b[i:], magic) // zeros and frames are passed over at memory speed
		if k < 0 {
			break
		}
		i += k
		if i+ringHeaderLen > len(b) {
			break
		}
		h := b[i:]
		n := int(binary.LittleEndian.Uint32(h[4:]))
		if n > len(h)-ringHeaderLen {
			i++
			continue
		}
		frames := h[ringHeaderLen : ringHeaderLen+n]
		if binary.LittleEndian.Uint32(h[24:]) != entryChecksum(h[:24], frames) {
			i++
			continue
		}
		out = append(out, ringEntry{gen: int64(binary.LittleEndian.Uint64(h[8:])), off: int64(binary.LittleEndian.Uint64(h[16:])), frames: frames})
		i += ringHeaderLen + n
	}
	return out
}

// replayRing writes into their journal files the frames of the ring at path that lie at or
// past pos, the indexed position (a killed process left them in the ring only), and returns
// the highest generation it wrote to (0 for none). Entries before pos were indexed: their
// files may be gone. Writing a frame that its file already holds writes the same bytes again.
func (j *journal) replayRing(path string, pos journalPos) (int64, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: record ring: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("sqlite: record ring: %w", err)
	}
	// Mapped rather than read into a buffer of its size, and only where it holds data: at this
	// VM's price of new memory, reading the 32 MiB made every Open 0.4 s slower.
	b := mapRead(f, st.Size())
	if b != nil {
		defer unmapFile(b)
	} else if b, err = io.ReadAll(f); err != nil {
		return 0, fmt.Errorf("sqlite: record ring: %w", err)
	}
	var entries []ringEntry
	for _, r := range dataRanges(f, int64(len(b))) {
		entries = append(entries, readRing(b[r[0]:r[1]])...)
	}
	// Each generation's file is opened once, however many entries it has.
	files := map[int64]*os.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	var last int64
	for _, e := range entries {
		if e.off < int64(len(journalMagic)) || (journalPos{e.gen, e.off}).before(pos) {
			continue
		}
		f := files[e.gen]
		if f == nil {
			if f, err = j.openForReplay(e.gen); err != nil {
				return 0, err
			}
			files[e.gen] = f
		}
		if _, err := f.WriteAt(e.frames, e.off); err != nil {
			return 0, fmt.Errorf("sqlite: record ring replay: %w", err)
		}
		last = max(last, e.gen)
	}
	return last, nil
}

// openForReplay opens generation gen's file to write frames into, creating it (with its
// header) if it is missing.
func (j *journal) openForReplay(gen int64) (*os.File, error) {
	f, err := os.OpenFile(j.path(gen), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: record ring replay: %w", err)
	}
	st, err := f.Stat()
	if err == nil && st.Size() < int64(len(journalMagic)) {
		_, err = f.WriteAt([]byte(journalMagic), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sqlite: record ring replay: %w", err)
	}
	return f, nil
}
