package iamsvc

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/iam"
)

const testTemplateARN = "arn:aws:iam::aws:role-template/example.amazonaws.com/Example:1"

func version(arn string, minor, def int32) types.RoleTemplateVersion {
	return types.RoleTemplateVersion{TemplateArn: aws.String(arn), MinorVersion: aws.Int32(minor), DefaultMinorVersion: aws.Int32(def),
		Description: aws.String(arn + " minor " + string(rune('0'+minor)))}
}

func TestFindTemplate(t *testing.T) {
	other := "arn:aws:iam::aws:role-template/example.amazonaws.com/Other:1"
	all := []types.RoleTemplateVersion{version(testTemplateARN, 0, 1), version(testTemplateARN, 1, 1), version(other, 0, 0)}
	tests := []struct {
		name  string
		arn   string
		minor *int32
		want  int32 // minor version found; -1: NoSuchEntity
	}{
		{"default minor", testTemplateARN, nil, 1},
		{"explicit minor 0", testTemplateARN, aws.Int32(0), 0},
		{"explicit minor 1", testTemplateARN, aws.Int32(1), 1},
		{"other template's default", other, nil, 0},
		{"unknown minor", testTemplateARN, aws.Int32(2), -1},
		{"negative minor", testTemplateARN, aws.Int32(-1), -1},
		{"unknown template", testTemplateARN + "0", nil, -1},
		{"ARNs are exact", "ARN:aws:iam::aws:role-template/example.amazonaws.com/Example:1", nil, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := findTemplate(all, tc.arn, tc.minor)
			if tc.want < 0 {
				var ie *iam.Error
				if !errors.As(err, &ie) || ie.Code != iam.CodeNoSuchEntity || ie.Message != "Role template not found in repository: "+tc.arn {
					t.Errorf("findTemplate(%s, %v) = %v, %v; want NoSuchEntity", tc.arn, tc.minor, v, err)
				}
				return
			}
			if err != nil || aws.ToString(v.TemplateArn) != tc.arn || aws.ToInt32(v.MinorVersion) != tc.want {
				t.Errorf("findTemplate(%s, %v) = %v, %v; want minor %d", tc.arn, tc.minor, v, err, tc.want)
			}
		})
	}
}

func param(name string, typ types.ParameterTypeType, required bool, def string) types.ParameterDefinition {
	d := types.ParameterDefinition{Name: aws.String(name), Type: typ, IsRequired: required}
	if def != "" {
		d.DefaultValue = aws.String(def)
	}
	return d
}

func entries(kv map[string][]string) map[string]types.ReplacementValueEntry {
	out := map[string]types.ReplacementValueEntry{}
	for k, v := range kv {
		out[k] = types.ReplacementValueEntry{Values: v}
	}
	return out
}

func TestTemplateValues(t *testing.T) {
	defs := []types.ParameterDefinition{
		param("Service", types.ParameterTypeTypeString, true, ""),
		param("RoleName", types.ParameterTypeTypeString, false, "Default"),
		param("Count", types.ParameterTypeTypeNumber, false, ""),
		param("Keys", types.ParameterTypeTypeArnList, false, ""),
	}
	tooMany := map[string][]string{}
	for i := range 31 {
		tooMany[string(rune('a'+i%26))+string(rune('a'+i/26))] = []string{"x"}
	}
	tests := []struct {
		name     string
		in       map[string][]string
		want     map[string][]string
		code     string
		wantText string
	}{
		{"defaults fill in", map[string][]string{"Service": {"s"}}, map[string][]string{"Service": {"s"}, "RoleName": {"Default"}}, "", ""},
		{"supplied beats default", map[string][]string{"Service": {"s"}, "RoleName": {"Mine"}, "Count": {"3"}, "Keys": {"arn:aws:kms:us-east-1:1:key/a", "arn:aws:kms:us-east-1:1:key/b"}},
			map[string][]string{"Service": {"s"}, "RoleName": {"Mine"}, "Count": {"3"}, "Keys": {"arn:aws:kms:us-east-1:1:key/a", "arn:aws:kms:us-east-1:1:key/b"}}, "", ""},
		{"missing required", nil, nil, iam.CodeInvalidInput, "Failed to render template: Parameter 'Service' not found."},
		{"unrecognized", map[string][]string{"Service": {"s"}, "Zed": {"z"}, "Extra": {"e"}}, nil, iam.CodeInvalidInput, "Failed to render template: Unrecognized parameter: Extra"},
		{"two values for a String", map[string][]string{"Service": {"a", "b"}}, nil, iam.CodeValidationError, "Service replacement value must contain exactly one value, got 2"},
		{"no value for a String", map[string][]string{"Service": {}}, nil, iam.CodeValidationError, "Service replacement value must contain exactly one value, got 0"},
		{"no value for a list", map[string][]string{"Service": {"s"}, "Keys": {}}, nil, iam.CodeValidationError, "Keys replacement value must contain at least one value, got 0"},
		{"not a number", map[string][]string{"Service": {"s"}, "Count": {"three"}}, nil, iam.CodeInvalidInput, "Failed to render template: Parameter 'Count' must be a number: three"},
		{"not an ARN", map[string][]string{"Service": {"s"}, "Keys": {"arn:aws:kms:us-east-1:1:key/a", "key/b"}}, nil, iam.CodeInvalidInput, "Failed to render template: Parameter 'Keys' must be an ARN: key/b"},
		{"more than 30 entries", tooMany, nil, iam.CodeValidationError, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := templateValues(defs, entries(tc.in))
			if tc.code == "" {
				if err != nil {
					t.Fatalf("templateValues(%v): %v", tc.in, err)
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("templateValues(%v) (-want +got):\n%s", tc.in, d)
				}
				return
			}
			if code := errCode(err); code != tc.code {
				t.Fatalf("templateValues(%v) = %v; want code %s", tc.in, err, tc.code)
			}
			var ie *iam.Error
			if tc.wantText != "" && (!errors.As(err, &ie) || ie.Message != tc.wantText) {
				t.Errorf("templateValues(%v) = %v; want message %q", tc.in, err, tc.wantText)
			}
		})
	}
}

