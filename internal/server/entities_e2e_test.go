package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

const acctARN = "arn:aws:iam::" + testAccount + ":"

// policyDoc is an identity policy allowing actions on every resource.
func policyDoc(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

func TestGroups(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	g := must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")}))
	if got, want := aws.ToString(g.Group.Arn), acctARN+"group/eng/devs"; got != want {
		t.Errorf("group ARN = %s, want %s", got, want)
	}
	if id := aws.ToString(g.Group.GroupId); !strings.HasPrefix(id, "AGPA") || len(id) != 21 {
		t.Errorf("group ID = %q, want AGPA + 17 characters", id)
	}
	_, err := root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("DEVS")})
	wantCode(t, "CreateGroup duplicate ignoring case", err, "EntityAlreadyExists", "Group with name DEVS already exists.")
	_, err = root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nobody")})
	wantCode(t, "GetGroup missing", err, "NoSuchEntity", "The group with name nobody cannot be found.")
	_, err = root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("bad/name")})
	wantCode(t, "CreateGroup bad name", err, "ValidationError", `1 validation error detected: Value 'bad/name' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)

	// Members, paginated.
	for _, u := range []string{"u3", "u1", "U2"} {
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}))
		must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}))
	}
	// Adding twice is not an error.
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup again")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("DEVS"), UserName: aws.String("u1")}))
	_, err = root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ghost")})
	wantCode(t, "AddUserToGroup missing user", err, "NoSuchEntity", "The user with name ghost cannot be found.")
	var members []string
	pages := 0
	for p := iam.NewGetGroupPaginator(root, &iam.GetGroupInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		out := must[*iam.GetGroupOutput](t, "GetGroup page")(p.NextPage(ctx))
		pages++
		if aws.ToString(out.Group.GroupName) != "devs" {
			t.Errorf("GetGroup group = %+v", out.Group)
		}
		for _, u := range out.Users {
			members = append(members, aws.ToString(u.UserName))
		}
	}
	if diff := cmp.Diff([]string{"u1", "U2", "u3"}, members); diff != "" || pages != 2 {
		t.Errorf("GetGroup members in %d pages (want 2), diff (-want +got):\n%s", pages, diff)
	}
	fg := must[*iam.ListGroupsForUserOutput](t, "ListGroupsForUser")(root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("u1")}))
	if len(fg.Groups) != 1 || aws.ToString(fg.Groups[0].GroupName) != "devs" {
		t.Errorf("ListGroupsForUser u1 = %+v", fg.Groups)
	}

	// GroupsPerUser quota: 10.
	for i := range 10 {
		n := fmt.Sprintf("g%02d", i)
		must[*iam.CreateGroupOutput](t, "CreateGroup "+n)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(n)}))
		if i < 9 {
			must[*iam.AddUserToGroupOutput](t, "AddUserToGroup "+n)(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String(n), UserName: aws.String("u1")}))
		}
	}
	_, err = root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g09"), UserName: aws.String("u1")})
	wantCode(t, "eleventh group", err, "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
	lg := must[*iam.ListGroupsOutput](t, "ListGroups /eng/")(root.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/eng/")}))
	if len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].GroupName) != "devs" {
		t.Errorf("ListGroups /eng/ = %+v", lg.Groups)
	}
	lg = must[*iam.ListGroupsOutput](t, "ListGroups page")(root.ListGroups(ctx, &iam.ListGroupsInput{MaxItems: aws.Int32(4)}))
	if len(lg.Groups) != 4 || !lg.IsTruncated || aws.ToString(lg.Groups[0].GroupName) != "devs" {
		t.Errorf("ListGroups first page: %d groups, truncated %v", len(lg.Groups), lg.IsTruncated)
	}

	// Inline and attached policies.
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read"), PolicyDocument: aws.String(policyDoc("iam:GetUser"))}))
	gp := must[*iam.GetGroupPolicyOutput](t, "GetGroupPolicy")(root.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read")}))
	if doc, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); doc != policyDoc("iam:GetUser") {
		t.Errorf("GetGroupPolicy document = %q", doc)
	}
	lp := must[*iam.ListGroupPoliciesOutput](t, "ListGroupPolicies")(root.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")}))
	if diff := cmp.Diff([]string{"read"}, lp.PolicyNames); diff != "" {
		t.Errorf("ListGroupPolicies (-want +got):\n%s", diff)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/` + strings.Repeat("a", 5100) + `"}]}`
	_, err = root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, "group inline policies over 5120", err, "LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group devs")
	_, err = root.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("nope")})
	wantCode(t, "GetGroupPolicy missing", err, "NoSuchEntity", "The group policy with name nope cannot be found.")
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("list"), PolicyDocument: aws.String(policyDoc("iam:ListGroups"))}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: p.Policy.Arn}))
	la := must[*iam.ListAttachedGroupPoliciesOutput](t, "ListAttachedGroupPolicies")(root.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")}))
	if len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyArn) != aws.ToString(p.Policy.Arn) {
		t.Errorf("ListAttachedGroupPolicies = %+v", la.AttachedPolicies)
	}

	// A member gets the group's policies.
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey u3")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u3")}))
	u3 := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	must[*iam.ListGroupsOutput](t, "ListGroups as member")(u3.ListGroups(ctx, &iam.ListGroupsInput{}))
	must[*iam.GetUserOutput](t, "GetUser as member")(u3.GetUser(ctx, &iam.GetUserInput{}))

	// Rename and move, keeping members and policies; the member keeps its permissions.
	must[*iam.UpdateGroupOutput](t, "UpdateGroup")(root.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("engineers"), NewPath: aws.String("/rd/")}))
	_, err = root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("devs")})
	wantCode(t, "GetGroup old name", err, "NoSuchEntity", "The group with name devs cannot be found.")
	ng := must[*iam.GetGroupOutput](t, "GetGroup renamed")(root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("engineers")}))
	if aws.ToString(ng.Group.Arn) != acctARN+"group/rd/engineers" || len(ng.Users) != 3 || aws.ToString(ng.Group.GroupId) != aws.ToString(g.Group.GroupId) {
		t.Errorf("renamed group = %s %s with %d users", aws.ToString(ng.Group.Arn), aws.ToString(ng.Group.GroupId), len(ng.Users))
	}
	must[*iam.GetGroupPolicyOutput](t, "GetGroupPolicy after rename")(root.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("engineers"), PolicyName: aws.String("read")}))
	must[*iam.ListGroupsOutput](t, "ListGroups as member after rename")(u3.ListGroups(ctx, &iam.ListGroupsInput{}))
	_, err = root.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("engineers"), NewGroupName: aws.String("g00")})
	wantCode(t, "UpdateGroup onto existing", err, "EntityAlreadyExists", "Group with name g00 already exists.")

	// Deleting: users first, then inline, then attached policies.
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("u2")})
	wantCode(t, "DeleteUser in group", err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")})
	wantCode(t, "DeleteGroup with members", err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	for _, u := range []string{"u1", "u2", "u3"} {
		must[*iam.RemoveUserFromGroupOutput](t, "RemoveUserFromGroup "+u)(root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("engineers"), UserName: aws.String(u)}))
	}
	_, err = root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("engineers"), UserName: aws.String("u1")})
	wantCode(t, "RemoveUserFromGroup not a member", err, "NoSuchEntity", "The user with name u1 cannot be found.")
	_, err = u3.ListGroups(ctx, &iam.ListGroupsInput{})
	wantCode(t, "ListGroups after removal", err, "AccessDenied", "")
	must[*iam.DeleteUserOutput](t, "DeleteUser u2")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("u2")}))
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")})
	wantCode(t, "DeleteGroup with inline policy", err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	must[*iam.DeleteGroupPolicyOutput](t, "DeleteGroupPolicy")(root.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("engineers"), PolicyName: aws.String("read")}))
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")})
	wantCode(t, "DeleteGroup with attached policy", err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	must[*iam.DetachGroupPolicyOutput](t, "DetachGroupPolicy")(root.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("engineers"), PolicyArn: p.Policy.Arn}))
	must[*iam.DeleteGroupOutput](t, "DeleteGroup")(root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")}))
	_, err = root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("engineers")})
	wantCode(t, "DeleteGroup twice", err, "NoSuchEntity", "The group with name engineers cannot be found.")
}

