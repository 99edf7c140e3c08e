package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

// runConfig is `iamd config print`: the effective configuration, secrets redacted. AccountID
// shows the account the data directory holds, since --account-id only names the account a new
// data directory gets.
func runConfig(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] != "print" {
		return errors.New("usage: iamd config print [flags]")
	}
	cfg, err := loadConfig("config print", args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	acct, err := dataAccount(ctx, cfg.DataDir, stderr)
	if err != nil {
		return err
	}
	switch {
	case acct != "":
		cfg.AccountID = acct
	case cfg.AccountID == "":
		cfg.AccountID = "(chosen on first start)"
	}
	fmt.Fprint(stdout, cfg.String())
	return nil
}

// dataAccount returns the default account of the data directory's database, or "" when there
// is no database yet or it has no default account. It creates nothing: a missing database
// stays missing.
func dataAccount(ctx context.Context, dir string, stderr io.Writer) (string, error) {
	path := filepath.Join(dir, "iamd.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := sqlite.Config{Path: path, Readers: 1, NoJournal: true}.Open(ctx, logger)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var acct string
	err = db.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, "", store.KindSetting, "default-account") // the setting server.Start records
		if err != nil {
			return err
		}
		acct = string(e.Data)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the default account from %s: %w", path, err)
	}
	return acct, nil
}
