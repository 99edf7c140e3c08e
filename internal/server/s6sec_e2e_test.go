package server_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestS6SecUpdateUserRenameNeedsTarget: renaming or moving a user needs iam:UpdateUser on both
// the source and the target ARN (API Reference, UpdateUser: "the requester must have
// appropriate permissions on both the source object and the target object").
func TestS6SecUpdateUserRenameNeedsTarget(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	allowOn := func(arns ...string) string {
		res := `"` + arns[0] + `"`
		for _, a := range arns[1:] {
			res += `,"` + a + `"`
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UpdateUser","Resource":[` + res + `]}]}`
	}
	erinARN := acctARN + "user/erin"
	id, secret := policyUser(t, root, "erin", allowOn(erinARN))
	erin := iamClient(srv, id, secret, "")
	callerARN := erinARN

	tests := []struct {
		name     string
		policy   string // erin's policy before the call
		newName  string // "": no NewUserName
		newPath  string // "": no NewPath
		deniedOn string // the ARN the AccessDenied names; "": allowed
	}{
		{"rename allowed only on the source", allowOn(erinARN), "erin-renamed", "", acctARN + "user/erin-renamed"},
		{"move allowed only on the source", allowOn(erinARN), "", "/moved/", acctARN + "user/moved/erin"},
		{"rename and move allowed only on the new name", allowOn(erinARN, acctARN+"user/erin-renamed"), "erin-renamed", "/moved/", acctARN + "user/moved/erin-renamed"},
		{"update to the same name and path needs only the source", allowOn(erinARN), "erin", "/", ""},
		{"rename allowed on both", allowOn(erinARN, acctARN+"user/erin-renamed"), "erin-renamed", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("erin"),
				PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.policy)}))
			in := &iam.UpdateUserInput{UserName: aws.String("erin")}
			if tc.newName != "" {
				in.NewUserName = aws.String(tc.newName)
			}
			if tc.newPath != "" {
				in.NewPath = aws.String(tc.newPath)
			}
			_, err := erin.UpdateUser(ctx, in)
			if tc.deniedOn == "" {
				if err != nil {
					t.Fatalf("UpdateUser(%s -> %q %q): %v, want success", "erin", tc.newName, tc.newPath, err)
				}
				if tc.newName != "" && tc.newName != "erin" {
					// Put erin back (as root) for the next case.
					must[*iam.UpdateUserOutput](t, "UpdateUser back")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String(tc.newName), NewUserName: aws.String("erin"), NewPath: aws.String("/")}))
				}
				return
			}
			wantCode(t, "UpdateUser "+tc.name, err, "AccessDenied", deniedMsg(callerARN, "iam:UpdateUser", tc.deniedOn))
			u := must[*iam.GetUserOutput](t, "GetUser erin")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("erin")}))
			if got := aws.ToString(u.User.Arn); got != erinARN {
				t.Errorf("after a refused UpdateUser, erin's ARN = %s, want %s", got, erinARN)
			}
		})
	}
}

