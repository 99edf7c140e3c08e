package authz_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

func TestRequestContext(t *testing.T) {
	user := &authn.Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, Account: acct, ARN: "arn:aws:iam::" + acct + ":user/Alice"},
		UserID:    "AIDAEXAMPLE", UserName: "Alice", SourceIP: "192.0.2.1", UserAgent: "test/1",
		SecureTransport: true, Region: "us-east-1", Time: now,
	}
	session := *user
	session.Principal = policy.PrincipalInfo{Type: policy.PrincipalRoleSession, Account: acct,
		ARN: "arn:aws:sts::" + acct + ":assumed-role/r/s", SourceARN: "arn:aws:iam::" + acct + ":role/r"}
	session.UserName = ""
	session.Session = &authn.Session{MFA: true, MFATime: now.Add(-90 * time.Second), Issued: now.Add(-time.Hour), SourceIdentity: "me"}
	tests := []struct {
		name   string
		caller *authn.Caller
		p      *authz.Principal
		extra  map[string][]string
		want   map[string][]string // lower-case key → values; "" value list = absent
	}{
		{"user", user, &authz.Principal{Tags: []iam.Tag{{Key: "Team", Value: "blue"}}},
			map[string][]string{"aws:RequestTag/Env": {"prod"}, "aws:TagKeys": {"Env", "Owner"}},
			map[string][]string{
				"aws:principalarn": {"arn:aws:iam::" + acct + ":user/Alice"}, "aws:principalaccount": {acct},
				"aws:userid": {"AIDAEXAMPLE"}, "aws:principaltype": {"User"}, "aws:username": {"Alice"},
				"aws:sourceip": {"192.0.2.1"}, "aws:useragent": {"test/1"}, "aws:securetransport": {"true"},
				"aws:requestedregion": {"us-east-1"}, "aws:currenttime": {"2026-03-01T12:00:00Z"},
				"aws:epochtime": {"1772366400"}, "aws:viaawsservice": {"false"},
				"aws:principaltag/team": {"blue"}, "aws:requesttag/env": {"prod"}, "aws:tagkeys": {"Env", "Owner"},
				"aws:multifactorauthpresent": nil, "aws:tokenissuetime": nil,
			}},
		{"role session", &session, nil, map[string][]string{"AWS:ViaAWSService": {"true"}},
			map[string][]string{
				"aws:principalarn": {"arn:aws:iam::" + acct + ":role/r"}, "aws:principaltype": {"AssumedRole"},
				"aws:username": nil, "aws:multifactorauthpresent": {"true"}, "aws:multifactorauthage": {"90"},
				"aws:tokenissuetime": {"2026-03-01T11:00:00Z"}, "aws:sourceidentity": {"me"},
				"aws:viaawsservice": {"true"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := authz.RequestContext(tt.caller, tt.p, tt.extra)
			for k, want := range tt.want {
				got, ok := ctx.Values(k)
				if want == nil {
					if ok {
						t.Errorf("%s = %q, want absent", k, got)
					}
					continue
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			if m, ok := ctx.(condition.Map); ok {
				for k := range m {
					if k != lower(k) {
						t.Errorf("key %q is not lower-case", k)
					}
				}
			}
		})
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TestLazyContextResourceAccount: the lazy context Decide evaluates with holds
// aws:ResourceAccount as Input's context does, unless the request's own keys set it, and is
// built only when asked.
func TestLazyContextResourceAccount(t *testing.T) {
	c := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		UserID: "AIDAALICE", UserName: "alice", Time: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name  string
		extra map[string][]string
		acct  string
		want  []string
	}{
		{"from the resource", nil, "444455556666", []string{"444455556666"}},
		{"set by the request", map[string][]string{"aws:ResourceAccount": {"777788889999"}}, "444455556666", []string{"777788889999"}},
		{"none", nil, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &authz.LazyContext{Caller: c, Extra: tc.extra, ResourceAccount: tc.acct}
			if l.Built() {
				t.Fatal("built before any key was asked for")
			}
			got, _ := l.Values("aws:resourceaccount")
			if !cmp.Equal(got, tc.want) || !l.Built() {
				t.Errorf("aws:resourceaccount = %q (built %v), want %q", got, l.Built(), tc.want)
			}
			if v, ok := l.Values("aws:username"); !ok || !cmp.Equal(v, []string{"alice"}) {
				t.Errorf("aws:username = %q, %v", v, ok)
			}
		})
	}
}
