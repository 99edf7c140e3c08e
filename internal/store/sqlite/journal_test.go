package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// tune sets the journal's tunables for one test: nothing is indexed in the background unless
// the test asks, so what a crash leaves behind is known.
func tune(t *testing.T, batch, pending int, rotate int64) {
	t.Helper()
	e, b, p, r := indexEvery, indexBatch, maxPending, rotateBytes
	indexEvery, indexBatch, maxPending, rotateBytes = time.Hour, batch, pending, rotate
	t.Cleanup(func() { indexEvery, indexBatch, maxPending, rotateBytes = e, b, p, r })
}

func openAt(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Config{Path: path}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// crash leaves db as kill -9 would: the indexer stops without indexing, the journal file and
// lock are let go, the connections close (SQLite keeps what committed either way).
func crash(t *testing.T, db *DB) {
	t.Helper()
	j := db.j
	close(j.stop)
	<-j.done
	j.mu.Lock()
	j.closed = true
	if j.f != nil {
		j.f.Close()
	}
	j.mu.Unlock()
	db.j = nil // Close from t.Cleanup closes the pools only
	for _, st := range db.stmts {
		st.Close()
	}
	db.r.Close()
	db.w.Close()
	j.lock.Close()
}

// crashInFiles is crash after the pending records' frames went into their journal files and
// with the ring lost: what a power loss leaves once an index transaction had written and synced
// the files, and not committed. Tests of damaged journal files start from it (with the ring
// kept, its replay would write the records over the damage).
func crashInFiles(t *testing.T, db *DB, path string) {
	t.Helper()
	j := db.j
	j.mu.Lock()
	err := writeTaken(&j.pending, j.synced, append(slices.Clip(j.rotated), genFile{j.gen, j.f}))
	j.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	crash(t, db)
	if err := os.Remove(path + ".records.ring"); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

func ev(id string) *store.Event {
	return &store.Event{Time: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), Account: "123456789012", Source: "iam.amazonaws.com",
		Name: "GetUser", ID: id, Username: "alice", AccessKey: "AKIAEXAMPLE", ReadOnly: true,
		Resources: []string{"AWS::IAM::User\x00" + id}, Record: []byte(`{"eventID":"` + id + `"}`)}
}

func record(t *testing.T, db *DB, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := db.Record(context.Background(), ev(id)); err != nil {
			t.Fatalf("Record(%s): %v", id, err)
		}
	}
}

// trailIDs returns the event IDs of the whole trail in order, failing unless the chain verifies.
func trailIDs(t *testing.T, db *DB) []string {
	t.Helper()
	chain, err := db.Chain(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	ids := eventIDs(chain)
	if err := audit.Verify(stored(chain), nil); err != nil {
		t.Errorf("trail does not verify: %v", err)
	}
	return ids
}

// stored is the chain as audit.Verify reads it.
func stored(chain []*store.StoredEvent) []audit.Stored {
	recs := make([]audit.Stored, len(chain))
	for i, e := range chain {
		recs[i] = audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}
	}
	return recs
}

