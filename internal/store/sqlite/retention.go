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
// events older than t: what a retention prune then deletes.
func (db *DB) SeqAt(ctx context.Context, t time.Time) (int64, error) {
	if err := db.catchUp(ctx); err != nil {
		return 0, err
	}
	var seq int64
	err := db.r.QueryRowContext(ctx, `SELECT seq FROM events WHERE time >= ? ORDER BY seq LIMIT 1`, t.UTC().UnixNano()).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		err = db.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM events`).Scan(&seq)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: first event at %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	return seq, nil
}

// SeqFitting sums record sizes from the newest event back (length() of a blob does not read
// its content; a record kept in a journal file counts its record_len) and returns the Seq after the newest event that no longer fits, or 0.
func (db *DB) SeqFitting(ctx context.Context, maxBytes int64) (int64, error) {
	if err := db.catchUp(ctx); err != nil {
		return 0, err
	}
	var seq int64
	err := db.r.QueryRowContext(ctx, `SELECT seq + 1 FROM (
			SELECT seq, sum(length(record) + record_len) OVER (ORDER BY seq DESC ROWS UNBOUNDED PRECEDING) AS total FROM events
		) WHERE total > ? ORDER BY seq DESC LIMIT 1`, maxBytes).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: events within %d bytes: %w", maxBytes, err)
	}
	return seq, nil
}
