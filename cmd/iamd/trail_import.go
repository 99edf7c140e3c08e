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
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

// importResult counts what `iamd trail import` did.
type importResult struct {
	files, records, present int
	skipped                 []string // malformed files, by path relative to the directory
}

// trailImport reads AWS CloudTrail log files (the AWSLogs/... delivery layout or a flat
// directory; .json or .json.gz) into a separate SQLite store for analysis. Each file is
// imported in one transaction, so a file is imported whole or not at all; a malformed file
// is reported by name and skipped. Records whose eventID the store already holds are
// skipped, so importing the same directory twice imports nothing the second time.
func trailImport(ctx context.Context, dir, to string, stdout, stderr io.Writer) error {
	if dir == "" || to == "" {
		return errors.New("usage: iamd trail import DIR --to IMPORTDB")
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("trail import: %s is not a directory", dir)
	}
	paths, err := logFiles(dir)
	if err != nil {
		return fmt.Errorf("trail import: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := sqlite.Config{Path: to}.Open(ctx, logger)
	if err != nil {
		return fmt.Errorf("trail import: %w", err)
	}
	defer db.Close()
	var res importResult
	for _, rel := range paths {
		n, dup, err := importFile(ctx, db, filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var bad *malformedError
			if !errors.As(err, &bad) {
				return fmt.Errorf("trail import: %s: %w", rel, err)
			}
			fmt.Fprintf(stderr, "iamd: trail import: skipped %s: %v\n", rel, bad.err)
			res.skipped = append(res.skipped, rel)
			continue
		}
		res.files++
		res.records += n
		res.present += dup
	}
	fmt.Fprintf(stdout, "imported %d records from %d log files into %s (%d already imported); %d malformed files skipped\n",
		res.records, res.files, to, res.present, len(res.skipped))
	if len(res.skipped) > 0 {
		return fmt.Errorf("trail import: %d malformed files skipped, first %s", len(res.skipped), res.skipped[0])
	}
	return nil
}

// logFiles lists the CloudTrail log files under dir, sorted, as slash paths relative to it:
// *.json and *.json.gz, leaving out digest files and their signature sidecars.
func logFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		switch {
		case !strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".json.gz"),
			strings.HasSuffix(name, digestMetadataSuffix),
			strings.Contains(name, "_CloudTrail-Digest_"), strings.Contains(rel, "/CloudTrail-Digest/"):
			return nil
		}
		out = append(out, rel)
		return nil
	})
	sort.Strings(out)
	return out, err
}

// malformedError is a log file that cannot be imported as a whole.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return e.err.Error() }

// importFile appends one log file's new records in one transaction and returns how many it
// appended and how many the store already held.
func importFile(ctx context.Context, db *sqlite.DB, path string) (int, int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	recs, err := audit.ReadLogFile(data)
	if err != nil {
		return 0, 0, &malformedError{err}
	}
	var evs []*store.Event
	seen := map[string]bool{}
	dup := 0
	for i, rec := range recs {
		s, err := audit.Summarize(rec)
		if err != nil {
			return 0, 0, &malformedError{fmt.Errorf("record %d: %w", i, err)}
		}
		if seen[s.Account+"/"+s.ID] {
			dup++
			continue
		}
		seen[s.Account+"/"+s.ID] = true
		old, err := db.Events(ctx, store.EventFilter{Account: s.Account, ID: s.ID, Limit: 1})
		if err != nil {
			return 0, 0, err
		}
		if len(old) > 0 {
			dup++
			continue
		}
		evs = append(evs, &store.Event{Time: s.Time, Account: s.Account, Source: s.Source, Name: s.Name, ID: s.ID,
			Username: s.Username, AccessKey: s.AccessKey, ReadOnly: s.ReadOnly, Resources: resourceKeys(s.Resources), Record: rec})
	}
	if len(evs) == 0 {
		return 0, dup, nil
	}
	err = db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, evs...) })
	if err != nil {
		return 0, 0, err
	}
	return len(evs), dup, nil
}

// resourceKeys turns a record's resources into the store's "type\x00name" lookup keys: the
// ARN, and its last element as LookupEvents' ResourceName also matches names.
func resourceKeys(rs []audit.Resource) []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, r := range rs {
		if r.ARN == "" {
			continue
		}
		add(r.Type + "\x00" + r.ARN)
		if i := strings.LastIndexAny(r.ARN, "/:"); i >= 0 && i < len(r.ARN)-1 {
			add(r.Type + "\x00" + r.ARN[i+1:])
		}
	}
	return out
}
