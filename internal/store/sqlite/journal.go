package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

// The record journal makes Record cheap. Committing one audit record to SQLite writes a page
// of the events table and of each of its six indexes to the write-ahead log; the journal
// copies the record once, into the ring (journal_ring.go), and a background indexer writes
// the records into the journal files and indexes them in large transactions, a block of
// records at a time (blocks.go).
//
// Durability is the write-ahead log's under synchronous=NORMAL: a record whose Record
// returned is in the operating system's page cache and survives the process being killed;
// neither survives a power loss before the next sync. The journal's indexed position
// (record_journal, migration 0006) commits in the same transaction as the records it covers,
// so after a crash Open copies exactly the records that are not yet in the events table
// (writing those the ring held into their files, and syncing the files it replays first: a
// killed process left them in the page cache). A sync that fails stops recording until a
// restart: Record and every transaction fail from then on, and the API answers
// ServiceUnavailable rather than serve a call it cannot record.
//
// Order: every Update first indexes the records already journaled, so a mutation's record
// follows in the chain every record whose Record call returned before the mutation began, and
// Events, Chain, SeqAt, SeqFitting and EventIDsPresent index what is pending before they read.
//
// One process owns the journal (an flock on <db>.records.lock); another process opening the
// same database while it runs (say, `iamd trail verify` next to the server) records directly
// and does not see records the owner has not indexed yet (at most indexEvery old).

// Tunables; tests lower them.
var (
	// indexEvery is how often the indexer copies pending records into the events table.
	// An index transaction costs about a millisecond beyond its records' own work (the
	// commit, the journal's sync, a block's rows), so bigger batches cost less per record;
	// but a mutation, or a trail read, indexes what is pending before it runs, and a power
	// loss can take what is not yet synced (session 12: 250 ms and 8,192 records, from 100 ms
	// and 2,048, cost 0.5 µs less per recorded read in process).
	indexEvery = 250 * time.Millisecond
	// indexBatch pending records wake the indexer before indexEvery has passed.
	indexBatch = 8192
	// maxPending pending records make Record index them itself before returning
	// (backpressure when the indexer falls behind).
	maxPending = 16384
	// rotateBytes: a journal file this large is closed and a new one begun; the old one is
	// removed once everything in it is indexed.
	rotateBytes int64 = 64 << 20
)

// errNoFileLock: lockFile cannot lock on this platform (lock_other.go).
var errNoFileLock = errors.New("sqlite: no file locks on this platform")

// errJournalBroken: a failed write could not be undone, so the file's end is unknown.
var errJournalBroken = errors.New("sqlite: record journal unusable")

// errSyncFailed: a sync of the journal failed; recording stops until a restart (sync).
var errSyncFailed = errors.New("sqlite: record journal sync failed; recording stops until a restart")

type journalPos struct{ gen, off int64 }

// journal is the record journal: files <db>.records.<gen> of frames (journal_codec.go).
type journal struct {
	files *recordFiles // its files' names (and the reader of the records they keep)
	lock  io.Closer

	mu        sync.Mutex
	ring      *ring          // where Record puts records first (journal_ring.go); nil: in f
	f         *os.File       // the file being written (nil until the first write of a generation)
	gen, off  int64          // its generation and size
	rotated   []genFile      // files written to the end and not yet synced
	synced    journalPos     // the journal is on disk up to here
	pending   pendingRecords // written, not yet indexed, in write order
	spare     pendingRecords // the buffers of the last batch indexed, emptied: the next pending
	end       journalPos     // the position after the last pending record
	committed journalPos     // the indexed position in the database
	oldest    int64          // no older generation's file exists
	retiring  retirement     // files a prune found unreferenced, removed after retireDelay
	inFlight  bool           // a transaction took records and has not committed or given them back
	broken    atomic.Bool    // a failed write could not be undone, or a sync failed; read without j.mu by Journaled
	syncErr   error          // a sync failed: no sync succeeds any more (sync)
	newFile   bool           // a file was created since the last sync: its directory is synced too
	torn      bool           // closeJournal has closed the files: nothing can be synced any more
	relieving sync.Mutex     // held by the Record call indexing for backpressure (relieve)
	closed    bool

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
}

