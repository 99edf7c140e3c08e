package stssvc

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

// TestWebIdentitySourceIdentity: the https://aws.amazon.com/source_identity claim becomes the
// session's source identity when it is a valid SourceIdentity, and is an InvalidIdentityToken
// otherwise.
func TestWebIdentitySourceIdentity(t *testing.T) {
	k := oidctest.RSAKey(t, "k")
	tests := []struct {
		name     string
		claim    any // nil: no claim
		want     string
		wantCode string
	}{
		{"no claim", nil, "", ""},
		{"email", "alice@example.com", "alice@example.com", ""},
		{"every allowed character", "aZ09_+=,.@-", "aZ09_+=,.@-", ""},
		{"two characters", "ab", "ab", ""},
		{"64 characters", strings.Repeat("s", 64), strings.Repeat("s", 64), ""},
		{"one character", "a", "", iam.CodeInvalidIdentityToken},
		{"65 characters", strings.Repeat("s", 65), "", iam.CodeInvalidIdentityToken},
		{"aws: prefix", "aws:alice", "", iam.CodeInvalidIdentityToken},
		{"AWS: prefix", "AWS:alice", "", iam.CodeInvalidIdentityToken},
		{"space", "alice smith", "", iam.CodeInvalidIdentityToken},
		{"non-ASCII letter", "alicé", "", iam.CodeInvalidIdentityToken},
		{"empty", "", "", iam.CodeInvalidIdentityToken},
		{"number", 42, "", iam.CodeInvalidIdentityToken},
		{"list", []string{"alice"}, "", iam.CodeInvalidIdentityToken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "app", "exp": 2000000000}
			if tc.claim != nil {
				claims[sourceIdentityClaim] = tc.claim
			}
			got, err := webIdentitySourceIdentity(oidctest.Sign(t, k, claims))
			gotCode := errCode(err)
			if got != tc.want || gotCode != tc.wantCode {
				t.Errorf("claim %#v: got (%q, %v), want (%q, code %q)", tc.claim, got, err, tc.want, tc.wantCode)
			}
		})
	}
	if _, err := webIdentitySourceIdentity("not.a.jwt"); errCode(err) != iam.CodeInvalidIdentityToken {
		t.Errorf("not a JWT: err = %v, want %s", err, iam.CodeInvalidIdentityToken)
	}
}

// errCode is err's AWS error code: "" for nil, "?" for an error that is not an *iam.Error.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *iam.Error
	if !errors.As(err, &e) {
		return "?"
	}
	return e.Code
}

