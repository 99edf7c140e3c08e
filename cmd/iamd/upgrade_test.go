package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
	"github.com/iamd-dev/iamd/internal/store"
)

// TestUpgradeFromSession7: a data directory written before records were indexed in blocks
// (migration 0010; its reads are rows naming their record in a journal file) serves on: new
// reads go to blocks after the old rows in one chain, lookups find old and new records
// newest first, and trail verify passes.
func TestUpgradeFromSession7(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "upgrade-s7"))); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "README.md"))
	const oldRecords = 9

	cfg := config.Default(t.TempDir(), "")
	cfg.ManagedPolicies = false
	cfg.DataDir, cfg.Listen = dir, "127.0.0.1:0"
	srv, err := server.Start(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	c := client(srv.Endpoint())
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("newuser0")}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"olduser0", "olduser0", "newuser0"} {
		if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatalf("GetUser(%s) after the upgrade: %v", name, err)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	out, _, err := runIamd("trail", "verify", "--data", dir)
	if err != nil || !strings.HasPrefix(out, "ok: 13 records") {
		t.Fatalf("trail verify after the upgrade: %q, %v; want 13 records", out, err)
	}
	raw := sqlDB(t, dir)
	var inBlocks, journaledRows int
	err = raw.QueryRow(`SELECT (SELECT coalesce(sum(n), 0) FROM event_blocks), (SELECT count(*) FROM events WHERE record_file > 0)`).Scan(&inBlocks, &journaledRows)
	raw.Close()
	if err != nil || inBlocks != 3 || journaledRows != 6 {
		t.Errorf("%d records in blocks, %d journaled rows (%v); want the 3 new reads in blocks, the 6 old ones rows", inBlocks, journaledRows, err)
	}
	db := offlineStore(t, dir)
	defer db.Close()
	chain, err := db.Chain(ctx, 0, 100)
	if err != nil || len(chain) != 13 {
		t.Fatalf("chain: %d records, %v; want 13", len(chain), err)
	}
	for i, e := range chain {
		if e.Seq != int64(i+1) {
			t.Fatalf("chain record %d has Seq %d, want %d", i, e.Seq, i+1)
		}
	}
	evs, err := db.Events(ctx, store.EventFilter{Account: testAccount, Resource: "\x00olduser0"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, e := range evs {
		got = append(got, e.Name)
		if i > 0 && e.Seq >= evs[i-1].Seq {
			t.Errorf("lookup by olduser0 not newest first at %d: Seq %d after %d", i, e.Seq, evs[i-1].Seq)
		}
	}
	// Two reads after the upgrade (blocks), then the old records of the user and the role
	// named olduser0 (rows, two of them reads kept in the old journal file).
	want := []string{"GetUser", "GetUser", "GetRole", "CreateRole", "GetUser", "GetUser", "CreateUser"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("lookup by olduser0 after the upgrade = %v, want %v", got, want)
	}
	if evs[0].Seq <= oldRecords || evs[2].Seq > oldRecords {
		t.Errorf("new records at Seqs %d, %d and old at %d: want new after %d", evs[0].Seq, evs[1].Seq, evs[2].Seq, oldRecords)
	}
}
