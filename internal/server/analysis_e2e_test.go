package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const simARN = "arn:aws:iam::" + testAccount + ":"

// simOne runs SimulatePrincipalPolicy for one action (on resource, "" for none) and returns the
// result.
func simOne(t *testing.T, c *iam.Client, in *iam.SimulatePrincipalPolicyInput) iamtypes.EvaluationResult {
	t.Helper()
	out := must[*iam.SimulatePrincipalPolicyOutput](t, "SimulatePrincipalPolicy")(c.SimulatePrincipalPolicy(context.Background(), in))
	if len(out.EvaluationResults) != 1 {
		t.Fatalf("SimulatePrincipalPolicy %v: %d results, want 1", in.ActionNames, len(out.EvaluationResults))
	}
	return out.EvaluationResults[0]
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("sim"), Path: aws.String("/team/")}))
	userARN := simARN + "user/team/sim"
	// The deny statement starts on line 4, column 3 (after two spaces).
	policy := "{\"Version\":\"2012-10-17\",\"Statement\":[\n" +
		"  {\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":[\"iam:GetUser\",\"iam:DeleteUser\"],\"Resource\":\"*\"},\n" +
		"  {\"Effect\":\"Allow\",\"Action\":\"iam:ListGroups\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}},\n" +
		"  {\"Effect\":\"Deny\",\"Action\":\"iam:DeleteUser\",\"Resource\":\"*\"}\n" +
		"]}"
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("sim"), PolicyName: aws.String("main"), PolicyDocument: aws.String(policy)}))

	stmt := func(id string, typ iamtypes.PolicySourceType, l1, c1, l2, c2 int32) iamtypes.Statement {
		return iamtypes.Statement{SourcePolicyId: aws.String(id), SourcePolicyType: typ,
			StartPosition: &iamtypes.Position{Line: l1, Column: c1}, EndPosition: &iamtypes.Position{Line: l2, Column: c2}}
	}
	ip := func(v string) []iamtypes.ContextEntry {
		return []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: iamtypes.ContextKeyTypeEnumIp, ContextKeyValues: []string{v}}}
	}
	type want struct {
		decision iamtypes.PolicyEvaluationDecisionType
		matched  []iamtypes.Statement
		missing  []string
		boundary *iamtypes.PermissionsBoundaryDecisionDetail
	}
	check := func(t *testing.T, what string, in *iam.SimulatePrincipalPolicyInput, w want) {
		t.Helper()
		if in.PolicySourceArn == nil {
			in.PolicySourceArn = aws.String(userARN)
		}
		r := simOne(t, root, in)
		got := want{r.EvalDecision, r.MatchedStatements, r.MissingContextValues, r.PermissionsBoundaryDecisionDetail}
		if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{}), cmpopts.IgnoreUnexported(iamtypes.Statement{}, iamtypes.Position{}, iamtypes.PermissionsBoundaryDecisionDetail{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: %v on %v: result (-want +got):\n%s", what, in.ActionNames, in.ResourceArns, diff)
		}
	}

	check(t, "allowed", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:GetUser"}, ResourceArns: []string{userARN}},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("user_sim_main", "user", 2, 3, 2, 90)}})
	check(t, "explicit deny", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:DeleteUser"}},
		want{decision: "explicitDeny", matched: []iamtypes.Statement{stmt("user_sim_main", "user", 4, 3, 4, 60)}})
	check(t, "implicit deny", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:CreateGroup"}},
		want{decision: "implicitDeny"})
	check(t, "missing context key", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListGroups"}},
		want{decision: "implicitDeny", missing: []string{"aws:SourceIp"}})
	check(t, "context entry satisfies the condition", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListGroups"}, ContextEntries: ip("10.1.2.3")},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("user_sim_main", "user", 3, 3, 3, 117)}})
	check(t, "context entry fails the condition", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListGroups"}, ContextEntries: ip("192.168.0.1")},
		want{decision: "implicitDeny"})

	// PolicyInputList adds to the user's policies.
	check(t, "PolicyInputList", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:CreateGroup"},
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateGroup","Resource":"*"}}`}},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("PolicyInputList.1", "none", 1, 37, 1, 96)}})

	// A permissions boundary caps the user's policies.
	b := must[*iam.CreatePolicyOutput](t, "CreatePolicy boundary")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("only-get"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)}))
	must[*iam.PutUserPermissionsBoundaryOutput](t, "PutUserPermissionsBoundary")(root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("sim"), PermissionsBoundary: b.Policy.Arn}))
	check(t, "boundary allows", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:GetUser"}},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("user_sim_main", "user", 2, 3, 2, 90)}, boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}})
	check(t, "boundary caps", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListGroups"}, ContextEntries: ip("10.1.2.3")},
		want{decision: "implicitDeny", boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: false}})
	check(t, "boundary input replaces the user's", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListGroups"}, ContextEntries: ip("10.1.2.3"),
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`}},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("user_sim_main", "user", 3, 3, 3, 117)}, boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}})
	check(t, "managed policy", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:GetPolicy"}, PolicySourceArn: aws.String(userARN)},
		want{decision: "implicitDeny", boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}})
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("sim"), PolicyArn: b.Policy.Arn}))
	check(t, "attached managed policy", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:GetPolicy"}},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("only-get", "user-managed", 1, 38, 1, 90)}, boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}})

	// Group policies count for members; a group or a role can be the source itself.
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("gp"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}}`)}))
	allowAll := []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}
	check(t, "not yet a member", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListRoles"}, PermissionsBoundaryPolicyInputList: allowAll},
		want{decision: "implicitDeny", boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}})
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("sim")}))
	check(t, "group policy", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListRoles"}, PermissionsBoundaryPolicyInputList: allowAll},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("group_devs_gp", "group", 1, 37, 1, 94)}, boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: true}})
	check(t, "group policy under the user's boundary", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListRoles"}},
		want{decision: "implicitDeny", boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: false}})
	check(t, "group as source", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"iam:ListRoles"}, PolicySourceArn: aws.String(simARN + "group/devs")},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("group_devs_gp", "group", 1, 37, 1, 94)}})
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r1"), Path: aws.String("/svc/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + testAccount + `"},"Action":"sts:AssumeRole"}}`)}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("r1"), PolicyName: aws.String("rp"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}}}`)}))
	check(t, "role as source", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"s3:GetObject"}, PolicySourceArn: aws.String(simARN + "role/svc/r1")},
		want{decision: "allowed", matched: []iamtypes.Statement{stmt("role_r1_rp", "role", 1, 37, 1, 150)}})
	check(t, "role's policies are not the user's", &iam.SimulatePrincipalPolicyInput{ActionNames: []string{"s3:GetObject"}},
		want{decision: "implicitDeny", boundary: &iamtypes.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: false}})

	// Several actions and resources: one result per action, the most restrictive decision on
	// top and each resource's own below; MaxItems pages over actions.
	out := must[*iam.SimulatePrincipalPolicyOutput](t, "Simulate several")(root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(userARN), ActionNames: []string{"iam:GetUser", "iam:DeleteUser", "iam:CreateGroup"},
		ResourceArns: []string{userARN, simARN + "user/other"}, MaxItems: aws.Int32(2),
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:GetUser","Resource":"` + simARN + `user/other"}}`}}))
	var got []string
	for _, r := range out.EvaluationResults {
		s := aws.ToString(r.EvalActionName) + "=" + string(r.EvalDecision)
		for _, rr := range r.ResourceSpecificResults {
			s += " " + aws.ToString(rr.EvalResourceName)[len(simARN):] + ":" + string(rr.EvalResourceDecision)
		}
		got = append(got, s)
	}
	if want := []string{"iam:GetUser=explicitDeny user/team/sim:allowed user/other:explicitDeny", "iam:DeleteUser=explicitDeny user/team/sim:explicitDeny user/other:explicitDeny"}; !cmp.Equal(got, want) || !out.IsTruncated {
		t.Errorf("page 1 = %q (truncated %v), want %q", got, out.IsTruncated, want)
	}
	out = must[*iam.SimulatePrincipalPolicyOutput](t, "Simulate page 2")(root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(userARN), ActionNames: []string{"iam:GetUser", "iam:DeleteUser", "iam:CreateGroup"}, Marker: out.Marker}))
	if len(out.EvaluationResults) != 1 || aws.ToString(out.EvaluationResults[0].EvalActionName) != "iam:CreateGroup" || out.IsTruncated {
		t.Errorf("page 2 = %+v", out.EvaluationResults)
	}
}

