package analyzersvc

import (
	"context"
	"fmt"

	"github.com/iamd-dev/iamd/internal/polgen"
	"github.com/iamd-dev/iamd/internal/store"
)

// eventsPage is how many audit records a job reads per store call.
const eventsPage = 500

// polgen streams the account's audit records in the job's window through a polgen.Generator,
// newest first (the generator's result does not depend on the order).
func (s *Service) polgen(ctx context.Context, acct, principal string, j *job) (*outcome, error) {
	cat, err := s.catalog()
	if err != nil {
		return nil, fmt.Errorf("policy generation: %w", err)
	}
	g, err := polgen.New(polgen.Options{Principal: principal, From: j.From, To: j.To, Catalog: cat})
	if err != nil {
		return nil, fmt.Errorf("policy generation: %w", err)
	}
	f := store.EventFilter{Account: acct, Start: j.From, End: j.To, Limit: eventsPage}
	skipped := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		evs, err := s.store.Events(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("policy generation: read the trail: %w", err)
		}
		for _, e := range evs {
			if err := g.Add(e.Record); err != nil {
				// Not a CloudTrail record (an imported one gone wrong): skip it, and say the
				// policy may be incomplete.
				s.logger.Warn("policy generation: record skipped", "job", j.ID, "event", e.ID, "err", err)
				skipped++
			}
		}
		if len(evs) < eventsPage {
			break
		}
		f.BeforeSeq = evs[len(evs)-1].Seq
	}
	res, err := g.Result()
	if err != nil {
		return nil, fmt.Errorf("policy generation: %w", err)
	}
	return &outcome{Policies: []string{res.Policy}, Complete: res.Stats.Unmapped == 0 && skipped == 0}, nil
}
