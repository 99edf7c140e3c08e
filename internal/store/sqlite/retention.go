package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SeqAt returns the first event's Seq (in Seq order) at or after t, or the next Seq. It walks
// the table from its oldest row and stops at the first match, so its cost is the number of
// events older than t: what a retention prune then deletes. Blocks are found by their latest
// time, and the first record at or after t in the first such block.
func (db *DB) SeqAt(ctx context.Context, t time.Time) (int64, error) {
	if err := db.catchUp(ctx); err != nil {
		return 0, err
	}
	ns := t.UTC().UnixNano()
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("sqlite: first event at %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	seq := int64(1<<63 - 1)
	err := db.r.QueryRowContext(ctx, `SELECT seq FROM events WHERE time >= ? ORDER BY seq LIMIT 1`, ns).Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fail(err)
	}
	b, err := readBlock(db.r.QueryRowContext(ctx, `SELECT first_seq, n, file, meta FROM event_blocks WHERE t_max >= ? ORDER BY first_seq LIMIT 1`, ns))
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fail(err)
	default:
		for i, r := range b.recs {
			if r.time >= ns {
				seq = min(seq, b.first+int64(i))
				break
			}
		}
	}
	if seq != 1<<63-1 {
		return seq, nil
	}
	var last int64
	if err := db.r.QueryRowContext(ctx, LastSeqSQL).Scan(&last); err != nil {
		return fail(err)
	}
	return last + 1, nil
}

// SeqFitting sums record sizes from the newest event back (length() of a blob does not read
// its content; a record kept in a journal file counts its record_len, a block its bytes) and
// returns the Seq after the newest event that no longer fits, or 0.
func (db *DB) SeqFitting(ctx context.Context, maxBytes int64) (int64, error) {
	if err := db.catchUp(ctx); err != nil {
		return 0, err
	}
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("sqlite: events within %d bytes: %w", maxBytes, err)
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT seq, length(record) + record_len FROM events ORDER BY seq DESC`)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	blocks, err := tx.QueryContext(ctx, `SELECT first_seq, n, bytes FROM event_blocks ORDER BY first_seq DESC`)
	if err != nil {
		return fail(err)
	}
	defer blocks.Close()
	// Walk both newest first, a row or a whole block at a time.
	type span struct {
		first, last, bytes int64
		ok                 bool
	}
	nextRow := func() (s span, err error) {
		if rows.Next() {
			err = rows.Scan(&s.first, &s.bytes)
			s.last, s.ok = s.first, err == nil
		}
		return s, errors.Join(err, rows.Err())
	}
	nextBlock := func() (s span, err error) {
		if blocks.Next() {
			var n int64
			err = blocks.Scan(&s.first, &n, &s.bytes)
			s.last, s.ok = s.first+n-1, err == nil
		}
		return s, errors.Join(err, blocks.Err())
	}
	r, err := nextRow()
	if err != nil {
		return fail(err)
	}
	b, err := nextBlock()
	if err != nil {
		return fail(err)
	}
	var total int64
	for r.ok || b.ok {
		if !b.ok || r.ok && r.last > b.last {
			if total += r.bytes; total > maxBytes {
				return r.first + 1, nil
			}
			if r, err = nextRow(); err != nil {
				return fail(err)
			}
			continue
		}
		if total+b.bytes <= maxBytes {
			total += b.bytes
			if b, err = nextBlock(); err != nil {
				return fail(err)
			}
			continue
		}
		// The newest record that no longer fits is in this block.
		blk, err := readBlock(tx.QueryRowContext(ctx, `SELECT first_seq, n, file, meta FROM event_blocks WHERE first_seq = ?`, b.first))
		if err != nil {
			return fail(err)
		}
		for i := blk.n - 1; i >= 0; i-- {
			if total += int64(blk.recs[i].recLen); total > maxBytes {
				return blk.first + int64(i) + 1, nil
			}
		}
		return fail(fmt.Errorf("event block %d holds fewer bytes than it says", b.first))
	}
	return 0, nil
}
