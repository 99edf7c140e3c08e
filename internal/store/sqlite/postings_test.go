package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// tuneMerge sets how many blocks, or postings, wait before a merge (postings.go).
func tuneMerge(t *testing.T, blocks, entries int) {
	t.Helper()
	b, e := mergeBlocks, mergeEntries
	mergeBlocks, mergeEntries = blocks, entries
	t.Cleanup(func() { mergeBlocks, mergeEntries = b, e })
}

// TestMergePostings: a block's postings wait until mergeBlocks blocks (or mergeEntries
// postings) wait, and a merge moves them all into event_postings, a row per key for all of
// them, with the same postings per block as merging each block at once; lookups find the
// records before and after.
func TestMergePostings(t *testing.T) {
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	// Each block's postings, from wherever they are.
	postingsBy := func(db *DB) []string {
		t.Helper()
		var out []string
		for first := int64(1); first <= 5; first += 2 {
			posts, _, err := postingsOf(ctx, db.r, first)
			if err != nil {
				t.Fatal(err)
			}
			sortPostings(posts)
			for _, p := range posts {
				out = append(out, fmt.Sprint(first, p.account, p.attr, p.value, fmt.Sprintf("%x", p.positions)))
			}
		}
		return out
	}
	rowCount := func(db *DB) (rows, groups int) {
		t.Helper()
		if err := db.r.QueryRow(`SELECT count(*), (SELECT count(*) FROM event_posting_groups) FROM event_postings`).Scan(&rows, &groups); err != nil {
			t.Fatal(err)
		}
		return rows, groups
	}
	waiting := func(db *DB) (blocks, entries int) {
		t.Helper()
		if err := db.r.QueryRow(`SELECT count(*), coalesce(sum(entries), 0) FROM event_block_postings`).Scan(&blocks, &entries); err != nil {
			t.Fatal(err)
		}
		return blocks, entries
	}
	// Three blocks of two records each: a, b; c, d; e, f (one posting per ID's resource name).
	fill := func(db *DB, check func(block int)) {
		for i, pair := range [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}} {
			record(t, db, pair...)
			if err := db.catchUp(ctx); err != nil {
				t.Fatal(err)
			}
			check(i + 1)
		}
	}
	direct := openAt(t, filepath.Join(t.TempDir(), "direct.db"))
	tuneMerge(t, 1, 1)
	fill(direct, func(int) {})

	tuneMerge(t, 3, 1<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	fill(db, func(n int) {
		if b, _ := waiting(db); n < 3 && b != n || n == 3 && b != 0 {
			t.Errorf("after %d blocks, %d wait; want %d", n, b, n%3)
		}
		for _, id := range []string{"a", "c", "e"}[:n] {
			got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Resource: "AWS::IAM::User\x00" + id})
			if err != nil || len(got) != 1 || got[0].ID != id {
				t.Errorf("after %d blocks, Events(resource %s) = %v, %v", n, id, eventIDs(got), err)
			}
		}
		got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Name: "GetUser", Limit: 3})
		if want := []string{"f", "e", "d", "c", "b", "a"}[6-2*n:][:min(3, 2*n)]; err != nil || !slices.Equal(eventIDs(got), want) {
			t.Errorf("after %d blocks, Events(GetUser, 3) = %v, %v; want %v", n, eventIDs(got), err, want)
		}
	})
	if diff := cmp.Diff(postingsBy(direct), postingsBy(db)); diff != "" {
		t.Errorf("postings merged three blocks at a time differ from postings merged a block at a time (-a block +three):\n%s", diff)
	}
	// A row per key per merge: the three blocks' 11 keys each (see below) are 7 shared (every
	// event, name, user, key, source, read-only, resource type) and 4 of their own (two
	// resource names, two IDs).
	if rows, groups := rowCount(direct); rows != 33 || groups != 3 {
		t.Errorf("merged a block at a time: %d rows in %d groups, want 33 in 3", rows, groups)
	}
	if rows, groups := rowCount(db); rows != 7+3*4 || groups != 1 {
		t.Errorf("merged three blocks at a time: %d rows in %d groups, want %d in 1", rows, groups, 7+3*4)
	}
	if err := db.CheckBlocks(ctx); err != nil {
		t.Error(err)
	}

	// By postings: a block has 11 (every event, name, user, key, source, read-only, two
	// resource names, a resource type, and two event IDs, which are no UUIDv7); two blocks'
	// 22 reach 15.
	tuneMerge(t, 1<<20, 15)
	db = openAt(t, filepath.Join(t.TempDir(), "entries.db"))
	fill(db, func(n int) {
		if b, e := waiting(db); n == 1 && (b != 1 || e != 11) || n == 2 && b != 0 || n == 3 && (b != 1 || e != 11) {
			t.Errorf("after %d blocks: %d blocks, %d postings wait", n, b, e)
		}
	})
}

