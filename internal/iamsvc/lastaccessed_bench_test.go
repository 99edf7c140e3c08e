package iamsvc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const laAccount = "123456789012"

// laFixture is a Service on a SQLite store in a temporary directory, with one user (laName)
// whose inline policy allows iam, s3, sts and ec2.
type laFixture struct {
	svc    *Service
	db     *sqlite.DB
	root   *authn.Caller
	userID string // laName's unique ID
}

const laName = "bench-user"

func newLAFixture(tb testing.TB) *laFixture {
	tb.Helper()
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	db, err := sqlite.Config{Path: filepath.Join(tb.TempDir(), "iamd.db")}.Open(ctx, logger)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	svc := New(Config{Store: db, Authz: authz.New(db, logger, true), Rand: rand.NewChaCha8([32]byte{7}), Now: func() time.Time { return now }, Logger: logger})
	root := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::" + laAccount + ":root", Account: laAccount}, UserID: laAccount}
	name := laName
	if _, err := svc.CreateUser(ctx, root, &sdk.CreateUserInput{UserName: &name}); err != nil {
		tb.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","s3:*","sts:*","ec2:Describe*"],"Resource":"*"}]}`
	if _, err := svc.PutUserPolicy(ctx, root, &sdk.PutUserPolicyInput{UserName: &name, PolicyName: ptr("all"), PolicyDocument: &doc}); err != nil {
		tb.Fatal(err)
	}
	u, err := svc.GetUser(ctx, root, &sdk.GetUserInput{UserName: &name})
	if err != nil {
		tb.Fatal(err)
	}
	return &laFixture{svc: svc, db: db, root: root, userID: *u.User.UserId}
}

// laEvent is one trail record of about 1 KB, as iamd writes it, of a call by the IAM user
// name (unique ID id) to the service at t.
func laEvent(name, id, service, action, region string, t time.Time, seq int) *store.Event {
	arn := "arn:aws:iam::" + laAccount + ":user/" + name
	eid := fmt.Sprintf("%08x-0000-4000-8000-%012x", seq, seq)
	params, _ := json.Marshal(map[string]any{"userName": name, "policyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`})
	ev := audit.Event{
		EventVersion: audit.EventVersion,
		UserIdentity: audit.UserIdentity{Type: "IAMUser", PrincipalID: id, ARN: arn, AccountID: laAccount, AccessKeyID: "AKIA" + id[4:], UserName: name},
		EventTime:    t, EventSource: service + ".amazonaws.com", EventName: action, AWSRegion: region, SourceIPAddress: "192.0.2.1",
		UserAgent:         "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off command/" + service,
		RequestParameters: params, RequestID: eid, EventID: eid, ReadOnly: true,
		Resources: []audit.Resource{{ARN: arn, AccountID: laAccount, Type: "AWS::IAM::User"}}, EventType: audit.EventTypeAPICall, ManagementEvent: true,
		RecipientAccountID: laAccount, EventCategory: audit.EventCategoryManagement,
		TLSDetails: &audit.TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: service + ".amazonaws.com"},
	}
	rec, _ := json.Marshal(ev)
	return &store.Event{Time: t, Account: laAccount, Source: ev.EventSource, Name: action, ID: eid, Username: name, AccessKey: ev.UserIdentity.AccessKeyID,
		ReadOnly: true, Resources: []string{"AWS::IAM::User\x00" + arn}, Record: rec}
}

// append adds events to the trail in transactions of at most 10,000.
func (f *laFixture) append(tb testing.TB, evs []*store.Event) {
	tb.Helper()
	ctx := context.Background()
	for len(evs) > 0 {
		n := min(len(evs), 10_000)
		batch := evs[:n]
		if err := f.db.Update(ctx, func(tx store.Tx) error { return tx.Append(ctx, batch...) }); err != nil {
			tb.Fatal(err)
		}
		evs = evs[n:]
	}
}

// BenchmarkServiceLastAccessed generates an ACTION_LEVEL report on one user over a trail of
// 100,000 records (IAMD_BENCH_EVENTS to change it) by 200 users (a few busy ones and a long
// tail; the user is the fourth busiest, with about 5% of the records), one every 50 ms.
func BenchmarkServiceLastAccessed(b *testing.B) {
	f := newLAFixture(b)
	n := 100_000
	if s := os.Getenv("IAMD_BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("IAMD_BENCH_EVENTS=%q: want a positive number", s)
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	zu := rand.NewZipf(r, 1.1, 1, 199)
	services := []struct{ ns, action string }{{"iam", "GetUser"}, {"iam", "ListRoles"}, {"s3", "GetObject"}, {"sts", "GetCallerIdentity"}, {"ec2", "DescribeInstances"}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := make([]*store.Event, 0, 10_000)
	for i := range n {
		u := int(zu.Uint64())
		name, id := fmt.Sprintf("user-%03d", u), fmt.Sprintf("AIDAEXAMPLE%010d", u)
		if u == 3 {
			name, id = laName, f.userID
		}
		sv := services[r.IntN(len(services))]
		evs = append(evs, laEvent(name, id, sv.ns, sv.action, "us-east-1", t0.Add(time.Duration(i)*50*time.Millisecond), i))
		if len(evs) == cap(evs) || i == n-1 {
			f.append(b, evs)
			evs = evs[:0]
		}
	}
	ctx := context.Background()
	target := "arn:aws:iam::" + laAccount + ":user/" + laName
	in := &sdk.GenerateServiceLastAccessedDetailsInput{Arn: &target, Granularity: types.AccessAdvisorUsageGranularityTypeActionLevel}
	peak := heapPeak()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.GenerateServiceLastAccessedDetails(ctx, f.root, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
}

// heapPeak samples the heap every 5 ms until the returned function is called, which returns
// the largest heap seen above the heap at the start (after a GC): about what an operation
// holds live at once, which B/op (all bytes allocated) does not tell.
func heapPeak() func() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, uint64(0)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
					peak = ms.HeapAlloc - base
				}
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak
	}
}

// BenchmarkSieve tests a record of about 1 KB that no covered entity made, against the words
// of n entities, searched for one by one (up to sieveWords) or looked up in a set.
func BenchmarkSieve(b *testing.B) {
	rec := laEvent("user-001", "AIDAEXAMPLE0000000001", "iam", "GetUser", "us-east-1", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1).Record
	for _, n := range []int{1, 2, 4, 8, 16, 100} {
		var ents []covered
		for i := range n {
			ents = append(ents, covered{name: fmt.Sprintf("bench-%d", i), id: fmt.Sprintf("AIDABENCH%012d", i)})
		}
		for _, mode := range []string{"search", "set"} {
			sv := newSieve(ents)
			if mode == "search" && sv.set != nil || mode == "set" && sv.set == nil {
				sv = &sieve{words: sv.words}
				if mode == "set" {
					sv.set = map[string]bool{}
					for _, w := range sv.words {
						sv.set[string(w)] = true
						sv.lens[len(w)] = true
					}
				}
			}
			b.Run(fmt.Sprintf("entities=%d/%s", n, mode), func(b *testing.B) {
				b.SetBytes(int64(len(rec)))
				for b.Loop() {
					if sv.may(rec) {
						b.Fatal("may = true")
					}
				}
			})
		}
	}
}