// trustDoc is a trust policy letting principal (an AWS principal ARN) assume the role, with an
// optional condition block.
func trustDoc(principal, condition string) string {
	cond := ""
	if condition != "" {
		cond = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"` + cond + `}]}`
}

// userWithKey creates a user with an access key and returns its key ID and secret.
func userWithKey(t *testing.T, ctx context.Context, root *iam.Client, name string) (id, secret string) {
	t.Helper()
	must[*iam.CreateUserOutput](t, "CreateUser "+name)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey "+name)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trust := trustDoc(acctARN+"root", "")

	bp := must[*iam.CreatePolicyOutput](t, "CreatePolicy boundary")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bound"), PolicyDocument: aws.String(policyDoc("iam:*"))}))
	r := must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), Path: aws.String("/svc/"),
		AssumeRolePolicyDocument: aws.String(trust), Description: aws.String("the app"), PermissionsBoundary: bp.Policy.Arn,
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}}))
	roleARN := acctARN + "role/svc/app"
	if got := aws.ToString(r.Role.Arn); got != roleARN {
		t.Errorf("role ARN = %s, want %s", got, roleARN)
	}
	if id := aws.ToString(r.Role.RoleId); !strings.HasPrefix(id, "AROA") || len(id) != 21 {
		t.Errorf("role ID = %q, want AROA + 17 characters", id)
	}
	got := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("APP")}))
	if doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); err != nil || doc != trust {
		t.Errorf("GetRole trust policy = %s (decoded %q, %v), want %s", aws.ToString(got.Role.AssumeRolePolicyDocument), doc, err, trust)
	}
	if aws.ToString(got.Role.Description) != "the app" || aws.ToInt32(got.Role.MaxSessionDuration) != 3600 || got.Role.RoleLastUsed == nil ||
		got.Role.PermissionsBoundary == nil || aws.ToString(got.Role.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(bp.Policy.Arn) ||
		len(got.Role.Tags) != 1 || aws.ToString(got.Role.Tags[0].Value) != "core" {
		t.Errorf("GetRole = %+v", got.Role)
	}

	// Errors.
	for _, tc := range []struct {
		name      string
		in        *iam.CreateRoleInput
		code, msg string
	}{
		{"duplicate ignoring case", &iam.CreateRoleInput{RoleName: aws.String("App"), AssumeRolePolicyDocument: aws.String(trust)},
			"EntityAlreadyExists", "Role with name App already exists."},
		{"invalid JSON", &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[`)},
			"MalformedPolicyDocument", "This policy contains invalid Json"},
		{"no principal", &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"},
		{"trust policy over 2048", &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", `{"StringEquals":{"sts:ExternalId":"`+strings.Repeat("x", 2000)+`"}}`))},
			"LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048"},
		{"session too short", &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(100)},
			"ValidationError", "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"session too long", &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(43201)},
			"ValidationError", "1 validation error detected: Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"name too long", &iam.CreateRoleInput{RoleName: aws.String(strings.Repeat("r", 65)), AssumeRolePolicyDocument: aws.String(trust)},
			"ValidationError", "1 validation error detected: Value '" + strings.Repeat("r", 65) + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"missing boundary", &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: aws.String(acctARN + "policy/nope")},
			"NoSuchEntity", "Scope ARN: " + acctARN + "policy/nope does not exist or is not attachable."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := root.CreateRole(ctx, tc.in)
			wantCode(t, "CreateRole "+tc.name, err, tc.code, tc.msg)
		})
	}
	_, err := root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r1")})
	wantCode(t, "GetRole after failed creates", err, "NoSuchEntity", "The role with name r1 cannot be found.")

	// Updates.
	must[*iam.UpdateRoleOutput](t, "UpdateRole")(root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(7200)}))
	_, err = root.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("app"), MaxSessionDuration: aws.Int32(60)})
	wantCode(t, "UpdateRole session too short", err, "ValidationError", "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600")
	ud := must[*iam.UpdateRoleDescriptionOutput](t, "UpdateRoleDescription")(root.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("app"), Description: aws.String("new")}))
	if aws.ToString(ud.Role.Description) != "new" || aws.ToInt32(ud.Role.MaxSessionDuration) != 7200 {
		t.Errorf("UpdateRoleDescription role = %+v", ud.Role)
	}
	_, err = root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	wantCode(t, "UpdateAssumeRolePolicy without principal", err, "MalformedPolicyDocument", "")
	must[*iam.CreateUserOutput](t, "CreateUser someone")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("someone")})) // a trust policy names existing principals
	trust2 := trustDoc(acctARN+"user/someone", "")
	must[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy")(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("app"), PolicyDocument: aws.String(trust2)}))
	got = must[*iam.GetRoleOutput](t, "GetRole after updates")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")}))
	if doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); doc != trust2 || aws.ToString(got.Role.Description) != "new" {
		t.Errorf("after updates: trust %q, description %q", doc, aws.ToString(got.Role.Description))
	}
	must[*iam.DeleteRolePermissionsBoundaryOutput](t, "DeleteRolePermissionsBoundary")(root.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("app")}))
	if got := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})); got.Role.PermissionsBoundary != nil {
		t.Errorf("boundary after delete = %+v", got.Role.PermissionsBoundary)
	}
	must[*iam.PutRolePermissionsBoundaryOutput](t, "PutRolePermissionsBoundary")(root.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("app"), PermissionsBoundary: bp.Policy.Arn}))

	// Tags on roles and policies.
	must[*iam.TagRoleOutput](t, "TagRole")(root.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("app"), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))
	must[*iam.UntagRoleOutput](t, "UntagRole")(root.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("app"), TagKeys: []string{"team"}}))
	rt := must[*iam.ListRoleTagsOutput](t, "ListRoleTags")(root.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("app")}))
	if len(rt.Tags) != 1 || aws.ToString(rt.Tags[0].Key) != "env" {
		t.Errorf("ListRoleTags = %+v", rt.Tags)
	}
	_, err = root.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("ghost"), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, "TagRole missing", err, "NoSuchEntity", "The role with name ghost cannot be found.")
	must[*iam.TagPolicyOutput](t, "TagPolicy")(root.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: bp.Policy.Arn, Tags: []iamtypes.Tag{{Key: aws.String("k1"), Value: aws.String("v1")}, {Key: aws.String("k2"), Value: aws.String("v2")}}}))
	must[*iam.UntagPolicyOutput](t, "UntagPolicy")(root.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: bp.Policy.Arn, TagKeys: []string{"k1"}}))
	pt := must[*iam.ListPolicyTagsOutput](t, "ListPolicyTags")(root.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: bp.Policy.Arn}))
	if len(pt.Tags) != 1 || aws.ToString(pt.Tags[0].Key) != "k2" {
		t.Errorf("ListPolicyTags = %+v", pt.Tags)
	}
	_, err = root.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(acctARN + "policy/nope")})
	wantCode(t, "ListPolicyTags missing", err, "NoSuchEntity", "Policy "+acctARN+"policy/nope does not exist or is not attachable.")

	// Inline and attached policies.
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("get"), PolicyDocument: aws.String(policyDoc("iam:GetRole"))}))
	rp := must[*iam.GetRolePolicyOutput](t, "GetRolePolicy")(root.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("get")}))
	if doc, _ := url.QueryUnescape(aws.ToString(rp.PolicyDocument)); doc != policyDoc("iam:GetRole") {
		t.Errorf("GetRolePolicy = %q", doc)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/` + strings.Repeat("a", 10200) + `"}]}`
	_, err = root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, "role inline policies over 10240", err, "LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role app")
	lrp := must[*iam.ListRolePoliciesOutput](t, "ListRolePolicies")(root.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app")}))
	if diff := cmp.Diff([]string{"get"}, lrp.PolicyNames); diff != "" {
		t.Errorf("ListRolePolicies (-want +got):\n%s", diff)
	}
	lp := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("lister"), PolicyDocument: aws.String(policyDoc("iam:ListRoles"))}))
	must[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: lp.Policy.Arn}))
	lar := must[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app")}))
	if len(lar.AttachedPolicies) != 1 || aws.ToString(lar.AttachedPolicies[0].PolicyName) != "lister" {
		t.Errorf("ListAttachedRolePolicies = %+v", lar.AttachedPolicies)
	}

	// ListEntitiesForPolicy: a user, a group and two roles, filtered by kind and path.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ed")}))
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")}))
	must[*iam.CreateRoleOutput](t, "CreateRole other")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ed"), PolicyArn: lp.Policy.Arn}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: lp.Policy.Arn}))
	must[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy other")(root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("other"), PolicyArn: lp.Policy.Arn}))
	entities := func(in *iam.ListEntitiesForPolicyInput) []string {
		t.Helper()
		out := must[*iam.ListEntitiesForPolicyOutput](t, "ListEntitiesForPolicy")(root.ListEntitiesForPolicy(ctx, in))
		var names []string
		for _, u := range out.PolicyUsers {
			names = append(names, "user:"+aws.ToString(u.UserName))
		}
		for _, g := range out.PolicyGroups {
			names = append(names, "group:"+aws.ToString(g.GroupName))
		}
		for _, r := range out.PolicyRoles {
			names = append(names, "role:"+aws.ToString(r.RoleName))
		}
		return names
	}
	for _, tc := range []struct {
		name string
		in   *iam.ListEntitiesForPolicyInput
		want []string
	}{
		{"all", &iam.ListEntitiesForPolicyInput{PolicyArn: lp.Policy.Arn}, []string{"user:ed", "group:ops", "role:app", "role:other"}},
		{"roles", &iam.ListEntitiesForPolicyInput{PolicyArn: lp.Policy.Arn, EntityFilter: iamtypes.EntityTypeRole}, []string{"role:app", "role:other"}},
		{"path", &iam.ListEntitiesForPolicyInput{PolicyArn: lp.Policy.Arn, PathPrefix: aws.String("/svc/")}, []string{"role:app"}},
		{"page", &iam.ListEntitiesForPolicyInput{PolicyArn: lp.Policy.Arn, MaxItems: aws.Int32(2)}, []string{"user:ed", "group:ops"}},
		{"boundary", &iam.ListEntitiesForPolicyInput{PolicyArn: bp.Policy.Arn, PolicyUsageFilter: iamtypes.PolicyUsageTypePermissionsBoundary}, []string{"role:app"}},
	} {
		t.Run("ListEntitiesForPolicy "+tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, entities(tc.in)); diff != "" {
				t.Errorf("ListEntitiesForPolicy %s (-want +got):\n%s", tc.name, diff)
			}
		})
	}

	// ListRoles pages in name order, and filters by path.
	for _, n := range []string{"r3", "R1", "r2"} {
		must[*iam.CreateRoleOutput](t, "CreateRole "+n)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trust)}))
	}
	var names []string
	pages := 0
	for p := iam.NewListRolesPaginator(root, &iam.ListRolesInput{MaxItems: aws.Int32(2)}); p.HasMorePages(); {
		out := must[*iam.ListRolesOutput](t, "ListRoles page")(p.NextPage(ctx))
		pages++
		for _, r := range out.Roles {
			names = append(names, aws.ToString(r.RoleName))
			if r.Tags != nil || r.RoleLastUsed != nil || r.PermissionsBoundary != nil {
				t.Errorf("ListRoles %s has tags, last use or boundary", aws.ToString(r.RoleName))
			}
		}
	}
	if diff := cmp.Diff([]string{"app", "other", "R1", "r2", "r3"}, names); diff != "" || pages != 3 {
		t.Errorf("ListRoles in %d pages (want 3), (-want +got):\n%s", pages, diff)
	}
	lr := must[*iam.ListRolesOutput](t, "ListRoles /svc/")(root.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/svc/")}))
	if len(lr.Roles) != 1 || aws.ToString(lr.Roles[0].RoleName) != "app" {
		t.Errorf("ListRoles /svc/ = %d roles", len(lr.Roles))
	}

	// DeleteRole: inline policies first, then attached ones.
	_, err = root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	wantCode(t, "DeleteRole with inline policy", err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("get")}))
	_, err = root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")})
	wantCode(t, "DeleteRole with attached policy", err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	must[*iam.DetachRolePolicyOutput](t, "DetachRolePolicy")(root.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: lp.Policy.Arn}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("app")}))
	_, err = root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	wantCode(t, "GetRole deleted", err, "NoSuchEntity", "The role with name app cannot be found.")
}

