package sqlite

import (
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

// pendingRecords are journaled records not yet indexed, as the indexer needs them: each one's
// place in its file and its time, and its frame and lookup columns, copied into buffers the
// journal reuses from batch to batch. Nothing in them points to the events Record was given.
//
// Why: under load thousands of records wait between index transactions. Kept as the events
// themselves (with their record bytes and strings), they made the live heap swing by 3–5 MB
// from one transaction to the next; the runtime's heap goal followed, and the runtime gave
// the difference back to the system and faulted it in again: 1.5 µs of each read's server CPU
// at 32 clients (session 15, docs/benchmarks.md), in a VM where a page fault costs about 13 µs.
// Buffers without pointers are not walked by the collector, and, reused, they hold the same
// pages from one batch to the next.
type pendingRecords struct {
	recs   []journaled
	frames []byte // the records' frames, as written to their files, back to back
	cols   []byte // the records' columns (appendColumns), back to back
}

// journaled is one of pendingRecords' records.
type journaled struct {
	loc     recordLoc
	time    int64 // Unix nanoseconds
	frameAt int   // where its frame starts in frames
	colsAt  int   // where its columns start in cols
}

// maxSpareBytes bounds the frames and columns of an indexed batch kept for the next records:
// those of a batch of very large records are let go (journal.indexed lets a backlog's go).
const maxSpareBytes = 16 << 20

// add appends e, whose frame is the end of frames, with its place in the file.
func (p *pendingRecords) add(e *store.Event, loc recordLoc, frameAt int) {
	p.recs = append(p.recs, journaled{loc: loc, time: e.Time.UnixNano(), frameAt: frameAt, colsAt: len(p.cols)})
	p.cols = appendColumns(p.cols, e)
}

// frame returns the frame of the i-th record.
func (p *pendingRecords) frame(i int) []byte {
	r := &p.recs[i]
	return p.frames[r.frameAt : r.frameAt+int(r.loc.at-r.loc.frame)+r.loc.n]
}

// record returns the record of the i-th record: its frame's last bytes.
func (p *pendingRecords) record(i int) []byte {
	r := &p.recs[i]
	at := r.frameAt + int(r.loc.at-r.loc.frame)
	return p.frames[at : at+r.loc.n]
}

// event reads the i-th record's columns into e (not its record), with strings made by str. Its
// ID is left empty when the ID is the UUIDv7 of its time, as nearly every record's is: no
// posting is kept for such an ID (blockPostings), so it is not made into a string.
func (p *pendingRecords) event(i int, e *store.Event, str func([]byte) string) error {
	r := &payloadReader{b: p.cols[p.recs[i].colsAt:]}
	readColumns(r, e, str, func(b []byte, t time.Time) string {
		if idOfTime(b, t) {
			return ""
		}
		return str(b)
	})
	if r.bad {
		return errBadFrame
	}
	return nil
}

// truncate drops the records from the n-th on.
func (p *pendingRecords) truncate(n int) {
	if n < len(p.recs) {
		p.frames, p.cols = p.frames[:p.recs[n].frameAt], p.cols[:p.recs[n].colsAt]
		p.recs = p.recs[:n]
	}
}

// then returns p followed by q's records, in p's buffers.
func (p pendingRecords) then(q pendingRecords) pendingRecords {
	for _, r := range q.recs {
		r.frameAt += len(p.frames)
		r.colsAt += len(p.cols)
		p.recs = append(p.recs, r)
	}
	p.frames = append(p.frames, q.frames...)
	p.cols = append(p.cols, q.cols...)
	return p
}

// emptied returns p's buffers, emptied, to be filled again; none if its frames and columns
// take more than maxSpareBytes.
func (p pendingRecords) emptied() pendingRecords {
	if cap(p.frames)+cap(p.cols) > maxSpareBytes {
		return pendingRecords{}
	}
	return pendingRecords{recs: p.recs[:0], frames: p.frames[:0], cols: p.cols[:0]}
}
