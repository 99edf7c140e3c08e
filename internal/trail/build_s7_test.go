package trail_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/trail"
)

// The expected values below are taken from AWS's own records (DataDog/stratus-red-team's 2024
// detonation logs, the CloudTrail and IAM User Guides), as the comments say.

const s7Account = "111122223333"

var s7Time = time.Date(2024, 7, 30, 21, 31, 15, 0, time.UTC)

// s7Record builds call's record and decodes it.
func s7Record(t *testing.T, call *trail.Call) map[string]any {
	t.Helper()
	if call.Time.IsZero() {
		call.Time = s7Time
	}
	if call.Account == "" {
		call.Account = s7Account
	}
	rec, err := trail.Build(call)
	if err != nil {
		t.Fatalf("Build(%s): %v", call.Action, err)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.JSON, &m); err != nil {
		t.Fatalf("record is not JSON: %v: %s", err, rec.JSON)
	}
	if rec.ReadOnly != m["readOnly"] {
		t.Errorf("%s: Record.ReadOnly %v, the record says %v", call.Action, rec.ReadOnly, m["readOnly"])
	}
	return m
}

func s7User() *authn.Caller {
	return &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::" + s7Account + ":user/alice", Account: s7Account},
		UserID: "AIDAEXAMPLEALICE", UserName: "alice", AccessKeyID: "AKIAEXAMPLE"}
}

func s7Creds(exp time.Time) *ststypes.Credentials {
	return &ststypes.Credentials{AccessKeyId: aws.String("ASIAEXAMPLE"), SecretAccessKey: aws.String("secret"), SessionToken: aws.String("token"), Expiration: aws.Time(exp)}
}

// TestS7ReadOnly: AWS marks the role assumptions read-only and GetFederationToken not.
func TestS7ReadOnly(t *testing.T) {
	for _, tc := range []struct {
		action string
		want   bool
	}{
		{"AssumeRole", true},                // stratus-red-team: 12 AssumeRole records, "readOnly": true
		{"AssumeRoleWithWebIdentity", true}, // ccbrown/cloud-snitch's AWS record
		{"AssumeRoleWithSAML", true},
		{"AssumeRoleForService", true}, // iamd's: a service's AssumeRole
		{"GetFederationToken", false},  // stratus-red-team sts-federation-token: "readOnly": false
		{"GetSessionToken", true},
		{"GetCallerIdentity", true},
		{"CreateUser", false},
		{"ListUsers", true},
	} {
		if got := trail.ReadOnly(tc.action); got != tc.want {
			t.Errorf("ReadOnly(%s) = %v, want %v", tc.action, got, tc.want)
		}
	}
}