// batchTaken is what a transaction indexes: pending records and the position after them.
type batchTaken struct {
	recs pendingRecords
	end  journalPos
	ring int64 // the ring's head when they were taken: every one is in the ring before it
}

// genFile is an open journal file and its generation.
type genFile struct {
	gen int64
	f   *os.File
}

// retirement: generations below bound are unreferenced since at.
type retirement struct {
	bound int64
	at    time.Time
}

func (j *journal) path(gen int64) string { return j.files.path(gen) }

// generations lists the generations of the journal files present, in order.
func (j *journal) generations() ([]int64, error) {
	ents, err := os.ReadDir(j.files.dir)
	if err != nil {
		return nil, fmt.Errorf("sqlite: record journal: %w", err)
	}
	var gens []int64
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), j.files.prefix)
		if !ok {
			continue
		}
		if g, err := strconv.ParseInt(rest, 10, 64); err == nil && g > 0 {
			gens = append(gens, g)
		}
	}
	slices.Sort(gens)
	return gens, nil
}

// openJournal takes the journal of the database at path, copies into the events table what
// a previous process journaled and did not index, and starts the indexer. When another
// process holds the journal, db records directly.
func (db *DB) openJournal(ctx context.Context, path string) error {
	lock, ok, err := lockFile(path + ".records.lock")
	switch {
	case errors.Is(err, errNoFileLock):
		return nil
	case err != nil:
		return fmt.Errorf("sqlite: record journal lock: %w", err)
	case !ok:
		db.inUse = true
		db.logger.Info("another process holds the record journal: recording directly", "db", path)
		return nil
	}
	j := &journal{files: db.recs, lock: lock,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	var pos journalPos
	err = db.w.QueryRowContext(ctx, `SELECT generation, byte_offset FROM record_journal WHERE id = 1`).Scan(&pos.gen, &pos.off)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		lock.Close()
		return fmt.Errorf("sqlite: record journal position: %w", err)
	}
	// The ring first: it writes into the journal files (creating them if need be) the records
	// a killed process had put only there, and the files' replay below finds them.
	ringPath := path + ".records.ring"
	if last, err := j.replayRing(ringPath, pos); err != nil {
		lock.Close()
		return err
	} else if last > 0 {
		j.newFile = true // the files it made are synced with their directory
	}
	gens, err := j.generations()
	if err != nil {
		lock.Close()
		return err
	}
	var evs pendingRecords
	next := pos.gen + 1
	j.oldest = next
	for _, g := range gens {
		j.oldest = min(j.oldest, g)
		next = max(next, g+1)
		if g < pos.gen {
			continue
		}
		start := int64(len(journalMagic))
		if g == pos.gen {
			start = max(start, pos.off)
		}
		// A killed process leaves its records in the page cache only: the transaction that
		// indexes them syncs the file first (sync syncs j.rotated), as it would have.
		f, err := os.OpenFile(j.path(g), os.O_RDWR, 0)
		if err == nil {
			j.rotated = append(j.rotated, genFile{g, f})
			err = j.replay(db, f, g, start, &evs)
		}
		if err != nil {
			closeRotated(j.rotated)
			lock.Close()
			return fmt.Errorf("sqlite: record journal: %w", err)
		}
	}
	// Index what was replayed and move the position to the new generation: the files
	// replayed are synced before the transaction commits, and never written again.
	j.gen, j.off = next, int64(len(journalMagic))
	j.pending, j.end, j.committed = evs, journalPos{next, j.off}, pos
	j.synced = journalPos{pos.gen, pos.off}
	db.j = j
	if err := db.Update(ctx, func(store.Tx) error { return nil }); err != nil {
		db.j = nil
		closeRotated(j.rotated)
		lock.Close()
		return fmt.Errorf("sqlite: record journal replay: %w", err)
	}
	// Only now is the ring written over: what it held is indexed.
	if j.ring, err = openRing(ringPath); err != nil {
		db.j = nil
		lock.Close()
		return err
	}
	if n := len(evs.recs); n > 0 {
		db.logger.Info("indexed audit records journaled before the last stop", "records", n)
	}
	// Files an offline prune (or one just before a stop) left unreferenced go now: nothing in
	// this process reads them yet.
	if j.oldest < j.gen {
		if err := db.retireFiles(ctx, 0); err != nil {
			db.logger.Warn("audit: finding record journal files no event refers to", "err", err)
		}
	}
	go db.indexLoop(j)
	return nil
}

