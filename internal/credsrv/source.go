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
	// Obtain fetches a new set of credentials (for example ServiceSession.Assume).
	Obtain func(ctx context.Context) (Creds, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// AfterFunc runs f in its own goroutine once d has passed on the clock, unless stop is called
	// first (nil: time.AfterFunc). Background renewals are scheduled with it.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	// RetryAfter is how long to wait after a failed renewal before trying again while the
	// current credentials are still usable (default 10 seconds).
	RetryAfter time.Duration
}

// Refresher is a Source that caches credentials and renews them well before they expire: once
// the remaining lifetime falls under RenewMargin of the lifetime they were issued with. After
// the first Credentials call it renews in the background, on a timer set for the renewal time,
// so that renewal does not wait for a client to ask; a request that finds the credentials due
// (the timer late, or a renewal failed) renews them itself. Close stops the timer.
//
// A failed renewal keeps the current credentials in use while they have MinRemaining left,
// unless it says their role is gone (ErrNoRole, or a *RoleError for another role: the instance
// profile lost or changed its role); then they are dropped at once.
type Refresher struct {
	obtain     func(ctx context.Context) (Creds, error)
	now        func() time.Time
	afterFunc  func(time.Duration, func()) func() bool
	retryAfter time.Duration
	// ctx is cancelled by Close, ending a background renewal in progress.
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	cur     Creds
	have    bool
	renewAt time.Time
	// failed is the last renewal's error while there are no credentials to hand out, answered
	// until failedUntil (the retry interval) instead of asking again on every request: with no
	// role in its profile, every metadata request would otherwise be an IAM call, made with
	// mu held.
	failed      error
	failedUntil time.Time
	stop        func() bool // the pending background renewal's timer
	closed      bool
}

// MinRemaining is the least validity credentials must have left to be handed out after a failed
// renewal: the SDKs refresh five minutes before expiry, so less than that could reach a client
// that keeps them until they lapse.
const MinRemaining = 5 * time.Minute

// NewRefresher returns a Refresher. Call Close when done with it.
func NewRefresher(cfg RefresherConfig) *Refresher {
	r := &Refresher{obtain: cfg.Obtain, now: cfg.Now, afterFunc: cfg.AfterFunc, retryAfter: cfg.RetryAfter}
	if r.now == nil {
		r.now = time.Now
	}
	if r.afterFunc == nil {
		r.afterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if r.retryAfter <= 0 {
		r.retryAfter = 10 * time.Second
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
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
	if r.closed {
		return Creds{}, errors.New("credentials: refresher closed")
	}
	now := r.now()
	if r.have && now.Before(r.renewAt) {
		return r.cur, nil
	}
	if !r.have && r.failed != nil && now.Before(r.failedUntil) {
		return Creds{}, r.failed
	}
	return r.renew(ctx, now)
}

// Close stops background renewal. Credentials fails afterwards.
func (r *Refresher) Close() {
	r.cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
}

// background is the timer's function: it renews the credentials when they are due.
func (r *Refresher) background() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.stop = nil
	now := r.now()
	if r.have && now.Before(r.renewAt) {
		// Early (a request renewed them meanwhile, or the timer ran ahead of the clock).
		r.schedule(r.renewAt.Sub(now))
		return
	}
	r.renew(r.ctx, now) // on failure renew has scheduled a retry
}

// schedule sets the background renewal timer to fire after d, replacing a pending one.
func (r *Refresher) schedule(d time.Duration) {
	if r.closed {
		return
	}
	if r.stop != nil {
		r.stop()
	}
	r.stop = r.afterFunc(max(d, 0), r.background)
}

// renew obtains new credentials and schedules the next renewal. r.mu is held.
func (r *Refresher) renew(ctx context.Context, now time.Time) (Creds, error) {
	c, err := r.obtain(ctx)
	if err == nil && !now.Before(c.Expiration) {
		err = fmt.Errorf("credentials for %s expired at %s when issued", c.RoleArn, c.Expiration.UTC().Format(time.RFC3339))
	}
	if err == nil && (c.AccessKeyID == "" || c.SecretAccessKey == "") {
		err = errors.New("empty credentials")
	}
	if err != nil {
		r.schedule(r.retryAfter)
		// Usable credentials stay in use, unless the instance profile no longer holds their role:
		// then they go at once.
		if r.have && !roleGone(err, r.cur.RoleArn) && now.Add(MinRemaining).Before(r.cur.Expiration) {
			r.renewAt = now.Add(r.retryAfter)
			return r.cur, nil
		}
		r.cur, r.have = Creds{}, false
		r.failed, r.failedUntil = fmt.Errorf("renew credentials: %w", err), now.Add(r.retryAfter)
		return Creds{}, r.failed
	}
	r.failed = nil
	c.LastUpdated = now
	r.cur, r.have = c, true
	r.renewAt = c.Expiration.Add(-RenewMargin(now, c.Expiration))
	r.schedule(r.renewAt.Sub(now))
	return c, nil
}
