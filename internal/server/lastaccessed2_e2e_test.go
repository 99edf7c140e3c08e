package server_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// lastAccessed generates a report on arn and returns its services by namespace.
func lastAccessed(ctx context.Context, t *testing.T, root *iam.Client, arn string, gran iamtypes.AccessAdvisorUsageGranularityType) map[string]iamtypes.ServiceLastAccessed {
	t.Helper()
	job := must[*iam.GenerateServiceLastAccessedDetailsOutput](t, "GenerateServiceLastAccessedDetails "+arn)(root.GenerateServiceLastAccessedDetails(ctx,
		&iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn), Granularity: gran}))
	out := must[*iam.GetServiceLastAccessedDetailsOutput](t, "GetServiceLastAccessedDetails "+arn)(root.GetServiceLastAccessedDetails(ctx,
		&iam.GetServiceLastAccessedDetailsInput{JobId: job.JobId}))
	m := map[string]iamtypes.ServiceLastAccessed{}
	for _, s := range out.ServicesLastAccessed {
		m[aws.ToString(s.ServiceNamespace)] = s
	}
	return m
}

func sortedNamespaces(m map[string]iamtypes.ServiceLastAccessed) []string {
	out := keys(m)
	slices.Sort(out)
	return out
}

// TestServiceLastAccessedAttempts: denied calls are attempts and count; calls that fail
// authentication name no principal and count for no one.
func TestServiceLastAccessedAttempts(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	carolARN := "arn:aws:iam::" + testAccount + ":user/carol"
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("get"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	id, secret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)

	_, err := iamClient(srv, id, "not-carols-secret-key-000000000000000000", "").GetUser(ctx, &iam.GetUserInput{})
	wantCode(t, "GetUser with a wrong secret", err, "SignatureDoesNotMatch", "")
	if s := lastAccessed(ctx, t, root, carolARN, iamtypes.AccessAdvisorUsageGranularityTypeActionLevel)["iam"]; s.LastAuthenticated != nil ||
		aws.ToInt32(s.TotalAuthenticatedEntities) != 0 || len(s.TrackedActionsLastAccessed) != 0 {
		t.Errorf("after an unauthenticated call: iam last authenticated %v by %s, %d entities, tracked %d; want no attempt",
			s.LastAuthenticated, aws.ToString(s.LastAuthenticatedEntity), aws.ToInt32(s.TotalAuthenticatedEntities), len(s.TrackedActionsLastAccessed))
	}

	before := time.Now().Add(-time.Second)
	_, err = iamClient(srv, id, secret, "").ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers as carol", err, "AccessDenied", "")
	after := time.Now().Add(time.Second)

	svcs := lastAccessed(ctx, t, root, carolARN, iamtypes.AccessAdvisorUsageGranularityTypeActionLevel)
	s := svcs["iam"]
	if s.LastAuthenticated == nil || s.LastAuthenticated.Before(before) || s.LastAuthenticated.After(after) ||
		aws.ToString(s.LastAuthenticatedEntity) != carolARN || aws.ToInt32(s.TotalAuthenticatedEntities) != 1 {
		t.Errorf("after a denied call: iam last authenticated %v by %s, %d entities; want between %v and %v by %s, 1 entity",
			s.LastAuthenticated, aws.ToString(s.LastAuthenticatedEntity), aws.ToInt32(s.TotalAuthenticatedEntities), before, after, carolARN)
	}
	var tracked []string
	for _, a := range s.TrackedActionsLastAccessed {
		tracked = append(tracked, aws.ToString(a.ActionName))
	}
	if d := cmp.Diff([]string{"ListUsers"}, tracked); d != "" {
		t.Errorf("iam tracked actions after a denied ListUsers (-want +got):\n%s", d)
	}
}

// TestServiceLastAccessedAllowedServices: a report lists only the services its resource's
// policies allow, whatever else the covered entities called.
func TestServiceLastAccessedAllowedServices(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	p1 := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p1"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)}))
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("listers")}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("listers"), PolicyArn: p1.Policy.Arn}))
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")}))
	daveARN := "arn:aws:iam::" + testAccount + ":user/dave"
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("listers"), UserName: aws.String("dave")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dave"), PolicyName: aws.String("s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dave")}))
	id, secret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)

	must[*iam.ListUsersOutput](t, "ListUsers as dave")(iamClient(srv, id, secret, "").ListUsers(ctx, &iam.ListUsersInput{}))
	must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as dave")(stsClient(srv, id, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	for _, tc := range []struct {
		name, arn string
		want      []string
	}{
		{"policy", aws.ToString(p1.Policy.Arn), []string{"iam"}},
		{"group", "arn:aws:iam::" + testAccount + ":group/listers", []string{"iam"}},
		{"user: its own and its group's policies", daveARN, []string{"iam", "s3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svcs := lastAccessed(ctx, t, root, tc.arn, "")
			if d := cmp.Diff(tc.want, sortedNamespaces(svcs)); d != "" {
				t.Errorf("report on %s: services (-want +got):\n%s", tc.arn, d)
			}
			if s := svcs["iam"]; s.LastAuthenticated == nil || aws.ToString(s.LastAuthenticatedEntity) != daveARN {
				t.Errorf("report on %s: iam last authenticated %v by %s, want dave's ListUsers", tc.arn, s.LastAuthenticated, aws.ToString(s.LastAuthenticatedEntity))
			}
		})
	}
}

