package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestOrganizationsFeatures: iamd's accounts belong to no organization, so the centralized root
// access operations answer OrganizationNotFoundException once authorized, and AccessDenied
// before.
func TestOrganizationsFeatures(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	id, secret := userWithKey(t, ctx, root, "nobody")
	nobody := iamClient(srv, id, secret, "")
	adminID, adminSecret := userWithKey(t, ctx, root, "orgadmin")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("orgadmin"),
		PolicyName: aws.String("org"), PolicyDocument: aws.String(policyDoc("iam:*Organizations*"))}))
	admin := iamClient(srv, adminID, adminSecret, "")

	const noOrg = "The request was rejected because no organization is associated with your account."
	calls := []struct {
		action string
		call   func(c *iam.Client) error
	}{
		{"ListOrganizationsFeatures", func(c *iam.Client) error {
			_, err := c.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
			return err
		}},
		{"EnableOrganizationsRootCredentialsManagement", func(c *iam.Client) error {
			_, err := c.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		}},
		{"DisableOrganizationsRootCredentialsManagement", func(c *iam.Client) error {
			_, err := c.DisableOrganizationsRootCredentialsManagement(ctx, &iam.DisableOrganizationsRootCredentialsManagementInput{})
			return err
		}},
		{"EnableOrganizationsRootSessions", func(c *iam.Client) error {
			_, err := c.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
			return err
		}},
		{"DisableOrganizationsRootSessions", func(c *iam.Client) error {
			_, err := c.DisableOrganizationsRootSessions(ctx, &iam.DisableOrganizationsRootSessionsInput{})
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.action, func(t *testing.T) {
			wantCode(t, "root", tc.call(root), "OrganizationNotFoundException", noOrg)
			wantCode(t, "allowed user", tc.call(admin), "OrganizationNotFoundException", noOrg)
			wantCode(t, "user without policy", tc.call(nobody), "AccessDenied",
				"User: "+acctARN+"user/nobody is not authorized to perform: iam:"+tc.action+" on resource: * because no identity-based policy allows the iam:"+tc.action+" action")
		})
	}
}

// TestAssumeRoot: the input is validated, root user credentials cannot call it, other callers
// need sts:AssumeRoot on the target's root, and every call then ends in AccessDenied because no
// account of iamd manages an organization.
func TestAssumeRoot(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	id, secret := userWithKey(t, ctx, root, "nobody")
	adminID, adminSecret := userWithKey(t, ctx, root, "rootadmin")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("rootadmin"),
		PolicyName: aws.String("assume-root"), PolicyDocument: aws.String(policyDoc("sts:AssumeRoot"))}))

	const member = "111122223333"
	const memberRoot = "arn:aws:iam::" + member + ":root"
	audit := &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}
	in := func(target string, task *ststypes.PolicyDescriptorType, d *int32) *sts.AssumeRootInput {
		return &sts.AssumeRootInput{TargetPrincipal: aws.String(target), TaskPolicyArn: task, DurationSeconds: d}
	}
	tests := []struct {
		name      string
		id, key   string
		in        *sts.AssumeRootInput
		code, msg string
	}{
		{"short target", adminID, adminSecret, in("1234", audit, nil), "ValidationError",
			"1 validation error detected: Value '1234' at 'targetPrincipal' failed to satisfy constraint: Member must have length greater than or equal to 12"},
		{"duration over 900", adminID, adminSecret, in(member, audit, aws.Int32(901)), "ValidationError",
			"1 validation error detected: Value '901' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"not an account", adminID, adminSecret, in("abcdefghijkl", audit, nil), "InvalidParameterValue", ""},
		{"not a task policy", adminID, adminSecret, in(member, &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}, nil), "InvalidParameterValue", ""},
		{"root user", rootKey, rootSecret, in(member, audit, nil), "AccessDenied",
			"User: " + acctARN + "root is not authorized to perform: sts:AssumeRoot on resource: " + memberRoot},
		{"no policy", id, secret, in(member, audit, nil), "AccessDenied",
			"User: " + acctARN + "user/nobody is not authorized to perform: sts:AssumeRoot on resource: " + memberRoot + " because no identity-based policy allows the sts:AssumeRoot action"},
		{"allowed, no organization", adminID, adminSecret, in(memberRoot, audit, aws.Int32(900)), "AccessDenied",
			"User: " + acctARN + "user/rootadmin is not authorized to perform: sts:AssumeRoot on resource: " + memberRoot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := stsClient(srv, tc.id, tc.key, "").AssumeRoot(ctx, tc.in)
			if err == nil {
				t.Fatalf("AssumeRoot(%s) = %+v, want %s", aws.ToString(tc.in.TargetPrincipal), out, tc.code)
			}
			wantCode(t, "AssumeRoot", err, tc.code, tc.msg)
		})
	}
}
