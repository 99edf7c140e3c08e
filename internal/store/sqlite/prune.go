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
// the next append links), and records the checkpoint in the same transaction.
func (db *DB) Prune(ctx context.Context, beforeSeq int64) (int64, error) {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM events`).Scan(&last); err != nil {
			return err
		}
		if !last.Valid {
			return nil
		}
		beforeSeq = min(beforeSeq, last.Int64)
		var seq int64
		var h []byte
		err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM events WHERE seq < ? ORDER BY seq DESC LIMIT 1`, beforeSeq).Scan(&seq, &h)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, seq)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO trail_checkpoint (id, seq, hash) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, seq, h)
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

// retireFiles hands the journal the generations no event refers to any more: below the
// oldest journaled event's (events are journaled in file order). Without journaled events,
// every file indexed is unreferenced. Files go once delay has passed since a call found them
// so. Called with wmu held or before the indexer starts, so no index transaction runs.
func (db *DB) retireFiles(ctx context.Context, delay time.Duration) error {
	var gen int64
	err := db.w.QueryRowContext(ctx, `SELECT record_file FROM events WHERE record_file > 0 ORDER BY seq LIMIT 1`).Scan(&gen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		gen = 1 << 62
	case err != nil:
		return err
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
