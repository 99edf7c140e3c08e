package stssvc

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// TestLazyContextValues: every key answers as in the context authz.RequestContext builds, for
// callers with and without a session, and keys it does not hold are absent.
func TestLazyContextValues(t *testing.T) {
	user := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		UserID: "AIDAALICE", UserName: "alice", SourceIP: "10.0.0.1", UserAgent: "ua", Region: "eu-west-1", Time: sessionNow}
	session := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::111122223333:assumed-role/r/s",
		Account: "111122223333", SourceARN: "arn:aws:iam::111122223333:role/r"}, UserID: "AROAR:s", Time: sessionNow,
		Session: &authn.Session{MFA: true, MFATime: sessionNow.Add(-time.Minute), Issued: sessionNow.Add(-time.Hour), SourceIdentity: "bob"}}
	extra := map[string][]string{"sts:RoleSessionName": {"s1"}, "sts:ExternalId": {"ext"}, "aws:RequestTag/Team": {"a"}}
	keys := []string{"aws:principalarn", "aws:userid", "aws:username", "aws:principaltype", "aws:sourceip", "aws:currenttime",
		"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:tokenissuetime", "aws:sourceidentity", "sts:rolesessionname",
		"sts:externalid", "aws:requesttag/team", "aws:requesttag/other", "aws:principaltag/team", "nothing"}
	for _, tc := range []struct {
		name string
		c    *authn.Caller
	}{{"user", user}, {"role session", session}} {
		t.Run(tc.name, func(t *testing.T) {
			eager := authz.RequestContext(tc.c, nil, extra)
			lazy := &authz.LazyContext{Caller: tc.c, Extra: extra}
			for _, k := range keys {
				wantV, wantOK := eager.Values(k)
				gotV, gotOK := lazy.Values(k)
				if gotOK != wantOK || !cmp.Equal(gotV, wantV) {
					t.Errorf("Values(%q) = %q, %v; want %q, %v", k, gotV, gotOK, wantV, wantOK)
				}
			}
		})
	}
}

// TestLazyContextBuiltOnDemand: evaluating a trust policy without conditions builds no context,
// one with a condition builds it, and both decide as with the built context.
func TestLazyContextBuiltOnDemand(t *testing.T) {
	c := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		UserID: "AIDAALICE", UserName: "alice", Time: sessionNow}
	extra := map[string][]string{"sts:RoleSessionName": {"s1"}, "sts:ExternalId": {"ext"}}
	cases := []struct {
		name      string
		trust     string
		wantBuilt bool
	}{
		{"no condition", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`, false},
		{"external id matches", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole",
			"Condition":{"StringEquals":{"sts:ExternalId":"ext"}}}]}`, true},
		{"external id differs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole",
			"Condition":{"StringEquals":{"sts:ExternalId":"other"}}}]}`, true},
		{"deny on user name", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"},
			{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:username":"alice"}}}]}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := policy.Parse(tc.trust, policy.Trust)
			if err != nil {
				t.Fatal(err)
			}
			trust, err := policy.Compile(doc, policy.Trust, policy.PolicyRef{Name: "trust"})
			if err != nil {
				t.Fatal(err)
			}
			input := func(ctx condition.Context) *policy.Input {
				return &policy.Input{Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/r", Context: ctx, Principal: c.Principal,
					ResourceAccount: "111122223333", ResourcePolicy: trust}
			}
			lazy := &authz.LazyContext{Caller: c, Extra: extra}
			got := policy.Explain(input(lazy))
			want := policy.Explain(input(authz.RequestContext(c, nil, extra)))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("trace with the lazy context differs (-built +lazy):\n%s", diff)
			}
			if built := lazy.Built(); built != tc.wantBuilt {
				t.Errorf("context built = %v, want %v", built, tc.wantBuilt)
			}
		})
	}
}

// TestAssumeRoleTrustConditions: AssumeRole decides a trust policy's conditions on the request's
// keys (sts:ExternalId here), through the service.
func TestAssumeRoleTrustConditions(t *testing.T) {
	s, st, c := newAssumeService(t)
	putRole(t, st, iam.Role{Name: "ext-role", ID: "AROAEXTEXTEXTEXTEXT01", Path: "/",
		TrustPolicy: trustAccount(`{"StringEquals":{"sts:ExternalId":"ext-1"}}`)})
	for _, tc := range []struct {
		name     string
		external *string
		wantCode string
	}{
		{"matching external id", aws.String("ext-1"), ""},
		{"other external id", aws.String("ext-2"), iam.CodeAccessDenied},
		{"no external id", nil, iam.CodeAccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &sdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + benchAccount + ":role/ext-role"), RoleSessionName: aws.String("s1"), ExternalId: tc.external}
			_, err := s.AssumeRole(context.Background(), c, in)
			if got := codeOf(err); got != tc.wantCode || (tc.wantCode == "" && err != nil) {
				t.Errorf("AssumeRole(ExternalId %v) = %v, want code %q", aws.ToString(tc.external), err, tc.wantCode)
			}
		})
	}
}
