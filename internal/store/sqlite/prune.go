package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

// Prune deletes events before beforeSeq, keeping the last event (the chain head, from which
// the next append links), and records the checkpoint in the same transaction. A block the cut
// falls in is written again with the records it keeps.
func (db *DB) Prune(ctx context.Context, beforeSeq int64) (int64, error) {
	if err := db.catchUp(ctx); err != nil {
		return 0, err
	}
	db.wmu.Lock()
	defer db.wmu.Unlock()
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		last, _, ok, err := db.chainEnd(ctx, tx)
		if err != nil || !ok {
			return err
		}
		beforeSeq = min(beforeSeq, last)
		seq, h, ok, err := db.lastBefore(ctx, tx, beforeSeq)
		if err != nil || !ok {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, seq)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		cut, err := db.cutBlocks(ctx, tx, seq)
		if err != nil {
			return err
		}
		n += cut
		_, err = tx.ExecContext(ctx, `INSERT INTO trail_checkpoint (id, seq, hash) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, seq, h[:])
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune events before %d: %w", beforeSeq, err)
	}
	if n > 0 && db.j != nil {
		if err := db.retireFiles(ctx, retireDelay); err != nil {
			db.logger.Warn("audit: finding record journal files no event refers to", "err", err)
		}
	}
	return n, nil
}

// lastBefore returns the Seq and chain hash of the last event before Seq before.
func (db *DB) lastBefore(ctx context.Context, tx *sql.Tx, before int64) (seq int64, hash [32]byte, ok bool, err error) {
	var h []byte
	err = tx.StmtContext(ctx, db.lastEvent).QueryRowContext(ctx, before).Scan(&seq, &h)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, hash, false, err
	default:
		copy(hash[:], h)
		ok = true
	}
	var first, n int64
	err = tx.StmtContext(ctx, db.lastBlock).QueryRowContext(ctx, before).Scan(&first, &n, &h)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return seq, hash, ok, nil
	case err != nil:
		return 0, hash, false, err
	case ok && first+n-1 < seq:
		return seq, hash, ok, nil
	case first+n-1 < before:
		copy(hash[:], h)
		return first + n - 1, hash, true, nil
	}
	// The block goes on past before: the hash of its record before-1 is in its meta.
	b, err := readBlock(tx.QueryRowContext(ctx, `SELECT first_seq, n, file, meta FROM event_blocks WHERE first_seq = ?`, first))
	if err != nil {
		return 0, hash, false, err
	}
	return before - 1, b.recs[before-1-b.first].hash, true, nil
}

// cutBlocks deletes the block records up to Seq seq and returns how many. Blocks hold
// consecutive Seqs, so only the last block beginning by seq can go on past it: that one is
// written again as a block from seq+1 with its postings shifted (no journal file is read: a
// prune works when a file is lost); the blocks before it go whole.
func (db *DB) cutBlocks(ctx context.Context, tx *sql.Tx, seq int64) (int64, error) {
	whole := seq // the blocks beginning by whole go whole
	var straddling *block
	b, err := readBlock(tx.QueryRowContext(ctx, `SELECT first_seq, n, file, meta FROM event_blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`, seq))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, err
	case b.first+int64(b.n)-1 > seq:
		straddling, whole = b, b.first-1
	}
	var n sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT sum(n) FROM event_blocks WHERE first_seq <= ?`, whole).Scan(&n); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_blocks WHERE first_seq <= ?`, whole); err != nil {
		return 0, err
	}
	keep := 0 // records dropped from the front of straddling
	if straddling != nil {
		keep = int(seq + 1 - straddling.first)
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_blocks WHERE first_seq = ?`, straddling.first); err != nil {
			return 0, err
		}
		if err := db.insertBlock(ctx, tx, straddling.first+int64(keep), straddling.file, straddling.recs[keep:]); err != nil {
			return 0, err
		}
	}
	// The postings after the blocks: a group's time span is its blocks'.
	if err := db.cutPostings(ctx, tx, whole, straddling, keep); err != nil {
		return 0, err
	}
	return n.Int64 + int64(keep), nil
}

