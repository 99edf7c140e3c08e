package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// RetentionEvery is how often the trail pruner runs after its pass at start.
const RetentionEvery = time.Hour

// pruneStep is how many records one Prune transaction deletes at most, so that a first prune
// of a long trail does not hold the write lock (and every IAM write) for long. The checkpoint
// advances with each step, so the trail verifies after any of them.
const pruneStep = 10_000

// chainPage is how many records a verification pass reads at a time.
const chainPage = 1000

// RetentionHooks let tests drive the trail pruner. Zero values mean real time.
type RetentionHooks struct {
	// Now is the pruner's clock (nil: time.Now).
	Now func() time.Time
	// Tick triggers a pass (nil: a ticker every RetentionEvery).
	Tick <-chan time.Time
	// Done, if set, is called after every pass, including the one at start.
	Done func(Pruning)
}

// Pruning is what one pass of the trail pruner did.
type Pruning struct {
	// Cut is the first record the pass meant to keep (0: nothing was old or over the size).
	Cut int64
	// Deleted is how many records it deleted.
	Deleted int64
	// Err is why it stopped, if it did.
	Err error
}

// pruner deletes audit records older than the retention period and, while the records exceed
// the retention size, the oldest ones: at start, then at every tick, until stopped. It only
// deletes through Store.Prune, so the rest of the trail verifies from the checkpoint, and it
// first verifies what it is about to delete: a broken trail is evidence, so it refuses to
// prune it and logs why.
type pruner struct {
	store  store.Store
	days   int
	bytes  int64
	logger *slog.Logger
	hooks  RetentionHooks

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startPruner starts the pruner, or returns nil when no retention is configured.
func startPruner(s store.Store, days int, bytes int64, logger *slog.Logger, hooks RetentionHooks) *pruner {
	if days <= 0 && bytes <= 0 {
		return nil
	}
	if hooks.Now == nil {
		hooks.Now = time.Now
	}
	p := &pruner{store: s, days: days, bytes: bytes, logger: logger, hooks: hooks}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	tick := hooks.Tick
	var ticker *time.Ticker
	if tick == nil {
		ticker = time.NewTicker(RetentionEvery)
		tick = ticker.C
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if ticker != nil {
			defer ticker.Stop()
		}
		for {
			res := p.pass(ctx)
			if p.hooks.Done != nil {
				p.hooks.Done(res)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick:
			}
		}
	}()
	return p
}

// stop ends the pruner, waiting for a pass in progress (it stops between Prune steps).
func (p *pruner) stop() {
	if p == nil {
		return
	}
	p.cancel()
	p.wg.Wait()
}

// pass prunes once and logs the result.
func (p *pruner) pass(ctx context.Context) Pruning {
	now := p.hooks.Now().UTC()
	res := p.prune(ctx, now)
	cutoff := now.Add(-time.Duration(p.days) * 24 * time.Hour)
	switch {
	case res.Err != nil && errors.Is(res.Err, context.Canceled):
	case res.Err != nil:
		p.logger.Error("audit trail retention: pruning stopped", "deleted", res.Deleted, "err", res.Err)
	case res.Deleted > 0 && p.days > 0:
		p.logger.Info("audit trail retention: pruned records", "deleted", res.Deleted, "firstKept", res.Cut,
			"olderThan", cutoff.Format(time.RFC3339), "maxBytes", p.bytes)
	case res.Deleted > 0:
		p.logger.Info("audit trail retention: pruned records", "deleted", res.Deleted, "firstKept", res.Cut, "maxBytes", p.bytes)
	}
	return res
}

// prune finds the cut (the later of the age and the size cut), verifies the records before
// it from the checkpoint, and deletes them in steps.
func (p *pruner) prune(ctx context.Context, now time.Time) Pruning {
	var res Pruning
	if p.days > 0 {
		seq, err := p.store.SeqAt(ctx, now.Add(-time.Duration(p.days)*24*time.Hour))
		if err != nil {
			return Pruning{Err: err}
		}
		res.Cut = seq
	}
	if p.bytes > 0 {
		seq, err := p.store.SeqFitting(ctx, p.bytes)
		if err != nil {
			return Pruning{Err: err}
		}
		res.Cut = max(res.Cut, seq)
	}
	cp, err := p.store.Checkpoint(ctx)
	if err != nil {
		res.Err = err
		return res
	}
	if res.Cut <= cp.Seq+1 {
		return res // nothing before the cut is left
	}
	if res.Err = verifyBefore(ctx, p.store, cp, res.Cut); res.Err != nil {
		return res
	}
	for from := cp.Seq + 1; from < res.Cut; {
		step := min(from+pruneStep, res.Cut)
		n, err := p.store.Prune(ctx, step)
		res.Deleted += n
		if err != nil {
			res.Err = err
			return res
		}
		if err := ctx.Err(); err != nil {
			res.Err = err
			return res
		}
		from = step
	}
	return res
}

// verifyBefore checks the chain from the checkpoint up to (not including) cut.
func verifyBefore(ctx context.Context, s store.Store, cp store.Checkpoint, cut int64) error {
	v := audit.ResumeVerifier(cp.Seq, cp.Hash)
	for after := cp.Seq; after < cut-1; {
		evs, err := s.Chain(ctx, after, chainPage)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.Seq >= cut {
				return nil
			}
			if err := v.Add(audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}); err != nil {
				return fmt.Errorf("the trail is broken, nothing pruned (run iamd trail verify): %w", err)
			}
		}
		if len(evs) < chainPage {
			return nil
		}
		after = evs[len(evs)-1].Seq
	}
	return nil
}