func journalFiles(t *testing.T, path string) []string {
	t.Helper()
	m, err := filepath.Glob(path + ".records.[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// journaledRows counts the events whose record is in a journal file: those of blocks.
func journaledRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(`SELECT (SELECT coalesce(sum(n), 0) FROM event_blocks) + (SELECT count(*) FROM events WHERE record_file > 0 AND length(record) = 0)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func pendingCount(db *DB) int {
	db.j.mu.Lock()
	defer db.j.mu.Unlock()
	return len(db.j.pending.recs)
}

func seqIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// TestJournalReplayAfterCrash: records journaled but not indexed when the process dies are
// indexed by the next Open, after the ones indexed before, each exactly once.
func TestJournalReplayAfterCrash(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, "a")
	if got := trailIDs(t, db); !cmp.Equal(got, []string{"a"}) {
		t.Fatalf("trail before the crash = %v, want [a]", got)
	}
	record(t, db, "b", "c")
	if n := pendingCount(db); n != 2 {
		t.Fatalf("%d records pending before the crash, want 2 (b, c)", n)
	}
	crash(t, db)

	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail after the crash = %v, want %v", got, want)
	}
	if n := journaledRows(t, db); n != 3 {
		t.Errorf("%d events keep their record in the journal file after the replay, want 3", n)
	}
	// The replay is not repeated by a second crash and start.
	record(t, db, "d")
	crash(t, db)
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "c", "d"}; !cmp.Equal(got, want) {
		t.Errorf("trail after the second crash = %v, want %v", got, want)
	}
	evs, err := db.Events(context.Background(), store.EventFilter{Account: "123456789012", ID: "c"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("Events(c) = %d, %v", len(evs), err)
	}
	if diff := cmp.Diff(*ev("c"), evs[0].Event); diff != "" {
		t.Errorf("replayed event (-want +got):\n%s", diff)
	}
}

// TestJournalDamagedTail: a frame cut short or with a wrong checksum at the end of the file
// (a write a power loss interrupted) is left out; the whole frames before it are indexed.
func TestJournalDamagedTail(t *testing.T) {
	whole := appendFrame(nil, ev("x"))
	badCRC := bytes.Clone(whole)
	badCRC[len(badCRC)-1] ^= 1
	for name, tail := range map[string][]byte{
		"short header":  whole[:5],
		"short payload": whole[:len(whole)-3],
		"bad checksum":  badCRC,
		"huge length":   {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0},
	} {
		t.Run(name, func(t *testing.T) {
			tune(t, 1<<20, 1<<20, 64<<20)
			path := filepath.Join(t.TempDir(), "iamd.db")
			db := openAt(t, path)
			record(t, db, "a", "b")
			file := db.j.path(db.j.gen)
			crashInFiles(t, db, path)
			f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(tail)
			f.Close()
			db = openAt(t, path)
			record(t, db, "c")
			if got, want := trailIDs(t, db), []string{"a", "b", "c"}; !cmp.Equal(got, want) {
				t.Errorf("trail = %v, want %v", got, want)
			}
		})
	}
}

// TestJournalDamagedMiddle: a frame damaged in place, with intact frames after it, loses its own
// record only: the replay goes on from the next intact frame (it used to drop every record
// after the damage, and a security trial's one flipped byte lost 182 answered calls).
func TestJournalDamagedMiddle(t *testing.T) {
	db, path := openIndexed(t, "a")
	record(t, db, "b", "c", "d")
	file := db.j.path(db.j.gen)
	crashInFiles(t, db, path)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte(`"eventID":"c"`))
	if i < 0 {
		t.Fatalf("record c not found in %s", file)
	}
	data[i+3] ^= 0x20 // inside c's payload: its checksum no longer holds
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path)
	if got, want := trailIDs(t, db), []string{"a", "b", "d"}; !cmp.Equal(got, want) {
		t.Errorf("trail after replaying a journal damaged in c = %v, want %v", got, want)
	}
}

// TestJournalRotation: the journal moves to a new file past rotateBytes, the files stay (the
// records are read from them), and a crash with several files replays them all in order.
func TestJournalRotation(t *testing.T) {
	frame := int64(len(appendFrame(nil, ev("r00"))))
	tune(t, 1<<20, 1<<20, int64(len(journalMagic))+3*frame) // three records a file
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	ids := seqIDs("r", 10)
	record(t, db, ids...)
	if files := journalFiles(t, path); len(files) != 4 {
		t.Errorf("journal files after 10 records = %v, want 4 (3 full, 1 with one record)", files)
	}
	crash(t, db)
	db = openAt(t, path)
	if got := trailIDs(t, db); !cmp.Equal(got, ids) {
		t.Errorf("trail after the crash = %v, want %v", got, ids)
	}
	more := seqIDs("s", 7)
	record(t, db, more...)
	if got := trailIDs(t, db); !cmp.Equal(got, append(ids, more...)) {
		t.Errorf("trail = %v, want %v then %v", got, ids, more)
	}
	// 10 records in files 1-4; after the crash, 7 more in files 5-7.
	if files := journalFiles(t, path); len(files) != 7 {
		t.Errorf("journal files after indexing = %v, want 7", files)
	}
	if n := journaledRows(t, db); n != 17 {
		t.Errorf("%d events keep their record in a journal file, want 17", n)
	}
}

// TestJournalBackpressure: when maxPending records wait, Record indexes them itself.
func TestJournalBackpressure(t *testing.T) {
	tune(t, 1<<20, 4, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	record(t, db, "a", "b", "c")
	if n := pendingCount(db); n != 3 {
		t.Fatalf("%d pending after 3 records, want 3", n)
	}
	record(t, db, "d")
	if n := pendingCount(db); n != 0 {
		t.Errorf("%d pending after the 4th record (maxPending 4), want 0", n)
	}
}

// TestJournalIndexer: the background indexer empties the journal without any reader asking.
func TestJournalIndexer(t *testing.T) {
	tune(t, 2, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	record(t, db, "a", "b") // indexBatch reached: the indexer is woken
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := db.r.QueryRow(`SELECT coalesce(sum(n), 0) FROM event_blocks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("event blocks hold %d records 10 s after 2 records, want 2", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestJournalCloseIndexes: Close indexes everything; a new Open finds nothing to replay and
// reads the records from the journal file.
func TestJournalCloseIndexes(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, "a", "b")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path)
	if n := pendingCount(db); n != 0 {
		t.Errorf("%d records replayed after a clean Close, want 0", n)
	}
	if got, want := trailIDs(t, db), []string{"a", "b"}; !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
}

// TestJournalSecondOpener: a second opener of the same database (another process, such as
// `iamd trail verify` beside the server) does not take the journal: it records directly, and
// never replays the owner's pending records.
func TestJournalSecondOpener(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	path := filepath.Join(t.TempDir(), "iamd.db")
	owner := openAt(t, path)
	record(t, owner, "a")
	other := openAt(t, path)
	if other.j != nil || !other.InUse() || owner.InUse() {
		t.Fatalf("second opener: journal %v, InUse %v; owner InUse %v; want no journal, true, false", other.j != nil, other.InUse(), owner.InUse())
	}
	record(t, other, "b")
	record(t, owner, "c")
	if got, want := trailIDs(t, owner), []string{"b", "a", "c"}; !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v (b committed directly while a was pending)", got, want)
	}
	// Each side appends after the other's appends, in write transactions of its own: the
	// chain stays one (each transaction links from the head it reads, not one it remembers).
	ctx := context.Background()
	for i, db := range []*DB{owner, other, owner, other, owner} {
		id := fmt.Sprintf("m%d", i)
		if err := db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, ev(id)) }); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := trailIDs(t, other), []string{"b", "a", "c", "m0", "m1", "m2", "m3", "m4"}; !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
}