// TestServiceLastAccessedRecreated: a role or user deleted and created again under the same
// ARN has a new unique ID and none of its predecessor's activity; a renamed user keeps its ID and
// its own.
func TestServiceLastAccessedRecreated(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	const listRoles = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","sts:AssumeRole"],"Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`

	createUser := func(t *testing.T) (string, string) {
		t.Helper()
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin")}))
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("erin"), PolicyName: aws.String("p"), PolicyDocument: aws.String(listRoles)}))
		k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("erin")}))
		return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	}
	createRole := func(t *testing.T) {
		t.Helper()
		must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust)}))
		must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(listRoles)}))
	}
	userARN := "arn:aws:iam::" + testAccount + ":user/erin"
	roleARN := "arn:aws:iam::" + testAccount + ":role/app"
	id, secret := createUser(t)
	createRole(t)

	// erin lists roles herself and through a session of app.
	must[*iam.ListRolesOutput](t, "ListRoles as erin")(iamClient(srv, id, secret, "").ListRoles(ctx, &iam.ListRolesInput{}))
	ar := must[*sts.AssumeRoleOutput](t, "AssumeRole")(stsClient(srv, id, secret, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")}))
	c := ar.Credentials
	must[*iam.ListRolesOutput](t, "ListRoles as app")(iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).ListRoles(ctx, &iam.ListRolesInput{}))
	for _, arn := range []string{userARN, roleARN} {
		if s := lastAccessed(ctx, t, root, arn, "")["iam"]; s.LastAuthenticated == nil || aws.ToString(s.LastAuthenticatedEntity) != arn {
			t.Fatalf("before deletion, report on %s: iam last authenticated %v by %s; want a use by %s", arn, s.LastAuthenticated, aws.ToString(s.LastAuthenticatedEntity), arn)
		}
	}

	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p")}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}))
	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("erin"), AccessKeyId: aws.String(id)}))
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("erin"), PolicyName: aws.String("p")}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("erin")}))
	id, secret = createUser(t)
	createRole(t)

	for _, arn := range []string{userARN, roleARN} {
		svcs := lastAccessed(ctx, t, root, arn, iamtypes.AccessAdvisorUsageGranularityTypeActionLevel)
		if d := cmp.Diff([]string{"iam", "sts"}, sortedNamespaces(svcs)); d != "" {
			t.Errorf("re-created %s: services (-want +got):\n%s", arn, d)
		}
		for ns, s := range svcs {
			if s.LastAuthenticated != nil || aws.ToInt32(s.TotalAuthenticatedEntities) != 0 || len(s.TrackedActionsLastAccessed) != 0 {
				t.Errorf("re-created %s: %s last authenticated %v by %s, %d entities, %d tracked actions; want the predecessor's use left out",
					arn, ns, s.LastAuthenticated, aws.ToString(s.LastAuthenticatedEntity), aws.ToInt32(s.TotalAuthenticatedEntities), len(s.TrackedActionsLastAccessed))
			}
		}
	}

	// The new erin lists roles, then is renamed: her report still shows the call.
	must[*iam.ListRolesOutput](t, "ListRoles as the new erin")(iamClient(srv, id, secret, "").ListRoles(ctx, &iam.ListRolesInput{}))
	must[*iam.UpdateUserOutput](t, "UpdateUser")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("erin"), NewUserName: aws.String("erin2"), NewPath: aws.String("/moved/")}))
	renamed := "arn:aws:iam::" + testAccount + ":user/moved/erin2"
	if s := lastAccessed(ctx, t, root, renamed, "")["iam"]; s.LastAuthenticated == nil || aws.ToString(s.LastAuthenticatedEntity) != renamed || aws.ToInt32(s.TotalAuthenticatedEntities) != 1 {
		t.Errorf("renamed user %s: iam last authenticated %v by %s, %d entities; want her ListRoles under her new ARN, 1 entity",
			renamed, s.LastAuthenticated, aws.ToString(s.LastAuthenticatedEntity), aws.ToInt32(s.TotalAuthenticatedEntities))
	}
}
