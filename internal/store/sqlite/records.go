package sqlite

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

// Journaled records stay where the record journal wrote them. A block of them (blocks.go)
// names the journal file and each record's frame in it; an event row indexed from the journal
// before blocks (migration 0010) has an empty record column and names the journal file
// (record_file, its generation), the record's byte offset in it (record_at) and its length
// (record_len); migration 0009. Copying the record into the events table wrote it twice more (the
// write-ahead log, then the database file) and was a third of what indexing a read cost.
// Events written in transactions (mutations, and every event when another process holds the
// journal) keep their record in the row, with record_file 0.
//
// A journal file is removed only once no event refers to it: after a retention prune, and
// not before retireDelay has passed, so that a reader that fetched rows just before the prune
// can still read their records.

// retireDelay: journal files no event refers to any more are removed this long after a prune
// found them so (tests lower it).
var retireDelay = time.Minute

// recordLoc is where a journaled record is: file generation, byte offset and length, and
// the byte offset of its frame (the record is the frame's last n bytes).
type recordLoc struct {
	gen, at int64
	n       int
	frame   int64
}

// recordFiles reads records from journal files, keeping the files open.
type recordFiles struct {
	dir, prefix string

	mu   sync.Mutex
	open map[int64]*os.File
}

func newRecordFiles(dir, prefix string) *recordFiles {
	return &recordFiles{dir: dir, prefix: prefix, open: map[int64]*os.File{}}
}

func (r *recordFiles) path(gen int64) string {
	return filepath.Join(r.dir, r.prefix+strconv.FormatInt(gen, 10))
}

// syncDir puts the directory's entries (a new journal file's name) on disk.
func (r *recordFiles) syncDir() error {
	d, err := os.Open(r.dir)
	if err != nil {
		return err
	}
	return errors.Join(sys.fsync(d), d.Close())
}

func (r *recordFiles) file(gen int64) (*os.File, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.open[gen]; f != nil {
		return f, nil
	}
	f, err := os.Open(r.path(gen))
	if err != nil {
		return nil, err
	}
	r.open[gen] = f
	return f, nil
}

// forget closes the files of generations below gen (they are being removed).
func (r *recordFiles) forget(below int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for g, f := range r.open {
		if g < below {
			f.Close()
			delete(r.open, g)
		}
	}
}

func (r *recordFiles) close() {
	r.forget(1 << 62)
}

// One read covers records of a file at most maxGap bytes apart, and at most maxSpan bytes.
const (
	maxGap  = 16 << 10
	maxSpan = 1 << 20
)

// fill reads the records of the events at locs (generation 0: the record is in the event's
// row). Records next to each other in a file are read with one read.
func (r *recordFiles) fill(evs []*store.StoredEvent, locs []recordLoc) error {
	idx := make([]int, 0, len(locs))
	for i, l := range locs {
		if l.gen != 0 {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		la, lb := locs[a], locs[b]
		if la.gen != lb.gen {
			return int(la.gen - lb.gen)
		}
		return int(la.at - lb.at)
	})
	for len(idx) > 0 {
		first := locs[idx[0]]
		end, k := first.at+int64(first.n), 1
		for ; k < len(idx); k++ {
			l := locs[idx[k]]
			if l.gen != first.gen || l.at < end || l.at-end > maxGap || l.at+int64(l.n)-first.at > maxSpan {
				break
			}
			end = l.at + int64(l.n)
		}
		f, err := r.file(first.gen)
		if err != nil {
			return fmt.Errorf("sqlite: record of event %d: %w", evs[idx[0]].Seq, err)
		}
		buf := make([]byte, end-first.at)
		if _, err := f.ReadAt(buf, first.at); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("sqlite: record of event %d in %s at %d: %w", evs[idx[0]].Seq, r.path(first.gen), first.at, err)
		}
		for _, i := range idx[:k] {
			l := locs[i]
			off := l.at - first.at
			evs[i].Record = buf[off : off+int64(l.n) : off+int64(l.n)]
		}
		idx = idx[k:]
	}
	return nil
}
