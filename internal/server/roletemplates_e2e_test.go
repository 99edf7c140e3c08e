package server_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

const (
	exampleTemplate  = "arn:aws:iam::aws:role-template/example.amazonaws.com/ExampleRoleTemplate:1"
	disabledTemplate = "arn:aws:iam::aws:role-template/example.amazonaws.com/DisabledRoleTemplate:1"
	brokenTemplate   = "arn:aws:iam::aws:role-template/example.amazonaws.com/BrokenRoleTemplate:1"
	trustTemplate    = "arn:aws:iam::aws:role-template/example.amazonaws.com/TrustRoleTemplate:1"
	managedARN       = "arn:aws:iam::" + testAccount + ":policy/ExampleManaged"
	boundaryARN      = "arn:aws:iam::" + testAccount + ":policy/ExampleBoundary"
)

// exampleVersion is minor version minor of the test template: every part of a role, with
// parameters of each kind.
func exampleVersion(minor int32) iamtypes.RoleTemplateVersion {
	created := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	return iamtypes.RoleTemplateVersion{
		TemplateArn:            aws.String(exampleTemplate),
		TemplateName:           aws.String("ExampleRoleTemplate"),
		TemplateVersionId:      aws.String("AVTAEXAMPLE" + string(rune('0'+minor))),
		Description:            aws.String("Example template, minor version " + string(rune('0'+minor))),
		MajorVersion:           aws.Int32(1),
		MinorVersion:           aws.Int32(minor),
		DefaultMinorVersion:    aws.Int32(1),
		ManagedByType:          iamtypes.ManagedByTypeTypeService,
		ManagedByValue:         aws.String("example.amazonaws.com"),
		Enabled:                true,
		VersionEnabled:         true,
		RoleNamePattern:        aws.String("@{RoleName}"),
		RolePathPattern:        aws.String("/templated/"),
		RoleDescriptionPattern: aws.String("Example role for @{AWSServiceName}"),
		AssumeRolePolicyDocumentTemplate: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"Service":"@{AWSServiceName}"},"Action":"sts:AssumeRole"}]}`),
		InlinePolicyTemplates: []iamtypes.InlinePolicy{{PolicyName: aws.String("BucketRead"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"@{bucketArns}"}]}`)}},
		ManagedPolicyArns:     []string{managedARN},
		PermissionBoundaryArn: aws.String(boundaryARN),
		RoleTagsTemplate: []iamtypes.TagTemplate{{Key: aws.String("Department"), Value: aws.String("@{Department}")},
			{Key: aws.String("Service"), Value: aws.String("@{AWSServiceName}")}},
		MaxSessionDuration: aws.Int32(7200),
		ParametersDefinition: []iamtypes.ParameterDefinition{
			{Name: aws.String("AWSServiceName"), Type: iamtypes.ParameterTypeTypeString, IsRequired: true},
			{Name: aws.String("RoleName"), Type: iamtypes.ParameterTypeTypeString, DefaultValue: aws.String("ExampleRole")},
			{Name: aws.String("Department"), Type: iamtypes.ParameterTypeTypeString, DefaultValue: aws.String("Engineering")},
			{Name: aws.String("bucketArns"), Type: iamtypes.ParameterTypeTypeArnList, IsRequired: true},
		},
		CreateTimestamp: aws.Time(created),
		UpdateTimestamp: aws.Time(created),
	}
}

func testTemplates() []iamtypes.RoleTemplateVersion {
	disabled := exampleVersion(1)
	disabled.TemplateArn, disabled.Enabled = aws.String(disabledTemplate), false
	broken := exampleVersion(1)
	broken.TemplateArn = aws.String(brokenTemplate)
	broken.ManagedPolicyArns = []string{managedARN, "arn:aws:iam::" + testAccount + ":policy/Missing"}
	// The service's name becomes an AWS principal, which the trust policy grammar checks.
	trust := exampleVersion(1)
	trust.TemplateArn = aws.String(trustTemplate)
	trust.AssumeRolePolicyDocumentTemplate = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":{"AWS":"@{AWSServiceName}"},"Action":"sts:AssumeRole"}]}`)
	return []iamtypes.RoleTemplateVersion{exampleVersion(0), exampleVersion(1), disabled, broken, trust}
}