// TestCheckBlocksMergeOrder: the blocks whose postings wait for a merge are the newest, or
// lookups would list records out of order; CheckBlocks reports a waiting block before a merged
// one.
func TestCheckBlocksMergeOrder(t *testing.T) {
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	tuneMerge(t, 1, 1)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	for _, id := range []string{"a", "b"} {
		record(t, db, id)
		if err := db.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CheckBlocks(ctx); err != nil {
		t.Fatal(err)
	}
	// The first block's postings moved back to wait.
	posts, unmerged, err := postingsOf(ctx, db.r, 1)
	if err != nil || unmerged || len(posts) == 0 {
		t.Fatalf("postings of block 1: %d, waiting %v, %v", len(posts), unmerged, err)
	}
	if _, err := db.w.Exec(`DELETE FROM event_postings WHERE first_seq = 1; DELETE FROM event_posting_groups WHERE first_seq = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`INSERT INTO event_block_postings VALUES (1, ?, ?)`, len(posts), appendPostings(nil, posts)); err != nil {
		t.Fatal(err)
	}
	var ce *audit.ChainError
	if err := db.CheckBlocks(ctx); !errors.As(err, &ce) || ce.Field != "event_postings" || ce.Seq != 2 {
		t.Errorf("CheckBlocks with block 1 waiting and block 2 merged = %v, want block 2's event_postings", err)
	}
}

// TestPostingsCodec: postings encode and decode back, and damage fails to decode.
func TestPostingsCodec(t *testing.T) {
	posts := []posting{
		{postingKey{"123456789012", postAll, ""}, []byte{0}},
		{postingKey{"123456789012", postResourceName, "odd\x00name\n"}, []byte{1, 2, 3}},
		{postingKey{"210987654321", postID, strings.Repeat("x", 300)}, []byte{0, 1}},
	}
	b := appendPostings(nil, posts)
	got, err := decodePostings(b)
	if err != nil || !cmp.Equal(got, posts, cmp.AllowUnexported(posting{}, postingKey{})) {
		t.Fatalf("decodePostings = %v, %v; want %v", got, err, posts)
	}
	for _, p := range posts {
		if pos, err := findPosting(b, p.postingKey); err != nil || string(pos) != string(p.positions) {
			t.Errorf("findPosting(%v) = %v, %v", p.postingKey, pos, err)
		}
	}
	if pos, err := findPosting(b, postingKey{"123456789012", postName, "GetUser"}); pos != nil || err != nil {
		t.Errorf("findPosting of a key not there = %v, %v", pos, err)
	}
	for n := 1; n < len(b); n++ {
		if _, err := decodePostings(b[:n]); err == nil && n != len(appendPostings(nil, posts[:1])) && n != len(appendPostings(nil, posts[:2])) {
			t.Errorf("%d of %d bytes decode", n, len(b))
		}
	}
	if _, err := decodePostings(append(slices.Clone(b), 0, 0, 99)); err == nil {
		t.Error("an attribute out of range decodes")
	}
	// An attribute of 2⁶³ or more, which is negative as an int.
	huge := binary.AppendUvarint(append(slices.Clone(b), 0), 1<<63+1)
	if _, err := decodePostings(append(huge, 0, 0)); err == nil {
		t.Error("an attribute of 2⁶³+1 decodes")
	}
	if _, err := findPosting(append(huge, 0, 0), postingKey{"x", postName, "y"}); err == nil {
		t.Error("findPosting over an attribute of 2⁶³+1 succeeds")
	}
	// Keys that differ by account alone, the accounts in turn A, B, A.
	mixed := []posting{
		{postingKey{"111111111111", postName, "GetUser"}, []byte{0}},
		{postingKey{"222222222222", postName, "GetUser"}, []byte{1}},
		{postingKey{"111111111111", postName, "ListUsers"}, []byte{2}},
	}
	mb := appendPostings(nil, mixed)
	for _, p := range mixed {
		if pos, err := findPosting(mb, p.postingKey); err != nil || string(pos) != string(p.positions) {
			t.Errorf("findPosting(%v) = %v, %v; want %v", p.postingKey, pos, err, p.positions)
		}
	}
	if got, err := decodePostings(mb); err != nil || !cmp.Equal(got, mixed, cmp.AllowUnexported(posting{}, postingKey{})) {
		t.Errorf("decodePostings of accounts A, B, A = %v, %v", got, err)
	}
	// A lookup's search of a waiting block allocates nothing.
	if n := testing.AllocsPerRun(10, func() { _, _ = findPosting(b, posts[len(posts)-1].postingKey) }); n != 0 {
		t.Errorf("findPosting allocates %v times", n)
	}
}

// TestWaitingPostingsDamage: a waiting block's postings that list a key twice (lookups would
// read the first, a map the last) are reported by CheckBlocks; and damaged waiting postings,
// a key twice or a row that does not decode, do not fail the merge, which would stop every
// later index transaction and so every mutation.
func TestWaitingPostingsDamage(t *testing.T) {
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	tuneMerge(t, 1<<20, 1<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	for _, ids := range [][]string{{"a", "b"}, {"c"}} {
		record(t, db, ids...)
		if err := db.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	posts, unmerged, err := postingsOf(ctx, db.r, 1)
	if err != nil || !unmerged {
		t.Fatalf("postings of block 1: waiting %v, %v", unmerged, err)
	}
	// Block 1's name posting again, first, listing record b alone: a lookup would miss a.
	forged := posting{postingKey{"123456789012", postName, "GetUser"}, []byte{1}}
	twice := appendPostings(nil, append([]posting{forged}, posts...))
	if _, err := db.w.Exec(`UPDATE event_block_postings SET postings = ? WHERE first_seq = 1`, twice); err != nil {
		t.Fatal(err)
	}
	var ce *audit.ChainError
	if err := db.CheckBlocks(ctx); !errors.As(err, &ce) || ce.Field != "event_postings" || ce.Seq != 1 {
		t.Errorf("CheckBlocks with a key twice in block 1's waiting postings = %v, want block 1's event_postings", err)
	}
	// Block 3's postings cut short, then a merge.
	if _, err := db.w.Exec(`UPDATE event_block_postings SET postings = substr(postings, 1, 5) WHERE first_seq = 3`); err != nil {
		t.Fatal(err)
	}
	mergeOverDamage(t, db, "d")
	var waiting int
	if err := db.r.QueryRow(`SELECT count(*) FROM event_block_postings`).Scan(&waiting); err != nil || waiting != 0 {
		t.Errorf("%d blocks' postings wait after the merge (%v), want none", waiting, err)
	}
	if got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Resource: "AWS::IAM::User\x00d"}); err != nil || len(got) != 1 {
		t.Errorf("Events(resource d) after the merge = %d events, %v", len(got), err)
	}
	if err := db.CheckBlocks(ctx); !errors.As(err, &ce) || ce.Field != "event_postings" {
		t.Errorf("CheckBlocks after merging damaged postings = %v, want event_postings reported", err)
	}
}

// groupedTrail opens a database holding four blocks of two records each, a and b to g and h:
// the first three merged as one group, the last one's postings waiting.
func groupedTrail(t *testing.T) *DB {
	t.Helper()
	db := trailOfBlocks(t, 3, [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g", "h"}})
	var groups, waiting int
	if err := db.r.QueryRow(`SELECT (SELECT count(*) FROM event_posting_groups WHERE first_seq = 1 AND last_seq = 5), (SELECT count(*) FROM event_block_postings)`).Scan(&groups, &waiting); err != nil || groups != 1 || waiting != 1 {
		t.Fatalf("group of blocks 1 to 5: %d, waiting blocks %d (%v); want 1 and 1", groups, waiting, err)
	}
	return db
}

// trailOfBlocks opens a database holding a block of each of blocks' records, merged every
// merge blocks.
func trailOfBlocks(t *testing.T, merge int, blocks [][]string) *DB {
	t.Helper()
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	tuneMerge(t, merge, 1<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	for _, ids := range blocks {
		record(t, db, ids...)
		if err := db.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestPruneCutsGroup: a prune at every record of a trail of groups of merged blocks and a
// waiting block leaves postings that match the records kept (CheckBlocks), in groups of the
// blocks left, and lookups find exactly the records kept.
func TestPruneCutsGroup(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		merge  int
		blocks [][]string
	}{
		// A group of three blocks, then a waiting block.
		{"group and waiting", 3, [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g", "h"}}},
		// Groups of blocks 1 and 3 and of blocks 4 and 6: a cut in block 4 takes the whole
		// first group, whose last block has one record.
		{"two groups", 2, [][]string{{"a", "b"}, {"c"}, {"d", "e"}, {"f", "g"}}},
	} {
		var ids []string
		for _, b := range tc.blocks {
			ids = append(ids, b...)
		}
		for before := int64(2); before <= int64(len(ids)+1); before++ {
			t.Run(fmt.Sprint(tc.name, " before ", before), func(t *testing.T) {
				db := trailOfBlocks(t, tc.merge, tc.blocks)
				if _, err := db.Prune(ctx, before); err != nil {
					t.Fatal(err)
				}
				kept := ids[min(int(before), len(ids))-1:] // the last record stays
				if err := db.CheckBlocks(ctx); err != nil {
					t.Errorf("CheckBlocks: %v", err)
				}
				got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Name: "GetUser"})
				want := slices.Clone(kept)
				slices.Reverse(want)
				if err != nil || !slices.Equal(eventIDs(got), want) {
					t.Errorf("Events(GetUser) = %v, %v; want %v", eventIDs(got), err, want)
				}
				for _, id := range ids {
					got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Resource: "AWS::IAM::User\x00" + id})
					if n := len(got); err != nil || n != 1 && slices.Contains(kept, id) || n != 0 && !slices.Contains(kept, id) {
						t.Errorf("Events(resource %s) = %v, %v", id, eventIDs(got), err)
					}
				}
				// The first group begins at the first block left, if a merged one is.
				var first, block sql.NullInt64
				if err := db.r.QueryRow(`SELECT (SELECT min(first_seq) FROM event_posting_groups), (SELECT min(first_seq) FROM event_blocks WHERE first_seq NOT IN (SELECT first_seq FROM event_block_postings))`).Scan(&first, &block); err != nil {
					t.Fatal(err)
				}
				if first != block {
					t.Errorf("the first group begins at %v, the first merged block at %v", first, block)
				}
			})
		}
	}
}

// mergeOverDamage records the event id and indexes it with a merge, which must succeed over
// damaged postings, as must an update after it (a failing merge would stop every mutation).
func mergeOverDamage(t *testing.T, db *DB, id string) {
	t.Helper()
	ctx := context.Background()
	tuneMerge(t, 1, 1)
	record(t, db, id)
	if err := db.catchUp(ctx); err != nil {
		t.Fatalf("indexing (a merge) over damaged postings: %v", err)
	}
	if err := db.Update(ctx, func(store.Tx) error { return nil }); err != nil {
		t.Errorf("an update after a merge over damaged postings: %v", err)
	}
}

// TestDamageStopsNoMergeOrPrune: a merge or a prune over damaged postings succeeds (a failing
// merge would stop every later index transaction, and so every mutation; a failing prune,
// retention), and CheckBlocks reports the damage.
func TestDamageStopsNoMergeOrPrune(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, stmt string
		healed     bool // the merge writes over the damage
	}{
		{"a group of the waiting block", `INSERT INTO event_posting_groups VALUES (7, 7, 0, 0)`, true},
		{"a merged block's postings waiting", `INSERT INTO event_block_postings SELECT 1, entries, postings FROM event_block_postings WHERE first_seq = 7`, false},
		{"waiting postings of no block", `UPDATE event_block_postings SET first_seq = 100`, false},
		{"a merged row cut", `UPDATE event_postings SET positions = substr(positions, 1, length(positions) - 1) WHERE attr = 1`, false},
		{"a merged row empty", `UPDATE event_postings SET positions = x'' WHERE attr = 4 AND value = 'e'`, false},
		// The counts only decide when to merge and size a merge's slice.
		{"waiting counts negative", `UPDATE event_block_postings SET entries = -5`, true},
		{"waiting counts huge", `UPDATE event_block_postings SET entries = 1 << 40`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := groupedTrail(t)
			if _, err := db.w.Exec(tc.stmt); err != nil {
				t.Fatal(err)
			}
			mergeOverDamage(t, db, "i")
			if _, err := db.Prune(ctx, 4); err != nil {
				t.Errorf("a prune over damaged postings: %v", err)
			}
			var ce *audit.ChainError
			switch err := db.CheckBlocks(ctx); {
			case err == nil && tc.healed:
			case !errors.As(err, &ce) || ce.Field != "event_postings":
				t.Errorf("CheckBlocks after %s, a merge and a prune = %v, want edited event_postings", tc.stmt, err)
			}
		})
	}
}

// TestCheckGroups: CheckBlocks reports damage to a group of merged blocks, to its rows and to
// the parts of a row.
func TestCheckGroups(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, stmt string }{
		{"group removed", `DELETE FROM event_posting_groups`},
		{"group time", `UPDATE event_posting_groups SET t_max = t_max - 1`},
		{"group ends inside a block", `UPDATE event_posting_groups SET last_seq = 6`},
		{"group over a waiting block", `UPDATE event_posting_groups SET last_seq = 7`},
		{"group shortened", `UPDATE event_posting_groups SET last_seq = 3`},
		{"group begins later", `UPDATE event_posting_groups SET first_seq = 3; UPDATE event_postings SET first_seq = 3`},
		{"second group overlapping", `INSERT INTO event_posting_groups SELECT 3, 3, t_min, t_max FROM event_blocks WHERE first_seq = 3`},
		{"part moved", `UPDATE event_postings SET positions = x'000100' WHERE attr = 1`},
		{"part twice", `UPDATE event_postings SET positions = x'000100000100' WHERE attr = 1`},
		{"part past the group", `UPDATE event_postings SET positions = x'00010006020001' WHERE attr = 1`},
		{"row cut", `UPDATE event_postings SET positions = substr(positions, 1, length(positions) - 1) WHERE attr = 1`},
		{"row empty", `UPDATE event_postings SET positions = x'' WHERE attr = 1`},
		{"row added", `INSERT INTO event_postings SELECT account, 2, 'mallory', first_seq, positions FROM event_postings WHERE attr = 0`},
		// SQL compares these unlike the numbers and strings they scan as: lookups would miss them.
		{"group time a blob", `UPDATE event_posting_groups SET t_min = CAST(CAST(t_min AS TEXT) AS BLOB)`},
		{"group end a blob", `UPDATE event_posting_groups SET last_seq = CAST(CAST(last_seq AS TEXT) AS BLOB)`},
		{"value a blob", `UPDATE event_postings SET value = CAST(value AS BLOB) WHERE attr = 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := groupedTrail(t)
			if err := db.CheckBlocks(ctx); err != nil {
				t.Fatalf("CheckBlocks before: %v", err)
			}
			if _, err := db.w.Exec(tc.stmt); err != nil {
				t.Fatal(err)
			}
			var ce *audit.ChainError
			if err := db.CheckBlocks(ctx); !errors.As(err, &ce) || ce.Field != "event_postings" || ce.Kind != audit.Edited {
				t.Errorf("CheckBlocks after %s = %v, want edited event_postings", tc.stmt, err)
			}
		})
	}
}

