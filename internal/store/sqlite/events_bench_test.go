package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/store"
)

// The LookupEvents scale benchmark (issue 7: p99 < 100 ms over 10⁶ records). It only runs with
// -bench. The trail is built once per process (or reused from IAMD_BENCH_DB, which is created
// if missing), with IAMD_BENCH_EVENTS records (default 1,000,000):
//
//	IAMD_BENCH_DB=/tmp/trail-1m.db go test ./internal/store/sqlite -run '^$' -bench LookupEvents -benchtime 2000x
//
// Each sub-benchmark runs LookupEvents-style queries (Store.Events, one lookup attribute,
// Limit 50) with values drawn the way they occur in the trail, and reports p50 and p99.

const benchAccount = "111122223333"

// benchTrail describes a synthetic trail: who did what to which resource, in what proportions.
type benchTrail struct {
	users     []string // IAM user names; user i is picked with weight 1/(i+1) (a few busy users, a long tail)
	keys      []string // access key ID of each user
	names     []string // event names, weighted like users
	resources []string // resource names (users, roles, policies)
	v7        bool     // event IDs as the server makes them (UUIDv7), not as AWS does (random)
}

func newBenchTrail() *benchTrail {
	t := &benchTrail{}
	for i := range 500 {
		t.users = append(t.users, fmt.Sprintf("user-%03d", i))
		t.keys = append(t.keys, fmt.Sprintf("AKIAEXAMPLE%09d", i))
	}
	t.names = []string{"GetUser", "ListUsers", "AssumeRole", "GetCallerIdentity", "ListRoles", "GetRole", "ListPolicies",
		"GetPolicy", "GetPolicyVersion", "ListAttachedRolePolicies", "ListRolePolicies", "GetRolePolicy", "ListAccessKeys",
		"GetAccessKeyLastUsed", "ListGroupsForUser", "ListUserTags", "TagUser", "CreateUser", "PutUserPolicy", "AttachRolePolicy",
		"CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "CreateRole", "UpdateAssumeRolePolicy", "DeleteUser", "CreatePolicy",
		"CreatePolicyVersion", "DeleteRole", "DeletePolicy"}
	for i := range 2000 {
		switch i % 3 {
		case 0:
			t.resources = append(t.resources, fmt.Sprintf("arn:aws:iam::%s:user/team-%d/user-%04d", benchAccount, i%17, i))
		case 1:
			t.resources = append(t.resources, fmt.Sprintf("arn:aws:iam::%s:role/service-role/role-%04d", benchAccount, i))
		default:
			t.resources = append(t.resources, fmt.Sprintf("arn:aws:iam::%s:policy/policy-%04d", benchAccount, i))
		}
	}
	return t
}