func startWithTemplates(t *testing.T, cfg config.Config, tmpls []iamtypes.RoleTemplateVersion) *server.Server {
	t.Helper()
	srv, err := server.StartWith(context.Background(), cfg, slog.New(slog.DiscardHandler), server.Options{RoleTemplates: tmpls})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func values(kv ...string) map[string]iamtypes.ReplacementValueEntry {
	out := map[string]iamtypes.ReplacementValueEntry{}
	for i := 0; i+1 < len(kv); i += 2 {
		e := out[kv[i]]
		e.Values = append(e.Values, kv[i+1])
		out[kv[i]] = e
	}
	return out
}

const bucketA, bucketB = "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-b/*"

func TestRoleTemplatesEmptyByDefault(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	ctx := context.Background()
	root := iamClient(srv, rootKey, rootSecret, "")
	_, err := root.GetRoleTemplateVersion(ctx, &iam.GetRoleTemplateVersionInput{TemplateArn: aws.String(exampleTemplate)})
	wantCode(t, "GetRoleTemplateVersion", err, "NoSuchEntity", "Role template not found in repository: "+exampleTemplate)
	_, err = root.AcquireRole(ctx, &iam.AcquireRoleInput{TemplateArn: aws.String(exampleTemplate), ReplacementValues: values("AWSServiceName", "lambda.amazonaws.com")})
	wantCode(t, "AcquireRole", err, "NoSuchEntity", "Role template not found in repository: "+exampleTemplate)
}

func TestGetRoleTemplateVersion(t *testing.T) {
	srv := startWithTemplates(t, testConfig(t, t.TempDir()), testTemplates())
	ctx := context.Background()
	root := iamClient(srv, rootKey, rootSecret, "")
	for _, tc := range []struct {
		name  string
		minor *int32
		want  int32
	}{{"default minor version", nil, 1}, {"minor 0", aws.Int32(0), 0}, {"minor 1", aws.Int32(1), 1}} {
		t.Run(tc.name, func(t *testing.T) {
			out := must[*iam.GetRoleTemplateVersionOutput](t, "GetRoleTemplateVersion")(root.GetRoleTemplateVersion(ctx,
				&iam.GetRoleTemplateVersionInput{TemplateArn: aws.String(exampleTemplate), MinorVersion: tc.minor}))
			want := exampleVersion(tc.want)
			got := *out.RoleTemplateVersion
			got.InlinePolicyTemplates = slices.Clone(got.InlinePolicyTemplates)
			for i, p := range got.InlinePolicyTemplates {
				// Policy documents are URL-encoded on the wire, as AWS's are.
				got.InlinePolicyTemplates[i].PolicyDocument = aws.String(unescape(t, p.PolicyDocument))
			}
			if d := cmp.Diff(want, got, cmpopts.IgnoreUnexported(iamtypes.RoleTemplateVersion{},
				iamtypes.InlinePolicy{}, iamtypes.TagTemplate{}, iamtypes.ParameterDefinition{})); d != "" {
				t.Errorf("GetRoleTemplateVersion minor %v (-want +got):\n%s", tc.minor, d)
			}
		})
	}
	for _, tc := range []struct {
		name, arn string
		minor     *int32
		code, msg string
	}{
		{"unknown minor", exampleTemplate, aws.Int32(7), "NoSuchEntity", "Role template not found in repository: " + exampleTemplate},
		{"negative minor", exampleTemplate, aws.Int32(-1), "NoSuchEntity", "Role template not found in repository: " + exampleTemplate},
		{"unknown major", strings.TrimSuffix(exampleTemplate, "1") + "2", nil, "NoSuchEntity", ""},
		{"short ARN", "arn:aws:iam::aws:x", nil, "ValidationError", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := root.GetRoleTemplateVersion(ctx, &iam.GetRoleTemplateVersionInput{TemplateArn: aws.String(tc.arn), MinorVersion: tc.minor})
			wantCode(t, tc.name, err, tc.code, tc.msg)
		})
	}
}

// templatePolicies creates the customer managed policies the test template attaches and sets as
// boundary.
func templatePolicies(t *testing.T, root *iam.Client) {
	t.Helper()
	for _, name := range []string{"ExampleManaged", "ExampleBoundary"} {
		must[*iam.CreatePolicyOutput](t, "CreatePolicy "+name)(root.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String(name),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}))
	}
}

