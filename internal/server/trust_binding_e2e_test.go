package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// trustPolicyOf returns a role's trust policy as GetRole shows it, decoded.
func trustPolicyOf(t *testing.T, ctx context.Context, root *iam.Client, role string) string {
	t.Helper()
	r := must[*iam.GetRoleOutput](t, "GetRole "+role)(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)}))
	doc, err := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
	if err != nil {
		t.Fatalf("GetRole %s: trust policy %q: %v", role, aws.ToString(r.Role.AssumeRolePolicyDocument), err)
	}
	return doc
}

// assumeAs calls AssumeRole with the credentials and returns the error.
func assumeAs(ctx context.Context, srv interface{ Endpoint() string }, id, secret, token, role, session string) (*sts.AssumeRoleOutput, error) {
	c := sts.NewFromConfig(awsConfig(srv.Endpoint(), id, secret, token))
	return c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + "role/" + role), RoleSessionName: aws.String(session)})
}

// TestTrustPolicyPrincipalsMustExist: a trust policy naming a user or role of iamd's account that
// does not exist is refused with AWS's MalformedPolicyDocument and nothing changes; principals in
// accounts iamd does not host are accepted, and unique IDs are refused.
func TestTrustPolicyPrincipalsMustExist(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("/eng/")}))
	carolID := aws.ToString(must[*iam.GetUserOutput](t, "GetUser")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")})).User.UserId)

	bad := []struct{ name, principal string }{
		{"no such user", acctARN + "user/nosuch"},
		{"no such role", acctARN + "role/nosuch"},
		{"user under another path", acctARN + "user/carol"},
		{"user in another case", acctARN + "user/eng/Carol"},
		{"the role being created", acctARN + "role/selfish"},
		{"unique ID of an existing user", carolID},
		{"unique ID of no user", "AIDAJQABLZS4A3QDU576Q"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + acctARN + `root","` + c.principal + `"]},"Action":"sts:AssumeRole"}]}`
			_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("selfish"), AssumeRolePolicyDocument: aws.String(doc)})
			wantCode(t, "CreateRole trusting "+c.principal, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"`+c.principal+`"`)
			_, err = root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("selfish")})
			wantCode(t, "GetRole after the refused CreateRole", err, "NoSuchEntity", "")
		})
	}

	// Existing principals, the account, and users and roles of accounts iamd does not host.
	good := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` + acctARN + `user/eng/carol","` + testAccount + `",` +
		`"arn:aws:iam::999988887777:user/anyone","arn:aws:iam::999988887777:role/any/role"]},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole with existing and unhosted principals")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ok"), AssumeRolePolicyDocument: aws.String(good)}))
	if got := trustPolicyOf(t, ctx, root, "ok"); got != good {
		t.Errorf("trust policy = %s, want %s", got, good)
	}

	// UpdateAssumeRolePolicy checks the same way and leaves the policy unchanged when it refuses.
	for _, p := range []string{acctARN + "user/nosuch", carolID} {
		_, err := root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ok"), PolicyDocument: aws.String(trustDoc(p, ""))})
		wantCode(t, "UpdateAssumeRolePolicy trusting "+p, err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"`+p+`"`)
	}
	if got := trustPolicyOf(t, ctx, root, "ok"); got != good {
		t.Errorf("trust policy after the refused updates = %s, want %s", got, good)
	}
	// A role may trust itself once it exists.
	self := trustDoc(acctARN+"role/ok", "")
	must[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy trusting itself")(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ok"), PolicyDocument: aws.String(self)}))
}

