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
	"runtime"
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
// directory; .json or .json.gz) into a separate SQLite store for analysis. A file is imported
// whole or not at all: a malformed file is reported by name and skipped. Records whose eventID
// the store already holds are skipped, so importing the same directory twice imports nothing
// the second time. Files are decoded in parallel and appended in file order, several files
// per transaction (importBatch records at least). Into an empty trail, the events' lookup
// indexes are dropped for the load and built once at the end (an interrupted import leaves
// them to the next one). Together that makes 10⁶ records about a minute of CPU rather than
// several (docs/benchmarks.md).
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
	if err := db.ForBulkLoad(ctx, importCache); err != nil {
		return fmt.Errorf("trail import: %w", err)
	}
	// Indexes an interrupted import into an empty trail left deferred.
	if err := db.RestoreEventIndexes(ctx); err != nil {
		return fmt.Errorf("trail import: %w", err)
	}
	first, err := db.Chain(ctx, 0, 1)
	if err != nil {
		return fmt.Errorf("trail import: %w", err)
	}
	var seen map[string]bool // importing into an empty trail: the IDs imported so far
	if len(first) == 0 {
		if err := db.DeferEventIndexes(ctx); err != nil {
			return fmt.Errorf("trail import: %w", err)
		}
		seen = map[string]bool{}
	}
	res, err := importFiles(ctx, db, dir, paths, seen, stderr)
	if seen != nil {
		if rerr := db.RestoreEventIndexes(context.WithoutCancel(ctx)); rerr != nil {
			err = errors.Join(err, fmt.Errorf("trail import: %w", rerr))
		}
	}
	if ferr := db.FinishBulkLoad(context.WithoutCancel(ctx)); ferr != nil {
		err = errors.Join(err, fmt.Errorf("trail import: %w", ferr))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %d records from %d log files into %s (%d already imported); %d malformed files skipped\n",
		res.records, res.files, to, res.present, len(res.skipped))
	if len(res.skipped) > 0 {
		return fmt.Errorf("trail import: %d malformed files skipped, first %s", len(res.skipped), res.skipped[0])
	}
	return nil
}

// importFiles decodes the files and appends them in batches. With seen (an empty trail, whose
// event indexes are deferred) it drops repeated event IDs in memory instead of asking the store.
func importFiles(ctx context.Context, db *sqlite.DB, dir string, paths []string, seen map[string]bool, stderr io.Writer) (importResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := decodeFiles(ctx, dir, paths)
	var res importResult
	var batch []*decodedFile
	records := 0
	flush := func() error {
		if err := appendFiles(ctx, db, batch, seen, &res); err != nil {
			return err
		}
		batch, records = batch[:0], 0
		return nil
	}
	for f := range files {
		if f.err != nil {
			var bad *malformedError
			if !errors.As(f.err, &bad) {
				return res, fmt.Errorf("trail import: %s: %w", f.rel, f.err)
			}
			fmt.Fprintf(stderr, "iamd: trail import: skipped %s: %v\n", f.rel, bad.err)
			res.skipped = append(res.skipped, f.rel)
			continue
		}
		batch = append(batch, f)
		if records += len(f.events); records >= importBatch {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, flush()
}

// importBatch is how many records trail import appends per transaction (at least: whole files
// go in), and importCache the write connection's page cache while it does.
const (
	importBatch = 100_000
	importCache = 512 << 20
)

// decodedFile is one log file read and summarized, ready to append.
type decodedFile struct {
	rel    string
	events []*store.Event
	dup    int // records repeated within the file
	err    error
}

// decodeFiles reads and summarizes the files on GOMAXPROCS goroutines and delivers them in
// the order of paths (so that the trail's order does not depend on scheduling).
func decodeFiles(ctx context.Context, dir string, paths []string) <-chan *decodedFile {
	workers := runtime.GOMAXPROCS(0)
	slots := make(chan chan *decodedFile, 2*workers) // one slot per file, in order
	out := make(chan *decodedFile)
	jobs := make(chan func(), 2*workers)
	for range workers {
		go func() {
			for job := range jobs {
				job()
			}
		}()
	}
	go func() {
		defer close(slots)
		defer close(jobs)
		for _, rel := range paths {
			slot := make(chan *decodedFile, 1)
			select {
			case slots <- slot:
			case <-ctx.Done():
				return
			}
			jobs <- func() { slot <- decodeFile(dir, rel) }
		}
	}()
	go func() {
		defer close(out)
		for slot := range slots {
			select {
			case out <- <-slot:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// decodeFile reads one log file and turns its records into store events, dropping records
// repeated within the file.
func decodeFile(dir, rel string) *decodedFile {
	f := &decodedFile{rel: rel}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		f.err = err
		return f
	}
	recs, err := audit.ReadLogFile(data)
	if err != nil {
		f.err = &malformedError{err}
		return f
	}
	seen := make(map[string]bool, len(recs))
	for i, rec := range recs {
		s, err := audit.Summarize(rec)
		if err != nil {
			f.err, f.events = &malformedError{fmt.Errorf("record %d: %w", i, err)}, nil
			return f
		}
		if seen[s.Account+"/"+s.ID] {
			f.dup++
			continue
		}
		seen[s.Account+"/"+s.ID] = true
		f.events = append(f.events, store.SummarizedEvent(s, rec))
	}
	return f
}

// appendFiles appends the files' records that the store does not hold yet (nor an earlier
// file of the batch) in one transaction, and counts them into res. With seen, the store's
// trail was empty when the import began and seen holds every event imported since.
func appendFiles(ctx context.Context, db *sqlite.DB, files []*decodedFile, seen map[string]bool, res *importResult) error {
	if len(files) == 0 {
		return nil
	}
	present := seen // account + "/" + event ID
	if present == nil {
		present = map[string]bool{}
		byAccount := map[string][]string{}
		for _, f := range files {
			for _, e := range f.events {
				byAccount[e.Account] = append(byAccount[e.Account], e.ID)
			}
		}
		for acct, ids := range byAccount {
			got, err := db.EventIDsPresent(ctx, acct, ids)
			if err != nil {
				return fmt.Errorf("trail import: %w", err)
			}
			for id := range got {
				present[acct+"/"+id] = true
			}
		}
	}
	var evs []*store.Event
	n := 0
	for _, f := range files {
		res.files++
		res.present += f.dup
		for _, e := range f.events {
			k := e.Account + "/" + e.ID
			if present[k] {
				res.present++
				continue
			}
			present[k] = true
			evs = append(evs, e)
			n++
		}
	}
	if len(evs) == 0 {
		return nil
	}
	if err := db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, evs...) }); err != nil {
		return fmt.Errorf("trail import: %s…%s: %w", files[0].rel, files[len(files)-1].rel, err)
	}
	res.records += n
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
