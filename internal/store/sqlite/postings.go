package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iamd-dev/iamd/internal/store"
)

// A block's postings, written as event_postings rows when the block is, scatter: the table's
// key is (account, attr, value, first_seq), so a block whose records name a thousand users
// dirties a thousand of its pages, each written to the WAL and again at the checkpoint. Reads
// of 1,000 users by 32 callers cost 20–30 µs a record to index that way in blocks of 2,048
// (BenchmarkRecordMixed), against about 1 µs for reads of one user.
//
// So a new block's postings wait in one event_block_postings row (the table's key is the
// block's first Seq: appended), and once mergeBlocks blocks, or mergeEntries postings, wait
// there, the index transaction moves them all into event_postings in key order, one row per
// key for the blocks it takes (a group, below): the rows of the values of all those blocks go
// to neighbouring pages, and a value named in every block is one row, not one per block.
//
// The waiting (unmerged) blocks are always the newest: a merge takes every one of them, blocks
// are added only after the last, and a prune that rewrites its oldest block leaves the rest in
// the place the block had (cutPostings). So a lookup reads the unmerged blocks first, newest
// first, then event_postings; CheckBlocks checks that order.

// Tunables; tests lower them. A merge holds the write lock while it inserts its rows, 6–12 µs
// each. With a row per key per block (before migration 0016), 16,384 postings (17 blocks of
// 4,096 reads of 1,000 users) took about 100 ms, 65,536 450–550 ms, and at 8,192 a mutation
// under a 32-client load of such reads waited 3.1–3.2 ms at p50 and 59–101 ms at p99 (without
// merging, 5.3–5.5 and 22–23 ms). A row per key per group makes a merge's rows about as many
// as the keys of its blocks, whatever their number: at 8,192 postings that p99 was 29–39 ms,
// and at 32,768 34–38 ms, while BenchmarkRecordMixed took 6.9–7.3 µs a record at 32,768
// against 7.4–8.0 at 8,192 (five rounds each). mergeBlocks also bounds a group (a merge of
// more blocks, after an index transaction that caught up on a backlog, writes several).
// Lookups read every waiting block's postings: 35–37 µs for a block of 3,000
// (BenchmarkFindPosting), so a few hundred microseconds at most.
var (
	mergeBlocks  = 64
	mergeEntries = 32768
)

// sortPostings orders postings by key (account, attr, value).
func sortPostings(posts []posting) {
	slices.SortFunc(posts, func(a, b posting) int { return comparePostingKeys(a.postingKey, b.postingKey) })
}

func comparePostingKeys(a, b postingKey) int {
	if c := strings.Compare(a.account, b.account); c != 0 {
		return c
	}
	if a.attr != b.attr {
		return a.attr - b.attr
	}
	return strings.Compare(a.value, b.value)
}

// appendPostings encodes a block's postings, in the order given: per posting its account,
// value and positions, each a uvarint length and its bytes, and its attribute, a uvarint.
func appendPostings(b []byte, posts []posting) []byte {
	for _, p := range posts {
		b = binary.AppendUvarint(b, uint64(len(p.account)))
		b = append(b, p.account...)
		b = binary.AppendUvarint(b, uint64(p.attr))
		b = binary.AppendUvarint(b, uint64(len(p.value)))
		b = append(b, p.value...)
		b = binary.AppendUvarint(b, uint64(len(p.positions)))
		b = append(b, p.positions...)
	}
	return b
}

var errBadPostings = errors.New("sqlite: damaged block postings")

// eachPosting calls fn with each posting b encodes (its positions alias b; its strings are
// copies, one account string for a run of postings of one account) until fn returns false.
func eachPosting(b []byte, fn func(p posting) bool) error {
	var account string // postings of one account follow each other: one string for them all
	return eachRawPosting(b, func(a []byte, attr int, value, positions []byte) bool {
		if string(a) != account {
			account = string(a)
		}
		return fn(posting{postingKey{account, attr, string(value)}, positions})
	})
}

// eachRawPosting is eachPosting with the posting's account and value as they are in b.
func eachRawPosting(b []byte, fn func(account []byte, attr int, value, positions []byte) bool) error {
	r := payloadReader{b: b}
	for len(r.b) > 0 {
		account := r.bytes()
		attr := r.uvarint()
		value := r.bytes()
		positions := r.bytes()
		if r.bad || attr > postID {
			return errBadPostings
		}
		if !fn(account, int(attr), value, positions) {
			return nil
		}
	}
	return nil
}