// TestTrustPolicyBindsDeletedUser: deleting a user rewrites the trust policies that named it to
// its unique ID, so a re-created user of the same name is not trusted; the ID is not accepted
// back, and naming the new user again trusts it.
func TestTrustPolicyBindsDeletedUser(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	id, secret := userWithKey(t, ctx, root, "carol")
	carolID := aws.ToString(must[*iam.GetUserOutput](t, "GetUser")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")})).User.UserId)
	carolARN := acctARN + "user/carol"
	trust := "{\"Version\":\"2012-10-17\",\"Statement\":[\n  {\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::999988887777:root\", \"" + carolARN + "\"]},\"Action\":\"sts:AssumeRole\"," +
		"\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalArn\":\"" + carolARN + "x\"}}}]}"
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("carolrole"), AssumeRolePolicyDocument: aws.String(trust)}))
	other := trustDoc(acctARN+"root", "")
	must[*iam.CreateRoleOutput](t, "CreateRole other")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String(other)}))
	must[*sts.AssumeRoleOutput](t, "AssumeRole as carol")(assumeAs(ctx, srv, id, secret, "", "carolrole", "s1"))

	must[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(id)}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")}))
	bound := strings.Replace(trust, `"`+carolARN+`"`, `"`+carolID+`"`, 1)
	if got := trustPolicyOf(t, ctx, root, "carolrole"); got != bound {
		t.Errorf("trust policy after DeleteUser = %s, want %s", got, bound)
	}
	if got := trustPolicyOf(t, ctx, root, "other"); got != other {
		t.Errorf("unrelated trust policy after DeleteUser = %s, want %s", got, other)
	}

	// The new carol is another principal.
	id2, secret2 := userWithKey(t, ctx, root, "carol")
	_, err := assumeAs(ctx, srv, id2, secret2, "", "carolrole", "s2")
	wantCode(t, "AssumeRole as the new carol", err, "AccessDenied", "")

	// The policy as GetRole shows it is not accepted back; naming carol again trusts the new one.
	_, err = root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("carolrole"), PolicyDocument: aws.String(bound)})
	wantCode(t, "UpdateAssumeRolePolicy with the unique ID", err, "MalformedPolicyDocument", `Invalid principal in policy: "AWS":"`+carolID+`"`)
	must[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy naming carol again")(root.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("carolrole"), PolicyDocument: aws.String(trust)}))
	must[*sts.AssumeRoleOutput](t, "AssumeRole as the new carol, named again")(assumeAs(ctx, srv, id2, secret2, "", "carolrole", "s3"))
}

// TestTrustPolicyBindsDeletedRole: the same for a role trusted by another role; the role that
// is re-created under the deleted one's name is not trusted even with permission to assume.
func TestTrustPolicyBindsDeletedRole(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	opsID, opsSecret := userWithKey(t, ctx, root, "ops")
	makeCaller := func() string {
		r := must[*iam.CreateRoleOutput](t, "CreateRole caller")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("caller"), Path: aws.String("/ci/"),
			AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"user/ops", ""))}))
		must[*iam.PutRolePolicyOutput](t, "PutRolePolicy caller")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("caller"), PolicyName: aws.String("assume"),
			PolicyDocument: aws.String(policyDoc("sts:AssumeRole"))}))
		return aws.ToString(r.Role.RoleId)
	}
	callerID := makeCaller()
	trust := trustDoc(acctARN+"role/ci/caller", "")
	must[*iam.CreateRoleOutput](t, "CreateRole target")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: aws.String(trust)}))

	// chain assumes caller as ops, then target as caller.
	chain := func(session string) error {
		c, err := assumeAs(ctx, srv, opsID, opsSecret, "", "ci/caller", session)
		if err != nil {
			t.Fatalf("AssumeRole caller as ops: %v", err)
		}
		cr := c.Credentials
		_, err = assumeAs(ctx, srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken), "target", session)
		return err
	}
	if err := chain("s1"); err != nil {
		t.Fatalf("AssumeRole target as caller: %v", err)
	}

	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("caller"), PolicyName: aws.String("assume")}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(root.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("caller")}))
	if got, want := trustPolicyOf(t, ctx, root, "target"), trustDoc(callerID, ""); got != want {
		t.Errorf("trust policy after DeleteRole = %s, want %s", got, want)
	}

	if newID := makeCaller(); newID == callerID {
		t.Fatalf("re-created role has the old ID %s", newID)
	}
	wantCode(t, "AssumeRole target as the new caller", chain("s2"), "AccessDenied", "")
}

// TestTrustPolicyFollowsRenamedUser: renaming a user or changing its path rewrites the trust
// policies that name it to the new ARN, as AWS shows them; a new user with the old name is not
// trusted.
func TestTrustPolicyFollowsRenamedUser(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	id, secret := userWithKey(t, ctx, root, "erin")
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("erinrole"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"user/erin", ""))}))
	must[*iam.UpdateUserOutput](t, "UpdateUser")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("erin"), NewUserName: aws.String("erin2"), NewPath: aws.String("/ops/")}))
	if got, want := trustPolicyOf(t, ctx, root, "erinrole"), trustDoc(acctARN+"user/ops/erin2", ""); got != want {
		t.Errorf("trust policy after the rename = %s, want %s", got, want)
	}
	must[*sts.AssumeRoleOutput](t, "AssumeRole as the renamed user")(assumeAs(ctx, srv, id, secret, "", "erinrole", "s1"))

	id2, secret2 := userWithKey(t, ctx, root, "erin")
	_, err := assumeAs(ctx, srv, id2, secret2, "", "erinrole", "s2")
	wantCode(t, "AssumeRole as a new user with the old name", err, "AccessDenied", "")
}
