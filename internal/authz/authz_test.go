package authz_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/store/sqlite"
)

const acct = "123456789012"

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func allow(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

func put(ctx context.Context, tx store.Tx, kind store.Kind, name, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Create(ctx, &store.Entity{Account: acct, Kind: kind, Name: name, ID: id, Path: "/", Created: now, Data: b})
}

// newStore holds user alice with 2 inline policies, 3 attached managed policies and 2 groups
// (each with an inline and an attached policy), and role deployer with one attached policy.
// Only managed policy "p2" (attached to alice) allows iam:GetUser.
func newStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Config{Path: filepath.Join(tb.TempDir(), "iamd.db")}.Open(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	err = db.Update(ctx, func(tx store.Tx) error {
		for i := range 6 {
			name := "p" + strconv.Itoa(i)
			action := "iam:List" + name
			if i == 2 {
				action = "iam:GetUser"
			}
			mp := &iam.ManagedPolicy{Name: name, ID: "ANPA" + name, Path: "/", DefaultVersion: "v1",
				Versions: []iam.PolicyVersion{{ID: "v1", Document: allow(action), Created: now}}}
			if err := put(ctx, tx, store.KindPolicy, name, mp.ID, mp); err != nil {
				return err
			}
		}
		u := &iam.User{Name: "alice", ID: "AIDAALICE", Path: "/", Created: now,
			Inline: []iam.InlinePolicy{{Name: "i0", Document: allow("iam:ListRoles")}, {Name: "i1", Document: allow("iam:ListGroups")}}}
		if err := put(ctx, tx, store.KindUser, "alice", u.ID, u); err != nil {
			return err
		}
		for _, p := range []string{"p0", "p1", "p2"} {
			if err := tx.Link(ctx, acct, store.LinkUserPolicy, "alice", iam.PolicyARN(acct, "/", p)); err != nil {
				return err
			}
		}
		for i, g := range []string{"devs", "ops"} {
			grp := &iam.Group{Name: g, ID: "AGPA" + g, Path: "/", Created: now, Inline: []iam.InlinePolicy{{Name: "g", Document: allow("iam:ListUsers")}}}
			if err := put(ctx, tx, store.KindGroup, g, grp.ID, grp); err != nil {
				return err
			}
			if err := tx.Link(ctx, acct, store.LinkMember, g, "alice"); err != nil {
				return err
			}
			if err := tx.Link(ctx, acct, store.LinkGroupPolicy, g, iam.PolicyARN(acct, "/", "p"+strconv.Itoa(3+i))); err != nil {
				return err
			}
		}
		role := &iam.Role{Name: "deployer", ID: "AROADEPLOYER", Path: "/", Created: now}
		if err := put(ctx, tx, store.KindRole, "deployer", role.ID, role); err != nil {
			return err
		}
		return tx.Link(ctx, acct, store.LinkRolePolicy, "deployer", iam.PolicyARN(acct, "/", "p2"))
	})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func alice() *authn.Caller {
	c := authn.UserCaller(acct, &iam.User{Name: "alice", ID: "AIDAALICE", Path: "/"})
	c.Time = now
	return &c
}

func deployerSession(sessionPolicy string) *authn.Caller {
	roleARN := iam.RoleARN(acct, "/", "deployer")
	c := &authn.Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::" + acct + ":assumed-role/deployer/s", Account: acct, SourceARN: roleARN},
		UserID:    "AROADEPLOYER:s",
		Time:      now,
		Session:   &authn.Session{Issued: now},
	}
	if sessionPolicy != "" {
		c.Session.Policies = []string{sessionPolicy}
	}
	return c
}

var getUser = authz.Request{Action: "iam:GetUser", Resource: iam.UserARN(acct, "/", "bob")}

func denied(err error) bool {
	var ie *iam.Error
	return errors.As(err, &ie) && ie.Code == iam.CodeAccessDenied
}

// TestPrincipalCache checks that cached principals serve until Invalidate and that a detached
// policy, a removed group membership or a deleted user applies on the first request after it.
func TestPrincipalCache(t *testing.T) {
	ctx := context.Background()
	db := newStore(t)
	a := authz.New(db, slog.New(slog.DiscardHandler), true)
	change := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Authorize(ctx, alice(), getUser); err != nil {
		t.Fatalf("alice GetUser: %v", err)
	}
	p2 := iam.PolicyARN(acct, "/", "p2")
	change(func(tx store.Tx) error { return tx.Unlink(ctx, acct, store.LinkUserPolicy, "alice", p2) })
	if err := a.Authorize(ctx, alice(), getUser); err != nil {
		t.Fatalf("alice GetUser before Invalidate (cached): %v, want allowed", err)
	}
	a.Invalidate()
	if err := a.Authorize(ctx, alice(), getUser); !denied(err) {
		t.Fatalf("alice GetUser after detaching p2: err = %v, want AccessDenied", err)
	}

	// Allowed through a group; then removed from the group.
	change(func(tx store.Tx) error { return tx.Link(ctx, acct, store.LinkGroupPolicy, "ops", p2) })
	a.Invalidate()
	if err := a.Authorize(ctx, alice(), getUser); err != nil {
		t.Fatalf("alice GetUser through group ops: %v", err)
	}
	change(func(tx store.Tx) error { return tx.Unlink(ctx, acct, store.LinkMember, "ops", "alice") })
	a.Invalidate()
	if err := a.Authorize(ctx, alice(), getUser); !denied(err) {
		t.Fatalf("alice GetUser after leaving ops: err = %v, want AccessDenied", err)
	}

	// The role's cache is shared by its sessions; a session policy narrows only its own session.
	narrow := deployerSession(allow("iam:ListUsers"))
	if err := a.Authorize(ctx, narrow, getUser); !denied(err) {
		t.Fatalf("session with a narrowing session policy: err = %v, want AccessDenied", err)
	}
	if err := a.Authorize(ctx, deployerSession(""), getUser); err != nil {
		t.Fatalf("session without a session policy: %v, want allowed", err)
	}
	if err := a.Authorize(ctx, narrow, getUser); !denied(err) {
		t.Fatalf("narrowed session again: err = %v, want AccessDenied", err)
	}

	// A deleted role: its sessions have no policies from the next request on.
	change(func(tx store.Tx) error { return tx.Delete(ctx, acct, store.KindRole, "deployer") })
	a.Invalidate()
	if err := a.Authorize(ctx, deployerSession(""), getUser); !denied(err) {
		t.Fatalf("session of a deleted role: err = %v, want AccessDenied", err)
	}
}

// BenchmarkAuthorize decides GetUser for a user with 2 inline policies, 3 attached ones and 2
// groups (each with an inline and an attached policy): "store" loads them on every call (the
// cache invalidated each time), "cached" from the principal cache.
func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	db := newStore(b)
	a := authz.New(db, slog.New(slog.DiscardHandler), true)
	c := alice()
	for _, cached := range []bool{false, true} {
		name := "store"
		if cached {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !cached {
					a.Invalidate()
				}
				if err := a.Authorize(ctx, c, getUser); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