// TestRoleAuthorizationAndAssumeRole: a group policy grants GetRole but not DeleteRole; a user
// allowed sts:AssumeRole assumes a role trusting the account and acts with the role's
// permissions; trust policies that do not name the caller, or want an external ID, refuse.
func TestRoleAuthorizationAndAssumeRole(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	roleARN := func(name string) string { return acctARN + "role/" + name }

	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", ""))}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("get"), PolicyDocument: aws.String(policyDoc("iam:GetRole"))}))

	id, secret := userWithKey(t, ctx, root, "dana")
	dana := iamClient(srv, id, secret, "")
	danaARN := acctARN + "user/dana"
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dana")}))
	_, err := dana.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	wantCode(t, "GetRole before the group policy", err, "AccessDenied",
		"User: "+danaARN+" is not authorized to perform: iam:GetRole on resource: "+roleARN("reader")+" because no identity-based policy allows the iam:GetRole action")
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("roles"),
		PolicyDocument: aws.String(policyDoc("iam:GetRole", "sts:AssumeRole"))}))
	must[*iam.GetRoleOutput](t, "GetRole through the group policy")(dana.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")}))
	_, err = dana.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")})
	wantCode(t, "DeleteRole as dana", err, "AccessDenied",
		"User: "+danaARN+" is not authorized to perform: iam:DeleteRole on resource: "+roleARN("reader")+" because no identity-based policy allows the iam:DeleteRole action")

	// AssumeRole of a role trusting the account.
	danaSTS := stsClient(srv, id, secret, "")
	ar := must[*sts.AssumeRoleOutput](t, "AssumeRole")(danaSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("reader")), RoleSessionName: aws.String("s1")}))
	sessionARN := "arn:aws:sts::" + testAccount + ":assumed-role/reader/s1"
	if got := aws.ToString(ar.AssumedRoleUser.Arn); got != sessionARN {
		t.Errorf("assumed role ARN = %s, want %s", got, sessionARN)
	}
	c := ar.Credentials
	sess := iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	// The session has the role's permissions, not dana's.
	must[*iam.GetRoleOutput](t, "GetRole as the role session")(sess.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")}))
	_, err = sess.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("reader")})
	wantCode(t, "DeleteRole as the role session", err, "AccessDenied",
		"User: "+sessionARN+" is not authorized to perform: iam:DeleteRole on resource: "+roleARN("reader")+" because no identity-based policy allows the iam:DeleteRole action")
	id2 := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as the session")(stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id2.Arn) != sessionARN {
		t.Errorf("session identity = %s, want %s", aws.ToString(id2.Arn), sessionARN)
	}

	// A trust policy naming someone else refuses dana.
	must[*iam.CreateUserOutput](t, "CreateUser erin")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin")})) // a trust policy names existing principals
	must[*iam.CreateRoleOutput](t, "CreateRole other")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"user/erin", ""))}))
	_, err = danaSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("other")), RoleSessionName: aws.String("s2")})
	wantCode(t, "AssumeRole not trusted", err, "AccessDenied", "User: "+danaARN+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN("other"))

	// ExternalId: required and checked.
	must[*iam.CreateRoleOutput](t, "CreateRole vendor")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("vendor"),
		AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", `{"StringEquals":{"sts:ExternalId":"ext-1234"}}`))}))
	for _, tc := range []struct {
		name     string
		external *string
		ok       bool
	}{
		{"missing", nil, false},
		{"wrong", aws.String("ext-9999"), false},
		{"right", aws.String("ext-1234"), true},
	} {
		t.Run("ExternalId "+tc.name, func(t *testing.T) {
			_, err := danaSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("vendor")), RoleSessionName: aws.String("s3"), ExternalId: tc.external})
			if tc.ok {
				if err != nil {
					t.Errorf("AssumeRole with external ID %s: %v", tc.name, err)
				}
				return
			}
			wantCode(t, "AssumeRole with external ID "+tc.name, err, "AccessDenied", "User: "+danaARN+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN("vendor"))
		})
	}

	// Without sts:AssumeRole in its own policies, the trusted user is still refused.
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy without AssumeRole")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("roles"),
		PolicyDocument: aws.String(policyDoc("iam:GetRole"))}))
	_, err = danaSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("reader")), RoleSessionName: aws.String("s4")})
	wantCode(t, "AssumeRole without identity permission", err, "AccessDenied", "")
}