func TestAcquireRole(t *testing.T) {
	srv := startWithTemplates(t, testConfig(t, t.TempDir()), testTemplates())
	ctx := context.Background()
	root := iamClient(srv, rootKey, rootSecret, "")
	templatePolicies(t, root)

	out := must[*iam.AcquireRoleOutput](t, "AcquireRole")(root.AcquireRole(ctx, &iam.AcquireRoleInput{TemplateArn: aws.String(exampleTemplate),
		ReplacementValues: values("RoleName", "app-role", "AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA, "bucketArns", bucketB)}))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	roleARN := "arn:aws:iam::" + testAccount + ":role/templated/app-role"
	if got := out.Role; aws.ToString(got.RoleName) != "app-role" || aws.ToString(got.Arn) != roleARN || aws.ToString(got.Path) != "/templated/" ||
		!strings.HasPrefix(aws.ToString(got.RoleId), "AROA") || got.CreateDate == nil || unescape(t, got.AssumeRolePolicyDocument) != trust {
		t.Errorf("AcquireRole role = %+v, want app-role at %s with the rendered trust policy", got, roleARN)
	}

	get := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app-role")}))
	type view struct {
		ID, ARN, Path, Description, Trust, Boundary string
		MaxSession                                  int32
		Tags                                        map[string]string
	}
	tags := map[string]string{}
	for _, tg := range get.Role.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	r := get.Role
	got := view{aws.ToString(r.RoleId), aws.ToString(r.Arn), aws.ToString(r.Path), aws.ToString(r.Description), unescape(t, r.AssumeRolePolicyDocument), "",
		aws.ToInt32(r.MaxSessionDuration), tags}
	if r.PermissionsBoundary != nil {
		got.Boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	want := view{aws.ToString(out.Role.RoleId), roleARN, "/templated/", "Example role for lambda.amazonaws.com", trust, boundaryARN, 7200,
		map[string]string{"Department": "Engineering", "Service": "lambda.amazonaws.com"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("GetRole of the acquired role (-want +got):\n%s", d)
	}

	names := must[*iam.ListRolePoliciesOutput](t, "ListRolePolicies")(root.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app-role")}))
	if d := cmp.Diff([]string{"BucketRead"}, names.PolicyNames); d != "" {
		t.Errorf("ListRolePolicies (-want +got):\n%s", d)
	}
	pol := must[*iam.GetRolePolicyOutput](t, "GetRolePolicy")(root.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app-role"), PolicyName: aws.String("BucketRead")}))
	wantDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["` + bucketA + `","` + bucketB + `"]}]}`
	if d := unescape(t, pol.PolicyDocument); d != wantDoc {
		t.Errorf("GetRolePolicy BucketRead = %s, want %s", d, wantDoc)
	}
	att := must[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-role")}))
	var arns []string
	for _, a := range att.AttachedPolicies {
		arns = append(arns, aws.ToString(a.PolicyArn))
	}
	if d := cmp.Diff([]string{managedARN}, arns); d != "" {
		t.Errorf("ListAttachedRolePolicies (-want +got):\n%s", d)
	}

	// The default role name, and an explicit minor version.
	out = must[*iam.AcquireRoleOutput](t, "AcquireRole default name")(root.AcquireRole(ctx, &iam.AcquireRoleInput{TemplateArn: aws.String(exampleTemplate),
		TemplateMinorVersion: aws.Int32(0), ReplacementValues: values("AWSServiceName", "ec2.amazonaws.com", "bucketArns", bucketA)}))
	if n := aws.ToString(out.Role.RoleName); n != "ExampleRole" {
		t.Errorf("AcquireRole without RoleName: name %s, want the default ExampleRole", n)
	}

	// Failures change nothing.
	tests := []struct {
		name, template, role string
		minor                *int32
		vals                 map[string]iamtypes.ReplacementValueEntry
		code, msg            string
	}{
		{"unknown template", strings.Replace(exampleTemplate, "Example", "Other", 1), "r1", nil, values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA),
			"NoSuchEntity", "Role template not found in repository: " + strings.Replace(exampleTemplate, "Example", "Other", 1)},
		{"unknown minor version", exampleTemplate, "r2", aws.Int32(9), values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA),
			"NoSuchEntity", "Role template not found in repository: " + exampleTemplate},
		{"missing required value", exampleTemplate, "r3", nil, values("bucketArns", bucketA),
			"InvalidInput", "Failed to render template: Parameter 'AWSServiceName' not found."},
		{"extra value", exampleTemplate, "r4", nil, values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA, "Unused", "x"),
			"InvalidInput", "Failed to render template: Unrecognized parameter: Unused"},
		{"two values for a String", exampleTemplate, "r5", nil, values("AWSServiceName", "lambda.amazonaws.com", "AWSServiceName", "ec2.amazonaws.com", "bucketArns", bucketA),
			"ValidationError", "AWSServiceName replacement value must contain exactly one value, got 2"},
		{"not an ARN", exampleTemplate, "r6", nil, values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", "bucket-a"),
			"InvalidInput", "Failed to render template: Parameter 'bucketArns' must be an ARN: bucket-a"},
		{"invalid role name", exampleTemplate, "bad name!", nil, values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA), "ValidationError", ""},
		{"invalid trust policy", trustTemplate, "r7", nil, values("AWSServiceName", "bob", "bucketArns", bucketA),
			"MalformedPolicyDocument", `Invalid principal in policy: "AWS":"bob"`},
		{"disabled template", disabledTemplate, "r8", nil, values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA), "RoleTemplateDisabled", ""},
		{"missing managed policy", brokenTemplate, "r9", nil, values("AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA), "NoSuchEntity", ""},
		{"name taken", exampleTemplate, "app-role", nil, values("AWSServiceName", "ec2.amazonaws.com", "bucketArns", bucketB),
			"NameConflict", "A role with this name already exists in the account but was not created from this template. Choose a different role name, or remove the existing role if it is no longer needed."},
		{"name taken, other case", exampleTemplate, "APP-ROLE", nil, values("AWSServiceName", "ec2.amazonaws.com", "bucketArns", bucketB), "NameConflict", ""},
	}
	before := roleNames(t, root)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals := tc.vals
			vals["RoleName"] = iamtypes.ReplacementValueEntry{Values: []string{tc.role}}
			_, err := root.AcquireRole(ctx, &iam.AcquireRoleInput{TemplateArn: aws.String(tc.template), TemplateMinorVersion: tc.minor, ReplacementValues: vals})
			wantCode(t, tc.name, err, tc.code, tc.msg)
			if d := cmp.Diff(before, roleNames(t, root)); d != "" {
				t.Errorf("%s changed the roles (-before +after):\n%s", tc.name, d)
			}
		})
	}
	// The existing role kept its own configuration.
	get = must[*iam.GetRoleOutput](t, "GetRole after conflicts")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app-role")}))
	if d := unescape(t, get.Role.AssumeRolePolicyDocument); d != trust {
		t.Errorf("app-role trust policy after a conflicting AcquireRole = %s, want %s", d, trust)
	}

	// The audit trail has the successful calls' records with the created roles, and the failures.
	var ok, failed int
	for _, ev := range lookupOK(t, srv, attr("EventName", "AcquireRole")).Events {
		var rec struct {
			ErrorCode        string
			ResponseElements json.RawMessage
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if rec.ErrorCode != "" {
			failed++
			continue
		}
		ok++
		if s := string(rec.ResponseElements); !strings.Contains(s, "app-role") && !strings.Contains(s, "ExampleRole") {
			t.Errorf("successful AcquireRole record names no created role: %s", ev.CloudTrailEvent)
		}
	}
	if ok != 2 || failed != len(tests) {
		t.Errorf("AcquireRole records: %d successful, %d failed; want 2 and %d", ok, failed, len(tests))
	}
}

func TestAcquireRoleAuthorization(t *testing.T) {
	srv := startWithTemplates(t, testConfig(t, t.TempDir()), testTemplates())
	ctx := context.Background()
	root := iamClient(srv, rootKey, rootSecret, "")
	templatePolicies(t, root)
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))
	dev := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	acquire := func(name string) error {
		_, err := dev.AcquireRole(ctx, &iam.AcquireRoleInput{TemplateArn: aws.String(exampleTemplate),
			ReplacementValues: values("RoleName", name, "AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA)})
		return err
	}
	allow := func(actions ...string) {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[` +
			// "*": iamd's policy grammar does not yet accept role-template/ resources in IAM ARNs.
			`{"Effect":"Allow","Action":"iam:GetRoleTemplateVersion","Resource":"*"},` +
			`{"Effect":"Allow","Action":` + jsonString(t, actions) + `,"Resource":"arn:aws:iam::` + testAccount + `:role/templated/*",` +
			`"Condition":{"ArnEquals":{"iam:RoleTemplateARN":"` + exampleTemplate + `"}}}]}`
		must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dev"),
			PolicyName: aws.String("templates"), PolicyDocument: aws.String(doc)}))
	}

	err := acquire("denied")
	wantCode(t, "AcquireRole without policies", err, "AccessDenied", "")
	if err != nil && !strings.Contains(err.Error(), "iam:GetRoleTemplateVersion on resource: "+exampleTemplate) {
		t.Errorf("AcquireRole without policies: %v, want the denial of iam:GetRoleTemplateVersion", err)
	}
	_, err = dev.GetRoleTemplateVersion(ctx, &iam.GetRoleTemplateVersionInput{TemplateArn: aws.String(exampleTemplate)})
	wantCode(t, "GetRoleTemplateVersion without policies", err, "AccessDenied", "")

	// Every part needs its own action; without iam:AttachRolePolicy nothing is created.
	allow("iam:CreateRole", "iam:TagRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary")
	must[*iam.GetRoleTemplateVersionOutput](t, "GetRoleTemplateVersion allowed")(dev.GetRoleTemplateVersion(ctx, &iam.GetRoleTemplateVersionInput{TemplateArn: aws.String(exampleTemplate)}))
	err = acquire("partial")
	wantCode(t, "AcquireRole without iam:AttachRolePolicy", err, "AccessDenied", "")
	if err != nil && !strings.Contains(err.Error(), "iam:AttachRolePolicy") {
		t.Errorf("AcquireRole without iam:AttachRolePolicy: %v, want the denial of iam:AttachRolePolicy", err)
	}
	_, err = root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("partial")})
	wantCode(t, "GetRole after a denied AcquireRole", err, "NoSuchEntity", "")

	allow("iam:CreateRole", "iam:TagRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy")
	if err := acquire("full"); err != nil {
		t.Fatalf("AcquireRole with every action: %v", err)
	}
	// The same statements do not allow CreateRole outside a template (iam:RoleTemplateARN absent).
	_, err = dev.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("direct"), Path: aws.String("/templated/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	wantCode(t, "CreateRole without a template", err, "AccessDenied", "")
}

