package stssvc

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

func TestCanonicalKey(t *testing.T) {
	tagKeys := map[string][]string{"aws:PrincipalTag/": {"Team", "env"}, "aws:RequestTag/": {"CostCenter"}}
	tests := []struct {
		name, key, want string
	}{
		{"global key", "aws:securetransport", "aws:SecureTransport"},
		{"global key in another case", "AWS:PRINCIPALARN", "aws:PrincipalArn"},
		{"lower-case global key", "aws:userid", "aws:userid"},
		{"IAM key", "iam:passedtoservice", "iam:PassedToService"},
		{"STS key", "sts:rolesessionname", "sts:RoleSessionName"},
		{"principal tag with a spelling", "aws:principaltag/team", "aws:PrincipalTag/Team"},
		{"request tag with a spelling", "aws:requesttag/costcenter", "aws:RequestTag/CostCenter"},
		{"a spelling is per prefix", "aws:requesttag/team", "aws:RequestTag/team"},
		{"resource tag without a spelling", "aws:resourcetag/owner", "aws:ResourceTag/owner"},
		{"IAM resource tag", "iam:resourcetag/owner", "iam:ResourceTag/owner"},
		{"prefix without a tag key", "aws:principaltag/", "aws:principaltag/"},
		{"another service's key", "s3:prefix", "s3:prefix"},
		{"a provider's key", "token.actions.githubusercontent.com:sub", "token.actions.githubusercontent.com:sub"},
		{"a longer name is not a prefix match", "aws:sourceipx", "aws:sourceipx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := canonicalKey(tc.key, tagKeys); got != tc.want {
				t.Errorf("canonicalKey(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

// TestConditionKeyNamesMatchCatalog: each name is spelled as the action catalog spells it, and
// no two differ only in case.
func TestConditionKeyNamesMatchCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, name := range conditionKeyNames {
		if prev, ok := seen[strings.ToLower(name)]; ok {
			t.Errorf("%q and %q differ only in case", prev, name)
		}
		seen[strings.ToLower(name)] = name
		lookup, want := name, name
		if strings.HasSuffix(name, "/") {
			lookup = name + "x"
			want = name + "${"
		}
		k, ok := cat.ConditionKey(lookup)
		switch {
		case !ok:
			t.Errorf("%q is not in the catalog", name)
		case strings.HasSuffix(name, "/") && !strings.HasPrefix(k.Name, want):
			t.Errorf("catalog spells %q as %q, want a name starting %q", lookup, k.Name, want)
		case !strings.HasSuffix(name, "/") && k.Name != want:
			t.Errorf("catalog spells %q as %q", name, k.Name)
		}
	}
}

// richCaller is a role session with everything a request context can hold.
func richCaller() *authn.Caller {
	issued := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	return &authn.Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111122223333:assumed-role/deploy/ci", Account: "111122223333",
			SourceARN: "arn:aws:iam::111122223333:role/deploy"},
		UserID: "AROAEXAMPLEEXAMPLE01:ci",
		Session: &authn.Session{Tags: map[string]string{"Team": "platform"}, MFA: true, MFATime: issued, Issued: issued,
			SourceIdentity: "alice"},
		SourceIP: "192.0.2.7", UserAgent: "aws-cli/2", SecureTransport: true, Region: "us-east-1", Time: issued.Add(time.Minute),
	}
}

// TestConditionKeyNamesCoverRequestContext: every global key authz.RequestContext sets has its
// AWS spelling, so that a decoded message shows no lower-cased global key.
func TestConditionKeyNamesCoverRequestContext(t *testing.T) {
	c := richCaller()
	user := authn.UserCaller("111122223333", &iam.User{Name: "carol", Path: "/", ID: "AIDAEXAMPLEEXAMPLE01"})
	for _, tc := range []struct {
		name   string
		caller *authn.Caller
	}{{"role session", c}, {"user", &user}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, ok := authz.RequestContext(tc.caller, &authz.Principal{Tags: []iam.Tag{{Key: "Team", Value: "platform"}}}, nil).(condition.Map)
			if !ok {
				t.Fatal("RequestContext is not a condition.Map")
			}
			for k := range ctx {
				if got := canonicalKey(k, nil); got == k && k != "aws:userid" && k != "aws:username" {
					t.Errorf("canonicalKey(%q) = %q: no AWS spelling", k, got)
				}
			}
		})
	}
}

