package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const trailUsage = `usage:
  iamd trail verify [--data DIR] [--head HEX]
      recompute the audit trail's hash chain; print "ok: N records, head HEX" or the
      first record that was edited, removed or reordered (and exit non-zero). With --head,
      a trail that does not end at that head (kept from an earlier run) is reported truncated.
  iamd trail export --dir DIR [--data DIR] [--from TIME] [--to TIME]
      write the trail as CloudTrail log files (AWSLogs/ACCOUNT/CloudTrail/REGION/...), one
      file per account, region and hour, plus CloudTrail-Digest files; TIME is RFC 3339.
`

// chainPage is how many records verify and export read per query.
const chainPage = 1000

// runTrail runs `iamd trail ...`: offline commands over the audit trail in the data directory.
func runTrail(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, trailUsage)
		return errors.New("trail: no subcommand")
	}
	cfg := config.Default(getenv("HOME"), getenv("XDG_DATA_HOME"))
	fs := flag.NewFlagSet("iamd trail "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data directory (database, seal keys, root credentials)")
	switch args[0] {
	case "verify":
		head := fs.String("head", "", "expected head hash (hex) from an earlier verify or export")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return trailVerify(ctx, cfg, *head, stdout, stderr)
	case "export":
		var dir, from, to string
		fs.StringVar(&dir, "dir", "", "directory to write the CloudTrail layout into (required)")
		fs.StringVar(&from, "from", "", "export records from this time on (RFC 3339)")
		fs.StringVar(&to, "to", "", "export records up to this time (RFC 3339)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return trailExport(ctx, cfg, dir, from, to, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, trailUsage)
		return nil
	}
	fmt.Fprint(stderr, trailUsage)
	return fmt.Errorf("trail: unknown subcommand %q", args[0])
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return nil
}

// openTrail opens the data directory's database. It refuses to create one: these commands
// only read the trail (opening applies no migration to an up-to-date database).
func openTrail(ctx context.Context, cfg config.Config, stderr io.Writer) (*sqlite.DB, error) {
	path := filepath.Join(cfg.DataDir, "iamd.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("trail: no iamd database at %s: %w", path, err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return sqlite.Config{Path: path}.Open(ctx, logger)
}

// trailError is a broken chain as `iamd trail verify` reports it.
type trailError struct{ *audit.ChainError }

func (e *trailError) Error() string {
	return fmt.Sprintf("record %d was %s: %s", e.Seq, e.Kind, e.Detail)
}

func (e *trailError) Unwrap() error { return e.ChainError }

// maxClassify bounds how many records verify loads to tell a reordered record from an edited
// one after the streaming check failed (audit.Verify needs the whole trail for that).
const maxClassify = 1 << 20

func trailVerify(ctx context.Context, cfg config.Config, headHex string, stdout, stderr io.Writer) error {
	var want *[32]byte
	if headHex != "" {
		b, err := hex.DecodeString(headHex)
		if err != nil || len(b) != 32 {
			return fmt.Errorf("trail verify: --head %q is not a 64-digit hex hash", headHex)
		}
		want = (*[32]byte)(b)
	}
	db, err := openTrail(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	var v audit.Verifier
	n, err := eachRecord(ctx, db, func(s audit.Stored) error { return v.Add(s) })
	if err == nil && want != nil {
		err = v.Finish(*want)
	}
	var ce *audit.ChainError
	if errors.As(err, &ce) {
		if ce.Kind == audit.Edited || ce.Kind == audit.Removed {
			ce = classify(ctx, db, ce, want)
		}
		return &trailError{ce}
	}
	if err != nil {
		return err
	}
	head := v.Head()
	fmt.Fprintf(stdout, "ok: %d records, head %s\n", n, hex.EncodeToString(head[:]))
	return nil
}

// classify re-checks a small enough trail with audit.Verify, which sees the whole trail and
// can tell a record out of place from an edited or removed one.
func classify(ctx context.Context, db *sqlite.DB, ce *audit.ChainError, head *[32]byte) *audit.ChainError {
	var all []audit.Stored
	_, err := eachRecord(ctx, db, func(s audit.Stored) error {
		if len(all) >= maxClassify {
			return errors.New("too long")
		}
		all = append(all, s)
		return nil
	})
	if err != nil {
		return ce
	}
	var full *audit.ChainError
	if errors.As(audit.Verify(all, head), &full) {
		return full
	}
	return ce
}

// eachRecord streams the trail in order through fn and returns how many records fn accepted.
func eachRecord(ctx context.Context, db *sqlite.DB, fn func(audit.Stored) error) (int64, error) {
	var n, after int64
	for {
		evs, err := db.Chain(ctx, after, chainPage)
		if err != nil {
			return n, err
		}
		for _, e := range evs {
			if err := fn(audit.Stored{Seq: e.Seq, Record: e.Record, Hash: e.Hash}); err != nil {
				return n, err
			}
			n++
		}
		if len(evs) < chainPage {
			return n, nil
		}
		after = evs[len(evs)-1].Seq
	}
}

func trailExport(ctx context.Context, cfg config.Config, dir, from, to string, stdout, stderr io.Writer) error {
	return errors.New("trail export: not implemented yet")
}
