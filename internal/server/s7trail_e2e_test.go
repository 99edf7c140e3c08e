package server_test

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/server"
)

// s7Record is the part of a CloudTrail record TestS7Trail* compare.
type s7Record struct {
	EventName         string
	ReadOnly          bool
	ErrorCode         string
	UserIdentity      map[string]any
	RequestParameters map[string]any
	ResponseElements  map[string]any
	// AdditionalEventData is STS's RequestDetails.
	AdditionalEventData map[string]any
}

// s7Lookup returns the records LookupEvents finds for one attribute, oldest first.
func s7Lookup(t *testing.T, srv *server.Server, key, value string) []s7Record {
	t.Helper()
	out := lookupOK(t, srv, attr(key, value))
	recs := make([]s7Record, 0, len(out.Events))
	for i := len(out.Events) - 1; i >= 0; i-- {
		var r s7Record
		if err := json.Unmarshal([]byte(out.Events[i].CloudTrailEvent), &r); err != nil {
			t.Fatalf("record %s: %v", out.Events[i].CloudTrailEvent, err)
		}
		recs = append(recs, r)
	}
	return recs
}

var (
	s7STSDate = regexp.MustCompile(`^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$`) // "Jul 30, 2024, 9:46:15 PM"
	s7IAMDate = regexp.MustCompile(`^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$`)  // "Aug 1, 2024 1:33:28 PM"
	s7CTTime  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
)