// errCode is the AWS code an error maps to.
func errCode(err error) string {
	var ie *iam.Error
	var fe *iam.FieldError
	switch {
	case errors.As(err, &ie):
		return ie.Code
	case errors.As(err, &fe):
		return iam.CodeValidationError
	}
	return ""
}

func TestSubstituteJSON(t *testing.T) {
	vals := map[string][]string{"One": {`a"b<c>`}, "Many": {"x", "y"}, "Single": {"s"}}
	lists := map[string]bool{"Many": true, "Single": true}
	tests := []struct {
		name, doc, want, err string
	}{
		{"whole string", `{"A":"@{One}"}`, `{"A":"a\"b<c>"}`, ""},
		{"inside a string", `{"A":"pre-@{One}-post"}`, `{"A":"pre-a\"b<c>-post"}`, ""},
		{"list as a whole string", `{"R":"@{Many}"}`, `{"R":["x","y"]}`, ""},
		{"one-value list as a whole string", `{"R":"@{Single}"}`, `{"R":["s"]}`, ""},
		{"one-value list inside a string", `{"R":"arn:@{Single}"}`, `{"R":"arn:s"}`, ""},
		{"many values inside a string", `{"R":"arn:@{Many}"}`, "", "Failed to render template: Parameter 'Many' has 2 values and cannot be used inside a string."},
		{"unknown parameter", `{"R":"@{Nope}"}`, "", "Failed to render template: Parameter 'Nope' not found."},
		{"no placeholders", `{"A":"@{"}`, `{"A":"@{"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := substituteJSON(tc.doc, vals, lists)
			var ie *iam.Error
			switch {
			case tc.err != "":
				if !errors.As(err, &ie) || ie.Message != tc.err {
					t.Errorf("substituteJSON(%s) = %q, %v; want error %q", tc.doc, got, err, tc.err)
				}
			case err != nil || got != tc.want:
				t.Errorf("substituteJSON(%s) = %q, %v; want %q", tc.doc, got, err, tc.want)
			}
		})
	}
}

func TestRenderTemplate(t *testing.T) {
	v := &types.RoleTemplateVersion{
		RoleNamePattern:                  aws.String("@{Name}-role"),
		RoleDescriptionPattern:           aws.String("For @{Service}"),
		AssumeRolePolicyDocumentTemplate: aws.String(`{"Statement":[{"Principal":{"Service":"@{Service}"}}]}`),
		InlinePolicyTemplates: []types.InlinePolicy{
			{PolicyName: aws.String("Zeta"), PolicyDocument: aws.String(`{"R":"@{Keys}"}`)},
			{PolicyName: aws.String("Alpha-@{Name}"), PolicyDocument: aws.String(`{"R":"*"}`)},
		},
		ManagedPolicyArns:     []string{"arn:aws:iam::aws:policy/@{Name}", "arn:aws:iam::aws:policy/@{Name}"},
		PermissionBoundaryArn: aws.String("arn:aws:iam::aws:policy/Boundary"),
		RoleTagsTemplate:      []types.TagTemplate{{Key: aws.String("svc"), Value: aws.String("@{Service}")}},
		MaxSessionDuration:    aws.Int32(7200),
		ParametersDefinition: []types.ParameterDefinition{
			param("Name", types.ParameterTypeTypeString, true, ""),
			param("Service", types.ParameterTypeTypeString, false, "ec2.amazonaws.com"),
			param("Keys", types.ParameterTypeTypeArnList, true, ""),
		},
	}
	got, err := renderTemplate(v, entries(map[string][]string{"Name": {"app"}, "Keys": {"arn:aws:kms:us-east-1:1:key/a", "arn:aws:kms:us-east-1:1:key/b"}}))
	if err != nil {
		t.Fatal(err)
	}
	want := &renderedRole{name: "app-role", path: "/", description: "For ec2.amazonaws.com", maxSession: aws.Int32(7200),
		trust: `{"Statement":[{"Principal":{"Service":"ec2.amazonaws.com"}}]}`,
		inline: []iam.InlinePolicy{{Name: "Alpha-app", Document: `{"R":"*"}`},
			{Name: "Zeta", Document: `{"R":["arn:aws:kms:us-east-1:1:key/a","arn:aws:kms:us-east-1:1:key/b"]}`}},
		managed: []string{"arn:aws:iam::aws:policy/app"}, boundary: "arn:aws:iam::aws:policy/Boundary",
		tags: []iam.Tag{{Key: "svc", Value: "ec2.amazonaws.com"}}}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(renderedRole{})); d != "" {
		t.Errorf("renderTemplate (-want +got):\n%s", d)
	}
	// A list parameter cannot name the role.
	v.RoleNamePattern = aws.String("@{Keys}")
	if _, err := renderTemplate(v, entries(map[string][]string{"Name": {"app"}, "Keys": {"arn:aws:kms:us-east-1:1:key/a", "arn:aws:kms:us-east-1:1:key/b"}})); errCode(err) != iam.CodeInvalidInput {
		t.Errorf("renderTemplate with a two-value list as the name: %v, want InvalidInput", err)
	}
}
