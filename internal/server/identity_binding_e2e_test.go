package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/server"
)

// adminPolicy stands in for AdministratorAccess (the tests' server loads no AWS managed policies).
const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// deniedMsg is AWS's implicit-deny message for caller ARN, action and resource.
func deniedMsg(caller, action, resource string) string {
	return "User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource +
		" because no identity-based policy allows the " + action + " action"
}

// sessionClients are IAM and STS clients for temporary credentials.
func sessionClients(srv *server.Server, c *ststypes.Credentials) (*iam.Client, *sts.Client) {
	id, secret, token := aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)
	return iamClient(srv, id, secret, token), stsClient(srv, id, secret, token)
}

// wantIdentity checks that GetCallerIdentity answers for a client, with ARN arn and user ID id.
func wantIdentity(t *testing.T, what string, c *sts.Client, arn, id string) {
	t.Helper()
	got := must[*sts.GetCallerIdentityOutput](t, what)(c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}))
	if aws.ToString(got.Arn) != arn || aws.ToString(got.UserId) != id {
		t.Errorf("%s: Arn, UserId = %s, %s; want %s, %s", what, aws.ToString(got.Arn), aws.ToString(got.UserId), arn, id)
	}
}

// TestRecreatedRoleSession is the trial's first finding: alice assumes role temp; temp is
// deleted and created again, with the same name, as an administrator. The old session is bound
// to the old role's unique ID: it loses even its old permissions, never gets the new role's,
// cannot chain to a role whose trust policy names temp, and still answers GetCallerIdentity
// with the old role ID. A session of the new role is an administrator.
func TestRecreatedRoleSession(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	must[*iam.CreateUserOutput](t, "CreateUser alice")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy alice")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey alice")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	aliceSTS := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	tempARN := "arn:aws:iam::" + testAccount + ":role/temp"
	createTemp := func(what, policyDoc string) string {
		t.Helper()
		r := must[*iam.CreateRoleOutput](t, what)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("temp"), AssumeRolePolicyDocument: aws.String(trust)}))
		must[*iam.PutRolePolicyOutput](t, what+": PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("temp"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policyDoc)}))
		return aws.ToString(r.Role.RoleId)
	}
	oldID := createTemp("CreateRole temp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","sts:AssumeRole"],"Resource":"*"}]}`)
	// A role that trusts temp by ARN, for role chaining.
	nextTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + tempARN + `"},"Action":"sts:AssumeRole"}]}`
	next := must[*iam.CreateRoleOutput](t, "CreateRole next")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("next"), AssumeRolePolicyDocument: aws.String(nextTrust)}))
	assumeNext := &sts.AssumeRoleInput{RoleArn: next.Role.Arn, RoleSessionName: aws.String("chained")}

	out := must[*sts.AssumeRoleOutput](t, "AssumeRole temp")(aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tempARN), RoleSessionName: aws.String("sess")}))
	sessARN := "arn:aws:sts::" + testAccount + ":assumed-role/temp/sess"
	oldIAM, oldSTS := sessionClients(srv, out.Credentials)
	if got := aws.ToString(out.AssumedRoleUser.AssumedRoleId); got != oldID+":sess" {
		t.Errorf("AssumedRoleId = %s, want %s:sess", got, oldID)
	}

	// Before: the session has its role's permissions and nothing more.
	listUsersDenied := deniedMsg(sessARN, "iam:ListUsers", "arn:aws:iam::"+testAccount+":user/*")
	_, err := oldIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "old session ListUsers before", err, "AccessDenied", listUsersDenied)
	must[*iam.GetRoleOutput](t, "old session GetRole before")(oldIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("next")}))
	must[*sts.AssumeRoleOutput](t, "old session chains to next before")(oldSTS.AssumeRole(ctx, assumeNext))

	// The role is deleted: its session can do nothing, but still knows who it is.
	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("temp"), PolicyName: aws.String("p")}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole temp")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("temp")}))
	_, err = oldIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("next")})
	wantCode(t, "old session GetRole, role deleted", err, "AccessDenied", deniedMsg(sessARN, "iam:GetRole", aws.ToString(next.Role.Arn)))
	wantIdentity(t, "old session GetCallerIdentity, role deleted", oldSTS, sessARN, oldID+":sess")

	// Re-created as an administrator: another role, whose permissions the old session never gets.
	newID := createTemp("CreateRole temp again", adminPolicy)
	if newID == oldID {
		t.Fatalf("re-created role has the old role ID %s", oldID)
	}
	_, err = oldIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "old session ListUsers, role re-created", err, "AccessDenied", listUsersDenied)
	_, err = oldIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("next")})
	wantCode(t, "old session GetRole, role re-created", err, "AccessDenied", deniedMsg(sessARN, "iam:GetRole", aws.ToString(next.Role.Arn)))
	_, err = oldSTS.AssumeRole(ctx, assumeNext)
	wantCode(t, "old session chains to next, role re-created", err, "AccessDenied", "")
	wantIdentity(t, "old session GetCallerIdentity, role re-created", oldSTS, sessARN, oldID+":sess")

	// A session of the new role is an administrator, and chains once next's trust policy names
	// the new temp (deleting temp bound it to the old role's ID, as in AWS).
	out = must[*sts.AssumeRoleOutput](t, "AssumeRole new temp")(aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tempARN), RoleSessionName: aws.String("sess")}))
	newIAM, newSTS := sessionClients(srv, out.Credentials)
	must[*iam.ListUsersOutput](t, "new session ListUsers")(newIAM.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err = newSTS.AssumeRole(ctx, assumeNext)
	wantCode(t, "new session chains to next before next names it", err, "AccessDenied", "")
	must[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy next")(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("next"), PolicyDocument: aws.String(nextTrust)}))
	must[*sts.AssumeRoleOutput](t, "new session chains to next")(newSTS.AssumeRole(ctx, assumeNext))
	wantIdentity(t, "new session GetCallerIdentity", newSTS, sessARN, newID+":sess")
	// And the old session, asked again after the new one filled the caches, is still denied.
	_, err = oldIAM.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "old session ListUsers after the new session", err, "AccessDenied", listUsersDenied)
}