// decodePostings returns the postings b encodes.
func decodePostings(b []byte) ([]posting, error) {
	var out []posting
	err := eachPosting(b, func(p posting) bool {
		out = append(out, p)
		return true
	})
	return out, err
}

// findPosting returns the positions of the posting key in b, nil if it has none.
func findPosting(b []byte, key postingKey) ([]byte, error) {
	var found []byte
	err := eachRawPosting(b, func(account []byte, attr int, value, positions []byte) bool {
		if attr == key.attr && string(value) == key.value && string(account) == key.account {
			found = positions
			return false
		}
		return true
	})
	return found, err
}

// putUnmerged stores the postings of the block from Seq first to wait for a merge.
func (db *DB) putUnmerged(ctx context.Context, tx *sql.Tx, first int64, posts []posting) error {
	// The statement copies the bytes it is bound to: the buffer is the next block's.
	db.scratch.encoded = appendPostings(db.scratch.encoded[:0], posts)
	if _, err := tx.StmtContext(ctx, db.putBlockPostings).ExecContext(ctx, first, len(posts), db.scratch.encoded); err != nil {
		return fmt.Errorf("sqlite: event block %d: postings: %w", first, err)
	}
	return nil
}

// A merge moves the postings of the blocks it takes, a group, into event_postings as one row
// per key (migration 0016): the row's first_seq is the group's first block, and an
// event_posting_groups row names the group's blocks and their time span, which lookups by
// time read. Rows of a key are ordered as their groups, which do not overlap.

// group is an event_posting_groups row: the blocks from first to last (each a first Seq).
type group struct {
	first, last int64
}

// blockPart is the positions of a posting in one block of a group.
type blockPart struct {
	block     int64
	positions []byte
}

// appendParts encodes the parts of a posting in group g, in block order: per block its
// distance from the one before (the first's from g.first) and its positions, a uvarint length
// and the bytes. In a group of one block, the positions alone.
func appendParts(b []byte, g group, parts []blockPart) []byte {
	if g.first == g.last {
		return append(b, parts[0].positions...)
	}
	prev := g.first
	for _, p := range parts {
		b = binary.AppendUvarint(b, uint64(p.block-prev))
		b = binary.AppendUvarint(b, uint64(len(p.positions)))
		b = append(b, p.positions...)
		prev = p.block
	}
	return b
}

// eachPart calls fn with each part b encodes for group g (positions alias b) until fn
// returns false. A row must name at least one block, each in the group, in increasing order.
func eachPart(b []byte, g group, fn func(p blockPart) bool) error {
	if len(b) == 0 {
		return errBadPostings
	}
	if g.first == g.last {
		fn(blockPart{g.first, b})
		return nil
	}
	r := payloadReader{b: b}
	prev := g.first
	for i := 0; len(r.b) > 0; i++ {
		d := r.uvarint()
		pos := r.bytes()
		if r.bad || i > 0 && d == 0 || d > uint64(g.last-prev) || len(pos) == 0 {
			return errBadPostings
		}
		prev += int64(d)
		if !fn(blockPart{prev, pos}) {
			return nil
		}
	}
	return nil
}

// insertPosting inserts the posting key of group g with its parts, using st (db.putPosting).
func insertPosting(ctx context.Context, st *sql.Stmt, g group, key postingKey, parts []blockPart, buf []byte) ([]byte, error) {
	buf = appendParts(buf[:0], g, parts)
	if _, err := st.ExecContext(ctx, key.account, key.attr, key.value, g.first, buf); err != nil {
		return buf, fmt.Errorf("sqlite: event blocks %d to %d: posting %d %q: %w", g.first, g.last, key.attr, key.value, err)
	}
	return buf, nil
}

// insertGroup records group g, its time span that of its blocks.
func insertGroup(ctx context.Context, tx *sql.Tx, g group) error {
	// coalesce, OR REPLACE: blocks that are not there, or a group row that is (damage, which
	// CheckBlocks reports), must not fail a merge, and so every later index transaction.
	_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO event_posting_groups (first_seq, last_seq, t_min, t_max)
		SELECT ?, ?, coalesce(min(t_min), 0), coalesce(max(t_max), 0) FROM event_blocks WHERE first_seq BETWEEN ? AND ?`, g.first, g.last, g.first, g.last)
	if err != nil {
		return fmt.Errorf("sqlite: event blocks %d to %d: group: %w", g.first, g.last, err)
	}
	return nil
}

// mergeIfDue merges the waiting postings once mergeBlocks blocks or mergeEntries postings
// wait.
func (db *DB) mergeIfDue(ctx context.Context, tx *sql.Tx) error {
	var blocks, entries int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(entries), 0) FROM event_block_postings`).Scan(&blocks, &entries); err != nil {
		return fmt.Errorf("sqlite: merge postings: %w", err)
	}
	if blocks < int64(mergeBlocks) && entries < int64(mergeEntries) {
		return nil
	}
	return db.mergePostings(ctx, tx, entries)
}