// TestWebIdentitySessionTags: the https://aws.amazon.com/tags claim, shaped as the IAM User
// Guide's example, gives the session's tags and transitive keys; a claim of another shape is a
// ValidationError, and tags AssumeRole would refuse are refused with AssumeRole's errors.
func TestWebIdentitySessionTags(t *testing.T) {
	k := oidctest.RSAKey(t, "k")
	fifty := map[string]any{}
	for i := range 50 {
		fifty[fmt.Sprintf("k%02d", i)] = []string{"v"}
	}
	fiftyOne := maps.Clone(fifty)
	fiftyOne["k50"] = []string{"v"}
	tests := []struct {
		name     string
		claim    any // nil: no claim
		want     *webSessionTags
		wantCode string
		wantMsg  string // part of the message, when not ""
	}{
		{name: "no claim"},
		{name: "null claim", claim: json.RawMessage("null")},
		{name: "AWS's example", claim: map[string]any{
			"principal_tags":      map[string]any{"Project": []string{"Automation"}, "CostCenter": []string{"987654"}, "Department": []string{"Engineering"}},
			"transitive_tag_keys": []string{"Project", "CostCenter"},
		}, want: &webSessionTags{Tags: map[string]string{"Project": "Automation", "CostCenter": "987654", "Department": "Engineering"}, TransitiveKeys: []string{"Project", "CostCenter"}}},
		{name: "no transitive keys", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}},
			want: &webSessionTags{Tags: map[string]string{"team": "blue"}}},
		{name: "empty value", claim: map[string]any{"principal_tags": map[string]any{"team": []string{""}}},
			want: &webSessionTags{Tags: map[string]string{"team": ""}}},
		{name: "unknown members ignored", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "other": 1},
			want: &webSessionTags{Tags: map[string]string{"team": "blue"}}},
		{name: "no tags", claim: map[string]any{"principal_tags": map[string]any{}}},
		{name: "transitive keys only", claim: map[string]any{"transitive_tag_keys": []string{"team"}},
			wantCode: iam.CodeInvalidParameterValue, wantMsg: msgTransitiveNotTagged},
		{name: "transitive key naming no tag", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "transitive_tag_keys": []string{"team", "dept"}},
			wantCode: iam.CodeInvalidParameterValue, wantMsg: msgTransitiveNotTagged},
		{name: "transitive key in another case", claim: map[string]any{"principal_tags": map[string]any{"Team": []string{"blue"}}, "transitive_tag_keys": []string{"team"}},
			want: &webSessionTags{Tags: map[string]string{"Team": "blue"}, TransitiveKeys: []string{"team"}}},
		{name: "50 tags", claim: map[string]any{"principal_tags": fifty}, want: &webSessionTags{Tags: func() map[string]string {
			m := map[string]string{}
			for k := range fifty {
				m[k] = "v"
			}
			return m
		}()}},
		{name: "51 tags", claim: map[string]any{"principal_tags": fiftyOne}, wantCode: iam.CodeValidationError, wantMsg: "Member must have length less than or equal to 50"},
		{name: "claim is a string", claim: "Project=Automation", wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "claim is an array (Ceph's shape)", claim: []any{map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "value is a bare string", claim: map[string]any{"principal_tags": map[string]any{"team": "blue"}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "multivalued", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue", "red"}}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "no value", claim: map[string]any{"principal_tags": map[string]any{"team": []string{}}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "number value", claim: map[string]any{"principal_tags": map[string]any{"team": []any{7}}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "null value", claim: map[string]any{"principal_tags": map[string]any{"team": []any{nil}}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "principal_tags an array", claim: map[string]any{"principal_tags": []string{"team"}}, wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "transitive keys not strings", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "transitive_tag_keys": []any{1}},
			wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "transitive keys a string", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "transitive_tag_keys": "team"},
			wantCode: iam.CodeValidationError, wantMsg: msgTagsClaim},
		{name: "key of 129 characters", claim: map[string]any{"principal_tags": map[string]any{strings.Repeat("k", 129): []string{"v"}}},
			wantCode: iam.CodeValidationError, wantMsg: "tags.1.member.key"},
		{name: "value of 257 characters", claim: map[string]any{"principal_tags": map[string]any{"team": []string{strings.Repeat("v", 257)}}},
			wantCode: iam.CodeValidationError, wantMsg: "tags.1.member.value"},
		{name: "key with a bad character, second in key order", claim: map[string]any{"principal_tags": map[string]any{"a": []string{"v"}, "b#": []string{"v"}}},
			wantCode: iam.CodeValidationError, wantMsg: "tags.2.member.key"},
		{name: "value with a bad character", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue!"}}},
			wantCode: iam.CodeValidationError, wantMsg: "tags.1.member.value"},
		{name: "aws: key", claim: map[string]any{"principal_tags": map[string]any{"aws:team": []string{"blue"}}},
			wantCode: iam.CodeInvalidInput, wantMsg: "can't start with 'aws:'"},
		{name: "keys differing in case", claim: map[string]any{"principal_tags": map[string]any{"Team": []string{"blue"}, "team": []string{"red"}}},
			wantCode: iam.CodeInvalidParameterValue, wantMsg: msgDuplicateTagKeys},
		{name: "bad transitive key", claim: map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "transitive_tag_keys": []string{"te#am"}},
			wantCode: iam.CodeValidationError, wantMsg: "transitiveTagKeys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims := map[string]any{"iss": "https://idp.example.com", "sub": "u", "aud": "app", "exp": 2000000000}
			if tc.claim != nil {
				claims[sessionTagsClaim] = tc.claim
			}
			raw, err := unverifiedClaims(oidctest.Sign(t, k, claims))
			if err != nil {
				t.Fatalf("unverifiedClaims: %v", err)
			}
			got, err := webIdentitySessionTags(raw)
			if gotCode := errCodeOf(err); gotCode != tc.wantCode || err != nil && !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("claim %#v: err = %v (code %q), want code %q with %q", tc.claim, err, gotCode, tc.wantCode, tc.wantMsg)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("claim %#v: tags (-want +got):\n%s", tc.claim, d)
			}
		})
	}
}