// TestRecreatedUserSession is the trial's second finding: carol gets a GetSessionToken session;
// carol is deleted, and the session stops working; a new user carol is made an administrator,
// and the old session stays powerless, while GetCallerIdentity still answers with the old
// user's ID. (Without MFA a GetSessionToken session may call no IAM operation and, of STS,
// only AssumeRole and GetCallerIdentity: AssumeRole is where its permissions show.)
func TestRecreatedUserSession(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	carolARN := "arn:aws:iam::" + testAccount + ":user/carol"
	// A role the whole account may assume, if its own policies allow.
	must[*iam.CreateRoleOutput](t, "CreateRole target")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	targetARN := "arn:aws:iam::" + testAccount + ":role/target"
	assumeTarget := &sts.AssumeRoleInput{RoleArn: aws.String(targetARN), RoleSessionName: aws.String("sess")}
	assumeDenied := deniedMsg(carolARN, "sts:AssumeRole", targetARN)

	createCarol := func(what, policyDoc string) (id string, key *iam.CreateAccessKeyOutput) {
		t.Helper()
		u := must[*iam.CreateUserOutput](t, what)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
		must[*iam.PutUserPolicyOutput](t, what+": PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policyDoc)}))
		k := must[*iam.CreateAccessKeyOutput](t, what+": CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
		return aws.ToString(u.User.UserId), k
	}
	oldID, k := createCarol("CreateUser carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+targetARN+`"}]}`)
	carolSTS := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	tok := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(carolSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, oldSTS := sessionClients(srv, tok.Credentials)

	// Before: the session has carol's permissions.
	must[*sts.AssumeRoleOutput](t, "session AssumeRole before")(oldSTS.AssumeRole(ctx, assumeTarget))
	wantIdentity(t, "session GetCallerIdentity before", oldSTS, carolARN, oldID)

	// carol is deleted: the session stops working.
	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: k.AccessKey.AccessKeyId}))
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p")}))
	must[*iam.DeleteUserOutput](t, "DeleteUser carol")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")}))
	_, err := oldSTS.AssumeRole(ctx, assumeTarget)
	wantCode(t, "session AssumeRole, user deleted", err, "AccessDenied", assumeDenied)
	wantIdentity(t, "session GetCallerIdentity, user deleted", oldSTS, carolARN, oldID)

	// A new carol, administrator: another user, whose permissions the old session never gets.
	newID, nk := createCarol("CreateUser carol again", adminPolicy)
	if newID == oldID {
		t.Fatalf("re-created user has the old user ID %s", oldID)
	}
	newSTS := stsClient(srv, aws.ToString(nk.AccessKey.AccessKeyId), aws.ToString(nk.AccessKey.SecretAccessKey), "")
	for _, what := range []string{"from the store", "from the cache"} {
		_, err = oldSTS.AssumeRole(ctx, assumeTarget)
		wantCode(t, "session AssumeRole, user re-created, "+what, err, "AccessDenied", assumeDenied)
		wantIdentity(t, "session GetCallerIdentity, user re-created, "+what, oldSTS, carolARN, oldID)
		// The new carol's own key is an administrator.
		must[*sts.AssumeRoleOutput](t, "new carol AssumeRole "+what)(newSTS.AssumeRole(ctx, assumeTarget))
	}
	ntok := must[*sts.GetSessionTokenOutput](t, "new carol GetSessionToken")(newSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, newSessSTS := sessionClients(srv, ntok.Credentials)
	must[*sts.AssumeRoleOutput](t, "new carol's session AssumeRole")(newSessSTS.AssumeRole(ctx, assumeTarget))
	wantIdentity(t, "new carol's session GetCallerIdentity", newSessSTS, carolARN, newID)
	_, err = oldSTS.AssumeRole(ctx, assumeTarget)
	wantCode(t, "old session AssumeRole after the new session", err, "AccessDenied", assumeDenied)
}

// TestRenamedUserSession: a session made before UpdateUser renamed its user keeps the user's
// permissions (it is bound to the unique ID, as in AWS), also once a new user takes the old
// name; the namesake's own session has only the namesake's.
func TestRenamedUserSession(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateRoleOutput](t, "CreateRole target")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)}))
	targetARN := "arn:aws:iam::" + testAccount + ":role/target"
	assumeTarget := &sts.AssumeRoleInput{RoleArn: aws.String(targetARN), RoleSessionName: aws.String("sess")}

	u := must[*iam.CreateUserOutput](t, "CreateUser carol")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + targetARN + `"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	tok := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "").GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, oldSTS := sessionClients(srv, tok.Credentials)
	must[*sts.AssumeRoleOutput](t, "session AssumeRole before the rename")(oldSTS.AssumeRole(ctx, assumeTarget))

	must[*iam.UpdateUserOutput](t, "UpdateUser carol → carla")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("carol"), NewUserName: aws.String("carla")}))
	must[*sts.AssumeRoleOutput](t, "session AssumeRole after the rename")(oldSTS.AssumeRole(ctx, assumeTarget))

	// A new carol, without any policy: the old session stays carla's, the new one's has nothing.
	nu := must[*iam.CreateUserOutput](t, "CreateUser carol again")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	nk := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey new carol")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	ntok := must[*sts.GetSessionTokenOutput](t, "new carol GetSessionToken")(stsClient(srv, aws.ToString(nk.AccessKey.AccessKeyId), aws.ToString(nk.AccessKey.SecretAccessKey), "").GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	_, newSTS := sessionClients(srv, ntok.Credentials)
	for _, order := range []string{"old first", "new first"} {
		if order == "new first" {
			must[*iam.TagUserOutput](t, "TagUser (a change, which empties the caches)")(root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("carla"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
			_, err := newSTS.AssumeRole(ctx, assumeTarget)
			wantCode(t, "new carol's session AssumeRole, "+order, err, "AccessDenied", "")
		}
		must[*sts.AssumeRoleOutput](t, "old session AssumeRole, "+order)(oldSTS.AssumeRole(ctx, assumeTarget))
		_, err := newSTS.AssumeRole(ctx, assumeTarget)
		wantCode(t, "new carol's session AssumeRole, "+order, err, "AccessDenied", "")
	}
	wantIdentity(t, "new carol's session GetCallerIdentity", newSTS, "arn:aws:iam::"+testAccount+":user/carol", aws.ToString(nu.User.UserId))
	if aws.ToString(nu.User.UserId) == aws.ToString(u.User.UserId) {
		t.Fatal("the new carol has the old one's ID")
	}
}
