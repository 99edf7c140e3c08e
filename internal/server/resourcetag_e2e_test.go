package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// rtGuardrail allows all of IAM except on resources tagged protected=true.
const rtGuardrail = `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":"iam:*","Resource":"*"},
{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"true"}}}]}`

const rtThumb = "0123456789abcdef0123456789abcdef01234567"

// rtTags is the tag map of tags.
func rtTags(tags []iamtypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// TestResourceTagGuardrail: every IAM action on an existing tagged role, user, customer managed
// policy, instance profile and OIDC provider sees the entity's tags as aws:ResourceTag/* (tags
// before the change for Tag*/Untag*), so a Deny on aws:ResourceTag/protected stops it and changes
// nothing, while the same call on the twin tagged protected=false succeeds.
func TestResourceTagGuardrail(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	alice := must[*iam.CreateUserOutput](t, "CreateUser alice")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("guardrail"), PolicyDocument: aws.String(rtGuardrail)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	cl := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	aliceARN := aws.ToString(alice.User.Arn)

	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	must[*iam.CreateRoleOutput](t, "CreateRole plain")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("plain"), AssumeRolePolicyDocument: trust}))

	// arns[twin][kind] is the ARN of the twin ("prot" or "free") of each kind.
	arns := map[string]map[string]string{}
	for _, twin := range []string{"prot", "free"} {
		tags := []iamtypes.Tag{{Key: aws.String("protected"), Value: aws.String(map[string]string{"prot": "true", "free": "false"}[twin])}}
		r := must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(twin + "-role"), AssumeRolePolicyDocument: trust, Tags: tags}))
		u := must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(twin + "-user"), Tags: tags}))
		p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(twin + "-pol"), PolicyDocument: doc, Tags: tags}))
		ip := must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(twin + "-ip"), Tags: tags}))
		o := must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String("https://" + twin + ".example.com"), ThumbprintList: []string{rtThumb}, Tags: tags}))
		arns[twin] = map[string]string{
			"role": aws.ToString(r.Role.Arn), "user": aws.ToString(u.User.Arn), "policy": aws.ToString(p.Policy.Arn),
			"profile": aws.ToString(ip.InstanceProfile.Arn), "oidc": aws.ToString(o.OpenIDConnectProviderArn),
		}
	}

	// tagsOf reads the twin's tags of kind as root.
	tagsOf := func(t *testing.T, twin, kind string) map[string]string {
		t.Helper()
		switch kind {
		case "role":
			return rtTags(must[*iam.ListRoleTagsOutput](t, "ListRoleTags")(root.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(twin + "-role")})).Tags)
		case "user":
			return rtTags(must[*iam.ListUserTagsOutput](t, "ListUserTags")(root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(twin + "-user")})).Tags)
		case "policy":
			return rtTags(must[*iam.ListPolicyTagsOutput](t, "ListPolicyTags")(root.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(arns[twin]["policy"])})).Tags)
		case "profile":
			return rtTags(must[*iam.ListInstanceProfileTagsOutput](t, "ListInstanceProfileTags")(root.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String(twin + "-ip")})).Tags)
		case "oidc":
			return rtTags(must[*iam.ListOpenIDConnectProviderTagsOutput](t, "ListOpenIDConnectProviderTags")(root.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(arns[twin]["oidc"])})).Tags)
		}
		t.Fatalf("unknown kind %s", kind)
		return nil
	}
	wantTags := func(twin string, kv ...string) map[string]string {
		m := map[string]string{"protected": map[string]string{"prot": "true", "free": "false"}[twin]}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	owner := []iamtypes.Tag{{Key: aws.String("owner"), Value: aws.String("x")}}
	protectedKey := []string{"protected"}

	tests := []struct {
		name, action, kind string
		call               func(twin string) error
		// after checks the twin's state after the call (denied for prot, done for free).
		after func(t *testing.T, twin string)
	}{
		{name: "TagRole", action: "iam:TagRole", kind: "role",
			call: func(w string) error {
				_, err := cl.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(w + "-role"), Tags: owner})
				return err
			},
			after: func(t *testing.T, w string) {
				want := wantTags(w)
				if w == "free" {
					want = wantTags(w, "owner", "x")
				}
				if diff := cmp.Diff(want, tagsOf(t, w, "role")); diff != "" {
					t.Errorf("role tags after TagRole (-want +got):\n%s", diff)
				}
			}},
		{name: "ListRoleTags", action: "iam:ListRoleTags", kind: "role",
			call: func(w string) error {
				_, err := cl.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(w + "-role")})
				return err
			}},
		{name: "UntagRole", action: "iam:UntagRole", kind: "role",
			call: func(w string) error {
				_, err := cl.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(w + "-role"), TagKeys: protectedKey})
				return err
			}},
		{name: "TagUser", action: "iam:TagUser", kind: "user",
			call: func(w string) error {
				_, err := cl.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(w + "-user"), Tags: owner})
				return err
			},
			after: func(t *testing.T, w string) {
				want := wantTags(w)
				if w == "free" {
					want = wantTags(w, "owner", "x")
				}
				if diff := cmp.Diff(want, tagsOf(t, w, "user")); diff != "" {
					t.Errorf("user tags after TagUser (-want +got):\n%s", diff)
				}
			}},
		{name: "ListUserTags", action: "iam:ListUserTags", kind: "user",
			call: func(w string) error {
				_, err := cl.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String(w + "-user")})
				return err
			}},
		{name: "UntagUser", action: "iam:UntagUser", kind: "user",
			call: func(w string) error {
				_, err := cl.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String(w + "-user"), TagKeys: protectedKey})
				return err
			}},
		{name: "GetPolicy", action: "iam:GetPolicy", kind: "policy",
			call: func(w string) error {
				_, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arns[w]["policy"])})
				return err
			}},
		{name: "ListPolicyVersions", action: "iam:ListPolicyVersions", kind: "policy",
			call: func(w string) error {
				_, err := cl.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arns[w]["policy"])})
				return err
			}},
		{name: "ListEntitiesForPolicy", action: "iam:ListEntitiesForPolicy", kind: "policy",
			call: func(w string) error {
				_, err := cl.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(arns[w]["policy"])})
				return err
			}},
		{name: "CreatePolicyVersion", action: "iam:CreatePolicyVersion", kind: "policy",
			call: func(w string) error {
				_, err := cl.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arns[w]["policy"]), PolicyDocument: doc, SetAsDefault: true})
				return err
			},
			after: func(t *testing.T, w string) {
				out := must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arns[w]["policy"])}))
				want := map[string]int{"prot": 1, "free": 2}[w]
				if len(out.Versions) != want {
					t.Errorf("%s policy has %d versions after CreatePolicyVersion, want %d", w, len(out.Versions), want)
				}
			}},
		{name: "UntagPolicy", action: "iam:UntagPolicy", kind: "policy",
			call: func(w string) error {
				_, err := cl.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(arns[w]["policy"]), TagKeys: protectedKey})
				return err
			}},
		{name: "GetInstanceProfile", action: "iam:GetInstanceProfile", kind: "profile",
			call: func(w string) error {
				_, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(w + "-ip")})
				return err
			}},
		{name: "AddRoleToInstanceProfile", action: "iam:AddRoleToInstanceProfile", kind: "profile",
			call: func(w string) error {
				_, err := cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(w + "-ip"), RoleName: aws.String("plain")})
				return err
			},
			after: func(t *testing.T, w string) {
				out := must[*iam.GetInstanceProfileOutput](t, "GetInstanceProfile")(root.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(w + "-ip")}))
				want := map[string]int{"prot": 0, "free": 1}[w]
				if len(out.InstanceProfile.Roles) != want {
					t.Errorf("%s profile has %d roles after AddRoleToInstanceProfile, want %d", w, len(out.InstanceProfile.Roles), want)
				}
			}},
		{name: "UntagInstanceProfile", action: "iam:UntagInstanceProfile", kind: "profile",
			call: func(w string) error {
				_, err := cl.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String(w + "-ip"), TagKeys: protectedKey})
				return err
			}},
		{name: "GetOpenIDConnectProvider", action: "iam:GetOpenIDConnectProvider", kind: "oidc",
			call: func(w string) error {
				_, err := cl.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arns[w]["oidc"])})
				return err
			}},
		{name: "AddClientIDToOpenIDConnectProvider", action: "iam:AddClientIDToOpenIDConnectProvider", kind: "oidc",
			call: func(w string) error {
				_, err := cl.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arns[w]["oidc"]), ClientID: aws.String("extra")})
				return err
			},
			after: func(t *testing.T, w string) {
				out := must[*iam.GetOpenIDConnectProviderOutput](t, "GetOpenIDConnectProvider")(root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arns[w]["oidc"])}))
				want := map[string][]string{"prot": {}, "free": {"extra"}}[w]
				if diff := cmp.Diff(want, out.ClientIDList); diff != "" {
					t.Errorf("%s provider client IDs (-want +got):\n%s", w, diff)
				}
			}},
		{name: "UntagOpenIDConnectProvider", action: "iam:UntagOpenIDConnectProvider", kind: "oidc",
			call: func(w string) error {
				_, err := cl.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arns[w]["oidc"]), TagKeys: protectedKey})
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call("prot")
			wantCode(t, tc.name+" on prot", err, "AccessDenied", "User: "+aliceARN+" is not authorized to perform: "+tc.action+
				" on resource: "+arns["prot"][tc.kind]+" with an explicit deny in an identity-based policy")
			if got := tagsOf(t, "prot", tc.kind)["protected"]; got != "true" {
				t.Errorf("after denied %s: tag protected = %q, want %q", tc.name, got, "true")
			}
			if tc.after != nil {
				tc.after(t, "prot")
			}
			if err := tc.call("free"); err != nil {
				t.Fatalf("%s on free twin: %v, want success", tc.name, err)
			}
			if tc.after != nil {
				tc.after(t, "free")
			}
			// Untag calls on the free twin did remove the tag.
			if _, ok := tagsOf(t, "free", tc.kind)["protected"]; ok == strings.HasPrefix(tc.name, "Untag") {
				t.Errorf("after %s on free twin: tag protected present = %v", tc.name, ok)
			}
		})
	}
}