// replay appends the records of generation g, open as f, from byte start to evs. A damaged
// frame ends the file: it is a write that never completed.
func (j *journal) replay(db *DB, f *os.File, g, start int64, evs *pendingRecords) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	b := make([]byte, st.Size())
	if _, err := io.ReadFull(f, b); err != nil {
		return err
	}
	if !strings.HasPrefix(string(b[:min(len(b), len(journalMagic))]), journalMagic) {
		db.logger.Warn("record journal file without its header: ignored", "file", j.path(g))
		return nil
	}
	if start > int64(len(b)) {
		return nil
	}
	rest := b[start:]
	for len(rest) > 0 {
		if allZero(rest) {
			// The unwritten end of a file mapped (as journal files were before the ring), or
			// a gap a lost ring entry left before records written straight to the file: cut
			// it off.
			if err := f.Truncate(int64(len(b) - len(rest))); err != nil {
				return err
			}
			break
		}
		e, n, err := readFrame(rest)
		if err != nil {
			// At the end of the file a damaged frame is a write that never completed. With
			// intact frames after it the file was damaged in place: those are records of
			// answered calls, so the replay goes on from the next one.
			next := nextFrame(rest[1:])
			if next < 0 {
				db.logger.Warn("record journal ends in a damaged frame: the rest of the file is ignored",
					"file", j.path(g), "offset", int64(len(b)-len(rest)), "bytes", len(rest))
				break
			}
			db.logger.Error("record journal holds a damaged frame: its record is lost, the replay goes on from the next intact frame",
				"file", j.path(g), "offset", int64(len(b)-len(rest)), "bytes skipped", 1+next)
			rest = rest[1+next:]
			continue
		}
		frame := int64(len(b) - len(rest))
		at := len(evs.frames)
		evs.frames = append(evs.frames, rest[:n]...)
		evs.add(e, recordLoc{gen: g, at: frame + int64(n-len(e.Record)), n: len(e.Record), frame: frame}, at)
		rest = rest[n:]
	}
	return nil
}

// write appends evs to the journal with one write and makes them pending. full reports that
// the pending records reached maxPending.
func (j *journal) write(evs []*store.Event) (full bool, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.broken.Load():
		return false, errJournalBroken
	case j.closed:
		return false, errors.New("sqlite: record journal closed")
	}
	if j.f == nil {
		if err := j.create(); err != nil {
			return false, err
		}
	}
	// The frames are written after those pending, and copied to the file from there.
	p := &j.pending
	first, start := len(p.recs), len(p.frames)
	for _, e := range evs {
		at := len(p.frames)
		p.frames = appendFrame(p.frames, e)
		end := j.off + int64(len(p.frames)-start)
		p.add(e, recordLoc{gen: j.gen, at: end - int64(len(e.Record)), n: len(e.Record), frame: j.off + int64(at-start)}, at)
	}
	frames := p.frames[start:]
	if j.ring != nil && j.ring.put(j.gen, j.off, frames) {
		j.advance(int64(len(frames)))
		return j.wake(), nil
	}
	// At the offset iamd knows, not at the file's end: a file cut short behind iamd's back must
	// not shift the records written next away from where their rows will say they are.
	n, err := j.f.WriteAt(frames, j.off)
	if err != nil {
		if n > 0 {
			// Undo the partial frame so that the file stays a sequence of whole frames.
			if terr := j.f.Truncate(j.off); terr != nil {
				j.broken.Store(true)
			}
		}
		p.truncate(first)
		return false, fmt.Errorf("sqlite: record journal write: %w", err)
	}
	j.advance(int64(n))
	return j.wake(), nil
}