// event builds the i-th record: a CloudTrail record of about 1 KB as iamd writes it.
func (bt *benchTrail) event(r *rand.Rand, zu, zn, zr *rand.Zipf, i int, t0 time.Time) *store.Event {
	u := int(zu.Uint64())
	name := bt.names[zn.Uint64()]
	res := bt.resources[zr.Uint64()]
	typ := "AWS::IAM::User"
	switch {
	case strings.Contains(res, ":role/"):
		typ = "AWS::IAM::Role"
	case strings.Contains(res, ":policy/"):
		typ = "AWS::IAM::Policy"
	}
	at := t0.Add(time.Duration(i) * 50 * time.Millisecond)
	id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff)
	if bt.v7 {
		// The server's event IDs (trail.NewEventID): the event's millisecond, then random bits.
		ms := at.UnixMilli()
		id = fmt.Sprintf("%08x-%04x-7%03x-8%03x-%012x", ms>>16, ms&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff)
	}
	params, _ := json.Marshal(map[string]any{"userName": bt.users[u], "resourceArn": res, "policyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`})
	ev := audit.Event{
		EventVersion: audit.EventVersion,
		UserIdentity: audit.UserIdentity{Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDAEXAMPLE%010d", u), ARN: "arn:aws:iam::" + benchAccount + ":user/" + bt.users[u],
			AccountID: benchAccount, AccessKeyID: bt.keys[u], UserName: bt.users[u]},
		EventTime: at, EventSource: "iam.amazonaws.com", EventName: name, AWSRegion: "us-east-1", SourceIPAddress: "192.0.2." + strconv.Itoa(u%250),
		UserAgent:         "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off command/iam." + strings.ToLower(name),
		RequestParameters: params, RequestID: id[:8] + "-0000-4000-8000-" + id[24:], EventID: id, ReadOnly: strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List"),
		Resources: []audit.Resource{{ARN: res, AccountID: benchAccount, Type: typ}}, EventType: audit.EventTypeAPICall, ManagementEvent: true,
		RecipientAccountID: benchAccount, EventCategory: audit.EventCategoryManagement,
		TLSDetails: &audit.TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "iam.amazonaws.com"},
	}
	rec, _ := json.Marshal(ev)
	return &store.Event{Time: at, Account: benchAccount, Source: ev.EventSource, Name: name, ID: id, Username: bt.users[u],
		AccessKey: bt.keys[u], ReadOnly: ev.ReadOnly, Resources: []string{typ + "\x00" + res}, Record: rec}
}

func (bt *benchTrail) zipfs(r *rand.Rand) (zu, zn, zr *rand.Zipf) {
	return rand.NewZipf(r, 1.1, 1, uint64(len(bt.users)-1)), rand.NewZipf(r, 1.1, 1, uint64(len(bt.names)-1)),
		rand.NewZipf(r, 1.1, 1, uint64(len(bt.resources)-1))
}

