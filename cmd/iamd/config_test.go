package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

// TestConfigPrintAccount: `iamd config print` shows the account the data directory holds,
// whatever --account-id says, and on a new data directory the configured account or that the
// first start chooses one, without creating anything.
func TestConfigPrintAccount(t *testing.T) {
	home := t.TempDir()
	getenv := func(k string) string { return map[string]string{"HOME": home}[k] }

	// A data directory that holds account 343253349634.
	held := t.TempDir()
	cfg := config.Default(home, "")
	cfg.DataDir, cfg.Listen, cfg.AccountID, cfg.ManagedPolicies = held, "127.0.0.1:0", "343253349634", false
	srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "new")

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"held", []string{"--data", held}, "AccountID: 343253349634"},
		{"held, another account configured", []string{"--data", held, "--account-id", "111122223333"}, "AccountID: 343253349634"},
		{"new, none configured", []string{"--data", fresh}, "AccountID: (chosen on first start)"},
		{"new, configured", []string{"--data", fresh, "--account-id", "111122223333"}, "AccountID: 111122223333"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"config", "print"}, tc.args...)
			if err := run(context.Background(), args, getenv, &out, &errb); err != nil {
				t.Fatalf("iamd %v: %v\n%s", args, err, errb.String())
			}
			var line string
			for l := range strings.Lines(out.String()) {
				if strings.HasPrefix(l, "AccountID:") {
					line = strings.TrimSpace(l)
				}
			}
			if line != tc.want {
				t.Errorf("iamd %v: account line %q, want %q\noutput:\n%s", args, line, tc.want, out.String())
			}
		})
	}
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("config print on a new data directory: stat %s: %v, want it not to exist", fresh, err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"config", "show"}, getenv, &out, &errb); err == nil {
		t.Error("iamd config show accepted")
	}
}
