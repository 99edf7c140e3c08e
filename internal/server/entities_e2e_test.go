package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
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
