package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/analyzersvc"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/server"
	"github.com/iamd-dev/iamd/internal/store"
)

func analyzerClient(srv *server.Server, id, secret string) *accessanalyzer.Client {
	return accessanalyzer.NewFromConfig(awsConfig(srv.Endpoint(), id, secret, ""))
}

// noClientValidation removes the SDK's own check of required members, so that the server's
// ValidationException can be seen.
func noClientValidation(o *accessanalyzer.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		_, err := s.Initialize.Remove("OperationInputValidation")
		return err
	})
}

// httpStatus is the HTTP status of an SDK error's response.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// policyUser creates a user with an access key (userWithKey) and, when doc is not empty, an
// inline policy.
func policyUser(t *testing.T, root *iam.Client, name, doc string) (id, secret string) {
	t.Helper()
	ctx := context.Background()
	id, secret = userWithKey(t, ctx, root, name)
	if doc != "" {
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy "+name)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))
	}
	return id, secret
}

const (
	goodPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	// badPolicy has three actions no service has.
	badPolicy = `{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["s3:GetObjct", "iam:NoSuchAction", "ec2:Nope"], "Resource": "*"}]
}`
)

// wantFindings lints text as the server should and converts the findings to the wire shape.
func wantFindings(t *testing.T, text string, kind policy.Kind) []aatypes.ValidatePolicyFinding {
	t.Helper()
	return wantFindingsOn(t, text, kind, "")
}

// wantFindingsOn is wantFindings for a resource policy attached to a resource of the type.
func wantFindingsOn(t *testing.T, text string, kind policy.Kind, resourceType aatypes.ValidatePolicyResourceType) []aatypes.ValidatePolicyFinding {
	t.Helper()
	cat, err := lintcat.Load()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := policy.LintWith(text, kind, cat, policy.LintOptions{ResourceType: string(resourceType)})
	if err != nil {
		t.Fatal(err)
	}
	out := []aatypes.ValidatePolicyFinding{}
	for _, f := range fs {
		out = append(out, analyzersvc.Finding(text, f))
	}
	return out
}

var findingOpts = cmp.Options{cmpopts.IgnoreUnexported(
	aatypes.ValidatePolicyFinding{}, aatypes.Location{}, aatypes.Span{}, aatypes.Position{},
	aatypes.PathElementMemberIndex{}, aatypes.PathElementMemberValue{}, aatypes.PathElementMemberKey{}, aatypes.PathElementMemberSubstring{},
)}