// TestS7CredentialResponses: the STS calls that issue credentials keep their responses, read-only
// or not, with STS's dates and without secrets; other read-only calls still record none.
func TestS7CredentialResponses(t *testing.T) {
	exp := time.Date(2024, 7, 30, 21, 46, 15, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		call     *trail.Call
		readOnly bool
		want     string // responseElements
	}{
		{"AssumeRole", &trail.Call{Service: "sts", Action: "AssumeRole", Caller: s7User(),
			Params: &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + s7Account + ":role/r"), RoleSessionName: aws.String("s"), DurationSeconds: aws.Int32(900)},
			Response: &stssdk.AssumeRoleOutput{Credentials: s7Creds(exp),
				AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::" + s7Account + ":assumed-role/r/s"), AssumedRoleId: aws.String("AROAEXAMPLE:s")}}},
			true,
			`{"assumedRoleUser":{"arn":"arn:aws:sts::111122223333:assumed-role/r/s","assumedRoleId":"AROAEXAMPLE:s"},` +
				`"credentials":{"accessKeyId":"ASIAEXAMPLE","expiration":"Jul 30, 2024, 9:46:15 PM"}}`},
		{"GetFederationToken", &trail.Call{Service: "sts", Action: "GetFederationToken", Caller: s7User(),
			Params: &stssdk.GetFederationTokenInput{Name: aws.String("fed")},
			Response: &stssdk.GetFederationTokenOutput{Credentials: s7Creds(exp), PackedPolicySize: aws.Int32(4),
				FederatedUser: &ststypes.FederatedUser{Arn: aws.String("arn:aws:sts::" + s7Account + ":federated-user/fed"), FederatedUserId: aws.String(s7Account + ":fed")}}},
			false,
			`{"credentials":{"accessKeyId":"ASIAEXAMPLE","expiration":"Jul 30, 2024, 9:46:15 PM"},` +
				`"federatedUser":{"arn":"arn:aws:sts::111122223333:federated-user/fed","federatedUserId":"111122223333:fed"},"packedPolicySize":4}`},
		{"GetSessionToken", &trail.Call{Service: "sts", Action: "GetSessionToken", Caller: s7User(),
			Params: &stssdk.GetSessionTokenInput{}, Response: &stssdk.GetSessionTokenOutput{Credentials: s7Creds(exp)}},
			true, `{"credentials":{"accessKeyId":"ASIAEXAMPLE","expiration":"Jul 30, 2024, 9:46:15 PM"}}`},
		{"GetCallerIdentity", &trail.Call{Service: "sts", Action: "GetCallerIdentity", Caller: s7User(),
			Params: &stssdk.GetCallerIdentityInput{}, Response: &stssdk.GetCallerIdentityOutput{Account: aws.String(s7Account)}},
			true, `null`},
		{"GetUser", &trail.Call{Service: "iam", Action: "GetUser", Caller: s7User(),
			Params: &iamsdk.GetUserInput{}, Response: &iamsdk.GetUserOutput{User: &iamtypes.User{UserName: aws.String("alice")}}},
			true, `null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := s7Record(t, tc.call)
			if m["readOnly"] != tc.readOnly {
				t.Errorf("readOnly = %v, want %v", m["readOnly"], tc.readOnly)
			}
			got, _ := json.Marshal(m["responseElements"])
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("responseElements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestS7IAMResponseForm: IAM's response dates are "Aug 1, 2024 1:33:28 PM" (stratus-red-team's
// CreateUser and CreateAccessKey records), its trust policy is percent-encoded (its CreateRole
// record), and the request's document stays as sent.
func TestS7IAMResponseForm(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\"}"
	created := time.Date(2024, 8, 1, 13, 33, 28, 0, time.UTC)
	m := s7Record(t, &trail.Call{Service: "iam", Action: "CreateRole", Caller: s7User(),
		Params:   &iamsdk.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(doc)},
		Response: &iamsdk.CreateRoleOutput{Role: &iamtypes.Role{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(doc), CreateDate: aws.Time(created)}}})
	role, _ := m["responseElements"].(map[string]any)["role"].(map[string]any)
	want := map[string]any{"roleName": "r", "createDate": "Aug 1, 2024 1:33:28 PM",
		"assumeRolePolicyDocument": "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%7D"}
	if diff := cmp.Diff(want, role); diff != "" {
		t.Errorf("responseElements.role (-want +got):\n%s", diff)
	}
	if got := m["requestParameters"].(map[string]any)["assumeRolePolicyDocument"]; got != doc {
		t.Errorf("requestParameters.assumeRolePolicyDocument = %q, want %q as sent", got, doc)
	}
	afternoon := time.Date(2024, 7, 30, 21, 53, 13, 0, time.FixedZone("x", 7200))
	m = s7Record(t, &trail.Call{Service: "iam", Action: "CreateAccessKey", Caller: s7User(),
		Params: &iamsdk.CreateAccessKeyInput{UserName: aws.String("u")},
		Response: &iamsdk.CreateAccessKeyOutput{AccessKey: &iamtypes.AccessKey{UserName: aws.String("u"), AccessKeyId: aws.String("AKIAX"),
			SecretAccessKey: aws.String("s"), Status: iamtypes.StatusTypeActive, CreateDate: aws.Time(afternoon)}}})
	key := m["responseElements"].(map[string]any)["accessKey"]
	if diff := cmp.Diff(map[string]any{"userName": "u", "accessKeyId": "AKIAX", "status": "Active", "createDate": "Jul 30, 2024 7:53:13 PM"}, key); diff != "" {
		t.Errorf("responseElements.accessKey (-want +got):\n%s", diff)
	}
}

// TestS7UnsentEnum: a member the request did not send is not recorded, an enum included.
func TestS7UnsentEnum(t *testing.T) {
	m := s7Record(t, &trail.Call{Service: "iam", Action: "CreateSAMLProvider", Caller: s7User(),
		Params: &iamsdk.CreateSAMLProviderInput{Name: aws.String("p"), SAMLMetadataDocument: aws.String("<md/>")}})
	want := map[string]any{"name": "p", "sAMLMetadataDocument": "<md/>"}
	if diff := cmp.Diff(want, m["requestParameters"]); diff != "" {
		t.Errorf("requestParameters (-want +got):\n%s", diff)
	}
	m = s7Record(t, &trail.Call{Service: "iam", Action: "CreateSAMLProvider", Caller: s7User(),
		Params: &iamsdk.CreateSAMLProviderInput{Name: aws.String("p"), AssertionEncryptionMode: iamtypes.AssertionEncryptionModeTypeAllowed}})
	if got := m["requestParameters"].(map[string]any)["assertionEncryptionMode"]; got != "Allowed" {
		t.Errorf("requestParameters.assertionEncryptionMode = %v, want Allowed as sent", got)
	}
}

// TestS7AccessDeniedParams: IAM and STS record a call refused by authorization with
// "requestParameters":null (stratus-red-team's 4 denied AssumeRole records; denied GetRole and
// CreateServiceLinkedRole records); other failures keep the parameters (stratus-red-team's
// DeleteLoginProfile EntityTemporarilyUnmodifiable record).
func TestS7AccessDeniedParams(t *testing.T) {
	for _, tc := range []struct {
		name, service, action, code string
		params                      any
		want                        any
	}{
		{"sts denied", "sts", "AssumeRole", "AccessDenied",
			&stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + s7Account + ":role/r"), RoleSessionName: aws.String("s")}, nil},
		{"iam denied", "iam", "GetRole", "AccessDenied", &iamsdk.GetRoleInput{RoleName: aws.String("r")}, nil},
		{"iam other error", "iam", "DeleteLoginProfile", "EntityTemporarilyUnmodifiable",
			&iamsdk.DeleteLoginProfileInput{UserName: aws.String("u")}, map[string]any{"userName": "u"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := s7Record(t, &trail.Call{Service: tc.service, Action: tc.action, Caller: s7User(), Params: tc.params, ErrCode: tc.code, ErrMsg: "no"})
			if diff := cmp.Diff(tc.want, m["requestParameters"]); diff != "" {
				t.Errorf("requestParameters (-want +got):\n%s", diff)
			}
			if _, ok := m["resources"]; ok {
				t.Errorf("resources %v in a failed call's record", m["resources"])
			}
		})
	}
}

// TestS7Identities: the userIdentity of sessions from GetSessionToken and GetFederationToken, of
// a SAML federated caller, and of a request whose authentication failed.
func TestS7Identities(t *testing.T) {
	issued := time.Date(2024, 11, 30, 8, 43, 17, 0, time.UTC)
	userSession := s7User()
	userSession.AccessKeyID, userSession.Session = "ASIAUSER", &authn.Session{Issued: issued, MFA: true}
	rootSession := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::" + s7Account + ":root", Account: s7Account},
		UserID: s7Account, AccessKeyID: "ASIAROOT", Session: &authn.Session{Issued: issued}}
	fed := func(issuer, issuerID string) *authn.Caller {
		return &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalFederatedUser, ARN: "arn:aws:sts::" + s7Account + ":federated-user/f",
			Account: s7Account, SourceARN: issuer}, UserID: s7Account + ":f", AccessKeyID: "ASIAFED", Session: &authn.Session{Issued: issued, IssuerID: issuerID}}
	}
	prov := "arn:aws:iam::" + s7Account + ":oidc-provider/token.actions.githubusercontent.com"
	webSession := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::" + s7Account + ":assumed-role/gh/run",
		Account: s7Account, SourceARN: "arn:aws:iam::" + s7Account + ":role/gh"}, UserID: "AROAGH:run", AccessKeyID: "ASIAGH",
		Session: &authn.Session{Issued: issued, WebIdentityProvider: prov}}
	saml := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalFederated, ARN: "arn:aws:iam::" + s7Account + ":saml-provider/idp"},
		UserID: "Hn0tKdXWbnF1zkvGRqh4kfn6tS0=:jane@example.com", UserName: "jane@example.com"}
	attrs := func(mfa string) map[string]any {
		return map[string]any{"creationDate": "2024-11-30T08:43:17Z", "mfaAuthenticated": mfa}
	}
	for _, tc := range []struct {
		name   string
		caller *authn.Caller
		want   map[string]any
	}{
		// The CloudTrail User Guide's IAM user with temporary credentials: attributes only.
		{"IAM user session", userSession, map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE", "arn": "arn:aws:iam::111122223333:user/alice",
			"accountId": s7Account, "accessKeyId": "ASIAUSER", "userName": "alice", "sessionContext": map[string]any{"attributes": attrs("true")}}},
		{"root session", rootSession, map[string]any{"type": "Root", "principalId": s7Account, "arn": "arn:aws:iam::111122223333:root",
			"accountId": s7Account, "accessKeyId": "ASIAROOT", "sessionContext": map[string]any{"attributes": attrs("false")}}},
		// stratus-red-team's federated user record has "webIdFederationData": {} and the
		// issuing user's ID (AIDA…) as sessionIssuer.principalId.
		{"federated user", fed("arn:aws:iam::"+s7Account+":user/alice", "AIDAEXAMPLEALICE"), map[string]any{"type": "FederatedUser", "principalId": s7Account + ":f",
			"arn": "arn:aws:sts::111122223333:federated-user/f", "accountId": s7Account, "accessKeyId": "ASIAFED",
			"sessionContext": map[string]any{"attributes": attrs("false"), "webIdFederationData": map[string]any{},
				"sessionIssuer": map[string]any{"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": s7Account, "userName": "alice"}}}},
		// A session that does not carry its issuer's ID: no principalId rather than the account.
		{"federated user, issuer ID unknown", fed("arn:aws:iam::"+s7Account+":user/alice", ""), map[string]any{"type": "FederatedUser", "principalId": s7Account + ":f",
			"arn": "arn:aws:sts::111122223333:federated-user/f", "accountId": s7Account, "accessKeyId": "ASIAFED",
			"sessionContext": map[string]any{"attributes": attrs("false"), "webIdFederationData": map[string]any{},
				"sessionIssuer": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": s7Account, "userName": "alice"}}}},
		// AWS's records of web identity role sessions (EKS, GitHub Actions) name the provider.
		{"web identity role session", webSession, map[string]any{"type": "AssumedRole", "principalId": "AROAGH:run",
			"arn": "arn:aws:sts::111122223333:assumed-role/gh/run", "accountId": s7Account, "accessKeyId": "ASIAGH",
			"sessionContext": map[string]any{"attributes": attrs("false"), "webIdFederationData": map[string]any{"federatedProvider": prov, "attributes": map[string]any{}},
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAGH", "arn": "arn:aws:iam::111122223333:role/gh", "accountId": s7Account, "userName": "gh"}}}},
		{"federated user of root", fed("arn:aws:iam::"+s7Account+":root", ""), map[string]any{"type": "FederatedUser", "principalId": s7Account + ":f",
			"arn": "arn:aws:sts::111122223333:federated-user/f", "accountId": s7Account, "accessKeyId": "ASIAFED",
			"sessionContext": map[string]any{"attributes": attrs("false"), "webIdFederationData": map[string]any{},
				"sessionIssuer": map[string]any{"type": "Root", "principalId": s7Account, "arn": "arn:aws:iam::111122223333:root", "accountId": s7Account}}}},
		// The userIdentity element: a SAMLUser's identityProvider is saml:namequalifier.
		{"SAML user", saml, map[string]any{"type": "SAMLUser", "principalId": "Hn0tKdXWbnF1zkvGRqh4kfn6tS0=:jane@example.com",
			"userName": "jane@example.com", "identityProvider": "Hn0tKdXWbnF1zkvGRqh4kfn6tS0="}},
		// Authentication failed: nothing says whose the key is; not another AWS account.
		{"failed authentication", nil, map[string]any{"type": "Unknown", "accessKeyId": "AKIACLAIMED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := s7Record(t, &trail.Call{Service: "iam", Action: "ListUsers", Caller: tc.caller, AccessKeyID: "AKIACLAIMED", ErrCode: "X", ErrMsg: "x"})
			if diff := cmp.Diff(tc.want, m["userIdentity"]); diff != "" {
				t.Errorf("userIdentity (-want +got):\n%s", diff)
			}
		})
	}
}

// TestS7SAMLResources: AssumeRoleWithSAML's record lists the role and then the SAML provider
// (the IAM User Guide's AssumeRoleWithSAML example).
func TestS7SAMLResources(t *testing.T) {
	role, prov := "arn:aws:iam::"+s7Account+":role/r", "arn:aws:iam::"+s7Account+":saml-provider/idp"
	m := s7Record(t, &trail.Call{Service: "sts", Action: "AssumeRoleWithSAML", Caller: &authn.Caller{},
		Params: &stssdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(role), PrincipalArn: aws.String(prov), SAMLAssertion: aws.String("x")}})
	want := []any{
		map[string]any{"ARN": role, "accountId": s7Account, "type": "AWS::IAM::Role"},
		map[string]any{"ARN": prov, "accountId": s7Account, "type": "AWS::IAM::SAMLProvider"},
	}
	if diff := cmp.Diff(want, m["resources"]); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}

// TestS7RequestDetails: successful STS calls carry additionalEventData.RequestDetails, as AWS's
// AssumeRole and AssumeRoleWithWebIdentity records do (ccbrown/cloud-snitch's 2025 records):
// the serving region and whether the regional or the global endpoint was called.
func TestS7RequestDetails(t *testing.T) {
	for _, tc := range []struct {
		name, service, region, host, code string
		verification                      string
		want                              any
	}{
		{"regional", "sts", "eu-west-1", "127.0.0.1:8080", "", "",
			map[string]any{"RequestDetails": map[string]any{"awsServingRegion": "eu-west-1", "endpointType": "regional"}}},
		{"global", "sts", "", "sts.amazonaws.com", "", "",
			map[string]any{"RequestDetails": map[string]any{"awsServingRegion": "us-east-1", "endpointType": "global"}}},
		{"web identity", "sts", "eu-west-1", "h", "", "IAMTrustStore",
			map[string]any{"identityProviderConnectionVerificationMethod": "IAMTrustStore", "RequestDetails": map[string]any{"awsServingRegion": "eu-west-1", "endpointType": "regional"}}},
		{"failed", "sts", "eu-west-1", "h", "ExpiredToken", "", nil},
		{"IAM", "iam", "us-east-1", "iam.amazonaws.com", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := s7Record(t, &trail.Call{Service: tc.service, Action: "GetCallerIdentity", Caller: s7User(), Region: tc.region, Host: tc.host, ErrCode: tc.code, IdPVerification: tc.verification})
			if diff := cmp.Diff(tc.want, m["additionalEventData"]); diff != "" {
				t.Errorf("additionalEventData (-want +got):\n%s", diff)
			}
		})
	}
}

// TestS7IncomingTransitiveTags: an AssumeRole made with a session that has transitive tags
// records the tags the new session inherits (the IAM User Guide's chained AssumeRole record:
// "incomingTransitiveTags": {"Department": "Engineering"}); the session's other tags are not.
func TestS7IncomingTransitiveTags(t *testing.T) {
	session := &authn.Caller{Principal: policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: "arn:aws:sts::" + s7Account + ":assumed-role/r1/s",
		Account: s7Account, SourceARN: "arn:aws:iam::" + s7Account + ":role/r1"}, UserID: "AROAEXAMPLE:s", AccessKeyID: "ASIAS",
		Session: &authn.Session{Issued: s7Time, Tags: map[string]string{"Department": "Engineering", "Project": "x"}, TransitiveKeys: []string{"Department"}}}
	in := &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + s7Account + ":role/r2"), RoleSessionName: aws.String("s2"), DurationSeconds: aws.Int32(3600)}
	for _, tc := range []struct {
		name   string
		caller *authn.Caller
		action string
		want   map[string]any
	}{
		{"chained", session, "AssumeRole", map[string]any{"durationSeconds": float64(3600), "incomingTransitiveTags": map[string]any{"Department": "Engineering"},
			"roleArn": "arn:aws:iam::111122223333:role/r2", "roleSessionName": "s2"}},
		{"long-term caller", s7User(), "AssumeRole", map[string]any{"durationSeconds": float64(3600), "roleArn": "arn:aws:iam::111122223333:role/r2", "roleSessionName": "s2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := s7Record(t, &trail.Call{Service: "sts", Action: tc.action, Caller: tc.caller, Params: in})
			if diff := cmp.Diff(tc.want, m["requestParameters"]); diff != "" {
				t.Errorf("requestParameters (-want +got):\n%s", diff)
			}
		})
	}
	// The keys stay sorted, as the record encoder writes every object.
	rec, err := trail.Build(&trail.Call{Service: "sts", Action: "AssumeRole", Caller: session, Params: in, Time: s7Time})
	if err != nil {
		t.Fatal(err)
	}
	const want = `"requestParameters":{"durationSeconds":3600,"incomingTransitiveTags":{"Department":"Engineering"},"roleArn":`
	if !bytes.Contains(rec.JSON, []byte(want)) {
		t.Errorf("record %s\ndoes not hold %s", rec.JSON, want)
	}
}