func TestSimulateCustomPolicyAndContextKeys(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`
	keys := must[*iam.GetContextKeysForCustomPolicyOutput](t, "GetContextKeysForCustomPolicy")(root.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{doc}}))
	if want := []string{"aws:username", "aws:CurrentTime"}; !cmp.Equal(keys.ContextKeyNames, want) {
		t.Errorf("GetContextKeysForCustomPolicy = %q, want %q", keys.ContextKeyNames, want)
	}
	table := "arn:aws:dynamodb:us-west-2:123456789012:table/bob"
	for _, tc := range []struct {
		name    string
		entries []iamtypes.ContextEntry
		want    iamtypes.PolicyEvaluationDecisionType
		missing []string
	}{
		{"no context", nil, "implicitDeny", []string{"aws:CurrentTime", "aws:username"}},
		{"after the date", []iamtypes.ContextEntry{
			{ContextKeyName: aws.String("aws:username"), ContextKeyType: "string", ContextKeyValues: []string{"bob"}},
			{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyType: "date", ContextKeyValues: []string{"2019-04-25T11:00:00Z"}}}, "allowed", nil},
		{"before the date", []iamtypes.ContextEntry{
			{ContextKeyName: aws.String("aws:username"), ContextKeyType: "string", ContextKeyValues: []string{"bob"}},
			{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyType: "date", ContextKeyValues: []string{"2014-04-25T11:00:00Z"}}}, "implicitDeny", nil},
	} {
		out := must[*iam.SimulateCustomPolicyOutput](t, "SimulateCustomPolicy "+tc.name)(root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
			PolicyInputList: []string{doc}, ActionNames: []string{"dynamodb:GetItem"}, ResourceArns: []string{table}, ContextEntries: tc.entries}))
		r := out.EvaluationResults[0]
		if r.EvalDecision != tc.want || !cmp.Equal(r.MissingContextValues, tc.missing, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
			t.Errorf("%s: decision %s missing %q, want %s missing %q", tc.name, r.EvalDecision, r.MissingContextValues, tc.want, tc.missing)
		}
	}

	// A resource policy naming the caller allows without an identity policy.
	out := must[*iam.SimulateCustomPolicyOutput](t, "SimulateCustomPolicy resource policy")(root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::other"}}`},
		ResourcePolicy:  aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + simARN + `user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`),
		CallerArn:       aws.String(simARN + "user/bob"), ResourceOwner: aws.String(simARN + "root"),
		ActionNames: []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k"}}))
	if r := out.EvaluationResults[0]; r.EvalDecision != "allowed" || len(r.MatchedStatements) != 1 || r.MatchedStatements[0].SourcePolicyType != "resource" {
		t.Errorf("resource policy: %s %+v", r.EvalDecision, r.MatchedStatements)
	}

	// The principal's keys: its own policies' and the given ones.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("keys")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("keys"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:PrincipalTag/team":"x","AWS:MultiFactorAuthPresent":"true"}}}}`)}))
	pk := must[*iam.GetContextKeysForPrincipalPolicyOutput](t, "GetContextKeysForPrincipalPolicy")(root.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{
		PolicySourceArn: aws.String(simARN + "user/keys"), PolicyInputList: []string{doc}}))
	got := append([]string(nil), pk.ContextKeyNames...)
	want := []string{"aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:username", "aws:CurrentTime"}
	if !cmp.Equal(got, want, cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
		t.Errorf("GetContextKeysForPrincipalPolicy = %q, want %q (in any order)", got, want)
	}
}

