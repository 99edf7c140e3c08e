package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

func TestMetaRoundTrip(t *testing.T) {
	recs := []blockRec{
		{frame: 8, frameLen: 120, recLen: 60, time: 1_700_000_000_000_000_000, hash: [32]byte{1}},
		{frame: 128, frameLen: 9000, recLen: 8900, time: 1_700_000_000_000_000_500, hash: [32]byte{2}},
		{frame: 9128, frameLen: 30, recLen: 0, time: 1_699_999_999_000_000_000, hash: [32]byte{3}}, // time goes back
		{frame: 50_000, frameLen: 40, recLen: 20, time: -5, hash: [32]byte{4}},                     // a gap, a time before 1970
	}
	b := appendMeta(nil, recs)
	got, err := decodeMeta(b, len(recs))
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(got, recs, cmp.AllowUnexported(blockRec{})) {
		t.Errorf("decodeMeta(appendMeta(recs)) = %+v, want %+v", got, recs)
	}
	for name, tc := range map[string]struct {
		b []byte
		n int
	}{
		"cut short":         {b[:len(b)-1], len(recs)},
		"one record more":   {b, len(recs) + 1},
		"one record less":   {b, len(recs) - 1},
		"record over frame": {appendMeta(nil, []blockRec{{frame: 8, frameLen: 10, recLen: 20}}), 1},
		"empty":             {nil, 1},
	} {
		if _, err := decodeMeta(tc.b, tc.n); !errors.Is(err, errBadMeta) {
			t.Errorf("%s: decodeMeta = %v, want errBadMeta", name, err)
		}
	}
}

func TestPositions(t *testing.T) {
	evs := []*store.Event{
		{Account: "1", Name: "GetUser", Resources: []string{"AWS::IAM::User\x00a", "AWS::IAM::User\x00b"}, ID: "x"},
		{Account: "1", Name: "GetRole", Resources: []string{"AWS::IAM::Role\x00a"}, ReadOnly: true},
		{Account: "2", Name: "GetUser", Username: "u"},
	}
	post := blockPostings(evs)
	for _, tc := range []struct {
		k    postingKey
		want []int
	}{
		{postingKey{"1", postAll, ""}, []int{0, 1}},
		{postingKey{"2", postAll, ""}, []int{2}},
		{postingKey{"1", postName, "GetUser"}, []int{0}},
		{postingKey{"1", postResourceType, "AWS::IAM::User"}, []int{0}}, // two resources of one type: once
		{postingKey{"1", postResourceName, "a"}, []int{0, 1}},
		{postingKey{"1", postReadOnly, "0"}, []int{0}},
		{postingKey{"1", postReadOnly, "1"}, []int{1}},
		{postingKey{"2", postUsername, "u"}, []int{2}},
		{postingKey{"1", postID, "x"}, []int{0}},
	} {
		p := post[tc.k]
		if p == nil {
			t.Errorf("no posting %+v", tc.k)
			continue
		}
		got, err := decodePositions(p.b, len(evs))
		if err != nil || !cmp.Equal(got, tc.want) {
			t.Errorf("posting %+v = %v, %v; want %v", tc.k, got, err, tc.want)
		}
	}
	for _, k := range []postingKey{{"2", postAccessKey, ""}, {"1", postID, ""}} {
		if p := post[k]; p != nil {
			t.Errorf("an empty value has a posting: %+v %v", k, p)
		}
	}
	for name, b := range map[string][]byte{"past the block": {3}, "repeated": {0, 0}, "bad varint": {0x80}} {
		if _, err := decodePositions(b, 3); !errors.Is(err, errBadMeta) {
			t.Errorf("%s: decodePositions(%v) = %v, want errBadMeta", name, b, err)
		}
	}
}

