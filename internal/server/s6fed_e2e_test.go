package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
	"github.com/iamd-dev/iamd/internal/server"
)

// fedAllowAll allows every action on every resource.
const fedAllowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// TestS6FedLimits: credentials from GetFederationToken cannot call IAM through the API, nor any
// STS operation but GetCallerIdentity, even with a session policy and user policy allowing
// everything (API Reference, GetFederationToken, "Permissions"); CloudTrail and Access Analyzer,
// which AWS does not name, stay open to them.
func TestS6FedLimits(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser broker")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("broker")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("broker"),
		PolicyName: aws.String("all"), PolicyDocument: aws.String(fedAllowAll)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("broker")}))
	brokerID, brokerSecret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	roleARN := aws.ToString(must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`)})).Role.Arn)

	broker := stsClient(srv, brokerID, brokerSecret, "")
	// The user's own key may call what its credentials' kind allows: the refusals below come
	// from the federated session, not from the policies.
	must[*iam.ListUsersOutput](t, "ListUsers as broker")(iamClient(srv, brokerID, brokerSecret, "").ListUsers(ctx, &iam.ListUsersInput{}))
	must[*sts.AssumeRoleOutput](t, "AssumeRole as broker")(broker.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("direct")}))

	ft := must[*sts.GetFederationTokenOutput](t, "GetFederationToken")(broker.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("visitor"), Policy: aws.String(fedAllowAll)}))
	c := ft.Credentials
	fedID, fedSecret, fedToken := aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)
	fedIAM, fedSTS := iamClient(srv, fedID, fedSecret, fedToken), stsClient(srv, fedID, fedSecret, fedToken)
	fedARN := "arn:aws:sts::" + testAccount + ":federated-user/visitor"

	t.Run("IAM", func(t *testing.T) {
		const msg = "The security token included in the request is invalid."
		_, err := fedIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("intruder")})
		wantCode(t, "CreateUser as federated user", err, "InvalidClientTokenId", msg)
		_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("intruder")})
		var nse *iamtypes.NoSuchEntityException
		if !errors.As(err, &nse) {
			t.Errorf("GetUser intruder after the refused CreateUser = %v, want NoSuchEntity (nothing created)", err)
		}
		_, err = fedIAM.ListUsers(ctx, &iam.ListUsersInput{})
		wantCode(t, "ListUsers as federated user", err, "InvalidClientTokenId", msg)
	})

	t.Run("STS", func(t *testing.T) {
		id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity")(fedSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
		if got := aws.ToString(id.Arn); got != fedARN {
			t.Errorf("GetCallerIdentity ARN = %s, want %s", got, fedARN)
		}
		for _, tc := range []struct {
			action string
			call   func() error
		}{
			{"AssumeRole", func() error {
				_, err := fedSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("fed")})
				return err
			}},
			{"GetSessionToken", func() error {
				_, err := fedSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
				return err
			}},
			{"GetFederationToken", func() error {
				_, err := fedSTS.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("again"), Policy: aws.String(fedAllowAll)})
				return err
			}},
			{"DecodeAuthorizationMessage", func() error {
				_, err := fedSTS.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("not-a-message")})
				return err
			}},
			{"GetAccessKeyInfo", func() error {
				_, err := fedSTS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(brokerID)})
				return err
			}},
		} {
			wantCode(t, tc.action+" as federated user", tc.call(), "AccessDenied", "Cannot call "+tc.action+" with session credentials")
		}
	})

	t.Run("CloudTrail and Access Analyzer", func(t *testing.T) {
		if status, body := signedTokenJSON(t, srv, fedID, fedSecret, fedToken, "CloudTrail_20131101.LookupEvents", []byte(`{"MaxResults":1}`)); status != http.StatusOK {
			t.Errorf("LookupEvents as federated user: status %d (%s), want 200", status, body)
		}
		aa := accessanalyzer.NewFromConfig(awsConfig(srv.Endpoint(), fedID, fedSecret, fedToken))
		must[*accessanalyzer.ValidatePolicyOutput](t, "ValidatePolicy as federated user")(aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{
			PolicyDocument: aws.String(fedAllowAll), PolicyType: aatypes.PolicyTypeIdentityPolicy}))
	})
}

// signedTokenJSON sends an AWS JSON 1.1 request signed with temporary credentials and returns
// the HTTP status and the body.
func signedTokenJSON(t *testing.T, srv *server.Server, id, secret, token, target string, b []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(b)
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "cloudtrail", "us-east-1", time.Now()); err != nil {
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
	return resp.StatusCode, string(raw)
}

// TestS6FedSAMLTransitiveKeys: an assertion's TransitiveTagKeys are matched to its PrincipalTag
// attributes ignoring case, as AssumeRole's TransitiveTagKeys are (the tag passes on along the
// role chain), and a transitive key naming no tag, or two tags whose keys differ only in case,
// are refused with AssumeRole's InvalidParameterValue.
func TestS6FedSAMLTransitiveKeys(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})
	idp := must[*samltest.IdP](t, "test IdP")(samltest.New("https://idp.example.com/saml", time.Now()))
	provARN := aws.ToString(must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})).SAMLProviderArn)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],`+
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`, provARN)
	roleARN := aws.ToString(must[*iam.CreateRoleOutput](t, "CreateRole Fed")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Fed"),
		AssumeRolePolicyDocument: aws.String(trust)})).Role.Arn)
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy Fed")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Fed"), PolicyName: aws.String("chain"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`)}))
	nextARN := aws.ToString(must[*iam.CreateRoleOutput](t, "CreateRole Next")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Next"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)})).Role.Arn)
	// The chained session may read roles only while it carries the tag Dept=eng.
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy Next")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Next"), PolicyName: aws.String("dept"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Dept":"eng"}}}]}`)}))

	n := 0
	assume := func(attrs ...samltest.Attribute) (*sts.AssumeRoleWithSAMLOutput, error) {
		n++
		attrs = append([]samltest.Attribute{samltest.RoleAttr(provARN, roleARN), samltest.Attr("RoleSessionName", "alice")}, attrs...)
		resp := must[string](t, "Response")(idp.Response(idp.Options(time.Now(), fmt.Sprint(n), attrs...)))
		return anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(resp)})
	}

	t.Run("transitive key in another case passes the tag on", func(t *testing.T) {
		out := must[*sts.AssumeRoleWithSAMLOutput](t, "AssumeRoleWithSAML")(assume(samltest.Attr("PrincipalTag:Dept", "eng"), samltest.Attr("TransitiveTagKeys", "dept")))
		c := out.Credentials
		chained := must[*sts.AssumeRoleOutput](t, "AssumeRole Next")(stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)).AssumeRole(ctx,
			&sts.AssumeRoleInput{RoleArn: aws.String(nextARN), RoleSessionName: aws.String("next")}))
		c = chained.Credentials
		next := iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
		if _, err := next.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Next")}); err != nil {
			t.Errorf("GetRole in the chained session (needs the transitive tag Dept=eng): %v", err)
		}
	})

	for _, tc := range []struct {
		name  string
		attrs []samltest.Attribute
		msg   string
	}{
		{"transitive key naming no tag", []samltest.Attribute{samltest.Attr("PrincipalTag:Dept", "eng"), samltest.Attr("TransitiveTagKeys", "Dept", "Cost")},
			"The specified transitive tag key must be included in the requested tags."},
		{"transitive key without tags", []samltest.Attribute{samltest.Attr("TransitiveTagKeys", "Dept")},
			"The specified transitive tag key must be included in the requested tags."},
		{"tag keys differing only in case", []samltest.Attribute{samltest.Attr("PrincipalTag:Dept", "eng"), samltest.Attr("PrincipalTag:dept", "ops")},
			"Duplicate tag keys found. Please note that Tag keys are case insensitive."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := assume(tc.attrs...)
			wantCode(t, "AssumeRoleWithSAML "+tc.name, err, "InvalidParameterValue", tc.msg)
			if out != nil {
				t.Errorf("AssumeRoleWithSAML %s answered %+v, want no credentials", tc.name, out)
			}
		})
	}
}