// TestMigration16GroupsMergedBlocks: postings merged before migration 0016 (a row per key per
// block) become groups of one block, which lookups and CheckBlocks read; later merges group.
func TestMigration16GroupsMergedBlocks(t *testing.T) {
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	tuneMerge(t, 1, 1)
	path := filepath.Join(t.TempDir(), "iamd.db")
	db := openAt(t, path)
	for _, pair := range [][]string{{"a", "b"}, {"c", "d"}} {
		record(t, db, pair...)
		if err := db.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tuneMerge(t, 1<<20, 1<<20)
	record(t, db, "e", "f")
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// Back to the schema of migration 15, with two blocks merged (what a merge of one block
	// wrote then is what it writes now) and one waiting.
	for _, q := range []string{`DROP TABLE event_posting_groups`, `DELETE FROM schema_migrations WHERE version >= 16`} {
		if _, err := db.w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	tuneMerge(t, 2, 1<<20)
	db = openAt(t, path)
	var groups, ofOne int
	if err := db.r.QueryRow(`SELECT count(*), count(*) FILTER (WHERE first_seq = last_seq AND first_seq IN (1, 3)) FROM event_posting_groups`).Scan(&groups, &ofOne); err != nil || groups != 2 || ofOne != 2 {
		t.Fatalf("after the migration: %d groups, %d of blocks 1 and 3 alone (%v); want 2 and 2", groups, ofOne, err)
	}
	if err := db.CheckBlocks(ctx); err != nil {
		t.Errorf("after the migration: %v", err)
	}
	record(t, db, "g", "h")
	if err := db.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRow(`SELECT count(*) FROM event_posting_groups WHERE first_seq = 5 AND last_seq = 7`).Scan(&groups); err != nil || groups != 1 {
		t.Fatalf("a merge after the migration: %d groups of blocks 5 to 7, %v; want 1", groups, err)
	}
	if err := db.CheckBlocks(ctx); err != nil {
		t.Error(err)
	}
	got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Username: "alice", Limit: 5})
	if want := []string{"h", "g", "f", "e", "d"}; err != nil || !slices.Equal(eventIDs(got), want) {
		t.Errorf("Events(alice, 5) = %v, %v; want %v", eventIDs(got), err, want)
	}
}