// openBenchTrail opens (filling it if new) the benchmark trail and returns it with the IDs of a
// sample of its events.
func openBenchTrail(b *testing.B) (*DB, []string) {
	b.Helper()
	ctx := context.Background()
	n := 1_000_000
	if s := os.Getenv("IAMD_BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("IAMD_BENCH_EVENTS=%q", s)
		}
	}
	// IAMD_BENCH_JOURNALED=1 fills the trail through the record journal (records kept in its
	// files, as a server's reads are) instead of transactions (records in the rows).
	journaled := os.Getenv("IAMD_BENCH_JOURNALED") == "1"
	path := os.Getenv("IAMD_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "trail.db")
	}
	db, err := Config{Path: path}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var have int64
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events) + (SELECT coalesce(sum(n), 0) FROM event_blocks)`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	bt := newBenchTrail()
	bt.v7 = journaled
	if have == 0 {
		start := time.Now()
		r := rand.New(rand.NewPCG(7, 7))
		zu, zn, zr := bt.zipfs(r)
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const batch = 10_000
		for i := 0; i < n; i += batch {
			evs := make([]*store.Event, 0, batch)
			for j := i; j < min(i+batch, n); j++ {
				evs = append(evs, bt.event(r, zu, zn, zr, j, t0))
			}
			var err error
			if journaled {
				// As a server records reads: through the record journal, whose files then keep
				// the records.
				if err = db.Record(ctx, evs...); err == nil {
					err = db.catchUp(ctx)
				}
			} else {
				err = db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, evs...) })
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("filled %d events in %s (journaled %v)", n, time.Since(start).Round(time.Millisecond), journaled)
	} else if have < int64(n) {
		b.Fatalf("%s has %d events, want %d (delete it to rebuild)", path, have, n)
	}
	var ids []string
	for after := int64(996); after < int64(n); after += 997 {
		evs, err := db.Chain(ctx, after, 1)
		if err != nil || len(evs) == 0 {
			b.Fatalf("event after %d: %d, %v", after, len(evs), err)
		}
		ids = append(ids, evs[0].ID)
	}
	return db, ids
}

func BenchmarkLookupEvents(b *testing.B) {
	db, ids := openBenchTrail(b)
	bt := newBenchTrail()
	ctx := context.Background()
	newest, err := db.Events(ctx, store.EventFilter{Account: benchAccount, Limit: 1})
	if err != nil || len(newest) == 0 {
		b.Fatalf("newest event: %v", err)
	}
	oldest, err := db.Chain(ctx, 0, 1)
	if err != nil || len(oldest) == 0 {
		b.Fatalf("oldest event: %v", err)
	}
	end := newest[0].Time
	half := oldest[0].Time.Add(end.Sub(oldest[0].Time) / 2)
	for _, tc := range []struct {
		name   string
		filter func(r *rand.Rand, zu, zn, zr *rand.Zipf) store.EventFilter
	}{
		{"EventName", func(r *rand.Rand, _, zn, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{Name: bt.names[r.IntN(len(bt.names))]}
		}},
		{"Username", func(r *rand.Rand, zu, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{Username: bt.users[r.IntN(len(bt.users))]}
		}},
		{"ResourceName", func(r *rand.Rand, _, _, zr *rand.Zipf) store.EventFilter {
			return store.EventFilter{Resource: "\x00" + bt.resources[r.IntN(len(bt.resources))]}
		}},
		{"AccessKeyId", func(r *rand.Rand, zu, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{AccessKey: bt.keys[r.IntN(len(bt.keys))]}
		}},
		{"EventId", func(r *rand.Rand, _, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{ID: ids[r.IntN(len(ids))]}
		}},
		// With a time range, as the console and SDK callers often send: the newer half.
		{"Username+TimeRange", func(r *rand.Rand, _, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{Username: bt.users[r.IntN(len(bt.users))], Start: half, End: end}
		}},
		{"TimeRange", func(r *rand.Rand, _, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{Start: half, End: end}
		}},
		{"EventName+TimeRange", func(r *rand.Rand, _, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{Name: bt.names[r.IntN(len(bt.names))], Start: half, End: end}
		}},
		{"ResourceName+TimeRange", func(r *rand.Rand, _, _, _ *rand.Zipf) store.EventFilter {
			return store.EventFilter{Resource: "\x00" + bt.resources[r.IntN(len(bt.resources))], Start: half, End: end}
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			zu, zn, zr := bt.zipfs(r)
			lat := make([]time.Duration, 0, b.N)
			found := 0
			b.ResetTimer()
			for b.Loop() {
				f := tc.filter(r, zu, zn, zr)
				f.Account, f.Limit = benchAccount, 50
				start := time.Now()
				evs, err := db.Events(ctx, f)
				lat = append(lat, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				found += len(evs)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(found)/float64(len(lat)), "events/query")
		})
	}
}

// BenchmarkRetentionCut times finding a retention prune's cut on the benchmark trail: by age
// (the first record of the last tenth of the trail) and by size (keep half the bytes).
func BenchmarkRetentionCut(b *testing.B) {
	db, _ := openBenchTrail(b)
	ctx := context.Background()
	var n, total int64
	var last time.Time
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events) + (SELECT coalesce(sum(n), 0) FROM event_blocks),
		(SELECT coalesce(sum(length(record) + record_len), 0) FROM events) + (SELECT coalesce(sum(bytes), 0) FROM event_blocks)`).Scan(&n, &total); err != nil {
		b.Fatal(err)
	}
	evs, err := db.Events(ctx, store.EventFilter{Account: benchAccount, Limit: 1})
	if err != nil || len(evs) == 0 {
		b.Fatal(err)
	}
	last = evs[0].Time
	b.Run("SeqAt", func(b *testing.B) {
		// The bench trail's records are 50 ms apart.
		at := last.Add(-time.Duration(n/10) * 50 * time.Millisecond)
		for b.Loop() {
			if _, err := db.SeqAt(ctx, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SeqFitting", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.SeqFitting(ctx, total/2); err != nil {
				b.Fatal(err)
			}
		}
	})
}
