//go:build !iamd_noaudit

package recorder_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/recorder"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
	"github.com/iamd-dev/iamd/internal/trail"
)

func openStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Config{Path: filepath.Join(tb.TempDir(), "iamd.db")}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// getUserRecord is a record the size of a GetUser call's.
func getUserRecord(i int) *trail.Record {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Microsecond)
	return &trail.Record{Time: at, Account: "123456789012", Source: "iam.amazonaws.com",
		Name: "GetUser", ID: trail.NewEventID(at), Username: "caller", AccessKey: "AKIAEXAMPLEEXAMPLE01", ReadOnly: true,
		Resources: []string{"AWS::IAM::User\x00load-0"}, JSON: bytes.Repeat([]byte("x"), 1200)}
}

// TestRecordDurable checks that concurrent Record calls all land in the chain, in one or more
// group commits, and that Close flushes.
func TestRecordDurable(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	r := recorder.New(db, slog.New(slog.DiscardHandler))
	const n = 50
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- r.Record(ctx, getUserRecord(i)) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("Record: %v", err)
		}
	}
	r.Close()
	evs, err := db.Chain(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != n {
		t.Errorf("chain holds %d events, want %d", len(evs), n)
	}
}

// TestRecordCancelledRequest: the record of a request whose context is cancelled (its client
// hung up) is written all the same, by a journaled store and by one that commits a transaction
// for each group of records.
func TestRecordCancelledRequest(t *testing.T) {
	for _, noJournal := range []bool{false, true} {
		db, err := sqlite.Config{Path: filepath.Join(t.TempDir(), "iamd.db"), NoJournal: noJournal}.Open(context.Background(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		r := recorder.New(db, slog.New(slog.DiscardHandler))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := r.Record(ctx, getUserRecord(1)); err != nil {
			t.Errorf("no journal %v: Record with a cancelled context: %v", noJournal, err)
		}
		r.Close()
		if evs, err := db.Chain(context.Background(), 0, 0); err != nil || len(evs) != 1 {
			t.Errorf("no journal %v: the chain holds %d records (%v), want the one recorded", noJournal, len(evs), err)
		}
		db.Close()
	}
}

// BenchmarkRecorder is what recording a read costs a request: a durable group-committed Record
// of a GetUser-sized record ("audit"), against a no-op ("none"), serially and from 32
// goroutines. The end-to-end share is in docs/benchmarks.md.
func BenchmarkRecorder(b *testing.B) {
	ctx := context.Background()
	for _, audit := range []bool{true, false} {
		name := "none"
		var rec func(*trail.Record) error
		if audit {
			name = "audit"
			r := recorder.New(openStore(b), slog.New(slog.DiscardHandler))
			b.Cleanup(r.Close)
			rec = func(t *trail.Record) error { return r.Record(ctx, t) }
		} else {
			rec = func(*trail.Record) error { return nil }
		}
		b.Run(name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if err := rec(getUserRecord(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(16)
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i++
					if err := rec(getUserRecord(i)); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// TestRecordKeepsNothingOfTheRecord: once Record has returned, the caller may overwrite the
// record and its bytes (the API builds each call's record into a reused one) without changing
// what was recorded, with a journaled store and with one that group-commits.
func TestRecordKeepsNothingOfTheRecord(t *testing.T) {
	for _, journaled := range []bool{true, false} {
		t.Run(map[bool]string{true: "journaled", false: "group"}[journaled], func(t *testing.T) {
			ctx := context.Background()
			db := openStore(t)
			var s store.Store = db
			if !journaled {
				s = unjournaled{db}
			}
			r := recorder.New(s, slog.New(slog.DiscardHandler))
			rec := getUserRecord(0)
			rec.JSON = []byte(`{"eventName":"GetUser"}`)
			if err := r.Record(ctx, rec); err != nil {
				t.Fatal(err)
			}
			copy(rec.JSON, bytes.Repeat([]byte("x"), len(rec.JSON)))
			rec.Name, rec.Resources[0] = "Overwritten", "AWS::IAM::User\x00other"
			r.Close()
			evs, err := db.Chain(ctx, 0, 0)
			if err != nil || len(evs) != 1 {
				t.Fatalf("chain: %d events, %v", len(evs), err)
			}
			if e := evs[0]; string(e.Record) != `{"eventName":"GetUser"}` || e.Name != "GetUser" || e.Resources[0] != "AWS::IAM::User\x00load-0" {
				t.Errorf("recorded %q, name %q, resources %q: what the caller wrote after Record returned", e.Record, e.Name, e.Resources)
			}
		})
	}
}

// unjournaled is a store that does not say it is journaled, so that the recorder group-commits.
type unjournaled struct{ store.Store }