// TestResourceTagIAMKey: ListRoleTags allowed by a condition on iam:ResourceTag/env is allowed
// on a role tagged env=prod and denied on one tagged env=dev.
func TestResourceTagIAMKey(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("env"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoleTags","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/env":"prod"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	cl := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	for _, env := range []string{"prod", "dev"} {
		must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(env), AssumeRolePolicyDocument: trust,
			Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String(env)}}}))
	}
	tests := []struct {
		role    string
		allowed bool
	}{
		{role: "prod", allowed: true},
		{role: "dev", allowed: false},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			out, err := cl.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String(tc.role)})
			if !tc.allowed {
				wantCode(t, "ListRoleTags "+tc.role, err, "AccessDenied", "")
				return
			}
			if err != nil {
				t.Fatalf("ListRoleTags %s: %v, want success", tc.role, err)
			}
			if diff := cmp.Diff(map[string]string{"env": tc.role}, rtTags(out.Tags)); diff != "" {
				t.Errorf("ListRoleTags %s (-want +got):\n%s", tc.role, diff)
			}
		})
	}
}

// TestResourceTagIAMKeyOnlyUsersAndRoles: iam:ResourceTag/* is a key of the user and role
// resource types only (Service Authorization Reference), so a Deny on it stops GetRole on a tagged
// role but not GetPolicy on a policy with the same tag, which aws:ResourceTag/* does stop.
func TestResourceTagIAMKeyOnlyUsersAndRoles(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	tags := []iamtypes.Tag{{Key: aws.String("protected"), Value: aws.String("true")}}
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: trust, Tags: tags}))
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), Tags: tags}))
	tests := []struct {
		key          string
		roleDenied   bool
		policyDenied bool
	}{
		{key: "iam:ResourceTag/protected", roleDenied: true, policyDenied: false},
		{key: "aws:ResourceTag/protected", roleDenied: true, policyDenied: true},
	}
	for i, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			name := "u" + string(rune('0'+i))
			must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
			must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("g"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"` + tc.key + `":"true"}}}]}`)}))
			k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
			cl := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
			_, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
			if denied := err != nil; denied != tc.roleDenied {
				t.Errorf("GetRole with Deny on %s: err = %v, want denied %v", tc.key, err, tc.roleDenied)
			}
			_, err = cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.Policy.Arn})
			if denied := err != nil; denied != tc.policyDenied {
				t.Errorf("GetPolicy with Deny on %s: err = %v, want denied %v", tc.key, err, tc.policyDenied)
			}
		})
	}
}
