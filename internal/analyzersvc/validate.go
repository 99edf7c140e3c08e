package analyzersvc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/policy"
)

// learnMore is where Access Analyzer's findings point: the policy check reference.
const learnMore = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

// ValidatePolicy checks a policy document as IAM Access Analyzer does (policy.Lint) and returns
// its findings in document order, a page at a time when maxResults is set.
func (s *Service) ValidatePolicy(ctx context.Context, c *authn.Caller, in *sdk.ValidatePolicyInput) (*sdk.ValidatePolicyOutput, error) {
	kind, err := validateInput(in)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, ActionValidatePolicy); err != nil {
		return nil, err
	}
	from, err := pageStart(in)
	if err != nil {
		return nil, err
	}
	cat, err := s.lint()
	if err != nil {
		return nil, fmt.Errorf("validate policy: %w", err)
	}
	text := *in.PolicyDocument
	findings, err := policy.LintWith(text, kind, cat, policy.LintOptions{ResourceType: string(in.ValidatePolicyResourceType)})
	if err != nil {
		return nil, fmt.Errorf("validate policy: %w", err)
	}
	out := &sdk.ValidatePolicyOutput{Findings: []types.ValidatePolicyFinding{}}
	if from > len(findings) {
		return nil, invalid(types.ValidationExceptionReasonOther, "The nextToken is not valid.")
	}
	to := len(findings)
	if in.MaxResults != nil && from+int(*in.MaxResults) < to {
		to = from + int(*in.MaxResults)
		out.NextToken = ptr(pageToken(to, in))
	}
	for _, f := range findings[from:to] {
		out.Findings = append(out.Findings, Finding(text, f))
	}
	return out, nil
}

var (
	policyTypes   = types.PolicyType("").Values()
	resourceTypes = types.ValidatePolicyResourceType("").Values()
	locales       = types.Locale("").Values()
)

// validateInput checks the members of a ValidatePolicy request and returns the policy kind to
// lint as.
func validateInput(in *sdk.ValidatePolicyInput) (policy.Kind, error) {
	var fails []fieldErr
	if in.PolicyDocument == nil {
		fails = append(fails, notNull("policyDocument"))
	}
	switch {
	case in.PolicyType == "":
		fails = append(fails, notNull("policyType"))
	case !slices.Contains(policyTypes, in.PolicyType):
		fails = append(fails, enumErr("policyType", in.PolicyType, policyTypes))
	}
	if in.Locale != "" && !slices.Contains(locales, in.Locale) {
		fails = append(fails, enumErr("locale", in.Locale, locales))
	}
	if rt := in.ValidatePolicyResourceType; rt != "" && !slices.Contains(resourceTypes, rt) {
		fails = append(fails, enumErr("validatePolicyResourceType", rt, resourceTypes))
	}
	if in.MaxResults != nil && *in.MaxResults < 1 {
		fails = append(fails, fieldErr{"maxResults", fmt.Sprintf("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.MaxResults)})
	}
	if len(fails) > 0 {
		return 0, validation(fails...)
	}
	if in.ValidatePolicyResourceType != "" && in.PolicyType != types.PolicyTypeResourcePolicy {
		return 0, invalid(types.ValidationExceptionReasonOther, "validatePolicyResourceType can only be specified with policyType RESOURCE_POLICY.")
	}
	switch in.PolicyType {
	case types.PolicyTypeResourcePolicy:
		if in.ValidatePolicyResourceType == types.ValidatePolicyResourceTypeRoleTrust {
			return policy.Trust, nil
		}
		return policy.Resource, nil
	case types.PolicyTypeServiceControlPolicy:
		return policy.SCP, nil
	case types.PolicyTypeResourceControlPolicy:
		return policy.RCP, nil
	}
	return policy.Identity, nil
}

// pageToken names where the next page starts, for this request only.
func pageToken(next int, in *sdk.ValidatePolicyInput) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + strconv.Itoa(next) + ":" + requestHash(in)))
}

// pageStart returns where the requested page starts.
func pageStart(in *sdk.ValidatePolicyInput) (int, error) {
	if in.NextToken == nil {
		return 0, nil
	}
	bad := invalid(types.ValidationExceptionReasonOther, "The nextToken is not valid.")
	b, err := base64.RawURLEncoding.DecodeString(*in.NextToken)
	if err != nil {
		return 0, bad
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "v1" || parts[2] != requestHash(in) {
		return 0, bad
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}

func requestHash(in *sdk.ValidatePolicyInput) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q;%q;%q;", str(in.PolicyDocument), in.PolicyType, in.ValidatePolicyResourceType)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Finding converts a lint finding on text to Access Analyzer's shape. Positions count lines
// from 1 and columns and offsets from 0, in characters.
func Finding(text string, f policy.Finding) types.ValidatePolicyFinding {
	out := types.ValidatePolicyFinding{
		FindingType: types.ValidatePolicyFindingType(f.Type), IssueCode: ptr(f.Code), FindingDetails: ptr(f.Message),
		Locations: []types.Location{},
	}
	if f.Code != policy.CodePolicySyntax {
		out.LearnMoreLink = ptr(learnMore)
	}
	if f.Line == 0 {
		return out
	}
	loc := types.Location{Path: []types.PathElement{}, Span: &types.Span{
		Start: position(text, f.Line, f.Column, f.Offset),
		End:   position(text, f.EndLine, f.EndColumn, f.EndOffset),
	}}
	for _, st := range f.Steps {
		if st.Name == "" {
			loc.Path = append(loc.Path, &types.PathElementMemberIndex{Value: int32(st.Index)})
			continue
		}
		loc.Path = append(loc.Path, &types.PathElementMemberValue{Value: st.Name})
	}
	out.Locations = append(out.Locations, loc)
	return out
}

func position(text string, line, col, off int) *types.Position {
	return &types.Position{Line: ptr(int32(line)), Column: ptr(int32(col - 1)), Offset: ptr(int32(utf8.RuneCountInString(text[:off])))}
}
