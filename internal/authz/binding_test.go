package authz_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// aliceWithID is alice's caller as credentials issued for a user with unique ID id carry it.
func aliceWithID(id string) *authn.Caller {
	c := authn.UserCaller(acct, &iam.User{Name: "alice", ID: id, Path: "/"})
	c.Time = now
	c.Session = &authn.Session{Issued: now}
	return &c
}

// deployerWithID is a session of role deployer as issued for a role with unique ID roleID.
func deployerWithID(roleID string) *authn.Caller {
	c := deployerSession("")
	c.UserID = roleID + ":s"
	return c
}

// federatedAlice is a GetFederationToken session of alice's, issued at issued.
func federatedAlice(issued time.Time) *authn.Caller {
	return &authn.Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalFederatedUser, ARN: "arn:aws:sts::" + acct + ":federated-user/fed",
			Account: acct, SourceARN: iam.UserARN(acct, "/", "alice")},
		UserID: acct + ":fed", UserName: "alice", Time: now,
		Session: &authn.Session{Issued: issued, Policies: []string{allow("iam:GetUser")}},
	}
}

// TestIssuedFor checks that credentials act only as the user or role they were issued for: a
// caller whose unique ID is not the stored namesake's (or whose user was created after its
// federation token) gets AccessDenied with AWS's implicit-deny message, even where a
// resource-based policy names its ARN, and whichever caller filled the principal cache first.
func TestIssuedFor(t *testing.T) {
	ctx := context.Background()
	db := newStore(t)
	roleARN := iam.RoleARN(acct, "/", "deployer")
	trustDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"sts:AssumeRole"}]}`
	target := iam.RoleARN(acct, "/", "target")
	tests := []struct {
		name string
		// caller is tried; twin is the other caller of the same name, used to fill the cache first.
		caller, twin   *authn.Caller
		resourcePolicy bool
		want           bool // allowed
	}{
		{"user, issued for the stored ID", aliceWithID("AIDAALICE"), aliceWithID("AIDAOLDALICE"), false, true},
		{"user, issued for a deleted namesake", aliceWithID("AIDAOLDALICE"), aliceWithID("AIDAALICE"), false, false},
		{"role session, issued for the stored ID", deployerWithID("AROADEPLOYER"), deployerWithID("AROAOLDDEPLOYER"), false, true},
		{"role session, issued for a deleted namesake", deployerWithID("AROAOLDDEPLOYER"), deployerWithID("AROADEPLOYER"), false, false},
		{"role session, trust policy naming the role, stored ID", deployerWithID("AROADEPLOYER"), deployerWithID("AROAOLDDEPLOYER"), true, true},
		{"role session, trust policy naming the role, deleted namesake", deployerWithID("AROAOLDDEPLOYER"), deployerWithID("AROADEPLOYER"), true, false},
		{"federated user, token issued when the user existed", federatedAlice(now), federatedAlice(now.Add(-time.Second)), false, true},
		{"federated user, token issued before the user was created", federatedAlice(now.Add(-time.Second)), federatedAlice(now), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := getUser
			if tt.resourcePolicy {
				a := authz.New(db, slog.New(slog.DiscardHandler), true)
				req = authz.Request{Action: "sts:AssumeRole", Resource: target,
					ResourcePolicy: a.Compile(trustDoc, policy.Trust, policy.PolicyRef{ARN: target, Name: "trust"})}
			}
			for _, warm := range []*authn.Caller{nil, tt.twin, tt.caller} {
				a := authz.New(db, slog.New(slog.DiscardHandler), true)
				if warm != nil {
					_ = a.Authorize(ctx, warm, req) // fills the principal cache
				}
				err := a.Authorize(ctx, tt.caller, req)
				if tt.want {
					if err != nil {
						t.Errorf("%s (cache warmed by %v): err = %v, want allowed", req.Action, warm != nil, err)
					}
					continue
				}
				want := "User: " + tt.caller.Principal.ARN + " is not authorized to perform: " + req.Action + " on resource: " + req.Resource +
					" because no identity-based policy allows the " + req.Action + " action"
				var ie *iam.Error
				if !errors.As(err, &ie) || ie.Code != iam.CodeAccessDenied || ie.Message != want {
					t.Errorf("%s (cache warmed: %v): err = %v, want AccessDenied %q", req.Action, warm != nil, err, want)
				}
			}
		})
	}
}

// TestLoadIssuedFor checks that Load reports a replaced user or role as not found, and loads the
// one the credentials were issued for.
func TestLoadIssuedFor(t *testing.T) {
	ctx := context.Background()
	db := newStore(t)
	a := authz.New(db, slog.New(slog.DiscardHandler), true)
	tests := []struct {
		name     string
		caller   *authn.Caller
		notFound bool
	}{
		{"user", aliceWithID("AIDAALICE"), false},
		{"replaced user", aliceWithID("AIDAOLDALICE"), true},
		{"role session", deployerWithID("AROADEPLOYER"), false},
		{"replaced role", deployerWithID("AROAOLDDEPLOYER"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.View(ctx, func(r store.Reader) error {
				p, err := a.Load(ctx, r, tt.caller)
				if err == nil && len(p.Identity) == 0 {
					t.Errorf("Load(%s) has no identity policies", tt.caller.UserID)
				}
				return err
			})
			if got := errors.Is(err, store.ErrNotFound); got != tt.notFound {
				t.Errorf("Load(%s): err = %v, want not found: %v", tt.caller.UserID, err, tt.notFound)
			}
		})
	}
}

// TestRecreatedRole checks the whole story against one Authorizer: a role deleted and created
// again under its name with more permissions serves them to the new role's sessions only.
func TestRecreatedRole(t *testing.T) {
	ctx := context.Background()
	db := newStore(t)
	a := authz.New(db, slog.New(slog.DiscardHandler), true)
	listUsers := authz.Request{Action: "iam:ListUsers", Resource: "*"}
	old, fresh := deployerWithID("AROADEPLOYER"), deployerWithID("AROANEWDEPLOYER")
	if err := a.Authorize(ctx, old, listUsers); !denied(err) {
		t.Fatalf("old session ListUsers before: err = %v, want AccessDenied", err)
	}
	err := db.Update(ctx, func(tx store.Tx) error {
		if err := tx.Unlink(ctx, acct, store.LinkRolePolicy, "deployer", iam.PolicyARN(acct, "/", "p2")); err != nil {
			return err
		}
		if err := tx.Delete(ctx, acct, store.KindRole, "deployer"); err != nil {
			return err
		}
		role := &iam.Role{Name: "deployer", ID: "AROANEWDEPLOYER", Path: "/", Created: now.Add(time.Minute),
			Inline: []iam.InlinePolicy{{Name: "admin", Document: allow("*")}}}
		return put(ctx, tx, store.KindRole, "deployer", role.ID, role)
	})
	if err != nil {
		t.Fatal(err)
	}
	a.Invalidate()
	for range 2 { // from the store, then from the cache
		if err := a.Authorize(ctx, fresh, listUsers); err != nil {
			t.Errorf("new role's session ListUsers: %v, want allowed", err)
		}
		if err := a.Authorize(ctx, old, listUsers); !denied(err) {
			t.Errorf("old session ListUsers after the role was re-created: err = %v, want AccessDenied", err)
		}
	}
}