// TestS6SecBoundaryKey: iam:PermissionsBoundary is in the request context of the actions the
// Service Authorization Reference lists it for, as the boundary the target user or role has
// (IAM User Guide, "Permissions boundaries for IAM entities", delegating responsibility with a
// permissions boundary). A Deny keyed on it protects bounded entities; an Allow conditioned on
// it permits changes to bounded entities only.
func TestS6SecBoundaryKey(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	newPolicy := func(name string) string {
		p := must[*iam.CreatePolicyOutput](t, "CreatePolicy "+name)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(policyDoc("s3:GetObject"))}))
		return aws.ToString(p.Policy.Arn)
	}
	bound, otherBound, extra := newPolicy("bound"), newPolicy("other-bound"), newPolicy("extra")
	actions := `["iam:AttachRolePolicy","iam:PutRolePolicy","iam:DeleteRolePermissionsBoundary","iam:AttachUserPolicy","iam:PutUserPolicy","iam:DeleteUserPermissionsBoundary"]`
	cond := `"Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + bound + `"}}`
	id, secret := policyUser(t, root, "denier", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":`+actions+`,"Resource":"*",`+cond+`}]}`)
	denier := iamClient(srv, id, secret, "")
	id, secret = policyUser(t, root, "allower", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":`+actions+`,"Resource":"*",`+cond+`}]}`)
	allower := iamClient(srv, id, secret, "")

	doc := aws.String(policyDoc("s3:GetObject"))
	calls := map[string]func(c *iam.Client, name string) error{
		"AttachRolePolicy": func(c *iam.Client, name string) error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(extra)})
			return err
		},
		"PutRolePolicy": func(c *iam.Client, name string) error {
			_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: doc})
			return err
		},
		"DeleteRolePermissionsBoundary": func(c *iam.Client, name string) error {
			_, err := c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(name)})
			return err
		},
		"AttachUserPolicy": func(c *iam.Client, name string) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(extra)})
			return err
		},
		"PutUserPolicy": func(c *iam.Client, name string) error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: doc})
			return err
		},
		"DeleteUserPermissionsBoundary": func(c *iam.Client, name string) error {
			_, err := c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String(name)})
			return err
		},
	}
	callers := map[string]*iam.Client{"denier": denier, "allower": allower}
	type boundaryCase struct {
		caller, call string
		boundary     string // the target's boundary; "": none
		allowed      bool
	}
	var tests []boundaryCase
	for _, call := range slices.Sorted(maps.Keys(calls)) {
		tests = append(tests,
			boundaryCase{"denier", call, bound, false},
			boundaryCase{"denier", call, otherBound, true},
			boundaryCase{"denier", call, "", true},
			boundaryCase{"allower", call, bound, true},
			boundaryCase{"allower", call, otherBound, false},
			boundaryCase{"allower", call, "", false})
	}
	for i, tc := range tests {
		name := fmt.Sprintf("%s %s boundary %q", tc.caller, tc.call, strings.TrimPrefix(tc.boundary, acctARN))
		t.Run(name, func(t *testing.T) {
			target := fmt.Sprintf("target-%d", i)
			var b *string
			if tc.boundary != "" {
				b = aws.String(tc.boundary)
			}
			if strings.Contains(tc.call, "Role") {
				must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(target),
					AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", "")), PermissionsBoundary: b}))
			} else {
				must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(target), PermissionsBoundary: b}))
			}
			err := calls[tc.call](callers[tc.caller], target)
			switch {
			case tc.allowed && err != nil:
				t.Errorf("%s on %s with boundary %q by %s: %v, want success", tc.call, target, tc.boundary, tc.caller, err)
			case !tc.allowed:
				wantCode(t, tc.call+" by "+tc.caller, err, "AccessDenied", "")
			}
		})
	}
}

