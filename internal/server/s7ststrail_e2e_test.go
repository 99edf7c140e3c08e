package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
)

// s7SessionContext returns the sessionContext of the one record an access key made.
func s7SessionContext(t *testing.T, recs []s7Record, what string) map[string]any {
	t.Helper()
	if len(recs) != 1 {
		t.Fatalf("records of the %s: %d, want 1", what, len(recs))
	}
	sc, _ := recs[0].UserIdentity["sessionContext"].(map[string]any)
	return sc
}

// TestS7STSTrailSessions: the records of calls made with a web identity role session name the
// provider (sessionContext.webIdFederationData{federatedProvider, attributes:{}}), and those of
// calls made by a federated user name the issuing IAM user by its unique ID
// (sessionContext.sessionIssuer.principalId), as AWS's records do; both come from the session
// token, which carries them since STS issues it.
func TestS7STSTrailSessions(t *testing.T) {
	ctx := context.Background()
	w := startWebIdentity(t)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, w.provARN)
	must[*iam.CreateRoleOutput](t, "CreateRole")(w.root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gh"), AssumeRolePolicyDocument: aws.String(trust)}))
	out := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity")(w.anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/gh"), RoleSessionName: aws.String("run"),
		WebIdentityToken: aws.String(oidctest.Sign(t, w.key, webIdentityClaims(w.is.URL, nil)))}))
	wc := out.Credentials
	// The call's own record says how the provider's endpoint was trusted (iamd: the system's
	// trusted roots, AWS's "IAMTrustStore"), before RequestDetails, as AWS's GitHub Actions
	// records do.
	assumed := s7Lookup(t, w.srv, "EventName", "AssumeRoleWithWebIdentity")
	if len(assumed) != 1 {
		t.Fatalf("AssumeRoleWithWebIdentity records: %d, want 1", len(assumed))
	}
	wantExtra := map[string]any{"identityProviderConnectionVerificationMethod": "IAMTrustStore",
		"RequestDetails": map[string]any{"awsServingRegion": "us-east-1", "endpointType": "regional"}}
	if d := cmp.Diff(wantExtra, assumed[0].AdditionalEventData); d != "" {
		t.Errorf("AssumeRoleWithWebIdentity additionalEventData (-want +got):\n%s", d)
	}
	must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as the web identity session")(stsClient(w.srv, aws.ToString(wc.AccessKeyId),
		aws.ToString(wc.SecretAccessKey), aws.ToString(wc.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	sc := s7SessionContext(t, s7Lookup(t, w.srv, "AccessKeyId", aws.ToString(wc.AccessKeyId)), "web identity session")
	wantWeb := map[string]any{"federatedProvider": w.provARN, "attributes": map[string]any{}}
	if d := cmp.Diff(wantWeb, sc["webIdFederationData"]); d != "" {
		t.Errorf("web identity session's webIdFederationData (-want +got):\n%s\nsessionContext: %v", d, sc)
	}

	// A federated user issued by alice: sessionIssuer.principalId is alice's AIDA… ID.
	u := must[*iam.CreateUserOutput](t, "CreateUser")(w.root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(w.root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(w.root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("fed"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)}))
	alice := stsClient(w.srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	ft := must[*sts.GetFederationTokenOutput](t, "GetFederationToken")(alice.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	fc := ft.Credentials
	must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as the federated user")(stsClient(w.srv, aws.ToString(fc.AccessKeyId),
		aws.ToString(fc.SecretAccessKey), aws.ToString(fc.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	sc = s7SessionContext(t, s7Lookup(t, w.srv, "AccessKeyId", aws.ToString(fc.AccessKeyId)), "federated user")
	wantIssuer := map[string]any{"type": "IAMUser", "principalId": aws.ToString(u.User.UserId), "arn": aws.ToString(u.User.Arn),
		"accountId": testAccount, "userName": "alice"}
	if d := cmp.Diff(wantIssuer, sc["sessionIssuer"]); d != "" {
		t.Errorf("federated user's sessionIssuer (-want +got):\n%s", d)
	}
	if !cmp.Equal(sc["webIdFederationData"], map[string]any{}) {
		t.Errorf("federated user's webIdFederationData = %v, want {}", sc["webIdFederationData"])
	}
}

// TestS7STSTrailSAMLParams: AssumeRoleWithSAML's record shows the request's ARNs and duration
// and what the assertion carried, as the IAM User Guide's AssumeRoleWithSAML records do:
// sAMLAssertionID (the assertion's ID), roleSessionName, principalTags, transitiveTagKeys and
// sourceIdentity; never the assertion itself.
func TestS7STSTrailSAMLParams(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})
	idp := must[*samltest.IdP](t, "test IdP")(samltest.New("https://idp.example.com/saml", time.Now()))
	provARN := aws.ToString(must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("Shibboleth"), SAMLMetadataDocument: aws.String(idp.Metadata())})).SAMLProviderArn)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"]}]}`, provARN)
	roleARN := aws.ToString(must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("SAMLTestRole"),
		AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn)

	tests := []struct {
		name     string
		id       string
		attrs    []samltest.Attribute
		duration *int32
		want     map[string]any
	}{
		{"session tags, transitive keys and a duration", "tags", []samltest.Attribute{samltest.Attr("PrincipalTag:CostCenter", "987654"),
			samltest.Attr("PrincipalTag:Project", "Unicorn"), samltest.Attr("TransitiveTagKeys", "CostCenter", "Project")}, aws.Int32(3600),
			map[string]any{"sAMLAssertionID": "_atags", "roleSessionName": "MyRoleSessionName", "principalTags": map[string]any{"CostCenter": "987654", "Project": "Unicorn"},
				"transitiveTagKeys": []any{"CostCenter", "Project"}, "durationSeconds": 3600.0, "roleArn": roleARN, "principalArn": provARN}},
		{"source identity", "sid", []samltest.Attribute{samltest.Attr("SourceIdentity", "jane")}, nil,
			map[string]any{"sAMLAssertionID": "_asid", "roleSessionName": "MyRoleSessionName", "sourceIdentity": "jane", "roleArn": roleARN, "principalArn": provARN}},
		{"neither", "plain", nil, nil,
			map[string]any{"sAMLAssertionID": "_aplain", "roleSessionName": "MyRoleSessionName", "roleArn": roleARN, "principalArn": provARN}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs := append([]samltest.Attribute{samltest.RoleAttr(roleARN, provARN), samltest.Attr("RoleSessionName", "MyRoleSessionName")}, tc.attrs...)
			resp := must[string](t, "Response")(idp.Response(idp.Options(time.Now(), tc.id, attrs...)))
			out := must[*sts.AssumeRoleWithSAMLOutput](t, "AssumeRoleWithSAML")(anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
				RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(resp), DurationSeconds: tc.duration}))
			var got map[string]any
			for _, r := range s7Lookup(t, srv, "EventName", "AssumeRoleWithSAML") {
				if creds, _ := r.ResponseElements["credentials"].(map[string]any); creds["accessKeyId"] == aws.ToString(out.Credentials.AccessKeyId) {
					got = r.RequestParameters
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("AssumeRoleWithSAML requestParameters (-want +got):\n%s", d)
			}
		})
	}
}
