package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
)

// TestServiceLinkedRoles: create with AWS's names, paths and trust policies, the errors for
// unsupported services, suffixes and taken names, and deletion through a deletion task.
func TestServiceLinkedRoles(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	for _, tc := range []struct {
		service, suffix, wantName string
	}{
		{"elasticbeanstalk.amazonaws.com", "", "AWSServiceRoleForElasticBeanstalk"},
		{"es.amazonaws.com", "", "AWSServiceRoleForAmazonElasticsearchService"},
		{"spot.amazonaws.com", "", "AWSServiceRoleForEC2Spot"},
		{"autoscaling.amazonaws.com", "app1", "AWSServiceRoleForAutoScaling_app1"},
		{"dynamodb.application-autoscaling.amazonaws.com", "", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"},
		{"sagemaker.application-autoscaling.amazonaws.com", "", "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"},
		{"connect.amazonaws.com", "x", "AWSServiceRoleForAmazonConnect_x"}, // AWS's name and suffix, as recorded
	} {
		t.Run(tc.service, func(t *testing.T) {
			in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service), Description: aws.String("for " + tc.service)}
			if tc.suffix != "" {
				in.CustomSuffix = aws.String(tc.suffix)
			}
			out := must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(root.CreateServiceLinkedRole(ctx, in))
			wantPath := "/aws-service-role/" + tc.service + "/"
			wantARN := "arn:aws:iam::" + testAccount + ":role" + wantPath + tc.wantName
			r := out.Role
			if aws.ToString(r.RoleName) != tc.wantName || aws.ToString(r.Path) != wantPath || aws.ToString(r.Arn) != wantARN ||
				aws.ToString(r.Description) != "for "+tc.service || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") {
				t.Errorf("created role = name %s path %s arn %s desc %q id %s; want %s %s %s", aws.ToString(r.RoleName), aws.ToString(r.Path),
					aws.ToString(r.Arn), aws.ToString(r.Description), aws.ToString(r.RoleId), tc.wantName, wantPath, wantARN)
			}
			got := must[*iam.GetRoleOutput](t, "GetRole")(root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(tc.wantName)}))
			doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
			want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + tc.service + `"]},"Action":["sts:AssumeRole"]}]}`
			if err != nil || doc != want {
				t.Errorf("trust policy = %s (%v), want %s", doc, err, want)
			}
		})
	}

	for _, tc := range []struct {
		name, service, suffix, code, msg string
	}{
		{"taken", "elasticbeanstalk.amazonaws.com", "", "InvalidInput", "Service role name AWSServiceRoleForElasticBeanstalk has been taken in this account, please try a different suffix."},
		{"suffix not allowed", "es.amazonaws.com", "two", "InvalidInput", "Custom suffix is not allowed for es.amazonaws.com"},
		{"suffix not allowed (recorded)", "batch.amazonaws.com", "x", "InvalidInput", "Custom suffix is not allowed for batch.amazonaws.com"},
		{"no service-linked role", "ec2.amazonaws.com", "", "AccessDenied", "Cannot find Service Linked Role template for ec2.amazonaws.com"},
		{"not a service principal", "example.com", "", "AccessDenied", "Cannot find Service Linked Role template for example.com"},
		{"bad suffix", "autoscaling.amazonaws.com", "a b", "ValidationError", `1 validation error detected: Value 'a b' at 'customSuffix' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"empty service", "", "", "ValidationError", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String(tc.service)}
			if tc.suffix != "" {
				in.CustomSuffix = aws.String(tc.suffix)
			}
			_, err := root.CreateServiceLinkedRole(ctx, in)
			wantCode(t, "CreateServiceLinkedRole "+tc.service, err, tc.code, tc.msg)
		})
	}

	// A role of another kind is not deleted this way.
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("plain"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	_, err := root.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("plain")})
	wantCode(t, "DeleteServiceLinkedRole of a plain role", err, "InvalidInput", "Role plain is not a service-linked role.")
	_, err = root.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("nobody")})
	wantCode(t, "DeleteServiceLinkedRole missing", err, "NoSuchEntity", "The role with name nobody cannot be found.")

	del := must[*iam.DeleteServiceLinkedRoleOutput](t, "DeleteServiceLinkedRole")(root.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String("AWSServiceRoleForElasticBeanstalk")}))
	task := aws.ToString(del.DeletionTaskId)
	prefix := "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/"
	if uuid, ok := strings.CutPrefix(task, prefix); !ok || len(uuid) != 36 || strings.Count(uuid, "-") != 4 {
		t.Errorf("DeletionTaskId = %s, want %s<uuid>", task, prefix)
	}
	st := must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t, "GetServiceLinkedRoleDeletionStatus")(root.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(task)}))
	if st.Status != iamtypes.DeletionTaskStatusTypeSucceeded || st.Reason != nil {
		t.Errorf("deletion status = %s %+v, want SUCCEEDED", st.Status, st.Reason)
	}
	_, err = root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForElasticBeanstalk")})
	wantCode(t, "GetRole after deletion", err, "NoSuchEntity", "The role with name AWSServiceRoleForElasticBeanstalk cannot be found.")
	// The name is free again.
	must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole again")(root.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("elasticbeanstalk.amazonaws.com")}))

	unknown := prefix + "00000000-0000-4000-8000-000000000000"
	_, err = root.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(unknown)})
	wantCode(t, "unknown deletion task", err, "NoSuchEntity", "Deletion task not found for id "+unknown)
	_, err = root.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("task/nonsense")})
	wantCode(t, "malformed deletion task", err, "InvalidInput", "Invalid deletion task id: task/nonsense")

	// Callers need iam:CreateServiceLinkedRole, which can be limited with iam:AWSServiceName.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ops")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ops"), PolicyName: aws.String("slr"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"rds.amazonaws.com"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ops")}))
	ops := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole rds as ops")(ops.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("rds.amazonaws.com")}))
	_, err = ops.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("ecs.amazonaws.com")})
	wantCode(t, "CreateServiceLinkedRole ecs as ops", err, "AccessDenied", "")
}

// samlMetadata returns SAML 2.0 IdP metadata for entityID with a fresh signing certificate, at
// least 1000 characters long. extra goes inside the IDPSSODescriptor.
func samlMetadata(t *testing.T, entityID, validUntil, cert string) string {
	t.Helper()
	if cert == "" {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: entityID},
			NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		cert = base64.StdEncoding.EncodeToString(der)
	}
	attr := ""
	if validUntil != "" {
		attr = ` validUntil="` + validUntil + `"`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="` + entityID + `"` + attr + `>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
` + cert + `
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + entityID + `/sso/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + entityID + `/sso/post"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="` + entityID + `/slo/redirect"/>
  </md:IDPSSODescriptor>
  <md:Organization>
    <md:OrganizationName xml:lang="en">Example Identity Provider for the iamd end-to-end tests</md:OrganizationName>
    <md:OrganizationDisplayName xml:lang="en">Example IdP</md:OrganizationDisplayName>
    <md:OrganizationURL xml:lang="en">` + entityID + `</md:OrganizationURL>
  </md:Organization>
  <md:ContactPerson contactType="technical"><md:EmailAddress>mailto:idp-admin@example.com</md:EmailAddress></md:ContactPerson>
</md:EntityDescriptor>
`
}

// TestSAMLProviders: SAML provider CRUD and tags round trip, and the metadata checks, through the
// SDK.
func TestSAMLProviders(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	doc := samlMetadata(t, "https://idp.example.com", "2031-05-06T07:08:09Z", "")

	created := must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("corp-idp"), SAMLMetadataDocument: aws.String(doc), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}}))
	arn := "arn:aws:iam::" + testAccount + ":saml-provider/corp-idp"
	if aws.ToString(created.SAMLProviderArn) != arn || tagMap(created.Tags)["team"] != "sec" {
		t.Errorf("CreateSAMLProvider = %s %v, want %s", aws.ToString(created.SAMLProviderArn), tagMap(created.Tags), arn)
	}
	get := must[*iam.GetSAMLProviderOutput](t, "GetSAMLProvider")(root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	if d := cmp.Diff(doc, aws.ToString(get.SAMLMetadataDocument)); d != "" {
		t.Errorf("metadata round trip (-want +got):\n%s", d)
	}
	if want := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC); get.ValidUntil == nil || !get.ValidUntil.Equal(want) {
		t.Errorf("ValidUntil = %v, want %v", get.ValidUntil, want)
	}
	if get.CreateDate == nil || time.Since(*get.CreateDate) > time.Minute || len(aws.ToString(get.SAMLProviderUUID)) != 36 || tagMap(get.Tags)["team"] != "sec" {
		t.Errorf("GetSAMLProvider = created %v uuid %q tags %v", get.CreateDate, aws.ToString(get.SAMLProviderUUID), tagMap(get.Tags))
	}

	// Without validUntil the provider is valid for 100 years.
	must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider second")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("Other_IdP.v2"), SAMLMetadataDocument: aws.String(samlMetadata(t, "https://other.example.com", "", ""))}))
	list := must[*iam.ListSAMLProvidersOutput](t, "ListSAMLProviders")(root.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{}))
	var arns []string
	for _, p := range list.SAMLProviderList {
		arns = append(arns, aws.ToString(p.Arn))
		if strings.HasSuffix(aws.ToString(p.Arn), "Other_IdP.v2") {
			if y := p.ValidUntil.Year() - p.CreateDate.Year(); y != 100 {
				t.Errorf("default validity = %d years (%v → %v), want 100", y, p.CreateDate, p.ValidUntil)
			}
		}
	}
	if d := cmp.Diff([]string{arn, "arn:aws:iam::" + testAccount + ":saml-provider/Other_IdP.v2"}, arns); d != "" {
		t.Errorf("ListSAMLProviders (-want +got):\n%s", d)
	}

	doc2 := samlMetadata(t, "https://idp.example.com", "", "")
	upd := must[*iam.UpdateSAMLProviderOutput](t, "UpdateSAMLProvider")(root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(doc2)}))
	if aws.ToString(upd.SAMLProviderArn) != arn {
		t.Errorf("UpdateSAMLProvider ARN = %s", aws.ToString(upd.SAMLProviderArn))
	}
	get = must[*iam.GetSAMLProviderOutput](t, "GetSAMLProvider after update")(root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	if aws.ToString(get.SAMLMetadataDocument) != doc2 || get.ValidUntil.Year() < 2100 {
		t.Errorf("after update: document changed %v, ValidUntil %v", aws.ToString(get.SAMLMetadataDocument) == doc2, get.ValidUntil)
	}

	must[*iam.TagSAMLProviderOutput](t, "TagSAMLProvider")(root.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("iam")}}}))
	must[*iam.UntagSAMLProviderOutput](t, "UntagSAMLProvider")(root.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"env"}}))
	tags := must[*iam.ListSAMLProviderTagsOutput](t, "ListSAMLProviderTags")(root.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)}))
	if d := cmp.Diff(map[string]string{"team": "iam"}, tagMap(tags.Tags)); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}

	notIdP := strings.Replace(doc, "IDPSSODescriptor", "SPSSODescriptor", 2)
	badCert := samlMetadata(t, "https://idp.example.com", "", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("not a certificate ", 20))))
	noCert := strings.Replace(doc, `use="signing"`, `use="encryption"`, 1)
	missing := "arn:aws:iam::" + testAccount + ":saml-provider/nobody"
	for _, tc := range []struct {
		name, provider, doc, code, msg string
	}{
		{"short document", "x", "<md:EntityDescriptor/>", "ValidationError", "1 validation error detected: Value '<md:EntityDescriptor/>' at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length greater than or equal to 1000"},
		{"not XML", "x", strings.Repeat("x", 1000), "InvalidInput", "Could not parse metadata"},
		{"not IdP metadata", "x", notIdP, "InvalidInput", "Could not parse metadata"},
		{"bad certificate", "x", badCert, "InvalidInput", "Could not parse metadata"},
		{"no signing certificate", "x", noCert, "InvalidInput", "Could not parse metadata"},
		{"bad name", "a b", doc, "ValidationError", `1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w._-]+`},
		{"exists", "CORP-IDP", doc, "EntityAlreadyExists", "Provider with name CORP-IDP already exists."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(tc.provider), SAMLMetadataDocument: aws.String(tc.doc)})
			wantCode(t, "CreateSAMLProvider", err, tc.code, tc.msg)
		})
	}
	_, err := root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(missing)})
	wantCode(t, "GetSAMLProvider missing", err, "NoSuchEntity", "Manifest not found for arn "+missing)
	_, err = root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + testAccount + ":user/someone")})
	wantCode(t, "GetSAMLProvider not a provider ARN", err, "InvalidInput", "ARN arn:aws:iam::"+testAccount+":user/someone is not valid.")
	_, err = root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(notIdP)})
	wantCode(t, "UpdateSAMLProvider bad metadata", err, "InvalidInput", "Could not parse metadata")
	_, err = root.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(missing), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, "TagSAMLProvider missing", err, "NoSuchEntity", "Manifest not found for arn "+missing)

	must[*iam.DeleteSAMLProviderOutput](t, "DeleteSAMLProvider")(root.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))
	_, err = root.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantCode(t, "DeleteSAMLProvider again", err, "NoSuchEntity", "Manifest not found for arn "+arn)

	// The SAMLProvidersPerAccount quota (one provider exists).
	for i := range 99 {
		must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider quota")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(fmt.Sprintf("p%03d", i)), SAMLMetadataDocument: aws.String(doc)}))
	}
	_, err = root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("one-too-many"), SAMLMetadataDocument: aws.String(doc)})
	wantCode(t, "101st provider", err, "LimitExceeded", "Cannot exceed quota for SAMLProvidersPerAccount: 100")
}

