package server_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// TestSourceIdentityAndRoleTags: AssumeRole with a SourceIdentity needs sts:SetSourceIdentity in
// the role's trust policy and in the IAM caller's own policies (IAM User Guide, "Monitor and
// control actions taken with assumed roles"); a chained session that carries a source identity
// needs it in the next role's trust policy too and cannot change it. The role's tags are
// aws:ResourceTag/* when the caller's policies are evaluated, so a tag guardrail denies assuming
// a tagged role.
func TestSourceIdentityAndRoleTags(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	acctRoot := `{"AWS":"arn:aws:iam::` + testAccount + `:root"}`
	trustOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + acctRoot + `,"Action":"sts:AssumeRole"}]}`
	trustSet := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + acctRoot + `,"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	roles := []struct {
		name, trust string
		tags        []iamtypes.Tag
	}{
		{"noset", trustOnly, nil},
		{"withset", trustSet, nil},
		{"next", trustSet, nil},
		{"nextnoset", trustOnly, nil},
		{"tagged", trustOnly, []iamtypes.Tag{{Key: aws.String("protected"), Value: aws.String("true")}}},
		{"untagged", trustOnly, []iamtypes.Tag{{Key: aws.String("protected"), Value: aws.String("false")}}},
	}
	for _, r := range roles {
		must[*iam.CreateRoleOutput](t, "CreateRole "+r.name)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name),
			AssumeRolePolicyDocument: aws.String(r.trust), Tags: r.tags}))
	}
	// The session of "withset" may chain on.
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy withset")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("withset"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"}]}`)}))

	user := func(name, doc string) *sts.Client {
		must[*iam.CreateUserOutput](t, "CreateUser "+name)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy "+name)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"),
			PolicyDocument: aws.String(doc)}))
		k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey "+name)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
		return stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	}
	alice := user("alice", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"},
		{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"true"}}}]}`)
	bob := user("bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)

	roleARN := func(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }
	userARN := func(name string) string { return "arn:aws:iam::" + testAccount + ":user/" + name }
	denied := func(who, action, role, reason string) string {
		return "User: " + who + " is not authorized to perform: " + action + " on resource: " + roleARN(role) + " " + reason
	}

	// The session that later chains on.
	first := must[*sts.AssumeRoleOutput](t, "AssumeRole withset")(alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("withset")),
		RoleSessionName: aws.String("first"), SourceIdentity: aws.String("alice")}))
	if got := aws.ToString(first.SourceIdentity); got != "alice" {
		t.Fatalf("AssumeRole withset: SourceIdentity = %q, want %q", got, "alice")
	}
	fc := first.Credentials
	chain := stsClient(srv, aws.ToString(fc.AccessKeyId), aws.ToString(fc.SecretAccessKey), aws.ToString(fc.SessionToken))
	chainARN := "arn:aws:sts::" + testAccount + ":assumed-role/withset/first"

	tests := []struct {
		name     string
		client   *sts.Client
		role     string
		sourceID string
		wantErr  string // the AccessDenied message's start; "" for success
		wantSID  string // SourceIdentity in the response
	}{
		{"trust policy lacks sts:SetSourceIdentity", alice, "noset", "alice",
			denied(userARN("alice"), "sts:SetSourceIdentity", "noset", "because no resource-based policy allows the sts:SetSourceIdentity action"), ""},
		{"caller's policy lacks sts:SetSourceIdentity", bob, "withset", "bob",
			denied(userARN("bob"), "sts:SetSourceIdentity", "withset", "because no identity-based policy allows the sts:SetSourceIdentity action"), ""},
		{"both allow", alice, "withset", "alice", "", "alice"},
		{"no source identity needs no permission", bob, "noset", "", "", ""},
		{"chained session passes its source identity on", chain, "next", "", "", "alice"},
		{"chained session passes the same source identity on", chain, "next", "alice", "", "alice"},
		{"chained session cannot change its source identity", chain, "next", "mallory",
			"User: " + chainARN + " is not authorized to perform: sts:SetSourceIdentity on resource: " + roleARN("next"), ""},
		{"chained source identity needs the next trust policy's permission", chain, "nextnoset", "",
			denied(chainARN, "sts:SetSourceIdentity", "nextnoset", "because no resource-based policy allows the sts:SetSourceIdentity action"), ""},
		{"role tag guardrail denies the tagged role", alice, "tagged", "",
			denied(userARN("alice"), "sts:AssumeRole", "tagged", "with an explicit deny in an identity-based policy"), ""},
		{"untagged twin is allowed", alice, "untagged", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(tc.role)), RoleSessionName: aws.String("test")}
			if tc.sourceID != "" {
				in.SourceIdentity = aws.String(tc.sourceID)
			}
			out, err := tc.client.AssumeRole(ctx, in)
			if tc.wantErr != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.HasPrefix(ae.ErrorMessage(), tc.wantErr) {
					t.Fatalf("AssumeRole %s (source identity %q): err = %v, want AccessDenied %q", tc.role, tc.sourceID, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("AssumeRole %s (source identity %q): %v", tc.role, tc.sourceID, err)
			}
			if got := aws.ToString(out.SourceIdentity); got != tc.wantSID {
				t.Errorf("AssumeRole %s (source identity %q): SourceIdentity = %q, want %q", tc.role, tc.sourceID, got, tc.wantSID)
			}
		})
	}
}

// TestPassRoleSeesRoleTags: iam:PassRole (AssumeRoleForService) is evaluated with the role's
// tags as aws:ResourceTag/*, so a guardrail denies passing a tagged role and allows its
// untagged twin.
func TestPassRoleSeesRoleTags(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, r := range []struct {
		name string
		tags []iamtypes.Tag
	}{
		{"ec2tagged", []iamtypes.Tag{{Key: aws.String("protected"), Value: aws.String("true")}}},
		{"ec2plain", nil},
	} {
		must[*iam.CreateRoleOutput](t, "CreateRole "+r.name)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.name),
			AssumeRolePolicyDocument: aws.String(trust), Tags: r.tags}))
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
			{"Effect":"Deny","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"true"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	id, secret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)

	for _, tc := range []struct {
		role       string
		wantStatus int
		wantBody   string
	}{
		{"ec2tagged", 403, "User: arn:aws:iam::" + testAccount + ":user/carol is not authorized to perform: iam:PassRole on resource: arn:aws:iam::" +
			testAccount + ":role/ec2tagged with an explicit deny in an identity-based policy"},
		{"ec2plain", 200, "<AssumedRoleUser>"},
	} {
		t.Run(tc.role, func(t *testing.T) {
			form := "Action=AssumeRoleForService&Version=2011-06-15&RoleArn=" + url.QueryEscape("arn:aws:iam::"+testAccount+":role/"+tc.role) +
				"&ServiceName=ec2.amazonaws.com&RoleSessionName=i-1"
			status, body := postSTS(t, srv, id, secret, form)
			if status != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Fatalf("AssumeRoleForService %s: status %d, body %s; want %d with %q", tc.role, status, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}