// advance moves the end of the current file n bytes on, past a write (j.mu held).
func (j *journal) advance(n int64) {
	j.off += n
	j.end = journalPos{j.gen, j.off}
	if j.off >= rotateBytes {
		// The next write begins generation gen+1; this file is synced and closed by the
		// next index transaction (sync).
		j.rotated = append(j.rotated, genFile{j.gen, j.f})
		j.f, j.gen, j.off = nil, j.gen+1, int64(len(journalMagic))
		j.end = journalPos{j.gen, j.off}
	}
}

// wake wakes the indexer when indexBatch records are pending, and reports that maxPending are
// (j.mu held).
func (j *journal) wake() (full bool) {
	if len(j.pending.recs) >= indexBatch {
		select {
		case j.kick <- struct{}{}:
		default:
		}
	}
	return len(j.pending.recs) >= maxPending
}

// create begins the file of the current generation.
func (j *journal) create() error {
	f, err := os.OpenFile(j.path(j.gen), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: record journal: %w", err)
	}
	if _, err := f.WriteAt([]byte(journalMagic), 0); err != nil {
		f.Close()
		os.Remove(j.path(j.gen))
		return fmt.Errorf("sqlite: record journal: %w", err)
	}
	j.f, j.newFile = f, true
	return nil
}

// take hands the pending records to a transaction (nothing when there is nothing to index
// and the position is current).
func (j *journal) take() batchTaken {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.pending.recs) == 0 && j.end == j.committed {
		return batchTaken{}
	}
	b := batchTaken{recs: j.pending, end: j.end}
	if j.ring != nil {
		b.ring = j.ring.head
	}
	j.pending, j.spare = j.spare, pendingRecords{}
	j.inFlight = true
	return b
}

// giveBack returns records of a transaction that rolled back to the front of the pending ones.
func (j *journal) giveBack(b batchTaken) {
	if b.end == (journalPos{}) {
		return
	}
	j.mu.Lock()
	j.pending = b.recs.then(j.pending)
	j.inFlight = false
	j.mu.Unlock()
}

// indexed notes that the transaction of b committed.
func (j *journal) indexed(b batchTaken) {
	if b.end == (journalPos{}) {
		return
	}
	j.mu.Lock()
	j.committed = b.end
	j.inFlight = false
	// The records after the next take fill the buffers this batch came in, rather than ones
	// grown anew from nothing every batch (doubling up to a batch: twice its bytes, and new
	// pages). Buffers far larger than a batch's (the replay's, or a backlog's) are let go.
	if cap(b.recs.recs) <= 4*indexBatch {
		j.spare = b.recs.emptied()
	}
	j.mu.Unlock()
}