// TestEncodeAuthorizationMessage: the sealed message opens to AWS's shape, with the caller's
// name (for an IAM user) and the condition keys spelled as AWS spells them, sorted.
func TestEncodeAuthorizationMessage(t *testing.T) {
	s := newSessionService(t)
	user := authn.UserCaller("111122223333", &iam.User{Name: "carol", Path: "/", ID: "AIDAEXAMPLEEXAMPLE01"})
	user.SecureTransport, user.Time = true, sessionNow
	type principal struct{ ID, Name, ARN string }
	tests := []struct {
		name     string
		caller   *authn.Caller
		extra    map[string][]string
		want     principal
		wantKeys []string
	}{
		{"IAM user tagging a resource", &user, map[string][]string{"aws:RequestTag/CostCenter": {"42"}, "aws:TagKeys": {"CostCenter"}},
			principal{"AIDAEXAMPLEEXAMPLE01", "carol", "arn:aws:iam::111122223333:user/carol"},
			[]string{"aws:CurrentTime", "aws:EpochTime", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalType", "aws:RequestTag/CostCenter",
				"aws:SecureTransport", "aws:TagKeys", "aws:ViaAWSService", "aws:userid", "aws:username"}},
		{"role session (no name)", richCaller(), map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}},
			principal{"AROAEXAMPLEEXAMPLE01:ci", "", "arn:aws:sts::111122223333:assumed-role/deploy/ci"},
			[]string{"aws:CurrentTime", "aws:EpochTime", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:PrincipalAccount", "aws:PrincipalArn",
				"aws:PrincipalIsAWSService", "aws:PrincipalTag/Team", "aws:PrincipalType", "aws:RequestedRegion", "aws:SecureTransport", "aws:SourceIdentity", "aws:SourceIp",
				"aws:TokenIssueTime", "aws:UserAgent", "aws:ViaAWSService", "aws:userid", "iam:PassedToService"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p *authz.Principal
			if tc.caller.Session != nil {
				p = &authz.Principal{Tags: []iam.Tag{{Key: "Team", Value: "platform"}}}
			}
			ctx := authz.RequestContext(tc.caller, p, tc.extra)
			in := &policy.Input{Action: "iam:TagRole", Resource: "arn:aws:iam::111122223333:role/app", Context: ctx, Principal: tc.caller.Principal}
			enc := s.EncodeAuthorizationMessage(tc.caller, in, policy.Explain(in), ctx.(condition.Map))
			sealed, err := base64.RawURLEncoding.DecodeString(enc)
			if err != nil {
				t.Fatalf("message %q: %v", enc, err)
			}
			b, err := s.keys.Open(sealed, authzMessageAD)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			var m struct {
				Context struct {
					Principal  principal
					Action     string
					Conditions struct {
						Items []struct {
							Key    string
							Values struct{ Items []struct{ Value string } }
						}
					}
				}
			}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if d := cmp.Diff(tc.want, m.Context.Principal); d != "" {
				t.Errorf("principal (-want +got):\n%s\n%s", d, b)
			}
			var keys []string
			for _, it := range m.Context.Conditions.Items {
				keys = append(keys, it.Key)
			}
			if d := cmp.Diff(tc.wantKeys, keys); d != "" {
				t.Errorf("condition keys (-want +got):\n%s\n%s", d, b)
			}
			if !strings.Contains(string(b), `"name":`) != (tc.want.Name == "") {
				t.Errorf("message %s: name present = %v, want %v", b, strings.Contains(string(b), `"name":`), tc.want.Name != "")
			}
		})
	}
}

// BenchmarkEncodeAuthorizationMessage: a role session's denial with a full request context.
func BenchmarkEncodeAuthorizationMessage(b *testing.B) {
	s := newSessionService(b)
	c := richCaller()
	ctx := authz.RequestContext(c, &authz.Principal{Tags: []iam.Tag{{Key: "Team", Value: "platform"}}}, map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}})
	in := &policy.Input{Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/app", Context: ctx, Principal: c.Principal}
	tr := policy.Explain(in)
	b.ReportAllocs()
	for b.Loop() {
		if s.EncodeAuthorizationMessage(c, in, tr, ctx.(condition.Map)) == "" {
			b.Fatal("no message")
		}
	}
}

// BenchmarkConditionItems: the condition keys' AWS spellings and their order.
func BenchmarkConditionItems(b *testing.B) {
	c := richCaller()
	ctx := authz.RequestContext(c, &authz.Principal{Tags: []iam.Tag{{Key: "Team", Value: "platform"}}}, map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}})
	b.ReportAllocs()
	for b.Loop() {
		if len(conditionItems(c, ctx.(condition.Map))) == 0 {
			b.Fatal("no items")
		}
	}
}
