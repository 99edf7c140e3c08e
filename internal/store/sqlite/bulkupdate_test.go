package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/store"
)

func autoCheckpoint(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.w.QueryRowContext(context.Background(), "PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBulkUpdate: a bulk transaction commits like Update, leaves the WAL to a background
// checkpoint that then empties it into the database file, and restores automatic checkpoints
// whether it commits or fails.
func TestBulkUpdate(t *testing.T) {
	ctx := context.Background()
	db := open(t).(*DB)
	path := mustDBPath(t, db)
	done := make(chan error, 1)
	err := db.BulkUpdate(ctx, func(tx store.Tx) error {
		for i := range 3000 { // ~12 MB of WAL at 4 KB pages: far past the 1,000-page default
			e := &store.Entity{Account: "111122223333", Kind: store.KindUser, Name: fmt.Sprintf("u%04d", i), ID: fmt.Sprintf("AIDA%016d", i),
				Created: time.Unix(0, 0).UTC(), Data: make([]byte, 3000)}
			if err := tx.Create(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}, done)
	if err != nil {
		t.Fatal(err)
	}
	if n := autoCheckpoint(t, db); n != defaultAutoCheckpoint {
		t.Errorf("wal_autocheckpoint after BulkUpdate = %d, want %d", n, defaultAutoCheckpoint)
	}
	if err := <-done; err != nil {
		t.Fatalf("background checkpoint: %v", err)
	}
	db.View(ctx, func(r store.Reader) error {
		if n, err := r.Count(ctx, "111122223333", store.KindUser); err != nil || n != 3000 {
			t.Errorf("Count = %d, %v; want 3000", n, err)
		}
		return nil
	})
	// The checkpoint copied the transaction into the database file.
	if fi, err := os.Stat(path); err != nil || fi.Size() < 3000*3000 {
		t.Errorf("database file after the checkpoint: %v, %v; want at least 9 MB", fi, err)
	}

	boom := errors.New("boom")
	err = db.BulkUpdate(ctx, func(tx store.Tx) error {
		if err := tx.Create(ctx, &store.Entity{Account: "111122223333", Kind: store.KindUser, Name: "rolled-back", ID: "AIDAROLLEDBACK00001", Created: time.Unix(0, 0).UTC(), Data: []byte("{}")}); err != nil {
			return err
		}
		return boom
	}, nil)
	if !errors.Is(err, boom) {
		t.Fatalf("BulkUpdate = %v, want the function's error", err)
	}
	if n := autoCheckpoint(t, db); n != defaultAutoCheckpoint {
		t.Errorf("wal_autocheckpoint after a failed BulkUpdate = %d, want %d", n, defaultAutoCheckpoint)
	}
	db.View(ctx, func(r store.Reader) error {
		if _, err := r.Get(ctx, "111122223333", store.KindUser, "rolled-back"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get(rolled-back) = %v, want ErrNotFound", err)
		}
		return nil
	})
}

// mustDBPath returns the main database file's path.
func mustDBPath(t *testing.T, db *DB) string {
	t.Helper()
	var seq int
	var name, file string
	if err := db.w.QueryRowContext(context.Background(), "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	return file
}
