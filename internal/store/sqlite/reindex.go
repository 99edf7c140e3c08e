package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// reindexVersion is the schema_migrations version of reindexEvents, a migration in Go: it
// needs audit.Summarize, which SQL cannot run. Go migrations are numbered from 10001 so that
// no migrations/NNNN_*.sql file ever takes their number.
const reindexVersion = 10001

// reindexEvents gives every stored event the lookup columns (and event_resources rows) its
// record implies (audit.Summarize), once. Earlier versions derived some columns differently
// (web identity and SAML users had no user name, AssumeRole was not indexed by role name,
// imported records not by their request parameters), so that `iamd trail verify`, which
// checks the columns against the records, would report those rows as edited. Only rows whose
// columns differ are written; the record, its hash and the chain are untouched.
func (db *DB) reindexEvents(ctx context.Context) error {
	var n int
	if err := db.w.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, reindexVersion).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: reindex events: %w", err)
	}
	if n > 0 {
		return nil
	}
	fixed := 0
	for after := int64(0); ; {
		var last int64
		var batch int
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT seq, time, account, source, name, event_id, username, access_key, read_only, resources, record, record_file, record_at, record_len
				FROM events WHERE seq > ? ORDER BY seq LIMIT 1000`, after)
			if err != nil {
				return err
			}
			type fix struct {
				seq       int64
				old, want audit.Summary
			}
			var fixes []fix
			for rows.Next() {
				var s audit.Summary
				var seq, ns int64
				var res string
				var rec []byte
				var loc recordLoc
				if err := rows.Scan(&seq, &ns, &s.Account, &s.Source, &s.Name, &s.ID, &s.Username, &s.AccessKey, &s.ReadOnly, &res, &rec, &loc.gen, &loc.at, &loc.n); err != nil {
					rows.Close()
					return err
				}
				if loc.gen != 0 {
					ev := []*store.StoredEvent{{Seq: seq}}
					if err := db.recs.fill(ev, []recordLoc{loc}); err != nil {
						rows.Close()
						return err
					}
					rec = ev[0].Record
				}
				batch++
				last = seq
				s.Time = time.Unix(0, ns).UTC()
				if res != "" {
					s.Resources = strings.Split(strings.Trim(res, "\n"), "\n")
				}
				want, err := audit.CheckIndex(seq, rec, s)
				var ce *audit.ChainError
				if err == nil || !errors.As(err, &ce) || ce.Field == "record" {
					continue // as the record says, or a record no columns can describe
				}
				if s.Time.Truncate(time.Second).Equal(want.Time) {
					want.Time = s.Time // keep the finer time the row has
				}
				fixes = append(fixes, fix{seq, s, want})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, f := range fixes {
				if err := reindexRow(ctx, tx, f.seq, f.old, f.want); err != nil {
					return err
				}
			}
			fixed += len(fixes)
			return nil
		})
		if err != nil {
			return fmt.Errorf("sqlite: reindex events after %d: %w", after, err)
		}
		if batch < 1000 {
			break
		}
		after = last
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, reindexVersion, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("sqlite: reindex events: %w", err)
	}
	if fixed > 0 {
		db.logger.Info("audit trail: lookup columns derived again from their records", "events", fixed)
	}
	return nil
}

// reindexRow writes the columns want to event seq, whose columns were old.
func reindexRow(ctx context.Context, tx *sql.Tx, seq int64, old, want audit.Summary) error {
	res := ""
	if len(want.Resources) > 0 {
		res = "\n" + strings.Join(want.Resources, "\n") + "\n"
	}
	_, err := tx.ExecContext(ctx, `UPDATE events SET time = ?, account = ?, source = ?, name = ?, event_id = ?, username = ?, access_key = ?, read_only = ?, resources = ? WHERE seq = ?`,
		want.Time.UnixNano(), want.Account, want.Source, want.Name, want.ID, want.Username, want.AccessKey, want.ReadOnly, res, seq)
	if err != nil {
		return err
	}
	for _, k := range old.Resources {
		typ, name, _ := strings.Cut(k, "\x00")
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_resources WHERE account = ? AND name = ? AND seq = ? AND type = ?`, old.Account, name, seq, typ); err != nil {
			return err
		}
	}
	for _, k := range want.Resources {
		typ, name, _ := strings.Cut(k, "\x00")
		if _, err := tx.ExecContext(ctx, insertResourceSQL, want.Account, name, typ, seq); err != nil {
			return err
		}
	}
	return nil
}
