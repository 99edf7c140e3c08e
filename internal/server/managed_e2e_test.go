package server_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/managed"
)

// awsPolicies loads the embedded AWS managed policies, keyed by ARN.
func awsPolicies(t *testing.T) map[string]*managed.Policy {
	t.Helper()
	ps, err := managed.Load()
	if err != nil {
		t.Fatal(err)
	}
	byARN := make(map[string]*managed.Policy, len(ps))
	for i := range ps {
		byARN[ps[i].ARN] = &ps[i]
	}
	return byARN
}

func document(p *managed.Policy, id string) string {
	for _, v := range p.Versions {
		if v.ID == id {
			return v.Document
		}
	}
	return ""
}

func TestAWSManagedPolicies(t *testing.T) {
	ctx := context.Background()
	data := awsPolicies(t)
	t0 := time.Now()
	mcfg := testConfig(t, t.TempDir())
	mcfg.ManagedPolicies = true
	srv := start(t, mcfg)
	t.Logf("first start (loads %d policies): %v", len(data), time.Since(t0))
	root := iamClient(srv, rootKey, rootSecret, "")

	t.Run("GetPolicy and GetPolicyVersion", func(t *testing.T) {
		for _, tc := range []struct{ arn, path, name string }{
			{"arn:aws:iam::aws:policy/ReadOnlyAccess", "/", "ReadOnlyAccess"},
			{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "/service-role/", "AWSLambdaBasicExecutionRole"},
			{"arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy", "/aws-service-role/", "AWSSupportServiceRolePolicy"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				want := data[tc.arn]
				if want == nil {
					t.Fatalf("%s not in the embedded data", tc.arn)
				}
				p := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(tc.arn)})).Policy
				got := []string{aws.ToString(p.Arn), aws.ToString(p.PolicyName), aws.ToString(p.Path), aws.ToString(p.PolicyId), aws.ToString(p.DefaultVersionId)}
				if wantFields := []string{tc.arn, tc.name, tc.path, managed.PolicyID(tc.name), want.DefaultVersion}; !slices.Equal(got, wantFields) {
					t.Errorf("GetPolicy %s: ARN, name, path, ID, default version = %v, want %v", tc.arn, got, wantFields)
				}
				if !p.IsAttachable || aws.ToInt32(p.AttachmentCount) != 0 || !aws.ToTime(p.CreateDate).Equal(want.Created) || !aws.ToTime(p.UpdateDate).Equal(want.Updated) {
					t.Errorf("GetPolicy %s: attachable %v, attachments %d, created %v, updated %v; want true, 0, %v, %v",
						tc.arn, p.IsAttachable, aws.ToInt32(p.AttachmentCount), p.CreateDate, p.UpdateDate, want.Created, want.Updated)
				}
				v := must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(root.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(tc.arn), VersionId: p.DefaultVersionId})).PolicyVersion
				doc, err := url.QueryUnescape(aws.ToString(v.Document))
				if err != nil || doc != document(want, want.DefaultVersion) || !v.IsDefaultVersion {
					t.Errorf("GetPolicyVersion %s %s: default %v, document %.200s (%v), want the data's %.200s", tc.arn, want.DefaultVersion, v.IsDefaultVersion, doc, err, document(want, want.DefaultVersion))
				}
				vs := must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(tc.arn)})).Versions
				var ids, wantIDs []string
				for _, v := range vs {
					ids = append(ids, aws.ToString(v.VersionId))
				}
				for i := len(want.Versions) - 1; i >= 0; i-- {
					wantIDs = append(wantIDs, want.Versions[i].ID)
				}
				if !slices.Equal(ids, wantIDs) {
					t.Errorf("ListPolicyVersions %s = %v, want %v", tc.arn, ids, wantIDs)
				}
			})
		}
		// The path is part of the ARN.
		_, err := root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole")})
		wantCode(t, "GetPolicy without the path", err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole was not found.")
	})

	t.Run("ListPolicies Scope=AWS", func(t *testing.T) {
		var arns []string
		pages := 0
		pager := iam.NewListPoliciesPaginator(root, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, MaxItems: aws.Int32(100)})
		for pager.HasMorePages() {
			out := must[*iam.ListPoliciesOutput](t, "ListPolicies page")(pager.NextPage(ctx))
			pages++
			for _, p := range out.Policies {
				arns = append(arns, aws.ToString(p.Arn))
			}
		}
		if len(arns) <= 1000 || len(arns) != len(data) || pages != (len(data)+99)/100 {
			t.Fatalf("ListPolicies Scope=AWS: %d policies in %d pages, want all %d (more than 1000) in pages of 100", len(arns), pages, len(data))
		}
		seen := map[string]bool{}
		for _, a := range arns {
			if data[a] == nil || seen[a] {
				t.Errorf("ListPolicies Scope=AWS: %s unknown or repeated", a)
			}
			seen[a] = true
		}
		svc := must[*iam.ListPoliciesOutput](t, "ListPolicies /service-role/")(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, PathPrefix: aws.String("/service-role/"), MaxItems: aws.Int32(1000)}))
		for _, p := range svc.Policies {
			if aws.ToString(p.Path) != "/service-role/" {
				t.Errorf("ListPolicies PathPrefix=/service-role/ returned %s", aws.ToString(p.Arn))
			}
		}
		if len(svc.Policies) == 0 {
			t.Error("ListPolicies PathPrefix=/service-role/ returned nothing")
		}
		local := must[*iam.ListPoliciesOutput](t, "ListPolicies Scope=Local")(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal}))
		if len(local.Policies) != 0 {
			t.Errorf("ListPolicies Scope=Local lists %d policies, want none", len(local.Policies))
		}
	})

	t.Run("attached and evaluated", func(t *testing.T) {
		const arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
		k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")}))
		auditor := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
		userARN := "arn:aws:iam::" + testAccount + ":user/auditor"
		_, err := auditor.ListUsers(ctx, &iam.ListUsersInput{})
		wantCode(t, "ListUsers before attaching", err, "AccessDenied", "")

		must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: aws.String(arn)}))
		must[*iam.GetUserOutput](t, "GetUser as auditor")(auditor.GetUser(ctx, &iam.GetUserInput{}))
		must[*iam.ListUsersOutput](t, "ListUsers as auditor")(auditor.ListUsers(ctx, &iam.ListUsersInput{}))
		must[*iam.GetPolicyOutput](t, "GetPolicy as auditor")(auditor.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))
		_, err = auditor.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
		wantCode(t, "CreateUser as auditor", err, "AccessDenied", "User: "+userARN+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+testAccount+":user/mallory because no identity-based policy allows the iam:CreateUser action")

		att := must[*iam.ListAttachedUserPoliciesOutput](t, "ListAttachedUserPolicies")(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("auditor")}))
		if len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyArn) != arn || aws.ToString(att.AttachedPolicies[0].PolicyName) != "IAMReadOnlyAccess" {
			t.Errorf("ListAttachedUserPolicies = %+v, want IAMReadOnlyAccess", att.AttachedPolicies)
		}
		p := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))
		if n := aws.ToInt32(p.Policy.AttachmentCount); n != 1 {
			t.Errorf("AttachmentCount of %s in the account = %d, want 1", arn, n)
		}
		// All pages: iamd filters OnlyAttached within each page of the whole listing, so the
		// first page may come back empty (see the report).
		var only []string
		pager := iam.NewListPoliciesPaginator(root, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, OnlyAttached: true})
		for pager.HasMorePages() {
			for _, p := range must[*iam.ListPoliciesOutput](t, "ListPolicies OnlyAttached")(pager.NextPage(ctx)).Policies {
				only = append(only, aws.ToString(p.Arn))
			}
		}
		if !slices.Equal(only, []string{arn}) {
			t.Errorf("ListPolicies Scope=AWS OnlyAttached = %v, want only %s", only, arn)
		}
		must[*iam.DetachUserPolicyOutput](t, "DetachUserPolicy")(root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: aws.String(arn)}))
		_, err = auditor.ListUsers(ctx, &iam.ListUsersInput{})
		wantCode(t, "ListUsers after detaching", err, "AccessDenied", "")
	})

	t.Run("not modifiable", func(t *testing.T) {
		const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		_, err := root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		wantCode(t, "DeletePolicy", err, "UnmodifiableEntity", "Cannot delete a policy that is not owned by the account.")
		// ReadOnlyAccess keeps five versions, so this fails on the version quota before any
		// ownership check (see the report: CreatePolicyVersion lacks one).
		_, err = root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
		if err == nil {
			t.Errorf("CreatePolicyVersion on %s succeeded", arn)
		}
		p := must[*iam.GetPolicyOutput](t, "GetPolicy")(root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))
		if got, want := aws.ToString(p.Policy.DefaultVersionId), data[arn].DefaultVersion; got != want {
			t.Errorf("default version after the failed changes = %s, want %s", got, want)
		}
	})
}

// TestAWSManagedPoliciesRestart checks that a later start keeps the loaded set and is fast.
func TestAWSManagedPoliciesRestart(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	cfg.ManagedPolicies = true
	t0 := time.Now()
	srv := start(t, cfg)
	first := time.Since(t0)
	srv.Close()
	t0 = time.Now()
	srv2 := start(t, cfg)
	later := time.Since(t0)
	t.Logf("start-up: first %v, later %v", first, later)
	root := iamClient(srv2, rootKey, rootSecret, "")
	out := must[*iam.ListPoliciesOutput](t, "ListPolicies after restart")(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)}))
	if len(out.Policies) != 1000 || !out.IsTruncated {
		t.Errorf("after restart: %d policies, truncated %v; want a full page of 1000", len(out.Policies), out.IsTruncated)
	}
}
