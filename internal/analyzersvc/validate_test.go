package analyzersvc

import (
	"context"
	"errors"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy"
)

func TestValidateInput(t *testing.T) {
	doc := ptr(`{}`)
	for _, tc := range []struct {
		name     string
		in       *sdk.ValidatePolicyInput
		want     policy.Kind
		wantMsg  string
		wantList []string
	}{
		{"identity", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeIdentityPolicy}, policy.Identity, "", nil},
		{"resource", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeResourcePolicy, ValidatePolicyResourceType: types.ValidatePolicyResourceTypeS3Bucket}, policy.Resource, "", nil},
		{"trust", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeResourcePolicy, ValidatePolicyResourceType: types.ValidatePolicyResourceTypeRoleTrust}, policy.Trust, "", nil},
		{"scp", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeServiceControlPolicy}, policy.SCP, "", nil},
		{"rcp", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeResourceControlPolicy, Locale: types.LocaleJa}, policy.RCP, "", nil},
		{"nothing", &sdk.ValidatePolicyInput{}, 0,
			"2 validation errors detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null; Value null at 'policyType' failed to satisfy constraint: Member must not be null",
			[]string{"policyDocument", "policyType"}},
		{"bad enums", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeResourcePolicy, Locale: "XX", ValidatePolicyResourceType: "AWS::Nope", MaxResults: ptr(int32(0))}, 0, "",
			[]string{"locale", "validatePolicyResourceType", "maxResults"}},
		{"resource type of an SCP", &sdk.ValidatePolicyInput{PolicyDocument: doc, PolicyType: types.PolicyTypeServiceControlPolicy, ValidatePolicyResourceType: types.ValidatePolicyResourceTypeS3Bucket}, 0,
			"validatePolicyResourceType can only be specified with policyType RESOURCE_POLICY.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kind, err := validateInput(tc.in)
			if tc.want != 0 {
				if err != nil || kind != tc.want {
					t.Errorf("validateInput(%+v) = %v, %v; want %v", tc.in, kind, err, tc.want)
				}
				return
			}
			var ve *types.ValidationException
			if !errors.As(err, &ve) {
				t.Fatalf("validateInput(%+v) err = %v, want ValidationException", tc.in, err)
			}
			if tc.wantMsg != "" && *ve.Message != tc.wantMsg {
				t.Errorf("message = %q, want %q", *ve.Message, tc.wantMsg)
			}
			var names []string
			for _, f := range ve.FieldList {
				names = append(names, *f.Name)
			}
			if diff := cmp.Diff(tc.wantList, names); diff != "" {
				t.Errorf("fieldList (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidatePages: pages of every size cover the findings once, in order; tokens are bound
// to their request.
func TestValidatePages(t *testing.T) {
	ctx := context.Background()
	s, _ := testService(t, nil)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:A1","s3:A2","s3:A3","s3:A4","s3:A5"],"Resource":"*"}]}`
	in := func(max *int32, tok *string) *sdk.ValidatePolicyInput {
		return &sdk.ValidatePolicyInput{PolicyDocument: &doc, PolicyType: types.PolicyTypeIdentityPolicy, MaxResults: max, NextToken: tok}
	}
	all, err := s.ValidatePolicy(ctx, root, in(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Findings) != 5 || all.NextToken != nil {
		t.Fatalf("all findings: %d, next %v; want 5 and no token", len(all.Findings), all.NextToken)
	}
	for size := int32(1); size <= 6; size++ {
		var got []types.ValidatePolicyFinding
		var tok *string
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("size %d: more than 10 pages", size)
			}
			out, err := s.ValidatePolicy(ctx, root, in(&size, tok))
			if err != nil {
				t.Fatalf("size %d page %d: %v", size, pages, err)
			}
			got = append(got, out.Findings...)
			if tok = out.NextToken; tok == nil {
				break
			}
		}
		if diff := cmp.Diff(all.Findings, got, cmp.Comparer(func(a, b types.ValidatePolicyFinding) bool {
			return *a.IssueCode == *b.IssueCode && *a.FindingDetails == *b.FindingDetails
		})); diff != "" {
			t.Errorf("size %d (-all +paged):\n%s", size, diff)
		}
	}
	first, err := s.ValidatePolicy(ctx, root, in(ptr(int32(2)), nil))
	if err != nil {
		t.Fatal(err)
	}
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, bad := range []*sdk.ValidatePolicyInput{
		{PolicyDocument: &other, PolicyType: types.PolicyTypeIdentityPolicy, NextToken: first.NextToken},
		in(nil, ptr("not-a-token")),
		in(nil, ptr("djE6OTk6eA")), // "v1:99:x"
	} {
		var ve *types.ValidationException
		if _, err := s.ValidatePolicy(ctx, root, bad); !errors.As(err, &ve) {
			t.Errorf("token %q: err = %v, want ValidationException", *bad.NextToken, err)
		}
	}
}
