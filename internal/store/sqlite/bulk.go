package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/iamd-dev/iamd/internal/store"
)

// EventIDsPresent returns which of ids the account's trail already holds, in one query per
// 500 IDs instead of one Events call per ID (trail import checks every record it reads).
func (db *DB) EventIDsPresent(ctx context.Context, account string, ids []string) (map[string]bool, error) {
	if err := db.catchUp(ctx); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	var blocks bool
	err := db.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM event_blocks)`).Scan(&blocks)
	if err != nil {
		return nil, fmt.Errorf("sqlite: event IDs present: %w", err)
	}
	if blocks {
		// Records indexed from the journal (the server's own trail): one lookup each, in one
		// snapshot (a lookup reads waiting postings, then the blocks they name).
		tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("sqlite: event IDs present: %w", err)
		}
		defer tx.Rollback()
		for _, id := range ids {
			evs, err := db.blockMatches(ctx, tx, store.EventFilter{Account: account, ID: id, Limit: 1})
			if err != nil {
				return nil, err
			}
			if len(evs) > 0 {
				out[id] = true
			}
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, account)
		rows, err := db.r.QueryContext(ctx, `SELECT event_id FROM events WHERE event_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) AND +account = ?`, args...) // +account: look up by event_id, not by scanning the account
		if err != nil {
			return nil, fmt.Errorf("sqlite: event IDs present: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: event IDs present: %w", err)
			}
			out[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlite: event IDs present: %w", err)
		}
	}
	return out, nil
}

// ForBulkLoad prepares the write connection for a long series of large appends into a trail
// that does not fit SQLite's default 2 MB page cache (trail import): a page cache of about
// cacheBytes, so that the indexes' pages are written once per transaction instead of read
// back and rewritten, and no fsync until FinishBulkLoad, so that the disk writes the pages in
// the background while the load goes on. Until then a crash of the process loses nothing it
// committed, but a crash of the machine can lose or corrupt the load: callers must report
// success only after FinishBulkLoad.
func (db *DB) ForBulkLoad(ctx context.Context, cacheBytes int64) error {
	for _, p := range []string{fmt.Sprintf("PRAGMA cache_size = %d", -cacheBytes/1024), "PRAGMA synchronous = OFF"} {
		if _, err := db.w.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("sqlite: bulk load: %w", err)
		}
	}
	return nil
}

// FinishBulkLoad makes everything loaded since ForBulkLoad durable: it restores synchronous
// commits and checkpoints the write-ahead log into the database file, syncing both.
func (db *DB) FinishBulkLoad(ctx context.Context) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	for _, p := range []string{"PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -2000", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.w.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("sqlite: finish bulk load: %w", err)
		}
	}
	return nil
}

// DeferEventIndexes drops the events table's secondary indexes (lookup by name, event ID,
// user name and access key) for a bulk load into an empty trail, and records them in
// deferred_indexes in the same transaction: building an index once over the loaded rows costs
// far less than inserting every record into it in random order. RestoreEventIndexes builds
// them again; until then lookups work but scan. Callers that load into a trail that is not
// empty, or that need event IDs looked up while loading, should not defer.
func (db *DB) DeferEventIndexes(ctx context.Context) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL`)
		if err != nil {
			return err
		}
		var names, defs []string
		for rows.Next() {
			var n, d string
			if err := rows.Scan(&n, &d); err != nil {
				rows.Close()
				return err
			}
			names, defs = append(names, n), append(defs, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, n := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO deferred_indexes (name, sql) VALUES (?, ?)`, n, defs[i]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DROP INDEX "`+strings.ReplaceAll(n, `"`, `""`)+`"`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: defer event indexes: %w", err)
	}
	return nil
}

// RestoreEventIndexes builds the indexes DeferEventIndexes dropped (also after an interrupted
// load), each in its own transaction.
func (db *DB) RestoreEventIndexes(ctx context.Context) error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	rows, err := db.w.QueryContext(ctx, `SELECT name, sql FROM deferred_indexes ORDER BY name`)
	if err != nil {
		return fmt.Errorf("sqlite: restore event indexes: %w", err)
	}
	var names, defs []string
	for rows.Next() {
		var n, d string
		if err := rows.Scan(&n, &d); err != nil {
			rows.Close()
			return fmt.Errorf("sqlite: restore event indexes: %w", err)
		}
		names, defs = append(names, n), append(defs, d)
	}
	rows.Close()
	for i, n := range names {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, defs[i]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM deferred_indexes WHERE name = ?`, n)
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlite: restore index %s: %w", n, err)
		}
	}
	return nil
}