// TestAcquireRoleQuota: roles created from templates count against RolesPerAccount.
func TestAcquireRoleQuota(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Quotas = map[string]int64{"roles-per-account": 1}
	srv := startWithTemplates(t, cfg, testTemplates())
	ctx := context.Background()
	root := iamClient(srv, rootKey, rootSecret, "")
	templatePolicies(t, root)
	acquire := func(name string) error {
		_, err := root.AcquireRole(ctx, &iam.AcquireRoleInput{TemplateArn: aws.String(exampleTemplate),
			ReplacementValues: values("RoleName", name, "AWSServiceName", "lambda.amazonaws.com", "bucketArns", bucketA)})
		return err
	}
	if err := acquire("first"); err != nil {
		t.Fatalf("AcquireRole within the quota: %v", err)
	}
	wantCode(t, "AcquireRole past the quota", acquire("second"), "LimitExceeded", "Cannot exceed quota for RolesPerAccount: 1")
	if d := cmp.Diff([]string{"first"}, roleNames(t, root)); d != "" {
		t.Errorf("roles after the refused AcquireRole (-want +got):\n%s", d)
	}
}

func roleNames(t *testing.T, c *iam.Client) []string {
	t.Helper()
	out := must[*iam.ListRolesOutput](t, "ListRoles")(c.ListRoles(context.Background(), &iam.ListRolesInput{}))
	var names []string
	for _, r := range out.Roles {
		names = append(names, aws.ToString(r.RoleName))
	}
	return names
}

func unescape(t *testing.T, doc *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatalf("policy document %q: %v", aws.ToString(doc), err)
	}
	return d
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
