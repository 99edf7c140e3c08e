package stssvc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
)

// TestAssumeRoleOutput: the response names the session and carries credentials whose token opens
// to the role session, for two calls in a row (the second with the role and the caller's policies
// cached).
func TestAssumeRoleOutput(t *testing.T) {
	s, _, c := newAssumeService(t)
	in := &sdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + benchAccount + ":role/bench-role"), RoleSessionName: aws.String("run-1"),
		DurationSeconds: aws.Int32(900)}
	seen := map[string]bool{}
	for i := range 2 {
		out, err := s.AssumeRole(context.Background(), c, in)
		if err != nil {
			t.Fatalf("call %d: AssumeRole: %v", i, err)
		}
		wantARN := "arn:aws:sts::" + benchAccount + ":assumed-role/bench-role/run-1"
		if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
			t.Errorf("call %d: AssumedRoleUser.Arn = %q, want %q", i, got, wantARN)
		}
		if got, want := aws.ToString(out.AssumedRoleUser.AssumedRoleId), "AROABENCHBENCHBENCH01:run-1"; got != want {
			t.Errorf("call %d: AssumedRoleId = %q, want %q", i, got, want)
		}
		cr := out.Credentials
		id, secret := aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey)
		if !strings.HasPrefix(id, "ASIA") || len(id) != 20 || len(secret) != 40 || seen[id] || seen[secret] {
			t.Errorf("call %d: credentials %q / %d-character secret: want a new ASIA key of 20 and a new secret of 40", i, id, len(secret))
		}
		seen[id], seen[secret] = true, true
		if got, want := aws.ToTime(cr.Expiration), sessionNow.Add(900*time.Second); !got.Equal(want) {
			t.Errorf("call %d: Expiration = %v, want %v", i, got, want)
		}
		if out.PackedPolicySize != nil || out.SourceIdentity != nil {
			t.Errorf("call %d: PackedPolicySize %v, SourceIdentity %v; want neither", i, out.PackedPolicySize, out.SourceIdentity)
		}
		cred, err := s.OpenSession(context.Background(), id, aws.ToString(cr.SessionToken), sessionNow)
		if err != nil {
			t.Fatalf("call %d: OpenSession: %v", i, err)
		}
		want := authn.Credential{Secret: secret, Expires: sessionNow.Add(900 * time.Second), Caller: authn.Caller{
			Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: wantARN, Account: benchAccount,
				SourceARN: "arn:aws:iam::" + benchAccount + ":role/bench-role"},
			UserID: "AROABENCHBENCHBENCH01:run-1", Session: &authn.Session{Issued: sessionNow}}}
		if diff := cmp.Diff(want, *cred); diff != "" {
			t.Errorf("call %d: the session token opens to (-want +got):\n%s", i, diff)
		}
	}
}

// TestAssumeRoleResourceTags: a trust policy's aws:ResourceTag condition sees the role's tags,
// and a role without tags has none.
func TestAssumeRoleResourceTags(t *testing.T) {
	s, st, c := newAssumeService(t)
	trust := trustAccount(`{"StringEquals":{"aws:ResourceTag/team":"blue"}}`)
	for _, tc := range []struct {
		name     string
		tags     []iam.Tag
		wantCode string
	}{
		{"tagged blue", []iam.Tag{{Key: "team", Value: "blue"}}, ""},
		{"tagged red", []iam.Tag{{Key: "team", Value: "red"}}, iam.CodeAccessDenied},
		{"untagged", nil, iam.CodeAccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "tags-" + strings.ReplaceAll(tc.name, " ", "-")
			putRole(t, st, iam.Role{Name: name, ID: "AROATAGSTAGSTAGSTAG01", Path: "/", TrustPolicy: trust, Tags: tc.tags})
			in := &sdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + benchAccount + ":role/" + name), RoleSessionName: aws.String("s1")}
			_, err := s.AssumeRole(context.Background(), c, in)
			if got := codeOf(err); got != tc.wantCode || (tc.wantCode == "" && err != nil) {
				t.Errorf("AssumeRole(%s) = %v, want code %q", name, err, tc.wantCode)
			}
		})
	}
}

// TestTrustPolicyPerARN: a role's trust policy is compiled for the ARN the request names the role
// by, with or without its path, and the compiled policy is reused for the same ARN.
func TestTrustPolicyPerARN(t *testing.T) {
	s, st, c := newAssumeService(t)
	putRole(t, st, iam.Role{Name: "pathed", ID: "AROAPATHPATHPATHPAT01", Path: "/team/", TrustPolicy: trustAccount("")})
	withPath, withoutPath := "arn:aws:iam::"+benchAccount+":role/team/pathed", "arn:aws:iam::"+benchAccount+":role/pathed"
	var first *policy.Compiled
	for i, arn := range []string{withPath, withoutPath, withPath, withPath} {
		in := &sdk.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s1")}
		if _, err := s.AssumeRole(context.Background(), c, in); err != nil {
			t.Fatalf("AssumeRole(%s): %v", arn, err)
		}
		r, err := s.role(context.Background(), benchAccount, "PATHED")
		if err != nil || r == nil {
			t.Fatalf("role: %v, %v", r, err)
		}
		got := s.trustPolicy(r, arn)
		if ref := got.Ref(); ref.ARN != arn || ref.Name != "trust" || ref.Kind != policy.Trust {
			t.Errorf("call %d: trust policy compiled as %+v, want ARN %s, name trust", i, ref, arn)
		}
		if i == 0 {
			first = got
		}
		if i == 3 && got != first {
			t.Errorf("call %d: trust policy for %s compiled again, want the compiled %p reused", i, arn, first)
		}
	}
}
