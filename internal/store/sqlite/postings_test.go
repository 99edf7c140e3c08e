package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
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
// postings) wait, and a merge moves them all into event_postings as the rows that writing each
// block's postings there at once makes; lookups find the records before and after.
func TestMergePostings(t *testing.T) {
	ctx := context.Background()
	tune(t, 1<<20, 1<<20, 64<<20)
	rowsOf := func(db *DB) []string {
		t.Helper()
		rows, err := db.r.Query(`SELECT account, attr, value, first_seq, hex(positions) FROM event_postings ORDER BY account, attr, value, first_seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var a, v, p string
			var attr, first int64
			if err := rows.Scan(&a, &attr, &v, &first, &p); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(a, attr, v, first, p))
		}
		return out
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
	if diff := cmp.Diff(rowsOf(direct), rowsOf(db)); diff != "" {
		t.Errorf("merged postings differ from postings written at once (-at once +merged):\n%s", diff)
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
	if _, err := db.w.Exec(`DELETE FROM event_postings WHERE first_seq = 1`); err != nil {
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
	tuneMerge(t, 1, 1)
	record(t, db, "d")
	if err := db.catchUp(ctx); err != nil {
		t.Fatalf("indexing with damaged waiting postings: %v", err)
	}
	if err := db.Update(ctx, func(store.Tx) error { return nil }); err != nil {
		t.Errorf("an update after merging damaged postings: %v", err)
	}
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
