package middleware

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/authn"
)

func p[T any](v T) *T { return &v }

func TestEncodeJSON(t *testing.T) {
	when := time.Date(2026, 3, 1, 12, 30, 45, 123_000_000, time.UTC)
	for _, tc := range []struct {
		name string
		in   any
		want string
	}{
		{"empty output", &sdk.CancelPolicyGenerationOutput{}, `{}`},
		{"nil", (*sdk.StartPolicyGenerationOutput)(nil), `{}`},
		{"members lowerCamel, nil left out", &sdk.StartPolicyGenerationOutput{JobId: p("j")}, `{"jobId":"j"}`},
		{"timestamps and enums", &types.JobDetails{JobId: p("j"), Status: types.JobStatusSucceeded, StartedOn: &when},
			`{"jobId":"j","startedOn":"2026-03-01T12:30:45.123Z","status":"SUCCEEDED"}`},
		{"empty list kept, unset enum left out", &sdk.ValidatePolicyOutput{Findings: []types.ValidatePolicyFinding{}}, `{"findings":[]}`},
		{"unions", &types.Location{Path: []types.PathElement{
			&types.PathElementMemberValue{Value: "Statement"}, &types.PathElementMemberIndex{Value: 0},
			&types.PathElementMemberSubstring{Value: types.Substring{Start: p(int32(1)), Length: p(int32(2))}},
		}}, `{"path":[{"value":"Statement"},{"index":0},{"substring":{"length":2,"start":1}}]}`},
		{"exception without SDK bookkeeping", &types.ValidationException{Message: p("m"), ErrorCodeOverride: p("X"), Reason: types.ValidationExceptionReasonOther,
			FieldList: []types.ValidationExceptionField{{Name: p("a"), Message: p("b")}}},
			`{"fieldList":[{"message":"b","name":"a"}],"message":"m","reason":"other"}`},
		{"html not escaped", &types.GeneratedPolicy{Policy: p(`{"a":"<&>"}`)}, `{"policy":"{\"a\":\"<&>\"}"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := EncodeJSON(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tc.want {
				t.Errorf("EncodeJSON(%+v) =\n%s\nwant\n%s", tc.in, b, tc.want)
			}
		})
	}
}

var sdkOpts = cmpopts.IgnoreUnexported(sdk.StartPolicyGenerationInput{}, types.PolicyGenerationDetails{}, types.CloudTrailDetails{}, types.Trail{},
	sdk.ValidatePolicyInput{})

func TestDecodeJSON(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		body    string
		want    any
		wantErr bool
	}{
		{"empty body", ``, &sdk.ValidatePolicyInput{}, false},
		{"members and enums, unknown ignored", `{"policyDocument":"{}","policyType":"IDENTITY_POLICY","extra":[1,2]}`,
			&sdk.ValidatePolicyInput{PolicyDocument: p("{}"), PolicyType: types.PolicyTypeIdentityPolicy}, false},
		{"nested, lists, timestamps", `{"policyGenerationDetails":{"principalArn":"arn"},"cloudTrailDetails":{"startTime":"2026-01-02T03:04:05Z","endTime":1767323045,"trails":[{"cloudTrailArn":"t","allRegions":true,"regions":["us-east-1"]}]}}`,
			&sdk.StartPolicyGenerationInput{PolicyGenerationDetails: &types.PolicyGenerationDetails{PrincipalArn: p("arn")},
				CloudTrailDetails: &types.CloudTrailDetails{StartTime: &start, EndTime: p(time.Unix(1767323045, 0).UTC()),
					Trails: []types.Trail{{CloudTrailArn: p("t"), AllRegions: p(true), Regions: []string{"us-east-1"}}}}}, false},
		{"not JSON", `{"policyDocument":`, &sdk.ValidatePolicyInput{}, true},
		{"not an object", `[1]`, &sdk.ValidatePolicyInput{}, true},
		{"two documents", `{} {}`, &sdk.ValidatePolicyInput{}, true},
		{"wrong type", `{"policyDocument":1}`, &sdk.ValidatePolicyInput{}, true},
		{"integer overflow", `{"maxResults":4294967296}`, &sdk.ValidatePolicyInput{}, true},
		{"bad timestamp", `{"cloudTrailDetails":{"startTime":"yesterday"}}`, &sdk.StartPolicyGenerationInput{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			switch tc.want.(type) {
			case *sdk.ValidatePolicyInput:
				got = new(sdk.ValidatePolicyInput)
			default:
				got = new(sdk.StartPolicyGenerationInput)
			}
			err := DecodeJSON([]byte(tc.body), got)
			if tc.wantErr {
				if !errors.Is(err, errShape) {
					t.Errorf("DecodeJSON(%s) err = %v, want a shape error", tc.body, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeJSON(%s): %v", tc.body, err)
			}
			if diff := cmp.Diff(tc.want, got, sdkOpts); diff != "" {
				t.Errorf("DecodeJSON(%s) (-want +got):\n%s", tc.body, diff)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	nop := func(context.Context, *authn.Caller, *sdk.GetGeneratedPolicyInput) (*sdk.GetGeneratedPolicyOutput, error) {
		return nil, nil
	}
	list := func(context.Context, *authn.Caller, *sdk.ListPolicyGenerationsInput) (*sdk.ListPolicyGenerationsOutput, error) {
		return nil, nil
	}
	rs := &RESTService{Ops: []RESTOp{
		HandleREST("GET", "/policy/generation", "List", list).WithQuery("maxResults", "principalArn"),
		HandleREST("GET", "/policy/generation/{jobId}", "Get", nop).WithQuery("includeResourcePlaceholders"),
	}}
	for _, tc := range []struct {
		name, method, path, query string
		action                    string
		want                      any
		wantErr                   bool
	}{
		{"list", "GET", "/policy/generation", "maxResults=5&principalArn=arn%3Ax", "List", &sdk.ListPolicyGenerationsInput{MaxResults: p(int32(5)), PrincipalArn: p("arn:x")}, false},
		{"get with label", "GET", "/policy/generation/ab%2Fc", "includeResourcePlaceholders=true", "Get", &sdk.GetGeneratedPolicyInput{JobId: p("ab/c"), IncludeResourcePlaceholders: p(true)}, false},
		{"unbound query ignored", "GET", "/policy/generation/j", "nextToken=x", "Get", &sdk.GetGeneratedPolicyInput{JobId: p("j")}, false},
		{"bad integer", "GET", "/policy/generation", "maxResults=five", "List", nil, true},
		{"bad boolean", "GET", "/policy/generation/j", "includeResourcePlaceholders=yes", "Get", nil, true},
		{"wrong method", "PUT", "/policy/generation/j", "", "", nil, false},
		{"unknown path", "GET", "/policy/generation/j/x", "", "", nil, false},
		{"empty label", "GET", "/policy/generation/", "", "List", &sdk.ListPolicyGenerationsInput{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, labels := rs.route(tc.method, tc.path)
			if tc.action == "" {
				if op != nil {
					t.Errorf("route(%s %s) = %s, want none", tc.method, tc.path, op.Action)
				}
				return
			}
			if op == nil || op.Action != tc.action {
				t.Fatalf("route(%s %s) = %v, want %s", tc.method, tc.path, op, tc.action)
			}
			q, _ := url.ParseQuery(tc.query)
			in := op.NewInput()
			err := op.bind(in, labels, q, nil)
			if tc.wantErr {
				if !errors.Is(err, errShape) {
					t.Errorf("bind(%s?%s) err = %v, want a shape error", tc.path, tc.query, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, in, cmpopts.IgnoreUnexported(sdk.ListPolicyGenerationsInput{}, sdk.GetGeneratedPolicyInput{})); diff != "" {
				t.Errorf("bind(%s?%s) (-want +got):\n%s", tc.path, tc.query, diff)
			}
		})
	}
}

func TestHandleRESTPanicsOnUnknownMember(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a label with no input member did not panic")
		}
	}()
	HandleREST("GET", "/x/{nope}", "X", func(context.Context, *authn.Caller, *sdk.GetGeneratedPolicyInput) (*sdk.GetGeneratedPolicyOutput, error) {
		return nil, nil
	})
}
