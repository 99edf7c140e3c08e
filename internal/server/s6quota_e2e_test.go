package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// samlMetadataIdPs is SAML 2.0 metadata whose EntityDescriptor holds n IDPSSODescriptors (the
// identity providers of "Identity providers (IdPs) associated with an IAM SAML provider object"),
// each with the same one signing certificate.
func samlMetadataIdPs(t *testing.T, n int) string {
	t.Helper()
	one := samlMetadata(t, "https://idp.example.com", "", "")
	start := strings.Index(one, "  <md:IDPSSODescriptor")
	end := strings.Index(one, "</md:IDPSSODescriptor>\n") + len("</md:IDPSSODescriptor>\n")
	if start < 0 || end < start {
		t.Fatal("samlMetadata has no IDPSSODescriptor")
	}
	return one[:start] + strings.Repeat(one[start:end], n) + one[end:]
}

// TestS6QuotaSAMLIdentityProviders walks "Identity providers (IdPs) associated with an IAM SAML
// provider object" (10) through the SDK: metadata with 9 and 10 identity providers is accepted by
// CreateSAMLProvider and UpdateSAMLProvider, 11 is LimitExceeded and changes nothing.
func TestS6QuotaSAMLIdentityProviders(t *testing.T) {
	ctx := context.Background()
	root := iamClient(start(t, testConfig(t, t.TempDir())), rootKey, rootSecret, "")
	const msg = "Cannot exceed quota for IdentityProvidersPerSAMLProvider: 10"

	for _, n := range []int{9, 10} {
		doc := samlMetadataIdPs(t, n)
		out := must[*iam.CreateSAMLProviderOutput](t, fmt.Sprintf("CreateSAMLProvider with %d IdPs", n))(root.CreateSAMLProvider(ctx,
			&iam.CreateSAMLProviderInput{Name: aws.String(fmt.Sprint("idps", n)), SAMLMetadataDocument: aws.String(doc)}))
		got := must[*iam.GetSAMLProviderOutput](t, "GetSAMLProvider")(root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: out.SAMLProviderArn}))
		if aws.ToString(got.SAMLMetadataDocument) != doc {
			t.Errorf("GetSAMLProvider idps%d: metadata differs from the one created", n)
		}
	}
	_, err := root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("idps11"), SAMLMetadataDocument: aws.String(samlMetadataIdPs(t, 11))})
	wantCode(t, "CreateSAMLProvider with 11 IdPs", err, "LimitExceeded", msg)
	list := must[*iam.ListSAMLProvidersOutput](t, "ListSAMLProviders")(root.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{}))
	if len(list.SAMLProviderList) != 2 {
		t.Errorf("ListSAMLProviders: %d providers, want 2 (idps9, idps10)", len(list.SAMLProviderList))
	}

	arn := aws.String("arn:aws:iam::" + testAccount + ":saml-provider/idps9")
	ten := samlMetadataIdPs(t, 10)
	must[*iam.UpdateSAMLProviderOutput](t, "UpdateSAMLProvider to 10 IdPs")(root.UpdateSAMLProvider(ctx,
		&iam.UpdateSAMLProviderInput{SAMLProviderArn: arn, SAMLMetadataDocument: aws.String(ten)}))
	_, err = root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: arn, SAMLMetadataDocument: aws.String(samlMetadataIdPs(t, 11))})
	wantCode(t, "UpdateSAMLProvider to 11 IdPs", err, "LimitExceeded", msg)
	got := must[*iam.GetSAMLProviderOutput](t, "GetSAMLProvider")(root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: arn}))
	if aws.ToString(got.SAMLMetadataDocument) != ten {
		t.Error("a refused UpdateSAMLProvider changed the metadata")
	}
}

