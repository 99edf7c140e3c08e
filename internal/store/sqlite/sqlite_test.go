package sqlite

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

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
