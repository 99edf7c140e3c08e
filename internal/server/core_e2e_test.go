package server_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestUserExtras covers renaming, tags and permissions boundaries of users.
func TestUserExtras(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("old"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("old")}))
	must[*iam.UpdateUserOutput](t, "UpdateUser")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("old"), NewUserName: aws.String("new"), NewPath: aws.String("/moved/")}))
	u := must[*iam.GetUserOutput](t, "GetUser renamed")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("new")}))
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+testAccount+":user/moved/new" {
		t.Errorf("renamed user ARN = %s", aws.ToString(u.User.Arn))
	}
	_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("old")})
	wantCode(t, "old name", err, "NoSuchEntity", "")
	// The key moved with the user.
	keys := must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("new")}))
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].UserName) != "new" {
		t.Errorf("keys after rename = %+v", keys.AccessKeyMetadata)
	}

	must[*iam.TagUserOutput](t, "TagUser")(root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("new"),
		Tags: []iamtypes.Tag{{Key: aws.String("TEAM"), Value: aws.String("b")}, {Key: aws.String("env"), Value: aws.String("prod")}}}))
	tags := must[*iam.ListUserTagsOutput](t, "ListUserTags")(root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("new")}))
	if len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "TEAM" || aws.ToString(tags.Tags[0].Value) != "b" {
		t.Errorf("tags = %+v (keys are case-insensitive: TEAM replaces team)", tags.Tags)
	}
	must[*iam.UntagUserOutput](t, "UntagUser")(root.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("new"), TagKeys: []string{"team"}}))
	tags = must[*iam.ListUserTagsOutput](t, "ListUserTags after untag")(root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("new")}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags after untag = %+v", tags.Tags)
	}
	var many []iamtypes.Tag
	for i := range 51 {
		many = append(many, iamtypes.Tag{Key: aws.String("k" + string(rune('A'+i/26)) + string(rune('a'+i%26))), Value: aws.String("v")})
	}
	_, err = root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("new"), Tags: many})
	// More than 50 in one request breaks the model's tagListType; the TagsPerUser quota is the
	// total after merging (TestS6TagsPerRequest).
	wantCode(t, "51 tags", err, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50")

	// A permissions boundary limits what the user's own policy allows.
	bp := must[*iam.CreatePolicyOutput](t, "CreatePolicy boundary")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("new"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)}))
	me := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	must[*iam.ListUsersOutput](t, "ListUsers before boundary")(me.ListUsers(ctx, &iam.ListUsersInput{}))
	must[*iam.PutUserPermissionsBoundaryOutput](t, "PutUserPermissionsBoundary")(root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("new"), PermissionsBoundary: bp.Policy.Arn}))
	_, err = me.ListUsers(ctx, &iam.ListUsersInput{})
	userARN := "arn:aws:iam::" + testAccount + ":user/moved/new"
	wantCode(t, "ListUsers outside the boundary", err, "AccessDenied",
		"User: "+userARN+" is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::"+testAccount+":user/* because no permissions boundary allows the iam:ListUsers action")
	must[*iam.GetUserOutput](t, "GetUser inside the boundary")(me.GetUser(ctx, &iam.GetUserInput{}))
	must[*iam.DeleteUserPermissionsBoundaryOutput](t, "DeleteUserPermissionsBoundary")(root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("new")}))
	must[*iam.ListUsersOutput](t, "ListUsers after removing the boundary")(me.ListUsers(ctx, &iam.ListUsersInput{}))
	_, err = root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("new"), PermissionsBoundary: aws.String("arn:aws:iam::" + testAccount + ":policy/missing")})
	wantCode(t, "missing boundary policy", err, "NoSuchEntity", "")

	// The key's last use is recorded; GetAccessKeyInfo names its account.
	id := aws.ToString(k.AccessKey.AccessKeyId)
	var last *iam.GetAccessKeyLastUsedOutput
	for range 50 { // last use is written off the request path
		last = must[*iam.GetAccessKeyLastUsedOutput](t, "GetAccessKeyLastUsed")(root.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)}))
		if last.AccessKeyLastUsed.LastUsedDate != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if last.AccessKeyLastUsed.LastUsedDate == nil || aws.ToString(last.AccessKeyLastUsed.ServiceName) != "iam" || aws.ToString(last.UserName) != "new" {
		t.Errorf("GetAccessKeyLastUsed = %+v", last.AccessKeyLastUsed)
	}
	info := must[*sts.GetAccessKeyInfoOutput](t, "GetAccessKeyInfo")(stsClient(srv, rootKey, rootSecret, "").GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(id)}))
	if aws.ToString(info.Account) != testAccount {
		t.Errorf("GetAccessKeyInfo account = %s", aws.ToString(info.Account))
	}
	_, err = stsClient(srv, rootKey, rootSecret, "").GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String("AKIAUNKNOWNUNKNOWN99")})
	wantCode(t, "unknown key", err, "InvalidParameterValue", "")

	// Deleting everything the user has lets the user be deleted.
	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("new"), AccessKeyId: aws.String(id)}))
	must[*iam.DeleteUserPolicyOutput](t, "DeleteUserPolicy")(root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("new"), PolicyName: aws.String("all")}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("new")}))
	_, err = me.GetUser(ctx, &iam.GetUserInput{})
	wantCode(t, "deleted user's key", err, "InvalidClientTokenId", "")
}

