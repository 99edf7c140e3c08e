package credsrv

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// timers are fake timers on a clock: fire runs the functions that are due, in the test's
// goroutine.
type timers struct {
	clk     *clock
	next    int
	pending map[int]timer
}

type timer struct {
	at time.Time
	f  func()
}

func newTimers(clk *clock) *timers { return &timers{clk: clk, pending: map[int]timer{}} }

func (ts *timers) afterFunc(d time.Duration, f func()) func() bool {
	ts.next++
	id := ts.next
	ts.pending[id] = timer{at: ts.clk.t.Add(d), f: f}
	return func() bool {
		_, ok := ts.pending[id]
		delete(ts.pending, id)
		return ok
	}
}

// due lists when the pending timers fire, as offsets from t0.
func (ts *timers) due() []time.Duration {
	var out []time.Duration
	for _, t := range ts.pending {
		out = append(out, t.at.Sub(t0))
	}
	return out
}

func (ts *timers) fire() {
	for id, t := range ts.pending {
		if !t.at.After(ts.clk.t) {
			delete(ts.pending, id)
			t.f()
		}
	}
}

func newTestRefresher(t *testing.T, sts *fakeSTS, retry time.Duration) (*Refresher, *timers) {
	ts := newTimers(sts.clk)
	r := NewRefresher(RefresherConfig{Obtain: sts.obtain, Now: sts.clk.now, AfterFunc: ts.afterFunc, RetryAfter: retry})
	t.Cleanup(r.Close)
	return r, ts
}

// fakeSTS issues numbered credentials valid for life from the clock's time.
type fakeSTS struct {
	clk   *clock
	life  time.Duration
	calls int
	fail  error
}

func (f *fakeSTS) obtain(context.Context) (Creds, error) {
	f.calls++
	if f.fail != nil {
		return Creds{}, f.fail
	}
	return Creds{AccessKeyID: fmt.Sprintf("ASIA%04d", f.calls), SecretAccessKey: "s", SessionToken: "t",
		Expiration: f.clk.t.Add(f.life), RoleArn: "arn:aws:iam::111122223333:role/r"}, nil
}

func TestRenewMargin(t *testing.T) {
	for _, tc := range []struct {
		life, want time.Duration
	}{
		{15 * time.Minute, 7*time.Minute + 30*time.Second}, // half, below the 15-minute floor
		{time.Hour, 15 * time.Minute},                      // the floor
		{12 * time.Hour, 144 * time.Minute},                // a fifth
	} {
		if got := RenewMargin(t0, t0.Add(tc.life)); got != tc.want {
			t.Errorf("RenewMargin(life %s) = %s, want %s", tc.life, got, tc.want)
		}
	}
}

func TestRefresherRenewsBeforeExpiry(t *testing.T) {
	clk := &clock{t0}
	sts := &fakeSTS{clk: clk, life: time.Hour}
	r, _ := newTestRefresher(t, sts, 0)
	ctx := context.Background()
	steps := []struct {
		name    string
		advance time.Duration
		wantKey string
	}{
		{"first call obtains", 0, "ASIA0001"},
		{"cached", 30 * time.Minute, "ASIA0001"},
		{"just before the margin", 14*time.Minute + 59*time.Second, "ASIA0001"},
		{"at the margin: renewed 15 minutes before expiry", time.Second, "ASIA0002"},
		{"the new one is cached", 10 * time.Minute, "ASIA0002"},
	}
	for _, s := range steps {
		clk.t = clk.t.Add(s.advance)
		c, err := r.Credentials(ctx)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if c.AccessKeyID != s.wantKey {
			t.Errorf("%s (at +%s): key %s, want %s", s.name, clk.t.Sub(t0), c.AccessKeyID, s.wantKey)
		}
		if left := c.Expiration.Sub(clk.t); left < 15*time.Minute {
			t.Errorf("%s: handed out credentials with %s left", s.name, left)
		}
		if !c.LastUpdated.Before(clk.t.Add(time.Nanosecond)) {
			t.Errorf("%s: LastUpdated %s after now %s", s.name, c.LastUpdated, clk.t)
		}
	}
}

func TestRefresherFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("no credentials yet", func(t *testing.T) {
		clk := &clock{t0}
		sts := &fakeSTS{clk: clk, life: time.Hour, fail: errors.New("AccessDenied")}
		r, _ := newTestRefresher(t, sts, 0)
		if c, err := r.Credentials(ctx); err == nil {
			t.Errorf("got %+v, want an error", c)
		}
	})
	t.Run("no credentials: a failure is answered until the retry interval", func(t *testing.T) {
		clk := &clock{t0}
		sts := &fakeSTS{clk: clk, life: time.Hour, fail: ErrNoRole}
		r, _ := newTestRefresher(t, sts, 10*time.Second)
		for i := range 3 {
			if _, err := r.Credentials(ctx); !errors.Is(err, ErrNoRole) || sts.calls != 1 {
				t.Fatalf("request %d within the interval: err %v, %d obtain calls; want ErrNoRole from 1 call", i, err, sts.calls)
			}
		}
		sts.fail = nil
		clk.t = t0.Add(10 * time.Second)
		if c, err := r.Credentials(ctx); err != nil || sts.calls != 2 || c.AccessKeyID != "ASIA0002" {
			t.Errorf("after the interval: %+v, %v, %d calls; want new credentials from a second call", c, err, sts.calls)
		}
	})
	t.Run("keeps usable credentials and retries later", func(t *testing.T) {
		clk := &clock{t0}
		sts := &fakeSTS{clk: clk, life: time.Hour}
		r, _ := newTestRefresher(t, sts, time.Minute)
		if _, err := r.Credentials(ctx); err != nil {
			t.Fatal(err)
		}
		sts.fail = errors.New("throttled")
		clk.t = t0.Add(50 * time.Minute)
		c, err := r.Credentials(ctx)
		if err != nil || c.AccessKeyID != "ASIA0001" {
			t.Fatalf("after a failed renewal: %+v, %v; want the old credentials", c, err)
		}
		if _, err := r.Credentials(ctx); err != nil || sts.calls != 2 {
			t.Errorf("within RetryAfter: %d STS calls, %v; want 2 (no retry yet)", sts.calls, err)
		}
		clk.t = clk.t.Add(time.Minute)
		r.Credentials(ctx)
		if sts.calls != 3 {
			t.Errorf("after RetryAfter: %d STS calls, want 3", sts.calls)
		}
	})
	t.Run("never hands out credentials about to expire", func(t *testing.T) {
		clk := &clock{t0}
		sts := &fakeSTS{clk: clk, life: time.Hour}
		r, _ := newTestRefresher(t, sts, 0)
		if _, err := r.Credentials(ctx); err != nil {
			t.Fatal(err)
		}
		sts.fail = errors.New("unreachable")
		clk.t = t0.Add(time.Hour - MinRemaining)
		if c, err := r.Credentials(ctx); err == nil {
			t.Errorf("%s before expiry: got %+v, want an error", MinRemaining, c)
		}
	})
	t.Run("already expired when issued", func(t *testing.T) {
		clk := &clock{t0}
		sts := &fakeSTS{clk: clk, life: 0}
		r, _ := newTestRefresher(t, sts, 0)
		if c, err := r.Credentials(ctx); err == nil {
			t.Errorf("got %+v, want an error", c)
		}
	})
}

// TestRefresherRenewsInBackground: with nobody asking, the timer renews the credentials at the
// renewal point, retries a failed renewal after RetryAfter, and stops on Close.
func TestRefresherRenewsInBackground(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t0}
	sts := &fakeSTS{clk: clk, life: time.Hour}
	r, ts := newTestRefresher(t, sts, time.Minute)
	if len(ts.pending) != 0 {
		t.Errorf("before the first request: timers due at %v, want none", ts.due())
	}
	if _, err := r.Credentials(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name      string
		advance   time.Duration
		fail      error
		wantCalls int
		wantKey   string
		wantDue   []time.Duration
	}{
		{"the first request set the timer", 0, nil, 1, "ASIA0001", []time.Duration{45 * time.Minute}},
		{"before the renewal point nothing happens", 44 * time.Minute, nil, 1, "ASIA0001", []time.Duration{45 * time.Minute}},
		{"the timer renews at the renewal point", time.Minute, nil, 2, "ASIA0002", []time.Duration{90 * time.Minute}},
		{"a failed renewal keeps the credentials and retries", 45 * time.Minute, errors.New("throttled"), 3, "ASIA0002", []time.Duration{91 * time.Minute}},
		{"the retry succeeds", time.Minute, nil, 4, "ASIA0004", []time.Duration{136 * time.Minute}},
	}
	for _, s := range steps {
		clk.t = clk.t.Add(s.advance)
		sts.fail = s.fail
		ts.fire()
		if sts.calls != s.wantCalls {
			t.Errorf("%s (at +%s): %d STS calls, want %d", s.name, clk.t.Sub(t0), sts.calls, s.wantCalls)
		}
		sts.fail = nil
		c, err := r.Credentials(ctx)
		if err != nil || c.AccessKeyID != s.wantKey {
			t.Errorf("%s (at +%s): Credentials = %s, %v; want %s", s.name, clk.t.Sub(t0), c.AccessKeyID, err, s.wantKey)
		}
		if sts.calls != s.wantCalls {
			t.Errorf("%s (at +%s): the request called STS (%d calls, want %d)", s.name, clk.t.Sub(t0), sts.calls, s.wantCalls)
		}
		if d := cmp.Diff(s.wantDue, ts.due()); d != "" {
			t.Errorf("%s: pending timers (-want +got):\n%s", s.name, d)
		}
	}
	r.Close()
	if len(ts.pending) != 0 {
		t.Errorf("after Close: timers due at %v, want none", ts.due())
	}
	clk.t = clk.t.Add(time.Hour)
	ts.fire()
	if sts.calls != 4 {
		t.Errorf("after Close: %d STS calls, want 4", sts.calls)
	}
	if c, err := r.Credentials(ctx); err == nil {
		t.Errorf("Credentials after Close = %+v, want an error", c)
	}
}