// TestPostingBuilderReused: a builder that built one block's postings builds the next's as a
// new one would, whatever the first left in its lists (longer lists, other keys, more of them
// than it keeps).
func TestPostingBuilderReused(t *testing.T) {
	many := make([]*store.Event, maxKeptPostingLists+10) // a list per user, and then some
	for i := range many {
		many[i] = &store.Event{Account: "1", Name: "GetUser", Resources: []string{"AWS::IAM::User\x00u" + strconv.Itoa(i)}}
	}
	few := []*store.Event{
		{Account: "1", Name: "GetRole", Resources: []string{"AWS::IAM::Role\x00r"}, ReadOnly: true},
		{Account: "2", Name: "GetUser", Username: "u"},
		{Account: "1", Name: "GetRole", Resources: []string{"AWS::IAM::Role\x00r"}, ReadOnly: true},
	}
	var b postingBuilder
	for _, block := range [][]*store.Event{many, few, many, few, few} {
		got, want := b.build(block), blockPostings(block)
		if len(got) != len(want) {
			t.Fatalf("reused builder: %d postings, a new one %d", len(got), len(want))
		}
		for k, p := range want {
			if q := got[k]; q == nil || !bytes.Equal(q.b, p.b) {
				t.Fatalf("reused builder: posting %+v = %v, a new one's %v", k, q, p.b)
			}
		}
		if len(b.lists) > maxKeptPostingLists && len(block) < maxKeptPostingLists {
			t.Errorf("the builder keeps %d lists after a block of %d records", len(b.lists), len(block))
		}
	}
}

func TestUUID7Millis(t *testing.T) {
	at := time.Date(2026, 12, 1, 19, 30, 0, 123_456_789, time.UTC)
	id := trail.NewEventID(at)
	if ms, ok := uuid7Millis(id); !ok || ms != at.UnixMilli() {
		t.Errorf("uuid7Millis(%s) = %d, %v; want %d", id, ms, ok, at.UnixMilli())
	}
	if !idOfTime(id, at) || idOfTime(id, at.Add(time.Millisecond)) {
		t.Errorf("idOfTime(%s) should hold at %s only", id, at)
	}
	for _, bad := range []string{trail.NewID(), "ev1", "", "0190f3a1-2b3c-7d4e-8f5a-6b7c8d9e0f1", "0190F3A1-2B3C-7D4E-8F5A-6B7C8D9E0F1A", "0190g3a1-2b3c-7d4e-8f5a-6b7c8d9e0f1a"} {
		if _, ok := uuid7Millis(bad); ok {
			t.Errorf("uuid7Millis(%q) accepted a string that is no lower-case UUIDv7", bad)
		}
	}
}

// v7event is a recorded event as the server makes them: a UUIDv7 event ID of its time.
func v7event(at time.Time, name string) *store.Event {
	e := ev("")
	e.Time, e.Name, e.ID = at, name, trail.NewEventID(at)
	e.Record = []byte(`{"eventID":"` + e.ID + `"}`)
	return e
}

// TestBlockLookupByEventID: an event ID of the server's form (UUIDv7 of the event's
// millisecond) is found from its time, with no posting of its own; other IDs have one.
func TestBlockLookupByEventID(t *testing.T) {
	tuneMerge(t, 1, 1) // postings merged at once, to be counted
	ctx := context.Background()
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var evs []*store.Event
	for i := range 300 {
		evs = append(evs, v7event(base.Add(time.Duration(i)*200*time.Microsecond), "GetUser")) // five a millisecond
	}
	odd := ev("not-a-uuid")
	evs = append(evs, odd)
	if err := db.Record(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.r.QueryRow(`SELECT count(*) FROM event_postings WHERE attr = ?`, postID).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d event ID postings (%v), want 1 (the ID that is no UUIDv7)", n, err)
	}
	for _, e := range []*store.Event{evs[0], evs[137], evs[299], odd} {
		got, err := db.Events(ctx, store.EventFilter{Account: e.Account, ID: e.ID})
		if err != nil || len(got) != 1 || got[0].ID != e.ID || string(got[0].Record) != string(e.Record) {
			t.Errorf("Events(ID %s) = %d events, %v; want the one", e.ID, len(got), err)
		}
	}
	other := trail.NewEventID(base.Add(100 * time.Microsecond)) // a millisecond with records, not this ID
	if got, err := db.Events(ctx, store.EventFilter{Account: evs[0].Account, ID: other}); err != nil || len(got) != 0 {
		t.Errorf("Events(ID %s, never recorded) = %d events, %v; want none", other, len(got), err)
	}
	if got, err := db.Events(ctx, store.EventFilter{Account: "999999999999", ID: evs[5].ID}); err != nil || len(got) != 0 {
		t.Errorf("Events(ID of another account's event) = %d events, %v; want none", len(got), err)
	}
	present, err := db.EventIDsPresent(ctx, evs[0].Account, []string{evs[1].ID, other, odd.ID})
	if err != nil || !cmp.Equal(present, map[string]bool{evs[1].ID: true, odd.ID: true}) {
		t.Errorf("EventIDsPresent = %v, %v; want the recorded two", present, err)
	}
}

