package credsrv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Creds are one set of temporary credentials for a role.
type Creds struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	// LastUpdated is when the credentials were obtained.
	LastUpdated time.Time
	// RoleArn is the role the credentials belong to.
	RoleArn string
}

// Source hands out the current credentials. Implementations must be safe for concurrent use
// and must never return credentials that have expired.
type Source interface {
	Credentials(ctx context.Context) (Creds, error)
}

// RefresherConfig configures a Refresher.
type RefresherConfig struct {
	// Obtain fetches a new set of credentials (for example RoleSession.Assume).
	Obtain func(ctx context.Context) (Creds, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// RetryAfter is how long to wait after a failed renewal before trying again while the
	// current credentials are still usable (default 10 seconds).
	RetryAfter time.Duration
}

// Refresher is a Source that caches credentials and renews them well before they expire: once
// the remaining lifetime falls under RenewMargin of the lifetime they were issued with.
type Refresher struct {
	obtain     func(ctx context.Context) (Creds, error)
	now        func() time.Time
	retryAfter time.Duration

	mu      sync.Mutex
	cur     Creds
	have    bool
	renewAt time.Time
}

// MinRemaining is the least validity credentials must have left to be handed out after a failed
// renewal: the SDKs refresh five minutes before expiry, so less than that could reach a client
// that keeps them until they lapse.
const MinRemaining = 5 * time.Minute

// NewRefresher returns a Refresher.
func NewRefresher(cfg RefresherConfig) *Refresher {
	r := &Refresher{obtain: cfg.Obtain, now: cfg.Now, retryAfter: cfg.RetryAfter}
	if r.now == nil {
		r.now = time.Now
	}
	if r.retryAfter <= 0 {
		r.retryAfter = 10 * time.Second
	}
	return r
}

// RenewMargin is how long before expiry credentials issued at issued and expiring at expires
// are renewed: a fifth of their lifetime but at least 15 minutes (the aws CLI refreshes 15
// minutes before expiry, the Go SDK 5 minutes before, EC2 offers new credentials at least 5
// minutes before), and never more than half the lifetime.
func RenewMargin(issued, expires time.Time) time.Duration {
	life := expires.Sub(issued)
	margin := max(life/5, 15*time.Minute)
	return min(margin, life/2)
}

// Credentials returns the cached credentials, renewing them first when they are due.
func (r *Refresher) Credentials(ctx context.Context) (Creds, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if r.have && now.Before(r.renewAt) {
		return r.cur, nil
	}
	c, err := r.obtain(ctx)
	if err == nil && !now.Before(c.Expiration) {
		err = fmt.Errorf("credentials for %s expired at %s when issued", c.RoleArn, c.Expiration.UTC().Format(time.RFC3339))
	}
	if err != nil {
		if r.have && now.Add(MinRemaining).Before(r.cur.Expiration) {
			r.renewAt = now.Add(r.retryAfter)
			return r.cur, nil
		}
		return Creds{}, fmt.Errorf("renew credentials: %w", err)
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return Creds{}, errors.New("renew credentials: empty credentials")
	}
	c.LastUpdated = now
	r.cur, r.have = c, true
	r.renewAt = c.Expiration.Add(-RenewMargin(now, c.Expiration))
	return c, nil
}