// TestServiceLastAccessed: a user's real calls show up in its last accessed report, its group's
// and its policy's; denied calls count too, and only the services its policies allow are listed.
func TestServiceLastAccessed(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("/dev/")}))
	bobARN := "arn:aws:iam::" + testAccount + ":user/dev/bob"
	pol := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","s3:GetObject"],"Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}`)}))
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("bob")}))
	must[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Policy.Arn}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	id, secret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)

	before := time.Now().Add(-time.Second)
	bob := iamClient(srv, id, secret, "")
	must[*iam.GetUserOutput](t, "GetUser as bob")(bob.GetUser(ctx, &iam.GetUserInput{}))
	must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as bob")(stsClient(srv, id, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	_, err := bob.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers as bob", err, "AccessDenied", "")
	after := time.Now().Add(time.Second)

	report := func(t *testing.T, arn string, gran iamtypes.AccessAdvisorUsageGranularityType) (string, map[string]iamtypes.ServiceLastAccessed) {
		t.Helper()
		job := must[*iam.GenerateServiceLastAccessedDetailsOutput](t, "GenerateServiceLastAccessedDetails")(root.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn), Granularity: gran}))
		out := must[*iam.GetServiceLastAccessedDetailsOutput](t, "GetServiceLastAccessedDetails")(root.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job.JobId}))
		if out.JobStatus != iamtypes.JobStatusTypeCompleted || out.JobCompletionDate == nil || out.JobCreationDate == nil || out.IsTruncated {
			t.Errorf("job = %s created %v completed %v truncated %v", out.JobStatus, out.JobCreationDate, out.JobCompletionDate, out.IsTruncated)
		}
		m := map[string]iamtypes.ServiceLastAccessed{}
		for _, s := range out.ServicesLastAccessed {
			m[aws.ToString(s.ServiceNamespace)] = s
		}
		return aws.ToString(job.JobId), m
	}
	checkUsed := func(t *testing.T, what string, s iamtypes.ServiceLastAccessed) {
		t.Helper()
		if s.LastAuthenticated == nil || s.LastAuthenticated.Before(before) || s.LastAuthenticated.After(after) ||
			aws.ToString(s.LastAuthenticatedEntity) != bobARN || aws.ToInt32(s.TotalAuthenticatedEntities) != 1 || aws.ToString(s.LastAuthenticatedRegion) != "us-east-1" {
			t.Errorf("%s: last authenticated %v by %s in %s, %d entities; want between %v and %v by %s, 1 entity", what, s.LastAuthenticated,
				aws.ToString(s.LastAuthenticatedEntity), aws.ToString(s.LastAuthenticatedRegion), aws.ToInt32(s.TotalAuthenticatedEntities), before, after, bobARN)
		}
	}

	t.Run("user", func(t *testing.T) {
		job, svcs := report(t, bobARN, iamtypes.AccessAdvisorUsageGranularityTypeActionLevel)
		if _, ok := svcs["sts"]; ok || len(svcs) != 2 {
			t.Errorf("services = %v, want iam and s3 (allowed; sts was used but is not allowed)", keys(svcs))
		}
		checkUsed(t, "iam", svcs["iam"])
		if s3 := svcs["s3"]; s3.LastAuthenticated != nil || aws.ToInt32(s3.TotalAuthenticatedEntities) != 0 || aws.ToString(s3.ServiceName) == "" {
			t.Errorf("s3 = %+v, want allowed but never used", s3)
		}
		var actions []string
		for _, a := range svcs["iam"].TrackedActionsLastAccessed {
			actions = append(actions, aws.ToString(a.ActionName))
			if aws.ToString(a.LastAccessedEntity) != bobARN || a.LastAccessedTime == nil || a.LastAccessedTime.Before(before) || a.LastAccessedTime.After(after) ||
				aws.ToString(a.LastAccessedRegion) != "us-east-1" {
				t.Errorf("tracked action %s: last accessed %v by %s in %s; want between %v and %v by %s in us-east-1", aws.ToString(a.ActionName), a.LastAccessedTime,
					aws.ToString(a.LastAccessedEntity), aws.ToString(a.LastAccessedRegion), before, after, bobARN)
			}
		}
		if d := cmp.Diff([]string{"GetUser", "ListUsers"}, actions); d != "" {
			t.Errorf("iam tracked actions (-want +got):\n%s", d)
		}
		ents := must[*iam.GetServiceLastAccessedDetailsWithEntitiesOutput](t, "GetServiceLastAccessedDetailsWithEntities")(root.GetServiceLastAccessedDetailsWithEntities(ctx,
			&iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(job), ServiceNamespace: aws.String("iam")}))
		if len(ents.EntityDetailsList) != 1 || aws.ToString(ents.EntityDetailsList[0].EntityInfo.Arn) != bobARN ||
			ents.EntityDetailsList[0].EntityInfo.Type != iamtypes.PolicyOwnerEntityTypeUser || aws.ToString(ents.EntityDetailsList[0].EntityInfo.Path) != "/dev/" ||
			ents.EntityDetailsList[0].LastAuthenticated == nil {
			t.Errorf("entities = %+v", ents.EntityDetailsList)
		}
	})
	t.Run("group", func(t *testing.T) {
		_, svcs := report(t, "arn:aws:iam::"+testAccount+":group/devs", "")
		checkUsed(t, "iam", svcs["iam"])
		if svcs["iam"].TrackedActionsLastAccessed != nil {
			t.Errorf("SERVICE_LEVEL report has tracked actions %+v", svcs["iam"].TrackedActionsLastAccessed)
		}
	})
	t.Run("policy", func(t *testing.T) {
		_, svcs := report(t, aws.ToString(pol.Policy.Arn), "")
		checkUsed(t, "iam", svcs["iam"])
	})
	t.Run("unused role", func(t *testing.T) {
		must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("idle"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
		must[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("idle"), PolicyArn: pol.Policy.Arn}))
		_, svcs := report(t, "arn:aws:iam::"+testAccount+":role/idle", "")
		if len(svcs) != 2 || svcs["iam"].LastAuthenticated != nil || svcs["s3"].LastAuthenticated != nil {
			t.Errorf("idle role services = %v (iam last %v)", keys(svcs), svcs["iam"].LastAuthenticated)
		}
	})

	missingJob := "00000000-0000-4000-8000-000000000000"
	_, err = root.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(missingJob)})
	wantCode(t, "unknown job", err, "NoSuchEntity", "No report found with job id "+missingJob)
	_, err = root.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String("short")})
	wantCode(t, "short job ID", err, "ValidationError", "1 validation error detected: Value 'short' at 'jobId' failed to satisfy constraint: Member must have length greater than or equal to 36")
	_, err = root.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + testAccount + ":user/nobody")})
	wantCode(t, "report on a missing user", err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = root.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:s3:::bucket-name-here")})
	wantCode(t, "report on a bucket", err, "InvalidInput", "Invalid ARN arn:aws:s3:::bucket-name-here.")
	_, err = bob.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(bobARN)})
	wantCode(t, "report as bob", err, "AccessDenied", "")

	_, err = root.GenerateOrganizationsAccessReport(ctx, &iam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("o-a1b2c3d4e5/r-f6g7h8i9j0example")})
	wantCode(t, "GenerateOrganizationsAccessReport", err, "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
	_, err = root.GetOrganizationsAccessReport(ctx, &iam.GetOrganizationsAccessReportInput{JobId: aws.String(missingJob)})
	wantCode(t, "GetOrganizationsAccessReport", err, "OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