// sync puts the journal on disk up to the end of b, the records a transaction indexes, before
// the transaction commits: an event row never outlives its record (the database syncs at its
// checkpoints, and a power loss must not leave rows whose record bytes were still in the page
// cache).
//
// With the ring, Record put b's frames there only: sync first writes them into their journal
// files at their places (writeTaken), then frees their room in the ring. Frames Record wrote
// to a file itself (no room in the ring) are written again, the same bytes. Writing at the
// places the records' rows name also puts back, as they were, records of a file cut short
// behind iamd's back before they were indexed.
//
// Syncs run one at a time (Update holds db.wmu), and only a sync closes the files it has
// synced, so the ones it reads outside j.mu stay open under it.
func (j *journal) sync(b batchTaken) error {
	end := b.end
	j.mu.Lock()
	switch {
	case j.torn:
		j.mu.Unlock()
		return errors.New("sqlite: record journal closed")
	case j.syncErr != nil:
		err := j.syncErr
		j.mu.Unlock()
		return err
	}
	if !j.synced.before(end) {
		j.ring.free(b.ring)
		j.mu.Unlock()
		return nil
	}
	if j.ring != nil {
		// A write that fails (a full disk) fails this transaction only: the records stay
		// in the ring, and the next one writes them again.
		files := append(slices.Clip(j.rotated), genFile{j.gen, j.f})
		synced := j.synced
		j.mu.Unlock()
		if err := writeTaken(&b.recs, synced, files); err != nil {
			return err
		}
		j.mu.Lock()
	}
	// The files before end's are synced and closed: every record in them is in b, or was
	// indexed before. Later ones (a rotation while b was indexed) may hold records still only
	// in the ring, which the next sync writes: they stay open.
	var rotated, later []genFile
	for _, g := range j.rotated {
		if g.gen < end.gen {
			rotated = append(rotated, g)
		} else {
			later = append(later, g)
		}
	}
	j.rotated = later
	cur := genFile{j.gen, j.f}
	for _, g := range later {
		if g.gen == end.gen {
			cur = g
		}
	}
	newFile := j.newFile
	j.newFile = false
	j.mu.Unlock()
	var err error
	if newFile {
		// The new file's name must be on disk too, or its records are not found after a power loss.
		err = j.files.syncDir()
	}
	for _, g := range rotated {
		err = errors.Join(err, sys.fsync(g.f), g.f.Close())
	}
	if end.gen == cur.gen && cur.f != nil {
		err = errors.Join(err, sys.fsync(cur.f))
	}
	if err != nil {
		// The kernel reports a failed write-back once and may drop the pages it could not
		// write: a later sync would succeed without them. So no sync succeeds any more, no
		// transaction indexes records, and Record fails: until a restart replays what the
		// files and the ring hold, iamd stops rather than answer calls it cannot record.
		err = fmt.Errorf("%w: %w", errSyncFailed, err)
		j.mu.Lock()
		j.syncErr = err
		j.mu.Unlock()
		j.broken.Store(true)
		return err
	}
	j.mu.Lock()
	if j.synced.before(end) {
		j.synced = end
	}
	j.ring.free(b.ring)
	j.mu.Unlock()
	return nil
}

// writeTaken writes the frames of p's records into their files, among files: one WriteAt for
// each run of records that follow one another in a file. Records before from are in their
// files and synced already (a batch given back after its sync, its commit failed): their files
// may be closed, and they are not written again.
func writeTaken(p *pendingRecords, from journalPos, files []genFile) error {
	for i := 0; i < len(p.recs); {
		first := p.recs[i]
		k := i + 1
		next := first.frameAt + len(p.frame(i))
		for k < len(p.recs) && p.recs[k].loc.gen == first.loc.gen && p.recs[k].frameAt == next &&
			p.recs[k].loc.frame == first.loc.frame+int64(next-first.frameAt) {
			next += len(p.frame(k))
			k++
		}
		if (journalPos{first.loc.gen, first.loc.frame}).before(from) {
			i++ // one at a time: the run may end past from
			continue
		}
		var f *os.File
		for _, g := range files {
			if g.gen == first.loc.gen {
				f = g.f
			}
		}
		if f == nil {
			return fmt.Errorf("sqlite: record journal: the file of generation %d is not open", first.loc.gen)
		}
		if _, err := sys.writeAt(f, p.frames[first.frameAt:next], first.loc.frame); err != nil {
			return fmt.Errorf("sqlite: record journal write: %w", err)
		}
		i = k
	}
	return nil
}

func (p journalPos) before(q journalPos) bool {
	return p.gen < q.gen || p.gen == q.gen && p.off < q.off
}

// hasPending reports records not yet in the events table as a reader sees it: pending ones, or
// ones a transaction took and has not committed yet (a reader must wait for that commit, which
// catchUp's Update does by taking the write lock after it).
func (j *journal) hasPending() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.pending.recs) > 0 || j.inFlight
}

// indexLoop indexes pending records every indexEvery, or sooner when indexBatch are pending.
func (db *DB) indexLoop(j *journal) {
	defer close(j.done)
	t := time.NewTicker(indexEvery)
	defer t.Stop()
	stopped := false // a failed sync stopped recording: said once, not every tick
	for {
		select {
		case <-j.stop:
			return
		case <-t.C:
		case <-j.kick:
		}
		switch err := db.catchUp(context.Background()); {
		case errors.Is(err, errSyncFailed):
			if !stopped {
				db.logger.Error("audit: the record journal could not be synced; calls fail until iamd is restarted", "err", err)
			}
			stopped = true
		case err != nil:
			db.logger.Error("audit: indexing journaled records failed; retrying", "err", err)
		}
	}
}