func TestInstanceProfiles(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, n := range []string{"web", "db"} {
		must[*iam.CreateRoleOutput](t, "CreateRole "+n)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trust)}))
	}

	ip := must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), Path: aws.String("/ec2/"),
		Tags: []iamtypes.Tag{{Key: aws.String("tier"), Value: aws.String("front")}}}))
	if got, want := aws.ToString(ip.InstanceProfile.Arn), acctARN+"instance-profile/ec2/web-ip"; got != want {
		t.Errorf("instance profile ARN = %s, want %s", got, want)
	}
	if id := aws.ToString(ip.InstanceProfile.InstanceProfileId); !strings.HasPrefix(id, "AIPA") || len(id) != 21 {
		t.Errorf("instance profile ID = %q, want AIPA + 17 characters", id)
	}
	if ip.InstanceProfile.Roles == nil || len(ip.InstanceProfile.Roles) != 0 {
		t.Errorf("new instance profile roles = %+v, want empty", ip.InstanceProfile.Roles)
	}
	_, err := root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB-IP")})
	wantCode(t, "CreateInstanceProfile duplicate", err, "EntityAlreadyExists", "Instance Profile WEB-IP already exists.")
	_, err = root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
	wantCode(t, "GetInstanceProfile missing", err, "NoSuchEntity", "Instance Profile nope cannot be found.")

	must[*iam.AddRoleToInstanceProfileOutput](t, "AddRoleToInstanceProfile")(root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("web")}))
	_, err = root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("db")})
	wantCode(t, "second role", err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	_, err = root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("ghost")})
	wantCode(t, "AddRoleToInstanceProfile missing role", err, "NoSuchEntity", "The role with name ghost cannot be found.")
	gi := must[*iam.GetInstanceProfileOutput](t, "GetInstanceProfile")(root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-ip")}))
	if len(gi.InstanceProfile.Roles) != 1 || aws.ToString(gi.InstanceProfile.Roles[0].Arn) != acctARN+"role/web" || len(gi.InstanceProfile.Tags) != 1 {
		t.Errorf("GetInstanceProfile = %+v", gi.InstanceProfile)
	} else if doc, _ := url.QueryUnescape(aws.ToString(gi.InstanceProfile.Roles[0].AssumeRolePolicyDocument)); doc != trust {
		t.Errorf("instance profile role trust policy = %q", doc)
	}
	fr := must[*iam.ListInstanceProfilesForRoleOutput](t, "ListInstanceProfilesForRole")(root.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web")}))
	if len(fr.InstanceProfiles) != 1 || aws.ToString(fr.InstanceProfiles[0].InstanceProfileName) != "web-ip" {
		t.Errorf("ListInstanceProfilesForRole = %+v", fr.InstanceProfiles)
	}
	_, err = root.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ghost")})
	wantCode(t, "ListInstanceProfilesForRole missing", err, "NoSuchEntity", "The role with name ghost cannot be found.")

	// Conflicts while the role is in the profile.
	_, err = root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
	wantCode(t, "DeleteRole in profile", err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = root.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-ip")})
	wantCode(t, "DeleteInstanceProfile with role", err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")

	// Tags.
	must[*iam.TagInstanceProfileOutput](t, "TagInstanceProfile")(root.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))
	must[*iam.UntagInstanceProfileOutput](t, "UntagInstanceProfile")(root.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), TagKeys: []string{"tier"}}))
	tags := must[*iam.ListInstanceProfileTagsOutput](t, "ListInstanceProfileTags")(root.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web-ip")}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" || aws.ToString(tags.Tags[0].Value) != "prod" {
		t.Errorf("ListInstanceProfileTags = %+v", tags.Tags)
	}
	_, err = root.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
	wantCode(t, "ListInstanceProfileTags missing", err, "NoSuchEntity", "Instance Profile nope cannot be found.")

	// Listing with path prefix and pages.
	for _, n := range []string{"p2", "P1", "p3"} {
		must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile "+n)(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(n)}))
	}
	var names []string
	for p := iam.NewListInstanceProfilesPaginator(root, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(3)}); p.HasMorePages(); {
		out := must[*iam.ListInstanceProfilesOutput](t, "ListInstanceProfiles page")(p.NextPage(ctx))
		for _, ip := range out.InstanceProfiles {
			names = append(names, aws.ToString(ip.InstanceProfileName))
		}
	}
	if diff := cmp.Diff([]string{"P1", "p2", "p3", "web-ip"}, names); diff != "" {
		t.Errorf("ListInstanceProfiles (-want +got):\n%s", diff)
	}
	li := must[*iam.ListInstanceProfilesOutput](t, "ListInstanceProfiles /ec2/")(root.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/ec2/")}))
	if len(li.InstanceProfiles) != 1 || len(li.InstanceProfiles[0].Roles) != 1 {
		t.Errorf("ListInstanceProfiles /ec2/ = %+v", li.InstanceProfiles)
	}

	// A user needs iam:PassRole on the role as well.
	id, secret := userWithKey(t, ctx, root, "ops")
	ops := iamClient(srv, id, secret, "")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("ip"),
		PolicyDocument: aws.String(policyDoc("iam:AddRoleToInstanceProfile", "iam:GetInstanceProfile"))}))
	_, err = ops.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("p1"), RoleName: aws.String("db")})
	wantCode(t, "AddRoleToInstanceProfile without PassRole", err, "AccessDenied",
		"User: "+acctARN+"user/ops is not authorized to perform: iam:PassRole on resource: "+acctARN+"role/db because no identity-based policy allows the iam:PassRole action")
	_, err = ops.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("p1")})
	wantCode(t, "DeleteInstanceProfile as ops", err, "AccessDenied",
		"User: "+acctARN+"user/ops is not authorized to perform: iam:DeleteInstanceProfile on resource: "+acctARN+"instance-profile/P1 because no identity-based policy allows the iam:DeleteInstanceProfile action")

	// Remove, then both deletes succeed.
	must[*iam.RemoveRoleFromInstanceProfileOutput](t, "RemoveRoleFromInstanceProfile")(root.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("web")}))
	_, err = root.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web-ip"), RoleName: aws.String("web")})
	wantCode(t, "RemoveRoleFromInstanceProfile twice", err, "NoSuchEntity", "The role with name web cannot be found.")
	must[*iam.DeleteInstanceProfileOutput](t, "DeleteInstanceProfile")(root.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web-ip")}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")}))
	_, err = root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web-ip")})
	wantCode(t, "GetInstanceProfile deleted", err, "NoSuchEntity", "Instance Profile web-ip cannot be found.")
}