// TestS6QuotaServiceLinkedRolesAsRecorded: CreateServiceLinkedRole answers as AWS did when
// LocalStack recorded it on 2025-03-13 (localstack/localstack,
// tests/aws/services/iam/test_iam.snapshot.json): the role name, path and attached policy of
// services whose names no rule derives, and which services take a CustomSuffix.
func TestS6QuotaServiceLinkedRolesAsRecorded(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	cfg.ManagedPolicies = true
	root := iamClient(start(t, cfg), rootKey, rootSecret, "")
	for _, tc := range []struct {
		service, suffix, name, policy string
	}{
		{"acm.amazonaws.com", "", "AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy"},
		{"mq.amazonaws.com", "", "AWSServiceRoleForAmazonMQ", "AmazonMQServiceRolePolicy"},
		{"ecr.amazonaws.com", "", "AWSServiceRoleForECRTemplate", "ECRTemplateServiceRolePolicy"},
		{"ops.apigateway.amazonaws.com", "", "AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy"},
		{"autoscaling-plans.amazonaws.com", "", "AWSServiceRoleForAutoScalingPlans_EC2AutoScaling", "AWSAutoScalingPlansEC2AutoScalingPolicy"},
		{"connect.amazonaws.com", "c1", "AWSServiceRoleForAmazonConnect_c1", "AmazonConnectServiceLinkedRolePolicy"},
		{"lexv2.amazonaws.com", "l1", "AWSServiceRoleForLexV2Bots_l1", "AmazonLexV2BotPolicy"},
	} {
		t.Run(tc.service, func(t *testing.T) {
			in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service)}
			if tc.suffix != "" {
				in.CustomSuffix = aws.String(tc.suffix)
			}
			out := must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole "+tc.service)(root.CreateServiceLinkedRole(ctx, in))
			wantPath := "/aws-service-role/" + tc.service + "/"
			if got := aws.ToString(out.Role.RoleName); got != tc.name || aws.ToString(out.Role.Path) != wantPath {
				t.Errorf("CreateServiceLinkedRole %s: role %s path %s, want %s %s", tc.service, got, aws.ToString(out.Role.Path), tc.name, wantPath)
			}
			att := must[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(root.ListAttachedRolePolicies(ctx,
				&iam.ListAttachedRolePoliciesInput{RoleName: out.Role.RoleName}))
			want := []iamtypes.AttachedPolicy{{PolicyArn: aws.String("arn:aws:iam::aws:policy/aws-service-role/" + tc.policy), PolicyName: aws.String(tc.policy)}}
			if d := cmp.Diff(want, att.AttachedPolicies, cmp.AllowUnexported(iamtypes.AttachedPolicy{})); d != "" {
				t.Errorf("%s's attached policies (-want +got):\n%s", tc.name, d)
			}
		})
	}
	for _, service := range []string{"batch.amazonaws.com", "lex.amazonaws.com", "ecs.amazonaws.com", "lambda.amazonaws.com"} {
		t.Run(service+" suffix", func(t *testing.T) {
			_, err := root.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(service), CustomSuffix: aws.String("s1")})
			wantCode(t, "CreateServiceLinkedRole "+service+" with a suffix", err, "InvalidInput", "Custom suffix is not allowed for "+service)
		})
	}
}

// TestS6QuotaAssumeRoleInvalidARN: a RoleArn that is not an ARN at all is ValidationError
// "ARN is invalid", AWS's answer to these five values as LocalStack recorded it
// (localstack/localstack, tests/aws/services/sts/test_sts.snapshot.json,
// test_sts_invalid_parameters); a session name is checked before the ARN.
func TestS6QuotaAssumeRoleInvalidARN(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")}))
	user := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	for _, tc := range []struct {
		name, arn, session, msg string
	}{
		{"malformed", "nothing-valid-in-here", "Session1", "nothing-valid-in-here is invalid"},
		{"no partition", "arn::b:::something/test-role", "Session1", "arn::b:::something/test-role is invalid"},
		{"no service", "arn:a::::something/test-role", "Session1", "arn:a::::something/test-role is invalid"},
		{"not enough colons", "arn:a:::something/test-role", "Session1", "arn:a:::something/test-role is invalid"},
		{"no resource", "arn:a:a::aaaaaaaaaa:", "Session1", "arn:a:a::aaaaaaaaaa: is invalid"},
		{"session name first", "arn:a:b:::something/test-role", "Session1:2",
			`1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := user.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(tc.arn), RoleSessionName: aws.String(tc.session)})
			wantCode(t, "AssumeRole "+tc.arn, err, "ValidationError", tc.msg)
		})
	}
}