func TestAnalyzerValidatePolicy(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	aa := analyzerClient(srv, rootKey, rootSecret)

	t.Run("good policy", func(t *testing.T) {
		out := must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy")(aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{
			PolicyDocument: aws.String(goodPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy}))
		if len(out.Findings) != 0 || out.NextToken != nil {
			t.Errorf("ValidatePolicy(%s) = %+v, next %v; want no findings", goodPolicy, out.Findings, out.NextToken)
		}
	})

	t.Run("bad policy", func(t *testing.T) {
		out := must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy")(aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{
			PolicyDocument: aws.String(badPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy, Locale: aatypes.LocaleEn}))
		if diff := cmp.Diff(wantFindings(t, badPolicy, policy.Identity), out.Findings, findingOpts); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		var codes []string
		for _, f := range out.Findings {
			codes = append(codes, string(f.FindingType)+" "+aws.ToString(f.IssueCode))
		}
		if want := []string{"ERROR INVALID_ACTION", "ERROR INVALID_ACTION", "ERROR INVALID_ACTION"}; !cmp.Equal(codes, want) {
			t.Fatalf("findings = %v, want %v", codes, want)
		}
		// The first one points at Statement[0].Action[0], "s3:GetObjct" on line 3.
		loc := out.Findings[0].Locations[0]
		var path []string
		for _, p := range loc.Path {
			switch v := p.(type) {
			case *aatypes.PathElementMemberValue:
				path = append(path, v.Value)
			case *aatypes.PathElementMemberIndex:
				path = append(path, "#"+string(rune('0'+v.Value)))
			}
		}
		if want := []string{"Statement", "#0", "Action", "#0"}; !cmp.Equal(path, want) {
			t.Errorf("path = %v, want %v", path, want)
		}
		start := loc.Span.Start
		if got := badPolicy[aws.ToInt32(start.Offset):aws.ToInt32(loc.Span.End.Offset)]; aws.ToInt32(start.Line) != 3 || !strings.Contains(got, "s3:GetObjct") {
			t.Errorf("span = line %d, text %q; want line 3 around \"s3:GetObjct\"", aws.ToInt32(start.Line), got)
		}
	})

	t.Run("pagination", func(t *testing.T) {
		all := wantFindings(t, badPolicy, policy.Identity)
		in := &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(badPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy, MaxResults: aws.Int32(2)}
		p := accessanalyzer.NewValidatePolicyPaginator(aa, in)
		var got []aatypes.ValidatePolicyFinding
		pages := 0
		for p.HasMorePages() {
			page := must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy page")(p.NextPage(ctx))
			if len(page.Findings) > 2 {
				t.Errorf("page %d has %d findings, want at most 2", pages, len(page.Findings))
			}
			got = append(got, page.Findings...)
			pages++
		}
		if pages != 2 {
			t.Errorf("pages = %d, want 2 for %d findings", pages, len(all))
		}
		if diff := cmp.Diff(all, got, findingOpts); diff != "" {
			t.Errorf("paged findings (-want +got):\n%s", diff)
		}
		// A token is only good for the request that made it.
		first := must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy")(aa.ValidatePolicy(ctx, in))
		_, err := aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(goodPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy, NextToken: first.NextToken})
		wantCode(t, "ValidatePolicy with another request's token", err, "ValidationException", "The nextToken is not valid.")
	})

	t.Run("policy types", func(t *testing.T) {
		withPrincipal := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`
		tableInBucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"dynamodb:GetItem","Resource":"arn:aws:s3:::bucket/*"}]}`
		for _, tc := range []struct {
			name     string
			doc      string
			typ      aatypes.PolicyType
			resource aatypes.ValidatePolicyResourceType
			kind     policy.Kind
			wantCode string // a finding the result must have ("" for none at all)
		}{
			{"identity with a principal", withPrincipal, aatypes.PolicyTypeIdentityPolicy, "", policy.Identity, "ERROR"},
			{"resource without a principal", goodPolicy, aatypes.PolicyTypeResourcePolicy, "", policy.Resource, "MISSING_PRINCIPAL"},
			{"resource with a principal", withPrincipal, aatypes.PolicyTypeResourcePolicy, aatypes.ValidatePolicyResourceTypeS3Bucket, policy.Resource, ""},
			{"role trust with a resource", trust, aatypes.PolicyTypeResourcePolicy, aatypes.ValidatePolicyResourceTypeRoleTrust, policy.Trust, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"},
			{"bucket policy with a table action", tableInBucket, aatypes.PolicyTypeResourcePolicy, aatypes.ValidatePolicyResourceTypeS3Bucket, policy.Resource, "UNSUPPORTED_ACTION_IN_POLICY"},
			{"service control", goodPolicy, aatypes.PolicyTypeServiceControlPolicy, "", policy.SCP, ""},
			{"resource control", withPrincipal, aatypes.PolicyTypeResourceControlPolicy, "", policy.RCP, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				out := must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy")(aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{
					PolicyDocument: aws.String(tc.doc), PolicyType: tc.typ, ValidatePolicyResourceType: tc.resource}))
				if diff := cmp.Diff(wantFindingsOn(t, tc.doc, tc.kind, tc.resource), out.Findings, findingOpts); diff != "" {
					t.Errorf("%s %s: findings (-want +got):\n%s", tc.typ, tc.resource, diff)
				}
				found := false
				for _, f := range out.Findings {
					found = found || aws.ToString(f.IssueCode) == tc.wantCode || string(f.FindingType) == tc.wantCode
				}
				if tc.wantCode != "" && !found {
					t.Errorf("%s %s: findings %+v, want one with %s", tc.typ, tc.resource, out.Findings, tc.wantCode)
				}
			})
		}
	})

	t.Run("bad input", func(t *testing.T) {
		raw := accessanalyzer.NewFromConfig(awsConfig(srv.Endpoint(), rootKey, rootSecret, ""), noClientValidation)
		for _, tc := range []struct {
			name   string
			in     *accessanalyzer.ValidatePolicyInput
			msg    string
			fields []string
		}{
			{"missing document", &accessanalyzer.ValidatePolicyInput{PolicyType: aatypes.PolicyTypeIdentityPolicy},
				"1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null", []string{"policyDocument"}},
			{"bad type", &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(goodPolicy), PolicyType: "FOO"},
				"1 validation error detected: Value 'FOO' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]", []string{"policyType"}},
			{"both missing", &accessanalyzer.ValidatePolicyInput{},
				"", []string{"policyDocument", "policyType"}},
			{"resource type of an identity policy", &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(goodPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy, ValidatePolicyResourceType: aatypes.ValidatePolicyResourceTypeS3Bucket},
				"validatePolicyResourceType can only be specified with policyType RESOURCE_POLICY.", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := raw.ValidatePolicy(ctx, tc.in)
				wantCode(t, "ValidatePolicy", err, "ValidationException", tc.msg)
				var ve *aatypes.ValidationException
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want *types.ValidationException", err)
				}
				if httpStatus(err) != http.StatusBadRequest {
					t.Errorf("status = %d, want 400", httpStatus(err))
				}
				var names []string
				for _, f := range ve.FieldList {
					names = append(names, aws.ToString(f.Name))
				}
				if !cmp.Equal(names, tc.fields) {
					t.Errorf("fieldList = %v, want %v", names, tc.fields)
				}
				wantReason := aatypes.ValidationExceptionReasonFieldValidationFailed
				if tc.fields == nil {
					wantReason = aatypes.ValidationExceptionReasonOther
				}
				if ve.Reason != wantReason {
					t.Errorf("reason = %q, want %q", ve.Reason, wantReason)
				}
			})
		}
	})

	t.Run("permission", func(t *testing.T) {
		root := iamClient(srv, rootKey, rootSecret, "")
		id, secret := policyUser(t, root, "alice", "")
		alice := analyzerClient(srv, id, secret)
		in := &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(goodPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy}
		_, err := alice.ValidatePolicy(ctx, in)
		arn := "arn:aws:iam::" + testAccount + ":user/alice"
		wantCode(t, "ValidatePolicy without permission", err, "AccessDeniedException",
			"User: "+arn+" is not authorized to perform: access-analyzer:ValidatePolicy on resource: * because no identity-based policy allows the access-analyzer:ValidatePolicy action")
		var ade *aatypes.AccessDeniedException
		if !errors.As(err, &ade) || httpStatus(err) != http.StatusForbidden {
			t.Errorf("err = %T (status %d), want *types.AccessDeniedException with 403", err, httpStatus(err))
		}
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("aa"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"access-analyzer:ValidatePolicy","Resource":"*"}]}`)}))
		must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy with permission")(alice.ValidatePolicy(ctx, in))

		// Both calls are in the audit trail, under Access Analyzer's event source.
		evs, err := srv.Store().Events(ctx, store.EventFilter{Account: testAccount, Source: "access-analyzer.amazonaws.com", Name: "ValidatePolicy", Username: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			var rec struct {
				ErrorCode         string
				RequestParameters struct{ PolicyType string }
			}
			if err := json.Unmarshal(e.Record, &rec); err != nil {
				t.Fatal(err)
			}
			got = append(got, rec.ErrorCode+"/"+rec.RequestParameters.PolicyType)
		}
		if want := []string{"/IDENTITY_POLICY", "AccessDeniedException/IDENTITY_POLICY"}; !cmp.Equal(got, want) {
			t.Errorf("audit records (newest first) = %v, want %v", got, want)
		}
	})
}

// waitJob polls GetGeneratedPolicy until the job is no longer IN_PROGRESS.
func waitJob(t *testing.T, aa *accessanalyzer.Client, id string) *accessanalyzer.GetGeneratedPolicyOutput {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := must[*accessanalyzer.GetGeneratedPolicyOutput](t, "GetGeneratedPolicy")(aa.GetGeneratedPolicy(context.Background(), &accessanalyzer.GetGeneratedPolicyInput{JobId: aws.String(id)}))
		if out.JobDetails.Status != aatypes.JobStatusInProgress {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still IN_PROGRESS after 30 s", id)
		}
	}
}

func TestAnalyzerPolicyGeneration(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	aa := analyzerClient(srv, rootKey, rootSecret)

	// bob reads users (allowed) and tries to create one (denied).
	id, secret := policyUser(t, root, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}`)
	bob := iamClient(srv, id, secret, "")
	must[*iam.GetUserOutput](t, "GetUser as bob")(bob.GetUser(ctx, &iam.GetUserInput{}))
	must[*iam.ListUsersOutput](t, "ListUsers as bob")(bob.ListUsers(ctx, &iam.ListUsersInput{}))
	if _, err := bob.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")}); err == nil {
		t.Fatal("CreateUser as bob succeeded")
	}
	bobARN := "arn:aws:iam::" + testAccount + ":user/bob"

	start := must[*accessanalyzer.StartPolicyGenerationOutput](t, "StartPolicyGeneration")(aa.StartPolicyGeneration(ctx, &accessanalyzer.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String(bobARN)}, ClientToken: aws.String("tok-1")}))
	jobID := aws.ToString(start.JobId)
	if len(jobID) != 36 {
		t.Errorf("job ID %q, want a UUID", jobID)
	}
	got := waitJob(t, aa, jobID)
	if got.JobDetails.Status != aatypes.JobStatusSucceeded || got.JobDetails.CompletedOn == nil || aws.ToString(got.JobDetails.JobId) != jobID {
		t.Fatalf("job details = %+v, want SUCCEEDED with a completion time", got.JobDetails)
	}
	props := got.GeneratedPolicyResult.Properties
	if aws.ToString(props.PrincipalArn) != bobARN || props.CloudTrailProperties == nil || props.CloudTrailProperties.StartTime == nil {
		t.Errorf("properties = %+v, want principal %s and the window", props, bobARN)
	}
	if n := len(got.GeneratedPolicyResult.GeneratedPolicies); n != 1 {
		t.Fatalf("%d generated policies, want 1", n)
	}
	doc := aws.ToString(got.GeneratedPolicyResult.GeneratedPolicies[0].Policy)
	var parsed struct {
		Statement []struct {
			Effect string
			Action any
		}
	}
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		t.Fatalf("generated policy is not JSON: %v\n%s", err, doc)
	}
	actions := map[string]bool{}
	for _, st := range parsed.Statement {
		switch a := st.Action.(type) {
		case string:
			actions[a] = true
		case []any:
			for _, x := range a {
				actions[x.(string)] = true
			}
		}
	}
	for a, want := range map[string]bool{"iam:GetUser": true, "iam:ListUsers": true, "iam:CreateUser": false} {
		if actions[a] != want {
			t.Errorf("generated policy grants %s = %v, want %v:\n%s", a, actions[a], want, doc)
		}
	}

	// With resource placeholders the policy grants the same actions.
	ph := must[*accessanalyzer.GetGeneratedPolicyOutput](t, "GetGeneratedPolicy with placeholders")(aa.GetGeneratedPolicy(ctx, &accessanalyzer.GetGeneratedPolicyInput{
		JobId: aws.String(jobID), IncludeResourcePlaceholders: aws.Bool(true), IncludeServiceLevelTemplate: aws.Bool(true)}))
	phDoc := aws.ToString(ph.GeneratedPolicyResult.GeneratedPolicies[0].Policy)
	if !json.Valid([]byte(phDoc)) || !strings.Contains(phDoc, "iam:GetUser") || !strings.Contains(phDoc, "iam:ListUsers") {
		t.Errorf("policy with placeholders:\n%s", phDoc)
	}

	// The same client token answers the same job; with another request it conflicts.
	again := must[*accessanalyzer.StartPolicyGenerationOutput](t, "StartPolicyGeneration again")(aa.StartPolicyGeneration(ctx, &accessanalyzer.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String(bobARN)}, ClientToken: aws.String("tok-1")}))
	if aws.ToString(again.JobId) != jobID {
		t.Errorf("same client token: job %s, want %s", aws.ToString(again.JobId), jobID)
	}
	_, err := aa.StartPolicyGeneration(ctx, &accessanalyzer.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String("arn:aws:iam::" + testAccount + ":user/alice")}, ClientToken: aws.String("tok-1")})
	wantCode(t, "client token reused", err, "ConflictException", "")
	if httpStatus(err) != http.StatusConflict {
		t.Errorf("client token reused: status %d, want 409", httpStatus(err))
	}

	// A principal that does not exist: the job fails with RESOURCE_NOT_FOUND_ERROR.
	ghost := must[*accessanalyzer.StartPolicyGenerationOutput](t, "StartPolicyGeneration ghost")(aa.StartPolicyGeneration(ctx, &accessanalyzer.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String("arn:aws:iam::" + testAccount + ":role/ghost")}}))
	failed := waitJob(t, aa, aws.ToString(ghost.JobId))
	if d := failed.JobDetails; d.Status != aatypes.JobStatusFailed || d.JobError == nil || d.JobError.Code != aatypes.JobErrorCodeResourceNotFoundError {
		t.Errorf("ghost job = %+v (error %+v), want FAILED with RESOURCE_NOT_FOUND_ERROR", d, d.JobError)
	}

	// Listing: newest first, and by principal.
	list := must[*accessanalyzer.ListPolicyGenerationsOutput](t, "ListPolicyGenerations")(aa.ListPolicyGenerations(ctx, &accessanalyzer.ListPolicyGenerationsInput{}))
	var ids []string
	for _, g := range list.PolicyGenerations {
		ids = append(ids, aws.ToString(g.JobId)+" "+string(g.Status))
	}
	if want := []string{aws.ToString(ghost.JobId) + " FAILED", jobID + " SUCCEEDED"}; !cmp.Equal(ids, want) {
		t.Errorf("ListPolicyGenerations = %v, want %v", ids, want)
	}
	p := accessanalyzer.NewListPolicyGenerationsPaginator(aa, &accessanalyzer.ListPolicyGenerationsInput{PrincipalArn: aws.String(bobARN), MaxResults: aws.Int32(1)})
	ids = nil
	for p.HasMorePages() {
		page := must[*accessanalyzer.ListPolicyGenerationsOutput](t, "ListPolicyGenerations page")(p.NextPage(ctx))
		for _, g := range page.PolicyGenerations {
			ids = append(ids, aws.ToString(g.JobId))
		}
	}
	if want := []string{jobID}; !cmp.Equal(ids, want) {
		t.Errorf("ListPolicyGenerations of bob = %v, want %v", ids, want)
	}

	// Cancel of a finished job changes nothing; unknown jobs are not found.
	must[*accessanalyzer.CancelPolicyGenerationOutput](t, "CancelPolicyGeneration")(aa.CancelPolicyGeneration(ctx, &accessanalyzer.CancelPolicyGenerationInput{JobId: aws.String(jobID)}))
	if st := waitJob(t, aa, jobID).JobDetails.Status; st != aatypes.JobStatusSucceeded {
		t.Errorf("status after canceling a finished job = %s, want SUCCEEDED", st)
	}
	unknown := "00000000-0000-4000-8000-000000000000"
	_, err = aa.GetGeneratedPolicy(ctx, &accessanalyzer.GetGeneratedPolicyInput{JobId: aws.String(unknown)})
	wantCode(t, "GetGeneratedPolicy unknown", err, "ResourceNotFoundException", "")
	// The SDK's model lists no ResourceNotFoundException for GetGeneratedPolicy, so the error
	// comes back generic: code, message and status only.
	if httpStatus(err) != http.StatusNotFound {
		t.Errorf("GetGeneratedPolicy unknown: status %d, want 404", httpStatus(err))
	}
	_, err = aa.CancelPolicyGeneration(ctx, &accessanalyzer.CancelPolicyGenerationInput{JobId: aws.String(unknown)})
	wantCode(t, "CancelPolicyGeneration unknown", err, "ResourceNotFoundException", "")

	// Bad requests.
	for _, tc := range []struct {
		name string
		in   *accessanalyzer.StartPolicyGenerationInput
	}{
		{"other account", &accessanalyzer.StartPolicyGenerationInput{PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String("arn:aws:iam::111122223333:user/bob")}}},
		{"not a user or role", &accessanalyzer.StartPolicyGenerationInput{PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String("arn:aws:iam::" + testAccount + ":group/admins")}}},
		{"window over 90 days", &accessanalyzer.StartPolicyGenerationInput{PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String(bobARN)},
			CloudTrailDetails: &aatypes.CloudTrailDetails{AccessRole: aws.String("arn:aws:iam::" + testAccount + ":role/r"), StartTime: aws.Time(time.Now().Add(-100 * 24 * time.Hour)),
				Trails: []aatypes.Trail{{CloudTrailArn: aws.String("arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/t")}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := aa.StartPolicyGeneration(ctx, tc.in)
			wantCode(t, "StartPolicyGeneration "+tc.name, err, "ValidationException", "")
		})
	}

	// The calls are audited.
	evs, err := srv.Store().Events(ctx, store.EventFilter{Account: testAccount, Source: "access-analyzer.amazonaws.com", Name: "StartPolicyGeneration"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 7 {
		t.Errorf("%d StartPolicyGeneration records, want 7 (3 started or answered, 1 conflict, 3 bad requests)", len(evs))
	}
}

// TestAnalyzerWindow: cloudTrailDetails' window is echoed back and bounds the records read.
func TestAnalyzerWindow(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	aa := analyzerClient(srv, rootKey, rootSecret)
	id, secret := policyUser(t, root, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`)
	must[*iam.GetUserOutput](t, "GetUser as carol")(iamClient(srv, id, secret, "").GetUser(ctx, &iam.GetUserInput{}))

	from, to := time.Now().Add(-48*time.Hour).UTC().Truncate(time.Second), time.Now().Add(-24*time.Hour).UTC().Truncate(time.Second)
	trailARN := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/main"
	start := must[*accessanalyzer.StartPolicyGenerationOutput](t, "StartPolicyGeneration")(aa.StartPolicyGeneration(ctx, &accessanalyzer.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String("arn:aws:iam::" + testAccount + ":user/carol")},
		CloudTrailDetails: &aatypes.CloudTrailDetails{AccessRole: aws.String("arn:aws:iam::" + testAccount + ":role/reader"), StartTime: aws.Time(from), EndTime: aws.Time(to),
			Trails: []aatypes.Trail{{CloudTrailArn: aws.String(trailARN), AllRegions: aws.Bool(true)}}}}))
	got := waitJob(t, aa, aws.ToString(start.JobId))
	ct := got.GeneratedPolicyResult.Properties.CloudTrailProperties
	if !aws.ToTime(ct.StartTime).Equal(from) || !aws.ToTime(ct.EndTime).Equal(to) || len(ct.TrailProperties) != 1 || aws.ToString(ct.TrailProperties[0].CloudTrailArn) != trailARN {
		t.Errorf("cloudTrailProperties = %+v, want %v to %v on %s", ct, from, to, trailARN)
	}
	if doc := aws.ToString(got.GeneratedPolicyResult.GeneratedPolicies[0].Policy); strings.Contains(doc, "iam:GetUser") {
		t.Errorf("a window that ended yesterday grants today's iam:GetUser:\n%s", doc)
	}
}

// signedREST sends a restJson1 request signed for Access Analyzer and returns the status, the
// X-Amzn-ErrorType header and the body.
func signedREST(t *testing.T, srv *server.Server, secret, method, path, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "access-analyzer", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type = %q, want application/json", method, path, ct)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), string(raw)
}

// TestAnalyzerWire: restJson1 errors of the transport itself.
func TestAnalyzerWire(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	for _, tc := range []struct {
		name, secret, method, path, body string
		status                           int
		code                             string
	}{
		{"ok", rootSecret, "POST", "/policy/validation", `{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}`, 200, ""},
		{"wrong secret", "wrong-secret-wrong-secret-wrong-secret-00", "POST", "/policy/validation", `{}`, 403, "SignatureDoesNotMatch"},
		{"unknown route", rootSecret, "DELETE", "/policy/validation", ``, 404, "UnknownOperationException"},
		{"body not JSON", rootSecret, "POST", "/policy/validation", `{"policyDocument":`, 400, "SerializationException"},
		{"body of the wrong shape", rootSecret, "POST", "/policy/validation", `{"policyDocument":["x"]}`, 400, "SerializationException"},
		{"bad query integer", rootSecret, "POST", "/policy/validation?maxResults=many", `{}`, 400, "SerializationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, code, body := signedREST(t, srv, tc.secret, tc.method, tc.path, tc.body)
			if status != tc.status || code != tc.code {
				t.Errorf("%s %s %s: %d %q, want %d %q (%s)", tc.method, tc.path, tc.body, status, code, tc.status, tc.code, body)
			}
			var msg struct{ Message *string }
			if err := json.Unmarshal([]byte(body), &msg); err != nil || (tc.code != "" && msg.Message == nil) {
				t.Errorf("body %s: want JSON with a message for an error (%v)", body, err)
			}
		})
	}
}

// BenchmarkAnalyzerValidatePolicy: ValidatePolicy through the SDK client and the listener (SigV4,
// routing, restJson1 codec, Lint, audit record).
func BenchmarkAnalyzerValidatePolicy(b *testing.B) {
	cfg := config.Default(b.TempDir(), "")
	cfg.DataDir, cfg.Listen, cfg.AccountID = b.TempDir(), "127.0.0.1:0", testAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey, cfg.ManagedPolicies = rootKey, rootSecret, false
	srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	aa := analyzerClient(srv, rootKey, rootSecret)
	in := &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(badPolicy), PolicyType: aatypes.PolicyTypeIdentityPolicy}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aa.ValidatePolicy(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
