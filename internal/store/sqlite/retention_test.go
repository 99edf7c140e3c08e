package sqlite

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

func appendResourceEvents(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		ev := &store.Event{Time: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC), Account: "123456789012", Name: "TagUser", ID: fmt.Sprint(i),
			Resources: []string{"AWS::IAM::User\x00u" + fmt.Sprint(i%3), "AWS::IAM::Policy\x00p"}, Record: []byte(fmt.Sprintf(`{"i":%d}`, i))}
		if err := db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, ev) }); err != nil {
			t.Fatal(err)
		}
	}
}

// resourceRows counts the event_resources rows, and those whose event is gone.
func resourceRows(t *testing.T, db *DB) (all, orphans int) {
	t.Helper()
	err := db.r.QueryRow(`SELECT count(*), count(*) FILTER (WHERE seq NOT IN (SELECT seq FROM events)) FROM event_resources`).Scan(&all, &orphans)
	if err != nil {
		t.Fatal(err)
	}
	return all, orphans
}

// TestPruneDropsResourceIndex: the resource index rows of pruned events go with them.
func TestPruneDropsResourceIndex(t *testing.T) {
	db := open(t).(*DB)
	appendResourceEvents(t, db, 6)
	if all, orphans := resourceRows(t, db); all != 12 || orphans != 0 {
		t.Fatalf("before pruning: %d rows, %d orphans; want 12, 0", all, orphans)
	}
	if n, err := db.Prune(context.Background(), 5); err != nil || n != 4 {
		t.Fatalf("Prune(5) = %d, %v; want 4", n, err)
	}
	if all, orphans := resourceRows(t, db); all != 4 || orphans != 0 {
		t.Errorf("after pruning 4 of 6 events: %d rows, %d orphans; want 4, 0", all, orphans)
	}
}

// TestMigration3IndexesExistingTrail: upgrading a database from migration 2 (through 3 and 4) indexes the
// resources of the events it already holds.
func TestMigration3IndexesExistingTrail(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	db, err := Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	appendResourceEvents(t, db, 5)
	// Back to the schema of migration 2.
	for _, q := range []string{`DROP TRIGGER entities_count_insert`, `DROP TRIGGER entities_count_delete`, `DROP TABLE entity_counts`, `DROP TABLE record_journal`, `DROP TABLE deferred_indexes`, `DROP TRIGGER events_resources_delete`, `DROP TABLE event_resources`, `DROP TABLE event_posting_groups`, `DROP TABLE event_block_postings`, `DROP TABLE event_postings`, `DROP TABLE event_blocks`,
		`DROP INDEX events_username`, `DROP INDEX events_access_key`,
		`ALTER TABLE events DROP COLUMN record_file`, `ALTER TABLE events DROP COLUMN record_at`, `ALTER TABLE events DROP COLUMN record_len`,
		`DELETE FROM schema_migrations WHERE version >= 3`} {
		if _, err := db.w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err = Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if all, _ := resourceRows(t, db); all != 10 {
		t.Errorf("after the upgrade: %d resource rows, want 10 (2 for each of 5 events)", all)
	}
	evs, err := db.Events(ctx, store.EventFilter{Account: "123456789012", Resource: "AWS::IAM::User\x00u1"})
	if err != nil || len(evs) != 2 || evs[0].ID != "4" || evs[1].ID != "1" {
		t.Errorf("lookup of u1 after the upgrade = %d events, %v; want events 4 and 1", len(evs), err)
	}
}