// TestS7TrailSTSRecords drives STS through the SDK and reads the records back through
// LookupEvents: readOnly as AWS sets it (AssumeRole true, GetFederationToken false), the
// responses of the calls that issue credentials (STS's date form, no session token), a denied
// AssumeRole without parameters, and the userIdentity of GetSessionToken and GetFederationToken
// sessions. The expected shapes are AWS's own records (stratus-red-team's 2024 detonation logs).
func TestS7TrailSTSRecords(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("fed"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}`)}))
	aliceKey, aliceSecret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	alice := stsClient(srv, aliceKey, aliceSecret, "")

	_, err := alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/nope"), RoleSessionName: aws.String("s7")})
	wantCode(t, "AssumeRole", err, "AccessDenied", "")
	st := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}))
	ft := must[*sts.GetFederationTokenOutput](t, "GetFederationToken")(alice.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}))
	sessKey, fedKey := aws.ToString(st.Credentials.AccessKeyId), aws.ToString(ft.Credentials.AccessKeyId)
	must[*sts.GetCallerIdentityOutput](t, "session GetCallerIdentity")(stsClient(srv, sessKey, aws.ToString(st.Credentials.SecretAccessKey),
		aws.ToString(st.Credentials.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	must[*sts.GetCallerIdentityOutput](t, "federated GetCallerIdentity")(stsClient(srv, fedKey, aws.ToString(ft.Credentials.SecretAccessKey),
		aws.ToString(ft.Credentials.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	byName := map[string]s7Record{}
	for _, r := range s7Lookup(t, srv, "AccessKeyId", aliceKey) {
		byName[r.EventName] = r
	}

	ar := byName["AssumeRole"]
	if ar.ErrorCode != "AccessDenied" || !ar.ReadOnly || ar.RequestParameters != nil || ar.ResponseElements != nil {
		t.Errorf("denied AssumeRole: errorCode %q readOnly %v requestParameters %v responseElements %v, want AccessDenied, true, null, null",
			ar.ErrorCode, ar.ReadOnly, ar.RequestParameters, ar.ResponseElements)
	}

	gst := byName["GetSessionToken"]
	creds, _ := gst.ResponseElements["credentials"].(map[string]any)
	if !gst.ReadOnly || creds["accessKeyId"] != sessKey || !s7STSDate.MatchString(str(creds["expiration"])) || creds["sessionToken"] != nil || creds["secretAccessKey"] != nil {
		t.Errorf("GetSessionToken: readOnly %v, responseElements %v; want true and credentials{accessKeyId %s, expiration in STS's form}, no secrets",
			gst.ReadOnly, gst.ResponseElements, sessKey)
	}

	gft := byName["GetFederationToken"]
	creds, _ = gft.ResponseElements["credentials"].(map[string]any)
	fu, _ := gft.ResponseElements["federatedUser"].(map[string]any)
	if gft.ReadOnly || creds["accessKeyId"] != fedKey || !s7STSDate.MatchString(str(creds["expiration"])) || creds["sessionToken"] != nil ||
		fu["arn"] != "arn:aws:sts::"+testAccount+":federated-user/fed" || fu["federatedUserId"] != testAccount+":fed" || gft.ResponseElements["packedPolicySize"] == nil {
		t.Errorf("GetFederationToken: readOnly %v, responseElements %v; want false and credentials, federatedUser and packedPolicySize", gft.ReadOnly, gft.ResponseElements)
	}

	wantDetails := map[string]any{"RequestDetails": map[string]any{"awsServingRegion": "us-east-1", "endpointType": "regional"}}
	if diff := cmp.Diff(wantDetails, gst.AdditionalEventData); diff != "" {
		t.Errorf("GetSessionToken additionalEventData (-want +got):\n%s", diff)
	}

	// A call made with GetSessionToken's credentials: an IAMUser with the session's attributes.
	sess := s7Lookup(t, srv, "AccessKeyId", sessKey)
	if len(sess) != 1 {
		t.Fatalf("records of the session key: %d, want 1", len(sess))
	}
	sc, _ := sess[0].UserIdentity["sessionContext"].(map[string]any)
	attrs, _ := sc["attributes"].(map[string]any)
	if sess[0].UserIdentity["type"] != "IAMUser" || sess[0].UserIdentity["userName"] != "alice" || len(sc) != 1 ||
		!s7CTTime.MatchString(str(attrs["creationDate"])) || attrs["mfaAuthenticated"] != "false" {
		t.Errorf("userIdentity of a GetSessionToken session: %v; want IAMUser alice with sessionContext.attributes{creationDate, mfaAuthenticated false}", sess[0].UserIdentity)
	}

	// A call made with GetFederationToken's credentials: webIdFederationData is {}.
	fed := s7Lookup(t, srv, "AccessKeyId", fedKey)
	if len(fed) != 1 {
		t.Fatalf("records of the federated key: %d, want 1", len(fed))
	}
	sc, _ = fed[0].UserIdentity["sessionContext"].(map[string]any)
	issuer, _ := sc["sessionIssuer"].(map[string]any)
	if fed[0].UserIdentity["type"] != "FederatedUser" || !cmp.Equal(sc["webIdFederationData"], map[string]any{}) ||
		issuer["type"] != "IAMUser" || issuer["userName"] != "alice" {
		t.Errorf("userIdentity of a federated user: %v; want FederatedUser, issued by IAMUser alice, webIdFederationData {}", fed[0].UserIdentity)
	}

	// LookupEvents' ReadOnly attribute follows the records.
	ro := map[string]bool{}
	for _, r := range s7Lookup(t, srv, "ReadOnly", "true") {
		ro[r.EventName] = true
	}
	if !ro["AssumeRole"] || !ro["GetSessionToken"] || ro["GetFederationToken"] {
		t.Errorf("ReadOnly=true finds %v; want AssumeRole and GetSessionToken, not GetFederationToken", ro)
	}
}

// TestS7TrailIAMRecords: IAM's response dates in IAM's form, CreateRole's trust policy
// percent-encoded in responseElements and as sent in requestParameters, and a request whose
// signature fails recorded as an Unknown identity (never another AWS account).
func TestS7TrailIAMRecords(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}))
	recs := s7Lookup(t, srv, "EventName", "CreateRole")
	if len(recs) != 1 {
		t.Fatalf("CreateRole records: %d, want 1", len(recs))
	}
	role, _ := recs[0].ResponseElements["role"].(map[string]any)
	wantDoc := "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A" +
		testAccount + "%3Aroot%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
	if role["assumeRolePolicyDocument"] != wantDoc || !s7IAMDate.MatchString(str(role["createDate"])) || recs[0].RequestParameters["assumeRolePolicyDocument"] != trust {
		t.Errorf("CreateRole: responseElements.role %v, requestParameters %v; want the trust policy percent-encoded, createDate in IAM's form, the request's document as sent",
			role, recs[0].RequestParameters)
	}

	_, err := iamClient(srv, rootKey, "not-the-secret", "").ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers with a wrong secret", err, "SignatureDoesNotMatch", "")
	var failed []map[string]any
	for _, r := range s7Lookup(t, srv, "EventName", "ListUsers") {
		if r.ErrorCode == "SignatureDoesNotMatch" {
			failed = append(failed, r.UserIdentity)
		}
	}
	if want := []map[string]any{{"type": "Unknown", "accessKeyId": rootKey}}; !cmp.Equal(want, failed) {
		t.Errorf("userIdentity of a request whose signature failed: %v, want %v", failed, want)
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
