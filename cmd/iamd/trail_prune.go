package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/config"
)

// trailPrune deletes the records older than before, in sequence order: every record before
// the first one at or after before (records are in commit order, which follows event time
// closely), never the newest record. It verifies the whole trail first and refuses to prune
// a broken one, which would destroy the evidence. The store keeps the last deleted record's
// sequence number and hash as the checkpoint that verify and export resume from.
func trailPrune(ctx context.Context, cfg config.Config, before string, stdout, stderr io.Writer) error {
	if before == "" {
		return errors.New("trail prune: --before is required")
	}
	t, err := time.Parse(time.RFC3339, before)
	if err != nil {
		return fmt.Errorf("trail prune: --before %q is not an RFC 3339 time", before)
	}
	db, err := openTrail(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	cp, err := db.Checkpoint(ctx)
	if err != nil {
		return err
	}
	v := audit.ResumeVerifier(cp.Seq, cp.Hash)
	var cut int64 // the first record kept; 0 until found
	after := cp.Seq
	for {
		evs, err := db.Chain(ctx, after, chainPage)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if err := v.Add(audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}); err != nil {
				var ce *audit.ChainError
				errors.As(err, &ce)
				return fmt.Errorf("trail prune: the trail is broken, nothing pruned (run iamd trail verify): %w", &trailError{ce})
			}
			if cut == 0 && !e.Time.Before(t) {
				cut = e.Seq
			}
		}
		if len(evs) < chainPage {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	if cut == 0 {
		cut = v.Seq() + 1 // everything is older; Prune keeps the newest record
	}
	n, err := db.Prune(ctx, cut)
	if err != nil {
		return fmt.Errorf("trail prune: %w", err)
	}
	if n == 0 {
		fmt.Fprintf(stdout, "pruned 0 records: none older than %s (the newest record is always kept)\n", t.UTC().Format(time.RFC3339))
		return nil
	}
	cp, err = db.Checkpoint(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pruned %d records older than %s; checkpoint: record %d, hash %s\n",
		n, t.UTC().Format(time.RFC3339), cp.Seq, hex.EncodeToString(cp.Hash[:]))
	return nil
}