// catchUp indexes the pending records, if any.
func (db *DB) catchUp(ctx context.Context) error {
	if db.j == nil || !db.j.hasPending() {
		return nil
	}
	return db.Update(ctx, func(store.Tx) error { return nil })
}

// relieve indexes the pending records for a Record call that found maxPending of them: one
// caller at a time, and only while that many are still pending, so that callers that found
// the journal full together wait for one transaction instead of each committing its own.
func (db *DB) relieve(ctx context.Context) error {
	j := db.j
	j.relieving.Lock()
	defer j.relieving.Unlock()
	j.mu.Lock()
	full := len(j.pending.recs) >= maxPending
	j.mu.Unlock()
	if !full {
		return nil
	}
	return db.catchUp(ctx)
}

// closeJournal stops the indexer, indexes what is pending and closes the journal's files (they
// stay: the records of indexed events are read from them).
func (db *DB) closeJournal() error {
	j := db.j
	if j == nil {
		return nil
	}
	j.mu.Lock()
	closed := j.closed
	j.closed = true
	j.mu.Unlock()
	if closed {
		return nil
	}
	close(j.stop)
	<-j.done
	err := db.Update(context.Background(), func(store.Tx) error { return nil })
	// Under db.wmu, so that no sync (another Update's, if this one failed) is using a file as
	// it goes. The ring stays: if that Update failed, the next Open replays what it holds.
	db.wmu.Lock()
	defer db.wmu.Unlock()
	j.mu.Lock()
	j.torn = true
	j.ring.close()
	j.ring = nil
	closeRotated(append(j.rotated, genFile{j.gen, j.f}))
	j.f, j.rotated = nil, nil
	j.mu.Unlock()
	return err
}

// InUse reports that another process held the database's record journal when it was opened:
// a server is running on it (or an offline command was). Offline commands may read beside a
// server; a second server must not run on the same database (its caches would not see the
// other's changes).
func (db *DB) InUse() bool { return db.inUse }

// Journaled reports that Record appends to the record journal: a copy of the records under the
// journal's lock, with no transaction (recorder.Journaled). It is false when another process
// owns the journal, and once a failed write has left the journal unusable: Record then commits
// a transaction for each call.
func (db *DB) Journaled() bool { return db.j != nil && !db.j.broken.Load() }

// Record appends events durably outside a transaction: into the record journal when this
// process holds it, otherwise in a transaction of their own. ctx's cancellation does not stop
// it (store.Store.Record).
func (db *DB) Record(ctx context.Context, events ...*store.Event) error {
	if len(events) == 0 {
		return nil
	}
	if db.j != nil {
		full, err := db.j.write(events)
		if !errors.Is(err, errJournalBroken) {
			if err == nil && full {
				// The records are durable already; only their indexing is late.
				if ierr := db.relieve(context.WithoutCancel(ctx)); ierr != nil {
					db.logger.Error("audit: indexing journaled records failed", "err", ierr)
				}
			}
			return err
		}
	}
	ctx = context.WithoutCancel(ctx)
	return db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, events...) })
}

// retire removes the files of generations below the bound an earlier call found
// unreferenced, once delay has passed since, and notes that generations below unused are
// unreferenced now (files holding records not yet indexed are never among them).
func (j *journal) retire(unused int64, now time.Time, delay time.Duration) {
	j.mu.Lock()
	unused = min(unused, j.committed.gen)
	if j.retiring.bound <= j.oldest {
		j.retiring = retirement{}
	}
	if unused > j.oldest && j.retiring.bound == 0 {
		j.retiring = retirement{bound: unused, at: now}
	}
	var from, to int64
	if r := j.retiring; r.bound != 0 && now.Sub(r.at) >= delay {
		from, to = j.oldest, r.bound
		j.oldest, j.retiring = r.bound, retirement{}
	}
	j.mu.Unlock()
	if from == to {
		return
	}
	j.files.forget(to)
	for g := from; g < to; g++ {
		os.Remove(j.path(g))
	}
}
