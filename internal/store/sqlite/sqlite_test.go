package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	db, err := Config{Path: filepath.Join(t.TempDir(), "iamd.db")}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

// TestConformanceNoJournal: the same contract when Record writes its own transactions (as it
// does when another process holds the record journal).
func TestConformanceNoJournal(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := Config{Path: filepath.Join(t.TempDir(), "iamd.db"), NoJournal: true}.Open(context.Background(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	db, err := Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		return tx.Create(ctx, &store.Entity{Account: "1", Kind: store.KindUser, Name: "u", Data: []byte("{}")})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("reopen (migrations must be idempotent): %v", err)
	}
	defer db.Close()
	err = db.View(ctx, func(r store.Reader) error {
		_, err := r.Get(ctx, "1", store.KindUser, "u")
		return err
	})
	if err != nil {
		t.Errorf("after reopen: %v", err)
	}
}

func TestFileIsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamd.db")
	db, err := Config{Path: path}.Open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		t.Errorf("database mode = %v, want no group or other access", m)
	}
}

// TestChainUnderConcurrentAppends: the cached chain head never lets two transactions link to the
// same predecessor; the whole trail verifies with package audit.
func TestChainUnderConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				err := db.Update(ctx, func(tx store.Tx) error {
					return tx.Append(ctx, &store.Event{Time: time.Now(), Account: "1", Name: "E", Record: []byte(fmt.Sprintf(`{"g":%d,"j":%d}`, i, j))})
				})
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	evs, err := db.Chain(ctx, 0, 1000)
	if err != nil || len(evs) != 160 {
		t.Fatalf("chain = %d records, %v", len(evs), err)
	}
	var recs []audit.Stored
	for _, e := range evs {
		recs = append(recs, audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash})
	}
	if err := audit.Verify(recs, nil); err != nil {
		t.Errorf("chain does not verify: %v", err)
	}
}

// TestMigration8CountsExistingEntities: upgrading a database from before migration 0008 counts
// the entities it already holds, and Count follows later creates.
func TestMigration8CountsExistingEntities(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	db, err := Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	create := func(db *DB, names ...string) {
		t.Helper()
		err := db.Update(ctx, func(tx store.Tx) error {
			for _, n := range names {
				if err := tx.Create(ctx, &store.Entity{Account: "1", Kind: store.KindUser, Name: n, Data: []byte("{}")}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	create(db, "a", "b", "c")
	for _, q := range []string{`DROP TRIGGER entities_count_insert`, `DROP TRIGGER entities_count_delete`, `DROP TABLE entity_counts`, `DELETE FROM schema_migrations WHERE version = 8`} {
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
	create(db, "d")
	var n int
	if err := db.View(ctx, func(r store.Reader) (err error) { n, err = r.Count(ctx, "1", store.KindUser); return err }); err != nil || n != 4 {
		t.Errorf("Count after the upgrade and one create = %d, %v; want 4", n, err)
	}
}

// TestRefuseNewerSchema: a database with a migration this binary does not know (a newer iamd
// wrote it) is not opened, so that nothing writes to a layout it does not understand.
func TestRefuseNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamd.db")
	db, err := Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.Exec(`INSERT INTO schema_migrations (version, applied) VALUES (9999, 'later')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := (Config{Path: path}).Open(ctx, slog.New(slog.DiscardHandler)); !errors.Is(err, errNewerSchema) {
		if db != nil {
			db.Close()
		}
		t.Fatalf("Open of a database with migration 9999 = %v, want errNewerSchema", err)
	}
}

// TestCompactRecordsRefusedByOlder: a database this iamd opened holds migration 0012 (records
// may be compact), so an iamd without that migration, which would hand the compact bytes out
// as records, refuses to open it; and so for 0013 (postings waiting for a merge, which an
// older iamd's lookups would not read) and 0014 (journal frames without their columns, which
// an older iamd would take for damage), 0015 (compact format 2) and 0016 (grouped postings,
// which an older iamd would take for one block's).
func TestCompactRecordsRefusedByOlder(t *testing.T) {
	for _, m := range []string{"0012_", "0013_", "0014_", "0015_", "0016_"} {
		t.Run(m, func(t *testing.T) { testRefusedWithout(t, m) })
	}
}

func testRefusedWithout(t *testing.T, migration string) {
	ctx := context.Background()
	db, err := Config{Path: filepath.Join(t.TempDir(), "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	older := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return strings.HasPrefix(filepath.Base(f), migration) })
	if len(older) != len(files)-1 {
		t.Fatalf("no migration %s among %v", migration, files)
	}
	if err := db.refuseNewer(ctx, older); !errors.Is(err, errNewerSchema) {
		t.Errorf("an iamd without migration %s: %v, want errNewerSchema", migration, err)
	}
	if err := db.refuseNewer(ctx, files); err != nil {
		t.Errorf("this iamd: %v", err)
	}
}