// TestJournalWriteError: a write that fails returns the error and records nothing; the
// journal goes on with the next write.
func TestJournalWriteError(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	record(t, db, "a")
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.j.ring.close() // write through the file, so that its error shows
	db.j.ring = nil
	good := db.j.f
	ro, err := os.Open(good.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	db.j.f = ro
	if err := db.Record(context.Background(), ev("lost")); err == nil || !strings.Contains(err.Error(), "record journal write") {
		t.Errorf("Record on a read-only file = %v, want a journal write error", err)
	}
	db.j.f = good
	record(t, db, "b")
	if got, want := trailIDs(t, db), []string{"a", "b"}; !cmp.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
}

func TestFrameRoundTrip(t *testing.T) {
	cases := map[string]*store.Event{
		"full":  ev("a"),
		"empty": {Time: time.Unix(0, 0).UTC()},
		"binary": {Time: time.Date(1969, 1, 1, 0, 0, 0, 1, time.UTC), Account: "\x00\xff", Name: strings.Repeat("n", 300),
			Resources: []string{"", "t\x00n", "\n"}, Record: []byte{0, 1, 2}},
	}
	cases["compact"] = compactEvent(t)
	for name, e := range cases {
		t.Run(name, func(t *testing.T) {
			b := appendFrame([]byte("prefix"), e)
			got, n, err := readFrame(b[len("prefix"):])
			if err != nil || n != len(b)-len("prefix") {
				t.Fatalf("readFrame = %d bytes, %v; want %d", n, err, len(b)-len("prefix"))
			}
			if diff := cmp.Diff(e, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// compactEvent is a read's event as the server records it: a compact record, and the columns
// it implies.
func compactEvent(t testing.TB) *store.Event {
	t.Helper()
	at := time.Date(2026, 12, 2, 3, 4, 5, 678, time.UTC)
	rec := audit.Event{EventVersion: audit.EventVersion, EventTime: at, EventSource: "iam.amazonaws.com", EventName: "GetUser",
		UserIdentity:      audit.UserIdentity{Type: "Root", PrincipalID: "123456789012", ARN: "arn:aws:iam::123456789012:root", AccountID: "123456789012", AccessKeyID: "AKIAEXAMPLE"},
		RequestParameters: []byte(`{"userName":"alice"}`), EventID: trail.NewEventID(at), ReadOnly: true, RecipientAccountID: "123456789012"}
	b := rec.AppendCompact(nil)
	s, err := audit.SummarizeCompact(b)
	if err != nil {
		t.Fatal(err)
	}
	return &store.Event{Time: s.Time, Account: s.Account, Source: s.Source, Name: s.Name, ID: s.ID, Username: s.Username,
		AccessKey: s.AccessKey, ReadOnly: s.ReadOnly, Resources: s.Resources, Record: b}
}

// TestCompactFrame: a compact record's frame holds the record and not its columns (format
// 2), which are derived from it when read: nanoseconds of its time and its resources too.
// A damaged record is a damaged frame, and a format 2 frame is found after damage.
func TestCompactFrame(t *testing.T) {
	e := compactEvent(t)
	if e.Time.Nanosecond() != 678 || e.Username != "root" || !slices.Equal(e.Resources, []string{"AWS::IAM::User\x00alice"}) {
		t.Fatalf("the record implies %+v", e)
	}
	b := appendFrame(nil, e)
	if len(b) != frameHeaderLen+1+len(e.Record) || b[frameHeaderLen] != frameCompact {
		t.Errorf("frame of %d bytes, format %d; want %d, format 2", len(b), b[frameHeaderLen], frameHeaderLen+1+len(e.Record))
	}
	bad := slices.Clone(b)
	bad = bad[:len(bad)-1]
	bad = sealFrame(bad, 0) // a valid checksum over a record cut short
	if _, _, err := readFrame(bad); !errors.Is(err, errBadFrame) {
		t.Errorf("a frame whose compact record is cut short: %v, want errBadFrame", err)
	}
	if at := nextFrame(append([]byte("garbage!"), b...)); at != len("garbage!") {
		t.Errorf("nextFrame = %d, want %d", at, len("garbage!"))
	}
}

// FuzzReadFrame: no input panics readFrame, and a frame it accepts encodes back to itself (a
// format 1 frame with a compact record, as an older iamd wrote, encodes to format 2, which
// decodes to the same record).
func FuzzReadFrame(f *testing.F) {
	f.Add(appendFrame(nil, ev("a")))
	f.Add(appendFrame(nil, compactEvent(f)))
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, n, err := readFrame(b)
		if err != nil {
			return
		}
		again := appendFrame(nil, e)
		if b[frameHeaderLen] == frameFormat && audit.IsCompact(e.Record) {
			if d, _, err := readFrame(again); err == nil && !bytes.Equal(d.Record, e.Record) {
				t.Errorf("frame %x's record re-encodes to %x, another record", b[:n], again)
			}
			return
		}
		if !bytes.Equal(again, b[:n]) {
			t.Errorf("frame %x decodes to %+v, which encodes to %x", b[:n], e, again)
		}
	})
}

// TestJournalReadWaitsForIndexing: records a transaction has taken from the journal but not
// committed yet are not missed by a reader: Events waits for that commit (a trial's flaky
// last-accessed report read the trail while the indexer was committing the records it needed).
func TestJournalReadWaitsForIndexing(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	ctx := context.Background()
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	record(t, db, "a")
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		// Update takes the pending records before running fn, and commits them after it.
		done <- db.Update(ctx, func(store.Tx) error { close(started); <-release; return nil })
	}()
	<-started
	type result struct {
		n   int
		err error
	}
	res := make(chan result, 1)
	go func() {
		evs, err := db.Events(ctx, store.EventFilter{Account: "123456789012", ID: "a"})
		res <- result{len(evs), err}
	}()
	select {
	case r := <-res:
		// Returned while the record was being indexed: it must have seen it anyway.
		if r.err != nil || r.n != 1 {
			t.Errorf("Events during the indexing transaction = %d, %v; want 1 event", r.n, r.err)
		}
		close(release)
	case <-time.After(100 * time.Millisecond):
		close(release)
		if r := <-res; r.err != nil || r.n != 1 {
			t.Errorf("Events after the indexing transaction = %d, %v; want 1 event", r.n, r.err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestJournaledUntilUnusable: Journaled holds while the journal takes records, and not once a
// failed write has left it unusable; Record then commits each call's records in a transaction,
// and they are in the chain after the journaled ones.
func TestJournaledUntilUnusable(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	if !db.Journaled() {
		t.Fatal("a fresh store holding its journal is not Journaled")
	}
	record(t, db, "a", "b")
	db.j.broken.Store(true) // as journal.write leaves it when a failed write cannot be undone
	if db.Journaled() {
		t.Error("an unusable journal is still Journaled")
	}
	record(t, db, "c")
	evs, err := db.Chain(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ids := eventIDs(evs); strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("chain holds %v, want a, b, c", ids)
	}
}

// TestPendingReusesIndexedSlices: once their batch is indexed, the records journaled next
// fill the slice the batch came in (two slices take turns) instead of one grown anew each
// batch; the trail holds every record in order.
func TestPendingReusesIndexedSlices(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	ctx := context.Background()
	backing := func() *journaled {
		db.j.mu.Lock()
		defer db.j.mu.Unlock()
		return &db.j.pending.recs[:1][0]
	}
	record(t, db, "a", "b", "c")
	first := backing()
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	record(t, db, "d")
	second := backing()
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	record(t, db, "e")
	if got := backing(); got != first || second == first {
		t.Errorf("pending after two batches is in %p; the first batch's slice was %p, the second's %p", got, first, second)
	}
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	record(t, db, "f")
	if got := backing(); got != second {
		t.Errorf("pending after three batches is in %p, not the second batch's slice %p", got, second)
	}
	chain, err := db.Chain(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range chain {
		ids = append(ids, e.ID)
	}
	if want := []string{"a", "b", "c", "d", "e", "f"}; !slices.Equal(ids, want) {
		t.Errorf("trail %v, want %v", ids, want)
	}
}

// TestPendingLetsGoOfLargeSlices: the slice of a batch far larger than indexBatch (a backlog)
// is not kept for the next records.
func TestPendingLetsGoOfLargeSlices(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20) // no indexing until catchUp below
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	var ids []string
	for i := range 40 {
		ids = append(ids, fmt.Sprint("r", i))
	}
	record(t, db, ids...)
	db.j.mu.Lock()
	big := &db.j.pending.recs[:1][0]
	db.j.mu.Unlock()
	indexBatch = 2 // tune restores it
	if err := db.catchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.j.mu.Lock()
	defer db.j.mu.Unlock()
	if db.j.spare.recs != nil && &db.j.spare.recs[:1][0] == big {
		t.Errorf("the slice of a %d-record batch (cap %d) is kept for the next records; indexBatch is %d", len(ids), cap(db.j.spare.recs), indexBatch)
	}
}

// TestPendingGivenBack: records a transaction took and then gave back (it rolled back) go
// before the records journaled meanwhile, with their records and columns intact: the trail
// verifies, in order, and each record is found by its columns (its ID and resource).
func TestPendingGivenBack(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	ctx := context.Background()
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	record(t, db, "a", "b")
	failed := errors.New("rolled back")
	err := db.Update(ctx, func(store.Tx) error {
		record(t, db, "c", "d") // journaled while a and b are taken
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Update = %v, want %v", err, failed)
	}
	if n := pendingCount(db); n != 4 {
		t.Fatalf("%d records pending after the rollback, want 4", n)
	}
	record(t, db, "e")
	if got, want := trailIDs(t, db), []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Errorf("trail %v, want %v", got, want)
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		for _, f := range []store.EventFilter{{ID: id}, {Resource: "\x00" + id}} {
			f.Account = "123456789012"
			evs, err := db.Events(ctx, f)
			if err != nil || len(evs) != 1 || string(evs[0].Record) != string(ev(id).Record) {
				t.Errorf("Events(%+v) = %d events, %v; want the record of %s", f, len(evs), err, id)
			}
		}
	}
}

// TestPendingLetsGoOfLargeBuffers: the buffers of a batch whose frames take more than
// maxSpareBytes (a few very large records) are not kept for the next records; those of an
// ordinary batch are.
func TestPendingLetsGoOfLargeBuffers(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	ctx := context.Background()
	spareFrames := func() int {
		db.j.mu.Lock()
		defer db.j.mu.Unlock()
		return cap(db.j.spare.frames)
	}
	record(t, db, "a", "b")
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if spareFrames() == 0 {
		t.Fatal("the buffers of a batch of two records are not kept")
	}
	for _, id := range []string{"big1", "big2", "big3"} {
		e := ev(id)
		e.Record = append([]byte(`{"eventID":"`+id+`","pad":"`), bytes.Repeat([]byte("x"), maxSpareBytes/3)...)
		e.Record = append(e.Record, `"}`...)
		if err := db.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if n := spareFrames(); n != 0 {
		t.Errorf("the buffers of a batch of about %d bytes of records are kept (%d bytes)", maxSpareBytes, n)
	}
	if got, want := trailIDs(t, db), []string{"a", "b", "big1", "big2", "big3"}; !slices.Equal(got, want) {
		t.Errorf("trail %v, want %v", got, want)
	}
}
