package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
	"github.com/iamd-dev/iamd/internal/store"
)

// retentionServer starts a server whose trail pruner runs on a fake clock and on ticks the
// test sends; every pass's result arrives on the returned channel.
type retentionServer struct {
	srv   *server.Server
	clock *atomic.Int64 // Unix nanoseconds
	tick  chan time.Time
	done  chan server.Pruning
}

func startRetention(t *testing.T, cfg config.Config) *retentionServer {
	t.Helper()
	rs := &retentionServer{clock: new(atomic.Int64), tick: make(chan time.Time), done: make(chan server.Pruning, 1)}
	rs.clock.Store(time.Now().UnixNano())
	hooks := server.RetentionHooks{
		Now:  func() time.Time { return time.Unix(0, rs.clock.Load()) },
		Tick: rs.tick,
		Done: func(p server.Pruning) { rs.done <- p },
	}
	srv, err := server.StartWith(context.Background(), cfg, slog.New(slog.DiscardHandler), server.Options{Retention: hooks})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	rs.srv = srv
	if p := <-rs.done; p.Err != nil || p.Deleted != 0 {
		t.Fatalf("pass at start on a new trail = %+v, want nothing deleted", p)
	}
	return rs
}

// pass runs one pruning pass at the clock's time now.
func (rs *retentionServer) pass(t *testing.T, now time.Time) server.Pruning {
	t.Helper()
	rs.clock.Store(now.UnixNano())
	rs.tick <- now
	p := <-rs.done
	if p.Err != nil {
		t.Fatalf("pruning pass at %s: %v", now, p.Err)
	}
	return p
}

// trailOf reads the whole stored trail and checks that it verifies from the checkpoint, as
// iamd trail verify does.
func trailOf(t *testing.T, s store.Store) (store.Checkpoint, []*store.StoredEvent) {
	t.Helper()
	ctx := context.Background()
	cp, err := s.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := audit.ResumeVerifier(cp.Seq, cp.Hash)
	var all []*store.StoredEvent
	for after := cp.Seq; ; {
		evs, err := s.Chain(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if err := v.Add(audit.Stored{Seq: e.Seq, Record: e.Chained(), Hash: e.Hash}); err != nil {
				t.Fatalf("the trail does not verify from checkpoint %d: %v", cp.Seq, err)
			}
		}
		all = append(all, evs...)
		if len(evs) < 500 {
			return cp, all
		}
		after = evs[len(evs)-1].Seq
	}
}

// createdUsers lists the userName of every CreateUser record, in trail order.
func createdUsers(t *testing.T, evs []*store.StoredEvent) []string {
	t.Helper()
	var out []string
	for _, e := range evs {
		if e.Name != "CreateUser" {
			continue
		}
		var rec struct {
			RequestParameters struct{ UserName string } `json:"requestParameters"`
		}
		if err := json.Unmarshal(e.Record, &rec); err != nil {
			t.Fatalf("record %d: %v", e.Seq, err)
		}
		out = append(out, rec.RequestParameters.UserName)
	}
	return out
}

func createUsers(t *testing.T, c *iam.Client, prefix string, n int) {
	t.Helper()
	for i := range n {
		name := fmt.Sprintf("%s-%d", prefix, i)
		must[*iam.CreateUserOutput](t, "CreateUser "+name)(c.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)}))
	}
}

func TestRetentionByAge(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	cfg.TrailRetentionDays = 1
	rs := startRetention(t, cfg)
	root := iamClient(rs.srv, rootKey, rootSecret, "")

	createUsers(t, root, "old", 3)
	cutoff := time.Now()
	createUsers(t, root, "new", 3)
	_, before := trailOf(t, rs.srv.Store())
	var wantDeleted int64
	for _, e := range before {
		if e.Time.Before(cutoff) {
			wantDeleted++
		}
	}

	// Just under a day after the cutoff: nothing is old enough yet.
	if p := rs.pass(t, cutoff.Add(24*time.Hour-time.Second)); p.Deleted >= wantDeleted {
		t.Errorf("pass a second before the old records expire deleted %d records, want fewer than %d", p.Deleted, wantDeleted)
	}
	p := rs.pass(t, cutoff.Add(24*time.Hour))
	cp, after := trailOf(t, rs.srv.Store())
	if got := createdUsers(t, after); fmt.Sprint(got) != "[new-0 new-1 new-2]" {
		t.Errorf("CreateUser records kept = %v, want only the new users'", got)
	}
	for _, e := range after {
		if e.Time.Before(cutoff) {
			t.Errorf("record %d (%s at %s) is older than the retention cutoff %s", e.Seq, e.Name, e.Time, cutoff)
		}
	}
	if len(after) != len(before)-int(wantDeleted) || cp.Seq != after[0].Seq-1 || p.Cut != after[0].Seq {
		t.Errorf("after pruning: %d of %d records left, checkpoint %d, cut %d, first %d; want %d left from the cut after the checkpoint",
			len(after), len(before), cp.Seq, p.Cut, after[0].Seq, len(before)-int(wantDeleted))
	}

	// A later pass with nothing new to delete deletes nothing; the server keeps recording and
	// the trail still verifies after a restart.
	if p := rs.pass(t, cutoff.Add(24*time.Hour)); p.Deleted != 0 {
		t.Errorf("second pass deleted %d records, want 0", p.Deleted)
	}
	must[*iam.ListUsersOutput](t, "ListUsers")(root.ListUsers(context.Background(), &iam.ListUsersInput{}))
	rs.srv.Close()
	cfg.TrailRetentionDays = 0
	srv := start(t, cfg)
	if _, evs := trailOf(t, srv.Store()); len(evs) != len(after)+1 || evs[len(evs)-1].Name != "ListUsers" {
		t.Errorf("after restart: %d records (last %s), want %d ending with ListUsers", len(evs), evs[len(evs)-1].Name, len(after)+1)
	}
}

func TestRetentionBySize(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	const limit = 6000
	cfg.TrailRetentionBytes = limit
	rs := startRetention(t, cfg)
	root := iamClient(rs.srv, rootKey, rootSecret, "")
	createUsers(t, root, "u", 12)
	_, before := trailOf(t, rs.srv.Store())
	total := 0
	for _, e := range before {
		total += len(e.Record)
	}
	if total <= limit {
		t.Fatalf("test setup: %d bytes of records, want more than %d", total, limit)
	}

	p := rs.pass(t, time.Now())
	_, after := trailOf(t, rs.srv.Store())
	kept := 0
	for _, e := range after {
		kept += len(e.Record)
	}
	dropped := before[len(before)-len(after)-1] // the newest record deleted
	if p.Deleted == 0 || kept > limit || kept+len(dropped.Record) <= limit || int(p.Deleted) != len(before)-len(after) {
		t.Errorf("pruned %d records to %d bytes (newest deleted: %d bytes), want the newest records within %d bytes",
			p.Deleted, kept, len(dropped.Record), limit)
	}
	if got := createdUsers(t, after); len(got) == 0 || got[len(got)-1] != "u-11" {
		t.Errorf("CreateUser records kept = %v, want the newest ones up to u-11", got)
	}
}