// TestPolicyVersions covers the version operations and the version quota.
func TestPolicyVersions(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	doc := func(action string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`)
	}
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("v"), PolicyDocument: doc("iam:GetUser")}))
	arn := p.Policy.Arn
	for i := 2; i <= 5; i++ {
		must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc("iam:ListUsers")}))
	}
	_, err := root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc("iam:ListRoles")})
	wantCode(t, "sixth version", err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	vs := must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn}))
	if len(vs.Versions) != 5 || aws.ToString(vs.Versions[0].VersionId) != "v5" || !vs.Versions[4].IsDefaultVersion {
		t.Errorf("versions = %+v", vs.Versions)
	}
	_, err = root.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	wantCode(t, "delete the default version", err, "DeleteConflict", "Cannot delete the default version of a policy.")
	must[*iam.SetDefaultPolicyVersionOutput](t, "SetDefaultPolicyVersion")(root.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")}))
	must[*iam.DeletePolicyVersionOutput](t, "DeletePolicyVersion")(root.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}))
	v := must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(root.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")}))
	if d, _ := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document)); d != aws.ToString(doc("iam:ListUsers")) || !v.PolicyVersion.IsDefaultVersion {
		t.Errorf("v3 = %+v", v.PolicyVersion)
	}
	_, err = root.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	wantCode(t, "deleted version", err, "NoSuchEntity", "")
	// Version IDs are never reused.
	nv := must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion after delete")(root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: doc("iam:ListGroups")}))
	if aws.ToString(nv.PolicyVersion.VersionId) != "v6" {
		t.Errorf("new version ID = %s, want v6", aws.ToString(nv.PolicyVersion.VersionId))
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn}))
	ap := must[*iam.ListAttachedUserPoliciesOutput](t, "ListAttachedUserPolicies")(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u")}))
	if len(ap.AttachedPolicies) != 1 || aws.ToString(ap.AttachedPolicies[0].PolicyName) != "v" {
		t.Errorf("attached = %+v", ap.AttachedPolicies)
	}
	_, err = root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("old"), PolicyDocument: aws.String(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)})
	wantCode(t, "2008 version in a managed policy", err, "MalformedPolicyDocument", "Policy document must be version 2012-10-17 or greater.")
}

// TestDeleteUserWithCredentials: a user holding an SSH key cannot be deleted until the key is.
func TestDeleteUserWithCredentials(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))
	key := must[*iam.UploadSSHPublicKeyOutput](t, "UploadSSHPublicKey")(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("git"), SSHPublicKeyBody: aws.String(authorizedKey(t, &rsaKey(t, 2048).PublicKey))}))
	_, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("git")})
	wantCode(t, "DeleteUser with an SSH key", err, "DeleteConflict", "Cannot delete entity, must delete SSH public keys first.")
	must[*iam.DeleteSSHPublicKeyOutput](t, "DeleteSSHPublicKey")(root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("git"), SSHPublicKeyId: key.SSHPublicKey.SSHPublicKeyId}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("git")}))
}
