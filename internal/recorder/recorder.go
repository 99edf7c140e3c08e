// Package recorder makes audit records durable: Append adds them to a store transaction (for
// mutations, whose record commits with the change), and Recorder group-commits the rest, each
// caller waiting until its record is durable.
package recorder

import (
	"context"
	"log/slog"
	"sync"

	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// Append adds records to a transaction.
func Append(ctx context.Context, tx store.Tx, recs ...*trail.Record) error {
	evs := make([]*store.Event, len(recs))
	for i, r := range recs {
		evs[i] = event(r)
	}
	return tx.Append(ctx, evs...)
}

func event(r *trail.Record) *store.Event {
	return &store.Event{Time: r.Time, Account: r.Account, Source: r.Source, Name: r.Name, ID: r.ID, Username: r.Username,
		AccessKey: r.AccessKey, ReadOnly: r.ReadOnly, Resources: r.Resources, Record: r.JSON}
}

// Recorder appends records that are not part of a mutation (reads, denials, failed requests)
// with group commit: records arriving while a batch is written (store.Store.Record) are
// written together in the next one, and each Record call returns once its record is durable.
type Recorder struct {
	store  store.Store
	logger *slog.Logger

	mu      sync.Mutex
	pending []*pendingEvent
	wake    chan struct{}
	done    chan struct{}
	closed  bool
}

type pendingEvent struct {
	ev  *store.Event
	err chan error
}

// New starts a recorder; Close flushes and stops it.
func New(s store.Store, logger *slog.Logger) *Recorder {
	r := &Recorder{store: s, logger: logger, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go r.loop()
	return r
}

// Record appends ev durably, batched with concurrent calls.
func (r *Recorder) Record(ctx context.Context, rec *trail.Record) error {
	if recordingDisabled {
		return nil
	}
	ev := event(rec)
	p := &pendingEvent{ev: ev, err: make(chan error, 1)}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		// Shut down: write it directly.
		return r.store.Record(context.WithoutCancel(ctx), ev)
	}
	r.pending = append(r.pending, p)
	select {
	case r.wake <- struct{}{}:
	default:
	}
	r.mu.Unlock()
	return <-p.err
}

func (r *Recorder) loop() {
	defer close(r.done)
	for range r.wake {
		r.flush()
	}
	r.flush()
}

func (r *Recorder) flush() {
	for {
		r.mu.Lock()
		batch := r.pending
		r.pending = nil
		r.mu.Unlock()
		if len(batch) == 0 {
			return
		}
		evs := make([]*store.Event, len(batch))
		for i, p := range batch {
			evs[i] = p.ev
		}
		ctx := context.Background()
		err := r.store.Record(ctx, evs...)
		if err != nil {
			r.logger.Error("audit: appending records failed", "records", len(evs), "err", err)
		}
		for _, p := range batch {
			p.err <- err
		}
	}
}

// Close flushes pending records and stops the recorder.
func (r *Recorder) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	close(r.wake)
	r.mu.Unlock()
	<-r.done
}
