package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// BenchmarkRecord measures what recording a read costs the store, per record, in batches of
// 32 (a recorder batch at 32 concurrent clients):
//
//   - journal: the write to the record journal only (what the request waits for);
//
//   - journal+index: that and indexing every 8,192 records, as the indexer does under load
//     (the whole cost, most of it off the request path);
//
//   - transaction: a transaction per batch (Config.NoJournal; iamd before the journal).
//
//     go test ./internal/store/sqlite -run '^$' -bench BenchmarkRecord -benchmem
func BenchmarkRecord(b *testing.B) {
	for _, tc := range []struct {
		name      string
		noJournal bool
		index     bool
	}{{"journal", false, false}, {"journal+index", false, true}, {"transaction", true, false}} {
		b.Run(tc.name, func(b *testing.B) {
			e, bt, p, r := indexEvery, indexBatch, maxPending, rotateBytes
			indexEvery, indexBatch, maxPending = 1<<62, 1<<30, 1<<30
			defer func() { indexEvery, indexBatch, maxPending, rotateBytes = e, bt, p, r }()
			ctx := context.Background()
			db, err := Config{Path: filepath.Join(b.TempDir(), "iamd.db"), NoJournal: tc.noJournal}.Open(ctx, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			batch := make([]*store.Event, 32)
			for i := range batch {
				batch[i] = benchEvent(i)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += len(batch) {
				if err := db.Record(ctx, batch...); err != nil {
					b.Fatal(err)
				}
				if !tc.noJournal && (i/len(batch))%256 == 255 {
					if tc.index {
						err = db.catchUp(ctx)
					} else {
						db.j.mu.Lock()
						db.j.pending = db.j.pending.emptied()
						db.j.mu.Unlock()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// benchEvent is a GetUser record as iamd writes it: an IAM user's read, in the compact form
// (about 300 bytes; 700 as JSON).
func benchEvent(i int) *store.Event {
	// The server's event IDs: UUIDv7 of the event's millisecond (no posting of their own).
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 50 * time.Microsecond)
	ev := ev(trail.NewEventID(at))
	ev.Time = at
	rec := audit.Event{EventVersion: audit.EventVersion, EventTime: at, EventSource: ev.Source, EventName: ev.Name, AWSRegion: "us-east-1",
		UserIdentity: audit.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLEEXAMPLE01", ARN: "arn:aws:iam::123456789012:user/alice",
			AccountID: ev.Account, AccessKeyID: ev.AccessKey, UserName: ev.Username},
		SourceIPAddress: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.39.2 os/linux lang/go#1.26 api/iam#1.64.9 m/E",
		RequestParameters: []byte(`{"userName":"` + ev.ID + `"}`), RequestID: trail.NewID(), EventID: ev.ID, ReadOnly: true,
		EventType: audit.EventTypeAPICall, ManagementEvent: true, RecipientAccountID: ev.Account, EventCategory: audit.EventCategoryManagement}
	ev.Record = rec.AppendCompact(nil)
	return ev
}

// BenchmarkRecordMixed is BenchmarkRecord/journal+index for GetUser records as a server under
// load writes them: 32 callers (user names and access keys) reading 1,000 users (the resource
// names), into a trail already holding 200,000 such records, so that the indexes are larger
// than SQLite's page cache and each batch touches leaf pages all over them.
//
// IAMD_BENCH_INDEX_BATCH sets how many records each index transaction takes (default 8192, the
// indexer's indexBatch), and IAMD_BENCH_MERGE_ENTRIES how many waiting postings make a merge
// (default mergeEntries).
//
//	go test ./internal/store/sqlite -run '^$' -bench BenchmarkRecordMixed -benchtime 100000x
func BenchmarkRecordMixed(b *testing.B) {
	e, bt, p, r, me := indexEvery, indexBatch, maxPending, rotateBytes, mergeEntries
	indexEvery, indexBatch, maxPending = 1<<62, 1<<30, 1<<30
	if v, err := strconv.Atoi(os.Getenv("IAMD_BENCH_MERGE_ENTRIES")); err == nil && v > 0 {
		mergeEntries = v
	}
	defer func() { indexEvery, indexBatch, maxPending, rotateBytes, mergeEntries = e, bt, p, r, me }()
	ctx := context.Background()
	db, err := Config{Path: filepath.Join(b.TempDir(), "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	every := indexBatchEnv() / 32
	n := 0
	next := func() *store.Event {
		ev := benchEvent(n)
		caller := fmt.Sprintf("caller-%02d", n%32)
		ev.Username, ev.AccessKey = caller, fmt.Sprintf("AKIA%016d", n%32)
		ev.Resources = []string{fmt.Sprintf("AWS::IAM::User\x00load-%d", (n*7919)%1000)}
		n++
		return ev
	}
	record := func(count int) {
		batch := make([]*store.Event, 32)
		for i := 0; i < count; i += len(batch) {
			for j := range batch {
				batch[j] = next()
			}
			if err := db.Record(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			if (i/len(batch))%every == every-1 {
				if err := db.catchUp(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := db.catchUp(ctx); err != nil {
			b.Fatal(err)
		}
	}
	record(200_000)
	b.ResetTimer()
	record(b.N)
}

func indexBatchEnv() int {
	if v, err := strconv.Atoi(os.Getenv("IAMD_BENCH_INDEX_BATCH")); err == nil && v >= 32 {
		return v
	}
	return 8192
}