// errCodeOf is err's AWS error code as the API answers it: errCode's, and ValidationError or
// InvalidInput for the field and input errors the API maps to them.
func errCodeOf(err error) string {
	var fe *iam.FieldError
	var ie *iam.InputError
	switch {
	case errors.As(err, &fe):
		return iam.CodeValidationError
	case errors.As(err, &ie):
		return iam.CodeInvalidInput
	}
	return errCode(err)
}

// TestWebSessionTagsTransitive: transitive keys keep those naming a tag, ignoring case, spelled
// as the tag's key, once each.
func TestWebSessionTagsTransitive(t *testing.T) {
	tests := []struct {
		name       string
		tags       map[string]string
		transitive []string
		want       []string
	}{
		{"none", map[string]string{"a": "1"}, nil, nil},
		{"all", map[string]string{"Project": "p", "CostCenter": "c"}, []string{"Project", "CostCenter"}, []string{"Project", "CostCenter"}},
		{"one naming no tag", map[string]string{"Project": "p"}, []string{"Project", "Missing"}, []string{"Project"}},
		{"other case", map[string]string{"Project": "p"}, []string{"project"}, []string{"Project"}},
		{"repeated", map[string]string{"Project": "p"}, []string{"Project", "PROJECT", "Project"}, []string{"Project"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := (&webSessionTags{Tags: tc.tags, TransitiveKeys: tc.transitive}).transitive()
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("tags %v, transitive %v (-want +got):\n%s", tc.tags, tc.transitive, d)
			}
		})
	}
}

// TestWebIdentityParamsFields: the record's parameters have every member of the SDK input, of
// the same type, and newWebIdentityParams copies each of them.
func TestWebIdentityParamsFields(t *testing.T) {
	input := &sdk.AssumeRoleWithWebIdentityInput{RoleArn: ptr("arn:aws:iam::123456789012:role/r"), RoleSessionName: ptr("s"), WebIdentityToken: ptr("t"),
		DurationSeconds: ptr(int32(900)), MinimumSessionTokenSize: ptr(int32(1)), Policy: ptr("{}"),
		PolicyArns: []types.PolicyDescriptorType{{Arn: ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")}}, ProviderId: ptr("www.amazon.com")}
	got := newWebIdentityParams(input, "alice", &webSessionTags{Tags: map[string]string{"Project": "p"}, TransitiveKeys: []string{"Project"}})
	checkParamsCopy(t, "newWebIdentityParams", input, got)
	want := struct {
		SID   string
		Tags  map[string]string
		Trans []string
	}{"alice", map[string]string{"Project": "p"}, []string{"Project"}}
	if d := cmp.Diff(want.SID, aws.ToString(got.SourceIdentity)) + cmp.Diff(want.Tags, got.PrincipalTags) + cmp.Diff(want.Trans, got.TransitiveTagKeys); d != "" {
		t.Errorf("newWebIdentityParams: token members (-want +got):\n%s", d)
	}
}