// cutPostings deletes the postings of the blocks beginning by whole, and shifts those of the
// block s (nil: none), which lost its first k records: the rest are a block from Seq s.first+k.
func (db *DB) cutPostings(ctx context.Context, tx *sql.Tx, whole int64, s *block, k int) error {
	for _, q := range []string{
		`DELETE FROM event_block_postings WHERE first_seq <= ?`,
		`DELETE FROM event_postings WHERE first_seq IN (SELECT first_seq FROM event_posting_groups WHERE last_seq <= ?)`,
		`DELETE FROM event_posting_groups WHERE last_seq <= ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, whole); err != nil {
			return err
		}
	}
	// Groups do not overlap, so only the last one beginning by s (or by whole) can go on.
	upTo := whole
	if s != nil {
		upTo = s.first
		if err := db.shiftWaiting(ctx, tx, s, k); err != nil {
			return err
		}
	}
	var g group
	switch err := tx.QueryRowContext(ctx, `SELECT first_seq, last_seq FROM event_posting_groups WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`, upTo).Scan(&g.first, &g.last); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return db.rewriteGroup(ctx, tx, g, func(p blockPart) (blockPart, error) {
		switch {
		case p.block <= whole:
			return blockPart{}, nil
		case s != nil && p.block == s.first:
			pos, err := shiftPositions(p.positions, s, k)
			return blockPart{s.first + int64(k), pos}, err
		}
		return p, nil
	})
}

// shiftWaiting shifts the waiting postings of block s, if they wait, by k records.
func (db *DB) shiftWaiting(ctx context.Context, tx *sql.Tx, s *block, k int) error {
	var b []byte
	switch err := tx.QueryRowContext(ctx, `SELECT postings FROM event_block_postings WHERE first_seq = ?`, s.first).Scan(&b); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	posts, err := decodePostings(b)
	if err != nil {
		return fmt.Errorf("%w of block %d", err, s.first)
	}
	kept := posts[:0]
	for _, p := range posts {
		if p.positions, err = shiftPositions(p.positions, s, k); err != nil {
			return err
		}
		if p.positions != nil {
			kept = append(kept, p)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_block_postings WHERE first_seq = ?`, s.first); err != nil {
		return err
	}
	// It stays where it was: the waiting blocks remain the newest.
	return db.putUnmerged(ctx, tx, s.first+int64(k), kept)
}

// shiftPositions returns the positions of a posting of block b past its first k records,
// less k (nil: none).
func shiftPositions(positions []byte, b *block, k int) ([]byte, error) {
	pos, err := decodePositions(positions, b.n)
	if err != nil {
		return nil, fmt.Errorf("posting of block %d: %w", b.first, err)
	}
	shifted := postingList{last: -1}
	for _, i := range pos {
		if i >= k {
			shifted.add(i - k)
		}
	}
	return shifted.b, nil
}

// rewriteGroup writes group g's postings again, each part as fn returns it (positions nil:
// dropped), as the group of the blocks still named. A row that does not decode, or a part fn
// fails on, is dropped and logged: damage (which CheckBlocks reports as postings missing) must
// not stop retention.
func (db *DB) rewriteGroup(ctx context.Context, tx *sql.Tx, g group, fn func(blockPart) (blockPart, error)) error {
	type row struct {
		key   postingKey
		parts []blockPart
	}
	var kept []row
	ng := group{first: 1<<63 - 1, last: -1 << 63}
	err := eachGroupRow(ctx, tx, g, func(key postingKey, b []byte) error {
		r := row{key: key}
		err := eachPart(b, g, func(p blockPart) bool {
			q, err := fn(p)
			switch {
			case err != nil:
				db.logger.Error("audit: a lookup posting of an event block does not decode; dropped by the prune", "block", p.block, "err", err)
			case q.positions != nil:
				r.parts = append(r.parts, q)
			}
			return true
		})
		if err != nil {
			db.logger.Error("audit: lookup postings of event blocks do not decode; dropped by the prune", "blocks", g.first, "err", err)
			return nil
		}
		if len(r.parts) > 0 {
			kept = append(kept, r)
			ng.first, ng.last = min(ng.first, r.parts[0].block), max(ng.last, r.parts[len(r.parts)-1].block)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_postings WHERE first_seq = ?`, g.first); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM event_posting_groups WHERE first_seq = ?`, g.first); err != nil {
		return err
	}
	if len(kept) == 0 {
		return nil
	}
	st := tx.StmtContext(ctx, db.putPosting)
	var buf []byte
	for _, r := range kept {
		if buf, err = insertPosting(ctx, st, ng, r.key, r.parts, buf); err != nil {
			return err
		}
	}
	return insertGroup(ctx, tx, ng)
}

// retireFiles hands the journal the generations no event refers to any more: below the
// oldest journaled event's (events are journaled in file order). Without journaled events,
// every file indexed is unreferenced. Files go once delay has passed since a call found them
// so. Called with wmu held or before the indexer starts, so no index transaction runs.
func (db *DB) retireFiles(ctx context.Context, delay time.Duration) error {
	gen := int64(1 << 62)
	for _, q := range []string{`SELECT record_file FROM events WHERE record_file > 0 ORDER BY seq LIMIT 1`, `SELECT file FROM event_blocks ORDER BY first_seq LIMIT 1`} {
		var g int64
		err := db.w.QueryRowContext(ctx, q).Scan(&g)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			gen = min(gen, g)
		}
	}
	db.j.retire(gen, time.Now(), delay)
	return nil
}

// Checkpoint returns the last prune's checkpoint, or the zero Checkpoint.
func (db *DB) Checkpoint(ctx context.Context) (store.Checkpoint, error) {
	var cp store.Checkpoint
	var h []byte
	err := db.r.QueryRowContext(ctx, `SELECT seq, hash FROM trail_checkpoint WHERE id = 1`).Scan(&cp.Seq, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Checkpoint{}, nil
	}
	if err != nil {
		return store.Checkpoint{}, fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	if len(h) != len(cp.Hash) {
		return store.Checkpoint{}, fmt.Errorf("sqlite: checkpoint: hash of %d bytes", len(h))
	}
	copy(cp.Hash[:], h)
	return cp, nil
}