// TestSimulationAgreesWithEnforcement: for each case, the simulator's decision for the user is
// what happens when that user makes the call.
func TestSimulationAgreesWithEnforcement(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("agent"), Path: aws.String("/ops/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	must[*iam.CreateUserOutput](t, "CreateUser other")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("agent")}))
	agent := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	agentARN := simARN + "user/ops/agent"
	pol := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("target"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	polARN := aws.ToString(pol.Policy.Arn)

	type call struct {
		action, resource string
		do               func() error
	}
	getUser := func(name, arn string) call {
		return call{"iam:GetUser", arn, func() error {
			_, err := agent.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
			return err
		}}
	}
	calls := []call{
		getUser("agent", agentARN),
		getUser("other", simARN+"user/other"),
		{"iam:ListUsers", simARN + "user/*", func() error { _, err := agent.ListUsers(ctx, &iam.ListUsersInput{}); return err }},
		{"iam:ListAccessKeys", agentARN, func() error {
			_, err := agent.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("agent")})
			return err
		}},
		{"iam:GetPolicy", polARN, func() error {
			_, err := agent.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(polARN)})
			return err
		}},
		{"iam:ListPolicies", simARN + "policy/*", func() error { _, err := agent.ListPolicies(ctx, &iam.ListPoliciesInput{}); return err }},
	}
	docs := map[string]string{
		"nothing":            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		"get any user":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"` + simARN + `user/*"}]}`,
		"get self only":      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"` + simARN + `user/ops/${aws:username}"}]}`,
		"all but deny self":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:Get*","Resource":"*","Condition":{"StringEquals":{"aws:username":"agent"}}}]}`,
		"list, not users":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","NotResource":"` + simARN + `user/*"}]}`,
		"team tag":           `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`,
		"wrong team":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"red"}}}]}`,
		"deny not get":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","NotAction":"iam:Get*","Resource":"*"}]}`,
		"secure transport":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`,
		"principal arn like": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"` + simARN + `user/ops/*"}}}]}`,
		"policy path":        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*Polic*","Resource":"` + simARN + `policy/t*"}]}`,
	}
	for name, doc := range docs {
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy "+name)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("agent"), PolicyName: aws.String("case"), PolicyDocument: aws.String(doc)}))
		for _, c := range calls {
			r := simOne(t, root, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(agentARN), ActionNames: []string{c.action}, ResourceArns: []string{c.resource}})
			err := c.do()
			real := iamtypes.PolicyEvaluationDecisionTypeAllowed
			if err != nil {
				wantCode(t, name+" "+c.action, err, "AccessDenied", "")
				real = "implicitDeny"
				if strings.Contains(err.Error(), "explicit deny") {
					real = "explicitDeny"
				}
			}
			if r.EvalDecision != real {
				t.Errorf("policy %q, %s on %s: simulated %s, enforced %s (%v)", name, c.action, c.resource, r.EvalDecision, real, err)
			}
		}
	}
}

func TestSimulateErrors(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")}))
	u := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	allow := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}`
	uARN := simARN + "user/u"
	principal := func(mod func(*iam.SimulatePrincipalPolicyInput)) error {
		in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(uARN), ActionNames: []string{"iam:GetUser"}}
		mod(in)
		_, err := root.SimulatePrincipalPolicy(ctx, in)
		return err
	}
	for _, tc := range []struct {
		name      string
		err       error
		code, msg string
	}{
		{"unknown user", principal(func(in *iam.SimulatePrincipalPolicyInput) { in.PolicySourceArn = aws.String(simARN + "user/nobody") }),
			"NoSuchEntity", "The user with name nobody cannot be found."},
		{"unknown role", principal(func(in *iam.SimulatePrincipalPolicyInput) { in.PolicySourceArn = aws.String(simARN + "role/nobody") }),
			"NoSuchEntity", "The role with name nobody cannot be found."},
		{"wrong path", principal(func(in *iam.SimulatePrincipalPolicyInput) { in.PolicySourceArn = aws.String(simARN + "user/x/u") }),
			"NoSuchEntity", "The user with name u cannot be found."},
		{"not an ARN", principal(func(in *iam.SimulatePrincipalPolicyInput) {
			in.PolicySourceArn = aws.String("user/u-is-not-an-arn-at-all")
		}),
			"InvalidInput", "Invalid ARN user/u-is-not-an-arn-at-all."},
		{"bad resource ARN", principal(func(in *iam.SimulatePrincipalPolicyInput) { in.ResourceArns = []string{"bucket"} }),
			"InvalidInput", "Invalid ARN bucket."},
		{"malformed input policy", principal(func(in *iam.SimulatePrincipalPolicyInput) {
			in.PolicyInputList = []string{`{"Version":"2012-10-17","Statement":`}
		}),
			"MalformedPolicyDocument", "Syntax errors in policy."},
		{"input policy without resource", principal(func(in *iam.SimulatePrincipalPolicyInput) {
			in.PolicyInputList = []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*"}}`}
		}), "MalformedPolicyDocument", "Policy statement must contain resources."},
		{"numeric context value", principal(func(in *iam.SimulatePrincipalPolicyInput) {
			in.ContextEntries = []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:EpochTime"), ContextKeyType: "numeric", ContextKeyValues: []string{"soon"}}}
		}), "InvalidInput", "Invalid value soon for context key aws:EpochTime of type numeric."},
		{"ip context value", principal(func(in *iam.SimulatePrincipalPolicyInput) {
			in.ContextEntries = []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: "ipList", ContextKeyValues: []string{"10.0.0.1", "300.1.1.1"}}}
		}), "InvalidInput", "Invalid value 300.1.1.1 for context key aws:SourceIp of type ipList."},
		{"two values for a scalar", principal(func(in *iam.SimulatePrincipalPolicyInput) {
			in.ContextEntries = []iamtypes.ContextEntry{{ContextKeyName: aws.String("aws:MultiFactorAuthPresent"), ContextKeyType: "boolean", ContextKeyValues: []string{"true", "false"}}}
		}), "InvalidInput", "Context key aws:MultiFactorAuthPresent of type boolean must have exactly one value."},
		{"resource policy without caller", func() error {
			_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, ActionNames: []string{"s3:GetObject"},
				ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`)})
			return err
		}(), "InvalidInput", "CallerArn must be specified when a ResourcePolicy is included."},
		{"custom malformed", func() error {
			_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{"nope"}, ActionNames: []string{"s3:GetObject"}})
			return err
		}(), "MalformedPolicyDocument", "Syntax errors in policy."},
		{"context keys malformed", func() error {
			_, err := root.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{"{"}})
			return err
		}(), "MalformedPolicyDocument", "Syntax errors in policy."},
		{"context keys unknown principal", func() error {
			_, err := root.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(simARN + "group/none")})
			return err
		}(), "NoSuchEntity", "The group with name none cannot be found."},
		{"not authorized", func() error {
			_, err := u.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(uARN), ActionNames: []string{"iam:GetUser"}})
			return err
		}(), "AccessDenied", "User: " + uARN + " is not authorized to perform: iam:SimulatePrincipalPolicy on resource: " + uARN + " because no identity-based policy allows the iam:SimulatePrincipalPolicy action"},
		{"custom not authorized", func() error {
			_, err := u.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allow}, ActionNames: []string{"iam:GetUser"}})
			return err
		}(), "AccessDenied", "User: " + uARN + " is not authorized to perform: iam:SimulateCustomPolicy on resource: * because no identity-based policy allows the iam:SimulateCustomPolicy action"},
	} {
		wantCode(t, tc.name, tc.err, tc.code, tc.msg)
	}
}

// sameDoc reports whether a returned policy document is the submitted one (AWS URL-encodes
// documents; iamd may return them as submitted).
func sameDoc(got *string, want string) bool {
	if aws.ToString(got) == want {
		return true
	}
	d, err := url.QueryUnescape(aws.ToString(got))
	return err == nil && d == want
}

func TestAccountAuthorizationDetails(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	v1 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	v2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada"), Path: aws.String("/eng/"),
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	must[*iam.CreateUserOutput](t, "CreateUser bob")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ada"), PolicyName: aws.String("inl"), PolicyDocument: aws.String(inline)}))
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(v1), Description: aws.String("first")}))
	must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, PolicyDocument: aws.String(v2), SetAsDefault: true}))
	must[*iam.CreatePolicyOutput](t, "CreatePolicy unattached")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("unattached"), PolicyDocument: aws.String(v1)}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ada"), PolicyArn: p.Policy.Arn}))
	must[*iam.PutUserPermissionsBoundaryOutput](t, "PutUserPermissionsBoundary")(root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: p.Policy.Arn}))

	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("ada")}))
	must[*iam.PutGroupPolicyOutput](t, "PutGroupPolicy")(root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("gi"), PolicyDocument: aws.String(inline)}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: p.Policy.Arn}))
	must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	must[*iam.AddRoleToInstanceProfileOutput](t, "AddRoleToInstanceProfile")(root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")}))

	all := must[*iam.GetAccountAuthorizationDetailsOutput](t, "GetAccountAuthorizationDetails")(root.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{}))
	if all.IsTruncated || len(all.UserDetailList) != 2 || len(all.Policies) != 2 {
		t.Fatalf("details: truncated %v, %d users, %d policies; want 2 users and 2 policies", all.IsTruncated, len(all.UserDetailList), len(all.Policies))
	}
	ada, bob := all.UserDetailList[0], all.UserDetailList[1]
	if aws.ToString(ada.UserName) != "ada" || aws.ToString(ada.Arn) != simARN+"user/eng/ada" || aws.ToString(ada.Path) != "/eng/" ||
		len(ada.Tags) != 1 || aws.ToString(ada.Tags[0].Key) != "k" || ada.PermissionsBoundary != nil {
		t.Errorf("ada = %+v", ada)
	}
	if len(ada.UserPolicyList) != 1 || aws.ToString(ada.UserPolicyList[0].PolicyName) != "inl" || !sameDoc(ada.UserPolicyList[0].PolicyDocument, inline) {
		t.Errorf("ada's inline policies = %+v", ada.UserPolicyList)
	}
	if len(ada.AttachedManagedPolicies) != 1 || aws.ToString(ada.AttachedManagedPolicies[0].PolicyArn) != aws.ToString(p.Policy.Arn) || aws.ToString(ada.AttachedManagedPolicies[0].PolicyName) != "p1" {
		t.Errorf("ada's attached policies = %+v", ada.AttachedManagedPolicies)
	}
	if aws.ToString(bob.UserName) != "bob" || bob.PermissionsBoundary == nil || aws.ToString(bob.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(p.Policy.Arn) ||
		len(bob.UserPolicyList) != 0 || len(bob.AttachedManagedPolicies) != 0 || len(bob.GroupList) != 0 {
		t.Errorf("bob = %+v", bob)
	}
	if !cmp.Equal(ada.GroupList, []string{"g"}) {
		t.Errorf("ada's groups = %q, want [g]", ada.GroupList)
	}
	if len(all.GroupDetailList) != 1 {
		t.Fatalf("%d groups, want 1", len(all.GroupDetailList))
	}
	if g := all.GroupDetailList[0]; aws.ToString(g.GroupName) != "g" || aws.ToString(g.Arn) != simARN+"group/g" || len(g.GroupPolicyList) != 1 ||
		aws.ToString(g.GroupPolicyList[0].PolicyName) != "gi" || !sameDoc(g.GroupPolicyList[0].PolicyDocument, inline) || len(g.AttachedManagedPolicies) != 0 {
		t.Errorf("group g = %+v", g)
	}
	if len(all.RoleDetailList) != 1 {
		t.Fatalf("%d roles, want 1", len(all.RoleDetailList))
	}
	if r := all.RoleDetailList[0]; aws.ToString(r.RoleName) != "r" || !sameDoc(r.AssumeRolePolicyDocument, trust) || len(r.AttachedManagedPolicies) != 1 ||
		len(r.InstanceProfileList) != 1 || aws.ToString(r.InstanceProfileList[0].InstanceProfileName) != "ip" ||
		len(r.InstanceProfileList[0].Roles) != 1 || aws.ToString(r.InstanceProfileList[0].Roles[0].RoleName) != "r" {
		t.Errorf("role r = %+v", r)
	}
	p1 := all.Policies[0]
	if aws.ToString(p1.PolicyName) != "p1" || aws.ToString(p1.DefaultVersionId) != "v2" || aws.ToInt32(p1.AttachmentCount) != 2 || aws.ToString(p1.Description) != "first" || !p1.IsAttachable {
		t.Errorf("p1 = %+v", p1)
	}
	var versions []string
	for _, v := range p1.PolicyVersionList {
		versions = append(versions, aws.ToString(v.VersionId)+"/"+strconv.FormatBool(v.IsDefaultVersion))
		if want := map[string]string{"v1": v1, "v2": v2}[aws.ToString(v.VersionId)]; !sameDoc(v.Document, want) {
			t.Errorf("p1 %s document = %s, want %s", aws.ToString(v.VersionId), aws.ToString(v.Document), want)
		}
	}
	if want := []string{"v1/false", "v2/true"}; !cmp.Equal(versions, want) {
		t.Errorf("p1 versions = %q, want %q", versions, want)
	}
	if aws.ToString(all.Policies[1].PolicyName) != "unattached" || aws.ToInt32(all.Policies[1].AttachmentCount) != 0 {
		t.Errorf("second policy = %+v", all.Policies[1])
	}

	// Filter and pagination: the pages together are the unpaged answer.
	only := must[*iam.GetAccountAuthorizationDetailsOutput](t, "filter")(root.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{"LocalManagedPolicy"}}))
	if len(only.UserDetailList) != 0 || len(only.Policies) != 2 {
		t.Errorf("LocalManagedPolicy filter: %d users, %d policies", len(only.UserDetailList), len(only.Policies))
	}
	var names []string
	pager := iam.NewGetAccountAuthorizationDetailsPaginator(root, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)})
	pages := 0
	for pager.HasMorePages() {
		out := must[*iam.GetAccountAuthorizationDetailsOutput](t, "page")(pager.NextPage(ctx))
		pages++
		for _, u := range out.UserDetailList {
			names = append(names, "user:"+aws.ToString(u.UserName))
		}
		for _, g := range out.GroupDetailList {
			names = append(names, "group:"+aws.ToString(g.GroupName))
		}
		for _, r := range out.RoleDetailList {
			names = append(names, "role:"+aws.ToString(r.RoleName))
		}
		for _, p := range out.Policies {
			names = append(names, "policy:"+aws.ToString(p.PolicyName))
		}
	}
	if want := []string{"user:ada", "user:bob", "group:g", "role:r", "policy:p1", "policy:unattached"}; !cmp.Equal(names, want) || pages != 6 {
		t.Errorf("pages = %d, items %q, want 6 pages of %q", pages, names, want)
	}
	_, err := root.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []iamtypes.EntityType{"Users"}})
	wantCode(t, "bad filter", err, "ValidationError", "1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy], Member must not be null]")
	_, err = root.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Marker: aws.String("bogus!")})
	wantCode(t, "bad marker", err, "InvalidInput", "Invalid Marker.")
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	_, err = iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "").GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	wantCode(t, "not authorized", err, "AccessDenied", "User: "+simARN+"user/bob is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: * because no identity-based policy allows the iam:GetAccountAuthorizationDetails action")
}

func TestAccountSummary(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	summary := func() map[string]int32 {
		t.Helper()
		return must[*iam.GetAccountSummaryOutput](t, "GetAccountSummary")(root.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	}
	before := summary()
	for k, v := range map[string]int32{"UsersQuota": 5000, "GroupsQuota": 300, "RolesQuota": 1000, "PoliciesQuota": 1500, "AccessKeysPerUserQuota": 2,
		"UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240, "PolicySizeQuota": 6144, "VersionsPerPolicyQuota": 5,
		"AttachedPoliciesPerUserQuota": 10, "GroupsPerUserQuota": 10, "Users": 0, "Policies": 0, "AccountAccessKeysPresent": 1, "AccountMFAEnabled": 0} {
		if got, ok := before[k]; !ok || got != v {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("a")}))
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("b")}))
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(allowGet)}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("a"), PolicyArn: p.Policy.Arn}))
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	after := summary()
	if after["Users"] != 2 || after["Policies"] != 1 || after["PolicyVersionsInUse"] != 1 || after["Groups"] != 1 || after["Roles"] != 1 {
		t.Errorf("after creates: Users %d, Groups %d, Roles %d, Policies %d, PolicyVersionsInUse %d; want 2, 1, 1, 1, 1",
			after["Users"], after["Groups"], after["Roles"], after["Policies"], after["PolicyVersionsInUse"])
	}
	must[*iam.DetachUserPolicyOutput](t, "DetachUserPolicy")(root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("a"), PolicyArn: p.Policy.Arn}))
	must[*iam.DeleteUserOutput](t, "DeleteUser")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("b")}))
	must[*iam.DeletePolicyOutput](t, "DeletePolicy")(root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn}))
	must[*iam.DeleteGroupOutput](t, "DeleteGroup")(root.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("g")}))
	final := summary()
	if final["Users"] != 1 || final["Policies"] != 0 || final["PolicyVersionsInUse"] != 0 || final["Groups"] != 0 || final["Roles"] != 1 {
		t.Errorf("after deletes: Users %d, Groups %d, Roles %d, Policies %d, PolicyVersionsInUse %d; want 1, 0, 1, 0, 0",
			final["Users"], final["Groups"], final["Roles"], final["Policies"], final["PolicyVersionsInUse"])
	}
}

func TestAccountPasswordPolicy(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	const missing = "The Password Policy with domain name " + testAccount + " cannot be found."
	_, err := root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	wantCode(t, "get before any", err, "NoSuchEntity", missing)
	_, err = root.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	wantCode(t, "delete before any", err, "NoSuchEntity", missing)

	must[*iam.UpdateAccountPasswordPolicyOutput](t, "Update")(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true)}))
	got := must[*iam.GetAccountPasswordPolicyOutput](t, "Get")(root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	want := &iamtypes.PasswordPolicy{MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, MaxPasswordAge: aws.Int32(90),
		ExpirePasswords: true, PasswordReusePrevention: aws.Int32(5), HardExpiry: aws.Bool(true)}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(iamtypes.PasswordPolicy{})); diff != "" {
		t.Errorf("password policy (-want +got):\n%s", diff)
	}
	// An update replaces the whole policy: members not given revert to their defaults.
	must[*iam.UpdateAccountPasswordPolicyOutput](t, "Update again")(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{RequireLowercaseCharacters: true}))
	got = must[*iam.GetAccountPasswordPolicyOutput](t, "Get again")(root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	want = &iamtypes.PasswordPolicy{MinimumPasswordLength: aws.Int32(6), RequireLowercaseCharacters: true}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(iamtypes.PasswordPolicy{})); diff != "" {
		t.Errorf("password policy after second update (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name string
		in   *iam.UpdateAccountPasswordPolicyInput
		msg  string
	}{
		{"too short", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(5)},
			"1 validation error detected: Value '5' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"too long", &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(129)},
			"1 validation error detected: Value '129' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{"age", &iam.UpdateAccountPasswordPolicyInput{MaxPasswordAge: aws.Int32(1096)},
			"1 validation error detected: Value '1096' at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"},
		{"reuse", &iam.UpdateAccountPasswordPolicyInput{PasswordReusePrevention: aws.Int32(25)},
			"1 validation error detected: Value '25' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24"},
	} {
		_, err := root.UpdateAccountPasswordPolicy(ctx, tc.in)
		wantCode(t, tc.name, err, "ValidationError", tc.msg)
	}
	must[*iam.DeleteAccountPasswordPolicyOutput](t, "Delete")(root.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}))
	_, err = root.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	wantCode(t, "get after delete", err, "NoSuchEntity", missing)
}

func TestAccountAlias(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	aliases := func() []string {
		t.Helper()
		return must[*iam.ListAccountAliasesOutput](t, "ListAccountAliases")(root.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})).AccountAliases
	}
	if got := aliases(); len(got) != 0 {
		t.Errorf("aliases at start = %q", got)
	}
	must[*iam.CreateAccountAliasOutput](t, "Create")(root.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}))
	if got := aliases(); !cmp.Equal(got, []string{"example-corp"}) {
		t.Errorf("aliases = %q, want [example-corp]", got)
	}
	// One alias per account: a new one replaces the old.
	must[*iam.CreateAccountAliasOutput](t, "Create replacement")(root.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("example2")}))
	if got := aliases(); !cmp.Equal(got, []string{"example2"}) {
		t.Errorf("aliases after replacement = %q, want [example2]", got)
	}
	_, err := root.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("example-corp")})
	wantCode(t, "delete the replaced alias", err, "NoSuchEntity", "The account alias example-corp cannot be found.")
	const pattern = "Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
	// Too short or too long also breaks the pattern ({1,61} between two characters): AWS names
	// both failures.
	for _, tc := range []struct{ alias, constraint string }{
		{"ab", "Member must have length greater than or equal to 3; Value 'ab' at 'accountAlias' failed to satisfy constraint: " + pattern},
		{strings.Repeat("a", 64), "Member must have length less than or equal to 63; Value '" + strings.Repeat("a", 64) + "' at 'accountAlias' failed to satisfy constraint: " + pattern},
		{"Upper", pattern},
		{"-lead", pattern},
		{"trail-", pattern},
		{"dou--ble", pattern},
		{"under_score", pattern},
	} {
		_, err := root.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(tc.alias)})
		head := "1 validation error detected: "
		if strings.Contains(tc.constraint, "; ") {
			head = "2 validation errors detected: "
		}
		wantCode(t, "alias "+tc.alias, err, "ValidationError", head+"Value '"+tc.alias+"' at 'accountAlias' failed to satisfy constraint: "+tc.constraint)
	}
	must[*iam.DeleteAccountAliasOutput](t, "Delete")(root.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("example2")}))
	if got := aliases(); len(got) != 0 {
		t.Errorf("aliases after delete = %q", got)
	}
	_, err = root.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("example2")})
	wantCode(t, "delete twice", err, "NoSuchEntity", "The account alias example2 cannot be found.")
	// The freed alias can be taken again.
	must[*iam.CreateAccountAliasOutput](t, "Create again")(root.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("example-corp")}))
}

// bufferingTransport reads each response body whole before handing it to the SDK. Responses
// big enough to be sent chunked otherwise fail intermittently in the SDK's deserializer with "use
// of closed network connection" (also seen with ListUsers on 100 users; not specific to the
// simulator), which would abort a long benchmark.
type bufferingTransport struct{}

func (bufferingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// BenchmarkSimulatePrincipalPolicy: one SimulatePrincipalPolicy call (10 actions on 2 resources,
// a user with an inline policy, a group policy and a boundary) through the SDK client over
// loopback HTTP, client cost included.
func BenchmarkSimulatePrincipalPolicy(b *testing.B) {
	ctx := context.Background()
	srv, err := startBench(b)
	if err != nil {
		b.Fatal(err)
	}
	root := iam.NewFromConfig(awsConfig(srv.Endpoint(), rootKey, rootSecret, ""), func(o *iam.Options) { o.HTTPClient = &http.Client{Transport: bufferingTransport{}} })
	step := func(what string, err error) {
		if err != nil {
			b.Fatalf("%s: %v", what, err)
		}
	}
	_, err = root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")})
	step("CreateUser", err)
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowGet)})
	step("PutUserPolicy", err)
	_, err = root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")})
	step("CreateGroup", err)
	_, err = root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String("u")})
	step("AddUserToGroup", err)
	_, err = root.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("g"), PolicyName: aws.String("gp"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:Delete*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)})
	step("PutGroupPolicy", err)
	p, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("b"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)})
	step("CreatePolicy", err)
	_, err = root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: p.Policy.Arn})
	step("PutUserPermissionsBoundary", err)
	in := &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(simARN + "user/u"),
		ActionNames:  []string{"iam:GetUser", "iam:GetRole", "iam:GetGroup", "iam:GetPolicy", "iam:ListUsers", "iam:ListRoles", "iam:DeleteUser", "iam:DeleteRole", "s3:GetObject", "iam:CreateUser"},
		ResourceArns: []string{simARN + "user/u", simARN + "user/v"}}
	for b.Loop() {
		_, err := root.SimulatePrincipalPolicy(ctx, in)
		step("SimulatePrincipalPolicy", err)
	}
}
