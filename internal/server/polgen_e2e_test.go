package server_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/polgen"
	"github.com/iamd-dev/iamd/internal/server"
)

// polgenFromTrail runs policy generation over the server's whole trail.
func polgenFromTrail(t *testing.T, srv *server.Server, o polgen.Options) *polgen.Result {
	t.Helper()
	ctx := context.Background()
	g, err := polgen.New(o)
	if err != nil {
		t.Fatalf("polgen.New: %v", err)
	}
	var after int64
	for {
		evs, err := srv.Store().Chain(ctx, after, 500)
		if err != nil {
			t.Fatalf("Chain: %v", err)
		}
		for _, e := range evs {
			if err := g.Add(e.Record); err != nil {
				t.Fatalf("Add(%s): %v", e.Record, err)
			}
		}
		if len(evs) < 500 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	res, err := g.Result()
	if err != nil {
		t.Fatalf("Result: %v", err)
	}
	return res
}

// polgenCode is "" for no error, else the error's AWS code.
func polgenCode(err error) string {
	if err == nil {
		return ""
	}
	return apiCode(err)
}

// TestGeneratedPolicyRoundTrip records the calls of a role's sessions under a broad policy (two
// session names, and a chained session: a session of another role assumed the role), generates
// a policy from the server's trail, puts it in place of the broad one and replays the calls:
// every one is still allowed, and calls outside the recorded set are denied.
func TestGeneratedPolicyRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	roleARN := acctARN + "role/builder"
	broad := policyDoc("iam:*", "sts:*")

	must[*iam.CreateRoleOutput](t, "CreateRole builder")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("builder"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", ""))}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy broad")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("builder"), PolicyName: aws.String("broad"), PolicyDocument: aws.String(broad)}))
	must[*iam.CreateRoleOutput](t, "CreateRole ec2-app")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ec2-app"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", ""))}))
	id, secret := userWithKey(t, ctx, root, "dev")
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy dev")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(policyDoc("sts:AssumeRole"))}))

	must[*iam.CreateRoleOutput](t, "CreateRole hop")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("hop"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", ""))}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy hop")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("hop"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(policyDoc("sts:AssumeRole"))}))

	// The role's sessions: two names assumed by dev, and one assumed by a session of hop.
	type session struct {
		iam *iam.Client
		sts *sts.Client
	}
	assume := func(c *sts.Client, role, name string) session {
		t.Helper()
		ar := must[*sts.AssumeRoleOutput](t, "AssumeRole "+role+" "+name)(c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String(name)}))
		k := ar.Credentials
		return session{iamClient(srv, aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), aws.ToString(k.SessionToken)),
			stsClient(srv, aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), aws.ToString(k.SessionToken))}
	}
	devSTS := stsClient(srv, id, secret, "")
	hop := assume(devSTS, acctARN+"role/hop", "hop-1")
	sessions := []session{assume(devSTS, roleARN, "build-1"), assume(devSTS, roleARN, "build-2"), assume(hop.sts, roleARN, "chained")}
	// Each recorded call is made by the next session in turn.
	var turn int
	next := func() session { s := sessions[turn%len(sessions)]; turn++; return s }
	sess := sessions[2].iam // the chained session, for the calls outside the recorded set

	// The recorded sessions. Each call returns "" when it succeeded, else its error code; a
	// failure other than AccessDenied (NoSuchEntity) still used the permission.
	calls := []struct {
		name string
		do   func() error
		want string
	}{
		{"CreateUser", func() error {
			_, err := next().iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("app-user"), Path: aws.String("/apps/")})
			return err
		}, ""},
		{"GetUser", func() error {
			_, err := next().iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("app-user")})
			return err
		}, ""},
		{"TagUser", func() error {
			_, err := next().iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("app-user"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
			return err
		}, ""},
		{"ListUsers", func() error { _, err := next().iam.ListUsers(ctx, &iam.ListUsersInput{}); return err }, ""},
		{"CreateInstanceProfile", func() error {
			_, err := next().iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")})
			return err
		}, ""},
		{"AddRoleToInstanceProfile", func() error {
			_, err := next().iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ec2-app")})
			return err
		}, ""},
		{"GetRole", func() error {
			_, err := next().iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ec2-app")})
			return err
		}, ""},
		{"GetUser missing", func() error {
			_, err := next().iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ghost")})
			return err
		}, "NoSuchEntity"},
		{"GetCallerIdentity", func() error { _, err := next().sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err }, ""},
	}
	run := func(phase string) {
		t.Helper()
		turn = 0
		for _, call := range calls {
			if got := polgenCode(call.do()); got != call.want {
				t.Errorf("%s: %s returned %q, want %q", phase, call.name, got, call.want)
			}
		}
	}
	run("recording")

	res := polgenFromTrail(t, srv, polgen.Options{Principal: roleARN, Current: &polgen.Current{Policies: []polgen.CurrentPolicy{{Name: "broad", Document: broad}}}})
	if res.IsEmpty || res.Size > res.Limit {
		t.Fatalf("generated policy: empty %v, size %d of %d:\n%s", res.IsEmpty, res.Size, res.Limit, res.Policy)
	}
	if got := res.Stats.Matched; got != len(calls) {
		t.Errorf("records matched = %d, want %d (the sessions' calls only, not dev's or hop's AssumeRole or root's)", got, len(calls))
	}
	for _, want := range []string{"iam:CreateUser", "iam:AddRoleToInstanceProfile", "sts:GetCallerIdentity"} {
		if !slices.Contains(res.Diff.GrantedUsed, want) {
			t.Errorf("Diff.GrantedUsed = %v, missing %s", res.Diff.GrantedUsed, want)
		}
	}
	if i := slices.IndexFunc(res.Diff.GrantedUnused, func(s polgen.ServiceActions) bool { return s.Service == "iam" }); i < 0 || !slices.Contains(res.Diff.GrantedUnused[i].Actions, "iam:DeleteRole") {
		t.Errorf("Diff.GrantedUnused = %v, want iam:DeleteRole among iam's", res.Diff.GrantedUnused)
	}

	// Put the generated policy in place of the broad one, undo the recorded changes, replay.
	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy broad")(root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("builder"), PolicyName: aws.String("broad")}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy generated")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("builder"), PolicyName: aws.String("generated"), PolicyDocument: aws.String(res.Policy)}))
	must[*iam.RemoveRoleFromInstanceProfileOutput](t, "RemoveRoleFromInstanceProfile")(root.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("ec2-app")}))
	must[*iam.DeleteInstanceProfileOutput](t, "DeleteInstanceProfile")(root.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}))
	must[*iam.DeleteUserOutput](t, "DeleteUser app-user")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("app-user")}))
	run("replay with the generated policy")
	if t.Failed() {
		t.Logf("generated policy:\n%s", res.Policy)
	}

	// Outside the recorded set: other actions, and the same actions on other resources.
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"DeleteUser app-user", func() error {
			_, err := sess.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("app-user")})
			return err
		}},
		{"CreateUser other", func() error {
			_, err := sess.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")})
			return err
		}},
		{"GetRole builder", func() error {
			_, err := sess.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("builder")})
			return err
		}},
		{"ListRoles", func() error { _, err := sess.ListRoles(ctx, &iam.ListRolesInput{}); return err }},
		{"CreateInstanceProfile web2", func() error {
			_, err := sess.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web2")})
			return err
		}},
	} {
		if got := polgenCode(tc.do()); got != "AccessDenied" {
			t.Errorf("outside the recorded set: %s returned %q, want AccessDenied", tc.name, got)
		}
	}
}