// TestS6SecPasswordPattern: passwords must match the API Reference's pattern
// [\u0009\u000A\u000D\u0020-\u00FF]+ (CreateLoginProfile and UpdateLoginProfile Password,
// ChangePassword OldPassword and NewPassword); a password outside it is refused with
// ValidationError, whose message leaves the (sensitive) value out.
func TestS6SecPasswordPattern(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	const good = "Correct-Horse-1"
	id, secret := policyUser(t, root, "pat", policyDoc("iam:ChangePassword"))
	pat := iamClient(srv, id, secret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("fresh")}))
	must[*iam.CreateLoginProfileOutput](t, "CreateLoginProfile")(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String(good)}))

	patternMsg := func(field string) string {
		return `1 validation error detected: Value at '` + field + `' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	}
	calls := []struct {
		name, field string
		call        func(pw string) error
	}{
		{"CreateLoginProfile", "password", func(pw string) error {
			_, err := root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("fresh"), Password: aws.String(pw)})
			if err == nil {
				_, err = root.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("fresh")})
			}
			return err
		}},
		{"UpdateLoginProfile", "password", func(pw string) error {
			_, err := root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String(pw)})
			if err == nil {
				_, err = root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String(good)})
			}
			return err
		}},
		{"ChangePassword new", "newPassword", func(pw string) error {
			_, err := pat.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String(good), NewPassword: aws.String(pw)})
			if err == nil {
				_, err = root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("pat"), Password: aws.String(good)})
			}
			return err
		}},
	}
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"control character", "Aa1!\x01xyzzy", false},
		{"NUL", "Aa1!\x00xyzzy", false},
		{"DEL and Latin-1", "Aa1!\x7f\u00e9\u00ffxyz", true},
		{"tab, newline, return", "Aa1!\t\n\rxyzzy", true},
		{"beyond Latin-1", "Aa1!\u20acxyzzy", false},
		{"emoji", "Aa1!\U0001F600xyzzy", false},
		{"128 Latin-1 characters", "Aa1!" + strings.Repeat("\u00e9", 124), true},
	}
	for _, call := range calls {
		for _, tc := range tests {
			t.Run(call.name+" "+tc.name, func(t *testing.T) {
				err := call.call(tc.pw)
				if tc.ok {
					if err != nil {
						t.Errorf("%s(%q): %v, want success", call.name, tc.pw, err)
					}
					return
				}
				wantCode(t, call.name, err, "ValidationError", patternMsg(call.field))
			})
		}
	}
	t.Run("ChangePassword old", func(t *testing.T) {
		_, err := pat.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("Aa1!\x01xyzzy"), NewPassword: aws.String("Another-Horse-2")})
		wantCode(t, "ChangePassword", err, "ValidationError", patternMsg("oldPassword"))
	})
	noSecretsInTrail(t, srv, "xyzzy", good)
}

// TestS6SecMFACodeNotEchoed: a malformed AuthenticationCode1/2 (API Reference: 6 characters of
// [\d]+) is refused with ValidationError whose message leaves the code out, so the code reaches
// neither the client's error nor the audit record's errorMessage. (AWS's message would echo it;
// iamd does not, as for passwords.)
func TestS6SecMFACodeNotEchoed(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mia")}))
	dev := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mia-phone")}))
	serial := dev.VirtualMFADevice.SerialNumber
	msg := func(field, constraint string) string {
		return "1 validation error detected: Value at '" + field + "' failed to satisfy constraint: " + constraint
	}
	const pattern = `Member must satisfy regular expression pattern: [\d]+`
	tests := []struct {
		name, code1, code2 string
		resync             bool
		want               string
	}{
		{"enable, letter in code 1", "98765x", "123456", false, msg("authenticationCode1", pattern)},
		{"enable, letter in code 2", "123456", "98765y", false, msg("authenticationCode2", pattern)},
		{"enable, short code 1", "98765", "123456", false, msg("authenticationCode1", "Member must have length greater than or equal to 6")},
		{"enable, long code 2", "123456", "9876543", false, msg("authenticationCode2", "Member must have length less than or equal to 6")},
		{"resync, letter in code 1", "98765z", "123456", true, msg("authenticationCode1", pattern)},
		{"resync, letter in code 2", "123456", "98765w", true, msg("authenticationCode2", pattern)},
	}
	var codes []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.resync {
				_, err = root.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("mia"), SerialNumber: serial,
					AuthenticationCode1: aws.String(tc.code1), AuthenticationCode2: aws.String(tc.code2)})
			} else {
				_, err = root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mia"), SerialNumber: serial,
					AuthenticationCode1: aws.String(tc.code1), AuthenticationCode2: aws.String(tc.code2)})
			}
			wantCode(t, tc.name, err, "ValidationError", tc.want)
		})
		for _, c := range []string{tc.code1, tc.code2} {
			if c != "123456" {
				codes = append(codes, c)
			}
		}
	}
	noSecretsInTrail(t, srv, codes...)
}

// TestS6SecSimulateBounds: the simulator's work is bounded. Inputs over the API's limits are
// refused (a ResourceArns member over ResourceNameType's 2,048 characters; more parameters than
// a request may carry), and one page evaluates at most 10,000 (action, resource) pairs: fewer
// actions than MaxItems when there are many resources, with the rest behind Marker. The pages
// together answer what each action simulated alone answers.
func TestS6SecSimulateBounds(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"},` +
		`{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret*"}]}`
	simulate := func(actions, resources []string, marker *string) (*iam.SimulateCustomPolicyOutput, error) {
		return root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: actions, ResourceArns: resources, Marker: marker})
	}

	t.Run("resource ARN over 2048 characters", func(t *testing.T) {
		long := "arn:aws:s3:::b/" + strings.Repeat("k", 2049-len("arn:aws:s3:::b/"))
		_, err := simulate([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/ok", long}, nil)
		wantCode(t, "SimulateCustomPolicy", err, "ValidationError", "1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: "+
			"Member must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 1, Member must not be null]")
		if _, err := simulate([]string{"s3:GetObject"}, []string{long[:2048]}, nil); err != nil {
			t.Errorf("a 2048-character resource ARN: %v", err)
		}
	})
	t.Run("more parameters than a request carries", func(t *testing.T) {
		many := make([]string, 10000)
		for i := range many {
			many[i] = "*"
		}
		_, err := simulate([]string{"s3:GetObject"}, many, nil)
		wantCode(t, "SimulateCustomPolicy", err, "InvalidQueryParameter", "")
	})
	t.Run("pages bound the pairs", func(t *testing.T) {
		var actions, resources []string
		for i := range 11 {
			actions = append(actions, []string{"s3:GetObject", "s3:GetObjectAcl", "s3:PutObject"}[i%3]+strings.Repeat("x", i/3))
		}
		for i := range 1000 {
			resources = append(resources, fmt.Sprintf("arn:aws:s3:::b/%s%d", []string{"secret", "public"}[i%2], i))
		}
		// want is the decision of the policy on one pair.
		want := func(action, resource string) iamtypes.PolicyEvaluationDecisionType {
			switch {
			case action == "s3:GetObject" && strings.HasPrefix(resource, "arn:aws:s3:::b/secret"):
				return iamtypes.PolicyEvaluationDecisionTypeExplicitDeny
			case strings.HasPrefix(action, "s3:Get"):
				return iamtypes.PolicyEvaluationDecisionTypeAllowed
			}
			return iamtypes.PolicyEvaluationDecisionTypeImplicitDeny
		}
		var got []iamtypes.EvaluationResult
		var sizes []int
		var marker *string
		for len(sizes) <= len(actions) {
			out := must[*iam.SimulateCustomPolicyOutput](t, "SimulateCustomPolicy page")(simulate(actions, resources, marker))
			sizes = append(sizes, len(out.EvaluationResults))
			got = append(got, out.EvaluationResults...)
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
		// 1,000 resources: 10 actions make 10,000 pairs, under MaxItems' default of 100.
		if diff := cmp.Diff([]int{10, 1}, sizes); diff != "" {
			t.Errorf("results per page (-want +got):\n%s", diff)
		}
		if len(got) != len(actions) {
			t.Fatalf("%d results over the pages, want %d", len(got), len(actions))
		}
		for i, r := range got {
			if name := aws.ToString(r.EvalActionName); name != actions[i] || len(r.ResourceSpecificResults) != len(resources) {
				t.Fatalf("result %d: %s with %d resources, want %s with %d", i, name, len(r.ResourceSpecificResults), actions[i], len(resources))
			}
			for j, rr := range r.ResourceSpecificResults {
				if res := aws.ToString(rr.EvalResourceName); res != resources[j] || rr.EvalResourceDecision != want(actions[i], res) {
					t.Errorf("%s on resource %d: %s %s, want %s %s", actions[i], j, res, rr.EvalResourceDecision, resources[j], want(actions[i], resources[j]))
				}
			}
		}
		// The last page's action, and the first page's, as when simulated alone.
		for _, i := range []int{0, len(actions) - 1} {
			one := must[*iam.SimulateCustomPolicyOutput](t, "SimulateCustomPolicy "+actions[i])(simulate(actions[i:i+1], resources, nil))
			if len(one.EvaluationResults) != 1 || one.IsTruncated {
				t.Fatalf("%s alone: %d results, truncated %v", actions[i], len(one.EvaluationResults), one.IsTruncated)
			}
			if diff := cmp.Diff(summary(one.EvaluationResults[0]), summary(got[i])); diff != "" {
				t.Errorf("%s: paged result differs from the action alone (-alone +paged):\n%s", actions[i], diff)
			}
		}
	})
}

// summary is what a simulation result decides, per resource, as comparable strings.
func summary(r iamtypes.EvaluationResult) []string {
	out := []string{aws.ToString(r.EvalActionName) + " " + aws.ToString(r.EvalResourceName) + " " + string(r.EvalDecision)}
	for _, rr := range r.ResourceSpecificResults {
		s := aws.ToString(rr.EvalResourceName) + " " + string(rr.EvalResourceDecision)
		for _, st := range rr.MatchedStatements {
			s += fmt.Sprintf(" %s@%d:%d", aws.ToString(st.SourcePolicyId), st.StartPosition.Line, st.StartPosition.Column)
		}
		out = append(out, s)
	}
	return out
}