// TestMergeSplitsGroups: a merge of more waiting blocks than mergeBlocks (an index transaction
// catching up on a backlog) writes groups of at most mergeBlocks blocks.
func TestMergeSplitsGroups(t *testing.T) {
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	tuneMerge(t, 1<<20, 1<<20)
	db := openAt(t, filepath.Join(t.TempDir(), "iamd.db"))
	for _, pair := range [][]string{{"a", "b"}, {"c", "d"}, {"e", "f"}} {
		record(t, db, pair...)
		if err := db.catchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tuneMerge(t, 2, 1<<20)
	db.wmu.Lock()
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return db.mergePostings(ctx, tx, 0) })
	db.wmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	var groups []string
	rows, err := db.r.Query(`SELECT first_seq, last_seq FROM event_posting_groups ORDER BY first_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var first, last int64
		if err := rows.Scan(&first, &last); err != nil {
			t.Fatal(err)
		}
		groups = append(groups, fmt.Sprint(first, "-", last))
	}
	if want := []string{"1-3", "5-5"}; !slices.Equal(groups, want) {
		t.Errorf("groups %v, want %v", groups, want)
	}
	if err := db.CheckBlocks(ctx); err != nil {
		t.Error(err)
	}
	got, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Name: "GetUser"})
	if want := []string{"f", "e", "d", "c", "b", "a"}; err != nil || !slices.Equal(eventIDs(got), want) {
		t.Errorf("Events(GetUser) = %v, %v; want %v", eventIDs(got), err, want)
	}
}

// BenchmarkFindPosting times a lookup's search of one waiting block's postings (scanUnmerged):
// a block of reads of 1,000 users by as many callers holds about 3,000 (a user name, an access
// key and a resource name each), and the key searched for is the last.
//
//	go test ./internal/store/sqlite -run '^$' -bench FindPosting -benchmem
func BenchmarkFindPosting(b *testing.B) {
	var posts []posting
	for i := range 1000 {
		user := fmt.Sprintf("load-%d", i)
		posts = append(posts, posting{postingKey{"123456789012", postUsername, user}, []byte{byte(i % 100), 3}},
			posting{postingKey{"123456789012", postAccessKey, "AKIAEXAMPLE" + strconv.Itoa(i)}, []byte{byte(i % 100), 3}},
			posting{postingKey{"123456789012", postResourceName, user}, []byte{byte(i % 100), 3}})
	}
	sortPostings(posts)
	blob := appendPostings(nil, posts)
	key := posts[len(posts)-1].postingKey
	for b.Loop() {
		if pos, err := findPosting(blob, key); err != nil || pos == nil {
			b.Fatalf("findPosting = %v, %v", pos, err)
		}
	}
}
