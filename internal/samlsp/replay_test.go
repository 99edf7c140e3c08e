package samlsp

import (
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newReplayCache(2)
	steps := []struct {
		id    string
		until time.Duration
		at    time.Duration
		want  bool
		size  int
	}{
		{"a", 10 * time.Minute, 0, true, 1},
		{"a", 10 * time.Minute, time.Minute, false, 1},
		{"b", 5 * time.Minute, time.Minute, true, 2},
		// Full: nothing expired, so b (expiring soonest) goes.
		{"c", 20 * time.Minute, 2 * time.Minute, true, 2},
		{"a", 10 * time.Minute, 3 * time.Minute, false, 2},
		// a has expired: it is dropped and may be used again (Parse refuses it as expired anyway).
		{"a", 30 * time.Minute, 11 * time.Minute, true, 2},
		{"d", 30 * time.Minute, 25 * time.Minute, true, 2},
	}
	for i, s := range steps {
		if got := c.use(s.id, t0.Add(s.until), t0.Add(s.at)); got != s.want {
			t.Errorf("step %d use(%q) = %v, want %v", i, s.id, got, s.want)
		}
		if n := c.len(); n != s.size {
			t.Errorf("step %d: %d IDs held, want %d", i, n, s.size)
		}
	}
}
