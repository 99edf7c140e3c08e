package sqlite

import (
	"context"
	"fmt"

	"github.com/iamd-dev/iamd/internal/store"
)

// defaultAutoCheckpoint is SQLite's default wal_autocheckpoint (pages), which Open leaves set.
const defaultAutoCheckpoint = 1000

// BulkUpdate is Update for a transaction that writes much at once (the AWS managed policies on a
// first start): its commit does not checkpoint the write-ahead log, which would copy everything
// it wrote into the database file before returning; a checkpoint runs in the background
// afterwards instead (writers wait for it, readers do not). Durability is Update's: the commit
// is in the WAL either way. done, when not nil, receives the background checkpoint's error (give
// it room for one value).
func (db *DB) BulkUpdate(ctx context.Context, fn func(tx store.Tx) error, done chan<- error) error {
	if _, err := db.w.ExecContext(ctx, "PRAGMA wal_autocheckpoint=0"); err != nil {
		return fmt.Errorf("sqlite: bulk update: %w", err)
	}
	err := db.Update(ctx, fn)
	// The writer pool holds one connection, so these run on the connection that committed.
	if _, rerr := db.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA wal_autocheckpoint=%d", defaultAutoCheckpoint)); rerr != nil && err == nil {
		err = fmt.Errorf("sqlite: bulk update: %w", rerr)
	}
	if err != nil {
		return err
	}
	go func() {
		_, cerr := db.w.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		if cerr != nil {
			db.logger.Warn("background checkpoint after a bulk update failed", "err", cerr)
		}
		if done != nil {
			done <- cerr
		}
	}()
	return nil
}
