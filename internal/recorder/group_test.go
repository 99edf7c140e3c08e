//go:build !iamd_noaudit

package recorder

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
	"github.com/iamd-dev/iamd/internal/trail"
)

// gatedStore is the SQLite store with Record calls counted, the first one held until gate
// is closed.
type gatedStore struct {
	*sqlite.DB
	entered chan struct{}
	gate    chan struct{}
	mu      sync.Mutex
	batches []int
	journal bool // what Journaled reports
}

// Journaled hides the SQLite store's answer: the group commit is under test unless journal.
func (g *gatedStore) Journaled() bool { return g.journal }

func (g *gatedStore) Record(ctx context.Context, evs ...*store.Event) error {
	g.mu.Lock()
	first := len(g.batches) == 0
	g.batches = append(g.batches, len(evs))
	g.mu.Unlock()
	if first {
		close(g.entered)
		<-g.gate
	}
	return g.DB.Record(ctx, evs...)
}

// newGated opens a SQLite store for t and gates it; journal is what it reports as Journaled.
func newGated(t *testing.T, journal bool) *gatedStore {
	db, err := sqlite.Config{Path: filepath.Join(t.TempDir(), "iamd.db")}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &gatedStore{DB: db, entered: make(chan struct{}), gate: make(chan struct{}), journal: journal}
}

// rec is a small record with the given event ID.
func rec(id string) *trail.Record {
	return &trail.Record{Time: time.Unix(0, 0), Account: "123456789012", Name: "GetUser", ID: id, JSON: []byte(`{}`)}
}

// TestRecordGroupsWaiting: with a store that is not Journaled (any more), records that arrive
// while a write is under way are written together by one of their callers when it ends, and
// Close waits for that write.
func TestRecordGroupsWaiting(t *testing.T) {
	ctx := context.Background()
	g := newGated(t, true)
	db := g.DB
	r := New(g, slog.New(slog.DiscardHandler))
	g.journal = false // the recorder asks at each call: from here on, group commit
	errs := make(chan error, 11)
	go func() { errs <- r.Record(ctx, rec("first")) }()
	<-g.entered
	const waiting = 10
	for i := range waiting {
		go func() { errs <- r.Record(ctx, rec(string(rune('a'+i)))) }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		n := len(r.pending)
		r.mu.Unlock()
		if n == waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d records waiting after 10 s, want %d", n, waiting)
		}
		time.Sleep(time.Millisecond)
	}
	close(g.gate)
	for range waiting + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	if len(g.batches) != 2 || g.batches[0] != 1 || g.batches[1] != waiting {
		t.Errorf("store writes of %v records, want [1 %d]", g.batches, waiting)
	}
	evs, err := db.Chain(ctx, 0, 0)
	if err != nil || len(evs) != waiting+1 {
		t.Errorf("chain holds %d events (%v), want %d", len(evs), err, waiting+1)
	}
}

// TestRecordDirectWhenJournaled: with a Journaled store each caller writes its own record (no
// batches, no waiting for another's write), every record lands, and Close waits for a write
// under way.
func TestRecordDirectWhenJournaled(t *testing.T) {
	ctx := context.Background()
	g := newGated(t, true)
	db := g.DB
	if !db.Journaled() {
		t.Fatal("the SQLite store of this process does not report its journal")
	}
	r := New(g, slog.New(slog.DiscardHandler))
	errs := make(chan error, 11)
	go func() { errs <- r.Record(ctx, rec("first")) }()
	<-g.entered // the first write is held in the store
	const others = 10
	for i := range others {
		go func() { errs <- r.Record(ctx, rec(string(rune('a'+i)))) }()
	}
	for range others { // they do not wait for the held write
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("records waited for another caller's write")
		}
	}
	closed := make(chan struct{})
	go func() { r.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while a write was under way")
	case <-time.After(50 * time.Millisecond):
	}
	close(g.gate)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	<-closed
	if len(g.batches) != others+1 {
		t.Errorf("store writes of %v records, want %d writes of one", g.batches, others+1)
	}
	for _, n := range g.batches {
		if n != 1 {
			t.Errorf("a store write of %d records, want one each", n)
		}
	}
	evs, err := db.Chain(ctx, 0, 0)
	if err != nil || len(evs) != others+1 {
		t.Errorf("chain holds %d events (%v), want %d", len(evs), err, others+1)
	}
}