// blockPosting is a posting of one block, as a merge collects them.
type blockPosting struct {
	posting
	block int64
}

// mergePostings moves every waiting block's postings into event_postings, in key order, as
// groups of at most mergeBlocks blocks (an index transaction that catches up on a backlog
// writes hundreds of blocks). entries is the waiting blocks' count of postings (mergeIfDue's).
func (db *DB) mergePostings(ctx context.Context, tx *sql.Tx, entries int64) error {
	// The count only sizes the slice: a damaged one must not allocate without bound.
	all := make([]blockPosting, 0, min(max(entries, 0), 1<<20)) // in block order
	var firsts []int64
	rows, err := tx.QueryContext(ctx, `SELECT first_seq, postings FROM event_block_postings ORDER BY first_seq`)
	if err != nil {
		return fmt.Errorf("sqlite: merge postings: %w", err)
	}
	for rows.Next() {
		var first int64
		var b []byte
		if err := rows.Scan(&first, &b); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: merge postings: %w", err)
		}
		firsts = append(firsts, first)
		had := len(all)
		if err := eachPosting(b, func(p posting) bool {
			all = append(all, blockPosting{p, first})
			return true
		}); err != nil {
			// Damage (iamd trail verify reports the block's postings missing): it must not
			// stop every later index transaction, and so every mutation.
			db.logger.Error("audit: the lookup postings of an event block do not decode; left out of the merge", "block", first, "err", err)
			all = all[:had]
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: merge postings: %w", err)
	}
	for len(firsts) > 0 {
		n := min(len(firsts), max(mergeBlocks, 1))
		g := group{firsts[0], firsts[n-1]}
		k := 0
		for k < len(all) && all[k].block <= g.last {
			k++
		}
		if err := db.insertGrouped(ctx, tx, g, all[:k]); err != nil {
			return fmt.Errorf("sqlite: merge postings: %w", err)
		}
		firsts, all = firsts[n:], all[k:]
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_block_postings`); err != nil {
		return fmt.Errorf("sqlite: merge postings: %w", err)
	}
	return nil
}

// insertGrouped inserts the postings of group g's blocks (in block order) as one row per key,
// and the group.
func (db *DB) insertGrouped(ctx context.Context, tx *sql.Tx, g group, all []blockPosting) error {
	// Stable: a key's blocks stay in order.
	slices.SortStableFunc(all, func(a, b blockPosting) int { return comparePostingKeys(a.postingKey, b.postingKey) })
	st := tx.StmtContext(ctx, db.putPosting)
	var parts []blockPart
	var buf []byte
	for i := 0; i < len(all); {
		key := all[i].postingKey
		parts = parts[:0]
		for ; i < len(all) && all[i].postingKey == key; i++ {
			// A key twice in a block (damage, which CheckBlocks reports): the first kept.
			if n := len(parts); n == 0 || parts[n-1].block != all[i].block {
				parts = append(parts, blockPart{all[i].block, all[i].positions})
			}
		}
		var err error
		if buf, err = insertPosting(ctx, st, g, key, parts, buf); err != nil {
			return err
		}
	}
	return insertGroup(ctx, tx, g)
}

// postingsOf returns the postings of the block from Seq first, from wherever they are, and
// whether they wait for a merge. Postings in both places are damage.
func postingsOf(ctx context.Context, qr querier, first int64) (posts []posting, unmerged bool, err error) {
	return (&postingsReader{qr: qr}).of(ctx, first)
}

// postingsReader reads blocks' postings, keeping the last group's (CheckBlocks reads every
// block of a group in turn).
type postingsReader struct {
	qr    querier
	g     group
	parts map[int64][]posting // the postings of g's blocks; nil: none read
}

// of returns the postings of the block from Seq first and whether they wait for a merge.
func (r *postingsReader) of(ctx context.Context, first int64) (posts []posting, unmerged bool, err error) {
	var b []byte
	switch err := r.qr.QueryRowContext(ctx, `SELECT postings FROM event_block_postings WHERE first_seq = ?`, first).Scan(&b); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, false, err
	default:
		if posts, err = decodePostings(b); err != nil {
			return nil, false, fmt.Errorf("%w of block %d", err, first)
		}
		unmerged = true
	}
	if r.parts == nil || first < r.g.first || first > r.g.last {
		var g group
		switch err := r.qr.QueryRowContext(ctx, `SELECT first_seq, last_seq FROM event_posting_groups WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`, first).Scan(&g.first, &g.last); {
		case errors.Is(err, sql.ErrNoRows):
			return posts, unmerged, nil
		case err != nil:
			return nil, false, err
		}
		if g.last < first {
			return posts, unmerged, nil
		}
		if r.parts, err = groupPostings(ctx, r.qr, g); err != nil {
			r.parts = nil
			return nil, false, err
		}
		r.g = g
	}
	merged := r.parts[first]
	if unmerged && len(merged) > 0 {
		return nil, false, fmt.Errorf("%w: block %d has postings waiting and merged", errBadPostings, first)
	}
	return append(posts, merged...), unmerged, nil
}

// groupPostings returns the postings of group g's blocks, by block.
func groupPostings(ctx context.Context, qr querier, g group) (map[int64][]posting, error) {
	out := map[int64][]posting{}
	err := eachGroupRow(ctx, qr, g, func(key postingKey, b []byte) error {
		err := eachPart(b, g, func(p blockPart) bool {
			out[p.block] = append(out[p.block], posting{key, p.positions})
			return true
		})
		if err != nil {
			return fmt.Errorf("%w: %s %q of the blocks %d to %d", err, attrName(key.attr), key.value, g.first, g.last)
		}
		return nil
	})
	return out, err
}

// eachGroupRow calls fn with the key and the parts (undecoded) of each event_postings row of
// group g, until fn fails.
func eachGroupRow(ctx context.Context, qr querier, g group, fn func(key postingKey, b []byte) error) error {
	rows, err := qr.QueryContext(ctx, `SELECT account, attr, value, positions FROM event_postings WHERE first_seq = ?`, g.first)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var key postingKey
		var b []byte
		if err := rows.Scan(&key.account, &key.attr, &key.value, &b); err != nil {
			return err
		}
		if err := fn(key, b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanUnmerged adds to out the records of the posting (attr, value) matching f in the blocks
// whose postings wait for a merge, newest first; done reports that out holds f.Limit.
func (db *DB) scanUnmerged(ctx context.Context, qr querier, f store.EventFilter, attr int, value string, out *[]*store.StoredEvent) (done bool, err error) {
	// CROSS JOIN: SQLite then reads the few waiting blocks and looks each up, instead of
	// reading every block of a time range by event_blocks_time (46 ms at p99 over 10⁶ records).
	where, args := blockWindow(f, "u.first_seq", nil)
	q := `SELECT u.first_seq, u.postings FROM event_block_postings AS u CROSS JOIN event_blocks AS b ON b.first_seq = u.first_seq
		WHERE 1 = 1` + where + ` ORDER BY u.first_seq DESC`
	// The matching blocks are found first, and read after (their meta is large).
	type match struct {
		first     int64
		positions []byte
	}
	var found []match
	rows, err := qr.QueryContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("sqlite: events: %w", err)
	}
	key := postingKey{account: f.Account, attr: attr, value: value}
	for rows.Next() {
		var first int64
		var b []byte
		if err := rows.Scan(&first, &b); err != nil {
			rows.Close()
			return false, fmt.Errorf("sqlite: events: %w", err)
		}
		pos, err := findPosting(b, key)
		if err != nil {
			rows.Close()
			return false, fmt.Errorf("sqlite: events: %w of block %d", err, first)
		}
		if pos != nil {
			found = append(found, match{first, slices.Clone(pos)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("sqlite: events: %w", err)
	}
	for _, m := range found {
		b, err := readBlockAt(ctx, qr, m.first)
		if err != nil {
			return false, fmt.Errorf("sqlite: events: %w", err)
		}
		pos, err := newestFirst(b, m.positions)
		if err != nil {
			return false, fmt.Errorf("sqlite: events: %w", err)
		}
		if done, err := db.addMatches(f, b, candidates(f, b, pos), out); err != nil || done {
			return done, err
		}
	}
	return false, nil
}

// readBlockAt reads the block from Seq first.
func readBlockAt(ctx context.Context, qr querier, first int64) (*block, error) {
	b, err := readBlock(qr.QueryRowContext(ctx, `SELECT first_seq, n, file, meta FROM event_blocks WHERE first_seq = ?`, first))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: postings of block %d, which is not there", errBadPostings, first)
	}
	return b, err
}