// TestBlocksSplitAndPrune: a batch larger than maxBlock is several blocks; lookups, the chain
// and prunes that cut into either block see every record once.
func TestBlocksSplitAndPrune(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	ctx := context.Background()
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	total := maxBlock + 904
	var evs []*store.Event
	for i := range total {
		evs = append(evs, v7event(base.Add(time.Duration(i)*100*time.Microsecond), fmt.Sprintf("Call%d", i%7)))
	}
	if err := db.Record(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var blocks int
	if err := db.r.QueryRow(`SELECT count(*) FROM event_blocks`).Scan(&blocks); err != nil || blocks != 2 {
		t.Fatalf("%d blocks (%v) for %d records, want 2", blocks, err, total)
	}
	if ids := trailIDs(t, db); len(ids) != total || ids[0] != evs[0].ID || ids[total-1] != evs[total-1].ID {
		t.Fatalf("chain of %d records, want %d in order", len(ids), total)
	}
	// Call3, newest first, across both blocks.
	got, err := db.Events(ctx, store.EventFilter{Account: evs[0].Account, Name: "Call3"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := total - 1; i >= 0; i-- {
		if i%7 == 3 {
			want = append(want, evs[i].ID)
		}
	}
	if ids := eventIDs(got); !cmp.Equal(ids, want) {
		t.Errorf("Events(Call3): %d events, want %d newest first", len(ids), len(want))
	}
	// A page before a Seq, with a time window, with a limit.
	page, err := db.Events(ctx, store.EventFilter{Account: evs[0].Account, Name: "Call3", BeforeSeq: got[10].Seq,
		Start: base.Add(10 * time.Millisecond), End: evs[total-200].Time, Limit: 5})
	if err != nil || len(page) != 5 || page[0].Seq >= got[10].Seq || page[0].Time.After(evs[total-200].Time) {
		t.Errorf("a page of Call3 = %d events, %v", len(page), err)
	}
	for _, cut := range []int64{1000, int64(maxBlock) + 500} {
		first, err := db.Chain(ctx, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.Prune(ctx, cut)
		if err != nil || n != cut-first[0].Seq {
			t.Fatalf("Prune(%d) = %d, %v; want %d", cut, n, err, cut-first[0].Seq)
		}
		chain, err := db.Chain(ctx, 0, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		cp, err := db.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(chain) != total-int(cut)+1 || chain[0].Seq != cut || cp.Seq != cut-1 {
			t.Fatalf("after Prune(%d): %d records from %d, checkpoint %d", cut, len(chain), chain[0].Seq, cp.Seq)
		}
		if err := audit.VerifyResumed(cp.Seq, cp.Hash, stored(chain), nil); err != nil {
			t.Errorf("after Prune(%d) the trail does not verify: %v", cut, err)
		}
		if err := db.CheckBlocks(ctx); err != nil {
			t.Errorf("after Prune(%d) CheckBlocks: %v", cut, err)
		}
		byName, err := db.Events(ctx, store.EventFilter{Account: evs[0].Account, Name: "Call3"})
		if err != nil || len(byName) == 0 || byName[len(byName)-1].Seq < cut {
			t.Errorf("after Prune(%d) Events(Call3) reaches Seq %d (%v)", cut, byName[len(byName)-1].Seq, err)
		}
	}
}

func eventIDs(evs []*store.StoredEvent) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

// TestCheckBlocks: CheckBlocks finds postings and block columns that disagree with the
// records, naming the block.
func TestCheckBlocks(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, stmt, field string
	}{
		{"posting removed", `DELETE FROM event_postings WHERE attr = 1`, "event_postings"},
		{"posting renamed", `UPDATE event_postings SET value = 'GetRole' WHERE attr = 1`, "event_postings"},
		{"posting moved", `UPDATE event_postings SET positions = x'00' WHERE attr = 4 AND value = 'b'`, "event_postings"},
		{"posting added", `INSERT INTO event_postings SELECT account, 2, 'mallory', first_seq, positions FROM event_postings WHERE attr = 0`, "event_postings"},
		{"time changed", `UPDATE event_blocks SET t_max = t_max + 1`, "event_blocks"},
		{"size changed", `UPDATE event_blocks SET bytes = bytes - 1`, "event_blocks"},
		{"meta cut", `UPDATE event_blocks SET meta = substr(meta, 1, 40)`, "event_blocks"},
		// The third record's time in the meta one nanosecond later (the byte before its hash
		// is the last of its time delta, a one-byte varint here: 0, zigzag-encoded), with the
		// block's time range kept: lookups by time would miss it.
		{"record time in the meta", `UPDATE event_blocks SET meta = substr(meta, 1, length(meta) - 33) || x'02' || substr(meta, length(meta) - 31), t_max = t_max + 1`, "event_blocks"},
		{"record count", `UPDATE event_blocks SET n = -1`, "event_blocks"},
		{"time a blob", `UPDATE event_blocks SET t_min = CAST(CAST(t_min AS TEXT) AS BLOB)`, "event_blocks"},
		// Postings waiting for a merge (postings.go).
		{"waiting postings removed", `DELETE FROM event_block_postings`, "event_postings"},
		{"waiting posting renamed", `UPDATE event_block_postings SET postings = replace(postings, 'GetUser', 'GetRole')`, "event_postings"},
		{"waiting postings cut", `UPDATE event_block_postings SET postings = substr(postings, 1, length(postings) - 1)`, "event_postings"},
		{"waiting postings of no block", `UPDATE event_block_postings SET first_seq = first_seq + 100`, "event_postings"},
		{"postings both waiting and merged", `INSERT INTO event_postings SELECT '123456789012', 1, 'GetUser', first_seq, x'00' FROM event_block_postings`, "event_postings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tune(t, 1<<20, 1<<20, 64<<20) // one block of the three
			db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
			if strings.Contains(tc.stmt, "event_block_postings") {
				tuneMerge(t, 1<<20, 1<<20) // the postings wait
			} else {
				tuneMerge(t, 1, 1) // merged at once
			}
			record(t, db, "a", "b", "c")
			if err := db.CheckBlocks(ctx); err != nil {
				t.Fatalf("CheckBlocks before: %v", err)
			}
			if _, err := db.w.Exec(tc.stmt); err != nil {
				t.Fatal(err)
			}
			var ce *audit.ChainError
			if err := db.CheckBlocks(ctx); !errors.As(err, &ce) || ce.Field != tc.field || ce.Kind != audit.Edited {
				t.Errorf("CheckBlocks after %s = %v, want an edited %s", tc.stmt, err, tc.field)
			}
		})
	}
}

// TestBlocksMatchRows is a differential test: one trail stored as rows (no record journal)
// and as blocks (recorded through the journal, indexed at random points, with some events
// appended in transactions between) answers every Events filter, Chain page, SeqAt,
// SeqFitting and Prune alike: with every block's postings merged at once, with none merged,
// and merged every third block, so that lookups read blocks of both kinds.
func TestBlocksMatchRows(t *testing.T) {
	for _, tc := range []struct {
		name  string
		merge int
	}{{"merged at once", 1}, {"merged every third block", 3}, {"never merged", 1 << 30}} {
		t.Run(tc.name, func(t *testing.T) { testBlocksMatchRows(t, tc.merge) })
	}
}

func testBlocksMatchRows(t *testing.T, mergeEvery int) {
	tuneMerge(t, mergeEvery, 1<<30)
	if mergeEvery == 3 {
		// A lookup reads groups of three blocks in pages of one, two blocks at a time.
		p, r := groupPageRows, groupBlocksRead
		groupPageRows, groupBlocksRead = 1, 2
		t.Cleanup(func() { groupPageRows, groupBlocksRead = p, r })
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	rows, err := Config{Path: filepath.Join(t.TempDir(), "rows.db"), NoJournal: true}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	tune(t, 1<<20, 1<<20, 16<<10) // no background indexing; a new journal file every 16 KB
	blocks := openAt(t, filepath.Join(t.TempDir(), "blocks.db"))

	names := []string{"GetUser", "ListUsers", "AssumeRole", "CreateUser", "TagUser"}
	users := []string{"", "alice", "bob", "carol"}
	resources := []string{"AWS::IAM::User\x00alice", "AWS::IAM::User\x00bob", "AWS::IAM::Role\x00alice", "AWS::IAM::Role\x00admin",
		"AWS::IAM::Policy\x00arn:aws:iam::123456789012:policy/p", "AWS::IAM::User\x00" + "odd\n\x00name"}
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := base
	var all []*store.Event
	for i := range 700 {
		at = at.Add(time.Duration(r.IntN(3)) * time.Millisecond / 2) // some events share a time
		e := &store.Event{Time: at, Account: []string{"123456789012", "210987654321"}[r.IntN(4)/3], Source: []string{"iam.amazonaws.com", "sts.amazonaws.com"}[r.IntN(2)],
			Name: names[r.IntN(len(names))], Username: users[r.IntN(len(users))], AccessKey: []string{"", "AKIA1", "ASIA2"}[r.IntN(3)], ReadOnly: r.IntN(2) == 0}
		for range r.IntN(3) {
			e.Resources = append(e.Resources, resources[r.IntN(len(resources))])
		}
		switch r.IntN(10) {
		case 0:
			e.ID = fmt.Sprintf("imported-%d", i)
		case 1:
			e.ID = trail.NewEventID(at.Add(time.Second)) // a UUIDv7 of another millisecond
		default:
			e.ID = trail.NewEventID(at)
		}
		e.Record = []byte(fmt.Sprintf(`{"eventID":%q,"n":%d,"pad":%q}`, e.ID, i, strings.Repeat("x", r.IntN(300))))
		all = append(all, e)
	}
	for i := 0; i < len(all); {
		n := 1 + r.IntN(40)
		batch := all[i:min(len(all), i+n)]
		i += len(batch)
		if err := rows.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, batch...) }); err != nil {
			t.Fatal(err)
		}
		var err error
		switch r.IntN(6) {
		case 0: // a mutation's record: a row in both
			err = blocks.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, batch...) })
		case 1:
			if err = blocks.Record(ctx, batch...); err == nil {
				err = blocks.catchUp(ctx)
			}
		default:
			err = blocks.Record(ctx, batch...)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var nb, waiting, merged int
	count := func() {
		t.Helper()
		if err := blocks.w.QueryRow(`SELECT count(*), (SELECT count(*) FROM event_block_postings), (SELECT count(DISTINCT first_seq) FROM event_postings) FROM event_blocks`).Scan(&nb, &waiting, &merged); err != nil {
			t.Fatal(err)
		}
	}
	if count(); mergeEvery == 3 && waiting == 0 {
		// The last index transaction merged: one more block, whose postings wait.
		e := &store.Event{Time: at, Account: "123456789012", Source: "iam.amazonaws.com", Name: "GetUser", ID: trail.NewEventID(at), Record: []byte(`{"last":true}`)}
		all = append(all, e)
		if err := rows.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, e) }); err != nil {
			t.Fatal(err)
		}
		if err := blocks.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
		if err := blocks.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if count(); nb < 5 {
		t.Fatalf("%d blocks, want several", nb)
	}
	switch {
	case mergeEvery == 1 && waiting != 0,
		mergeEvery == 3 && (waiting == 0 || merged == 0),
		mergeEvery > nb && merged != 0:
		t.Fatalf("merging every %d blocks: of %d blocks the postings of %d wait and of %d are merged", mergeEvery, nb, waiting, merged)
	}

	compare := func(what string) {
		t.Helper()
		ids := func(evs []*store.StoredEvent) []string {
			out := make([]string, len(evs))
			for i, e := range evs {
				out[i] = fmt.Sprintf("%d %s %x %s", e.Seq, e.ID, e.Hash[:4], e.Record)
			}
			return out
		}
		pick := func(vs []string) string { return vs[r.IntN(len(vs))] }
		for range 300 {
			f := store.EventFilter{Account: []string{"123456789012", "210987654321"}[r.IntN(4)/3]}
			switch r.IntN(9) {
			case 0:
				f.Name = pick(names)
			case 1:
				f.Username = pick(users[1:])
			case 2:
				f.AccessKey = pick([]string{"AKIA1", "ASIA2"})
			case 3:
				f.Resource = pick(resources)
			case 4:
				typ, name, _ := strings.Cut(pick(resources), "\x00")
				f.Resource = pick([]string{typ + "\x00", "\x00" + name})
			case 5:
				f.ID = all[r.IntN(len(all))].ID
			case 6:
				f.Source = pick([]string{"iam.amazonaws.com", "sts.amazonaws.com"})
			case 7:
				ro := r.IntN(2) == 0
				f.ReadOnly = &ro
			}
			if r.IntN(3) == 0 {
				f.Name = pick(names) // a second attribute, as internal callers may set
			}
			if r.IntN(3) == 0 {
				f.Start = base.Add(time.Duration(r.IntN(400)) * time.Millisecond / 2)
			}
			if r.IntN(3) == 0 {
				f.End = base.Add(time.Duration(r.IntN(400)) * time.Millisecond / 2)
			}
			if r.IntN(3) == 0 {
				f.BeforeSeq = int64(1 + r.IntN(len(all)))
			}
			if r.IntN(2) == 0 {
				f.Limit = 1 + r.IntN(60)
			}
			want, err := rows.Events(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := blocks.Events(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
				t.Fatalf("%s: Events(%+v): blocks differ from rows (-rows +blocks):\n%s", what, f, diff)
			}
		}
		for range 50 {
			after, limit := int64(r.IntN(len(all)+2)), 1+r.IntN(300)
			want, err := rows.Chain(ctx, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			got, err := blocks.Chain(ctx, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
				t.Fatalf("%s: Chain(%d, %d): blocks differ from rows (-rows +blocks):\n%s", what, after, limit, diff)
			}
		}
		for range 30 {
			at := base.Add(time.Duration(r.IntN(500)-50) * time.Millisecond / 2)
			w, err1 := rows.SeqAt(ctx, at)
			g, err2 := blocks.SeqAt(ctx, at)
			if err1 != nil || err2 != nil || w != g {
				t.Fatalf("%s: SeqAt(%s) = %d, %v from blocks, %d, %v from rows", what, at, g, err2, w, err1)
			}
			max := int64(r.IntN(200_000))
			w, err1 = rows.SeqFitting(ctx, max)
			g, err2 = blocks.SeqFitting(ctx, max)
			if err1 != nil || err2 != nil || w != g {
				t.Fatalf("%s: SeqFitting(%d) = %d, %v from blocks, %d, %v from rows", what, max, g, err2, w, err1)
			}
		}
		if err := blocks.CheckBlocks(ctx); err != nil {
			t.Fatalf("%s: CheckBlocks: %v", what, err)
		}
	}
	compare("whole trail")
	for _, cut := range []int64{int64(r.IntN(100) + 2), int64(r.IntN(300) + 150), int64(len(all) + 10)} {
		w, err1 := rows.Prune(ctx, cut)
		g, err2 := blocks.Prune(ctx, cut)
		if err1 != nil || err2 != nil || w != g {
			t.Fatalf("Prune(%d) = %d, %v from blocks, %d, %v from rows", cut, g, err2, w, err1)
		}
		cw, _ := rows.Checkpoint(ctx)
		cg, _ := blocks.Checkpoint(ctx)
		if cw != cg {
			t.Fatalf("after Prune(%d): checkpoint %+v from blocks, %+v from rows", cut, cg, cw)
		}
		compare(fmt.Sprintf("after Prune(%d)", cut))
	}
}

// TestBlockSpan: no block spans more than maxBlockSpan, so an event ID is found from the
// blocks beginning at most that long before its time.
func TestBlockSpan(t *testing.T) {
	tune(t, 1<<20, 1<<20, 64<<20)
	ctx := context.Background()
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	base := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var evs []*store.Event
	for i := range 12 {
		evs = append(evs, v7event(base.Add(time.Duration(i)*300*time.Millisecond), "GetUser"))
	}
	evs[5].Time, evs[5].ID = base, trail.NewEventID(base) // out of order: a call that began early
	if err := db.Record(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	var span int64
	if err := db.r.QueryRow(`SELECT count(*), max(t_max - t_min) FROM event_blocks`).Scan(&n, &span); err != nil || n < 4 || span > int64(maxBlockSpan) {
		t.Errorf("%d blocks spanning up to %s (%v); want at least 4, none over %s", n, time.Duration(span), err, maxBlockSpan)
	}
	for _, e := range evs {
		got, err := db.Events(ctx, store.EventFilter{Account: e.Account, ID: e.ID})
		if err != nil || len(got) != 1 || got[0].ID != e.ID {
			t.Errorf("Events(ID %s) = %d events, %v; want it", e.ID, len(got), err)
		}
	}
}

// TestPruneWithoutJournalFile: a prune that cuts into a block needs none of its records (the
// block's meta and postings are shifted), so retention goes on when a journal file is lost.
// The shifted postings stay where they were: merged, or waiting for a merge.
func TestPruneWithoutJournalFile(t *testing.T) {
	for _, waiting := range []bool{false, true} {
		t.Run(fmt.Sprint("waiting ", waiting), func(t *testing.T) { testPruneWithoutJournalFile(t, waiting) })
	}
}

func testPruneWithoutJournalFile(t *testing.T, waiting bool) {
	tune(t, 1<<20, 1<<20, 64<<20)
	if waiting {
		tuneMerge(t, 1<<20, 1<<20)
	} else {
		tuneMerge(t, 1, 1)
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	record(t, db, "a", "b", "c", "d")
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range journalFiles(t, path) {
		if err := os.Remove(filepath.Join(filepath.Dir(path), f)); err != nil {
			t.Fatal(err)
		}
	}
	db.recs.forget(1 << 62)
	if n, err := db.Prune(ctx, 3); err != nil || n != 2 {
		t.Fatalf("Prune(3) without the journal file = %d, %v; want 2", n, err)
	}
	var first, n int64
	if err := db.r.QueryRow(`SELECT first_seq, n FROM event_blocks`).Scan(&first, &n); err != nil || first != 3 || n != 2 {
		t.Errorf("block after the prune: first %d, %d records (%v); want 3, 2", first, n, err)
	}
	posts, unmerged, err := postingsOf(ctx, db.r, 3)
	var names []string
	for _, p := range posts {
		if p.attr == postResourceName {
			names = append(names, p.value)
		}
	}
	if err != nil || unmerged != waiting || !slices.Equal(names, []string{"c", "d"}) {
		t.Errorf("resource name postings after the prune: %v, waiting %v (%v); want c and d, waiting %v", names, unmerged, err, waiting)
	}
}
