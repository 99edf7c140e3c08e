package stssvc

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// memStore is a store with entities and nothing else: enough for AssumeRole (roles, the
// caller's user), with links empty and Update a no-op that counts its calls (the role's last use).
type memStore struct {
	store.Store
	mu       sync.Mutex
	entities map[string]*store.Entity // "ACCOUNT/kind/lower-case name"
	updates  int
	// updated, when set, receives once per Update.
	updated chan struct{}
}

func memKey(acct string, kind store.Kind, name string) string {
	return acct + "/" + string(kind) + "/" + strings.ToLower(name)
}

func (m *memStore) put(t testing.TB, acct string, kind store.Kind, name, id string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if m.entities == nil {
		m.entities = map[string]*store.Entity{}
	}
	m.entities[memKey(acct, kind, name)] = &store.Entity{Account: acct, Kind: kind, Name: name, ID: id, Path: "/", Data: data}
}

func (m *memStore) View(ctx context.Context, fn func(r store.Reader) error) error {
	return fn(memReader{m: m})
}

func (m *memStore) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	m.mu.Lock()
	m.updates++
	m.mu.Unlock()
	if m.updated != nil {
		m.updated <- struct{}{}
	}
	return nil
}

type memReader struct {
	store.Reader
	m *memStore
}

func (r memReader) Get(ctx context.Context, acct string, kind store.Kind, name string) (*store.Entity, error) {
	if e, ok := r.m.entities[memKey(acct, kind, name)]; ok {
		return e, nil
	}
	return nil, store.ErrNotFound
}

func (r memReader) GetByID(ctx context.Context, acct string, kind store.Kind, id string) (*store.Entity, error) {
	for _, e := range r.m.entities {
		if e.Account == acct && e.Kind == kind && e.ID == id {
			return e, nil
		}
	}
	return nil, store.ErrNotFound
}

func (memReader) Links(context.Context, string, store.LinkKind, string) ([]string, error) {
	return nil, nil
}

func (memReader) LinksTo(context.Context, string, store.LinkKind, string) ([]string, error) {
	return nil, nil
}

const benchAccount = "123456789012"

// newAssumeService is a Service over a memStore holding the role bench-role, which trusts the
// account, and the IAM user caller, whose inline policy allows sts:AssumeRole; it returns the
// user as a caller.
func newAssumeService(t testing.TB) (*Service, *memStore, *authn.Caller) {
	t.Helper()
	keys := newTestKeys(t)
	st := &memStore{}
	putRole(t, st, iam.Role{Name: "bench-role", ID: "AROABENCHBENCHBENCH01", Path: "/", TrustPolicy: trustAccount("")})
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	st.put(t, benchAccount, store.KindUser, "caller", "AIDABENCHBENCHBENCH01",
		iam.User{Name: "caller", ID: "AIDABENCHBENCHBENCH01", Path: "/", Inline: []iam.InlinePolicy{{Name: "assume", Document: allow}}})
	logger := slog.New(slog.DiscardHandler)
	s := New(Config{Store: st, Authz: authz.New(st, logger, true), Keys: keys, Rand: rand.Reader,
		Now: func() time.Time { return sessionNow }, Logger: logger})
	c := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::" + benchAccount + ":user/caller", Account: benchAccount},
		UserID: "AIDABENCHBENCHBENCH01", UserName: "caller", AccessKeyID: "AKIABENCHBENCHBENCH1", RequestID: "req-1", SourceIP: "127.0.0.1",
		UserAgent: "bench", Region: "us-east-1", Time: sessionNow}
	return s, st, c
}

// trustAccount is a trust policy allowing the benchAccount's principals sts:AssumeRole, with
// the statement's Condition block cond ("" for none).
func trustAccount(cond string) string {
	if cond != "" {
		cond = `,"Condition":` + cond
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + benchAccount + `:root"},"Action":"sts:AssumeRole"` + cond + `}]}`
}

// putRole stores role r in benchAccount, with a MaxSessionDuration of an hour.
func putRole(t testing.TB, st *memStore, r iam.Role) {
	t.Helper()
	r.MaxSessionDuration = 3600
	st.put(t, benchAccount, store.KindRole, r.Name, r.ID, r)
}

// BenchmarkAssumeRoleService is AssumeRole in the service alone (no HTTP, no audit record): an
// IAM user allowed sts:AssumeRole assumes a role trusting the account, the role and the user's
// policies cached as they are after the first call.
func BenchmarkAssumeRoleService(b *testing.B) {
	s, _, c := newAssumeService(b)
	ctx := context.Background()
	in := &sdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + benchAccount + ":role/bench-role"), RoleSessionName: aws.String("bench")}
	if _, err := s.AssumeRole(ctx, c, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AssumeRole(ctx, c, in); err != nil {
			b.Fatal(err)
		}
	}
}
