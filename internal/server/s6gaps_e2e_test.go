package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
	"github.com/iamd-dev/iamd/internal/server"
)

// TestS6GapsWebIdentitySourceIdentity: a web identity token's https://aws.amazon.com/source_identity
// claim is the session's source identity (IAM User Guide, "Monitor and control actions taken
// with assumed roles", "Using source identity with AssumeRoleWithWebIdentity"): the trust policy
// must allow sts:SetSourceIdentity, sts:SourceIdentity is in the request, the response and the
// CloudTrail records carry it, and a chained session keeps it and cannot change it.
func TestS6GapsWebIdentitySourceIdentity(t *testing.T) {
	ctx := context.Background()
	is := oidctest.NewIssuer(t)
	key := oidctest.RSAKey(t, "rsa-1")
	is.Publish(key)
	srv, err := server.StartWith(ctx, testConfig(t, t.TempDir()), slog.New(slog.DiscardHandler), server.Options{OIDCHTTPClient: is.Client()})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	root := iamClient(srv, rootKey, rootSecret, "")
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})

	provARN := "arn:aws:iam::" + testAccount + ":oidc-provider/" + strings.TrimPrefix(is.URL, "https://")
	must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(is.URL), ClientIDList: []string{"sts.amazonaws.com"}}))
	fedTrust := func(actions, cond string) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":%s%s}]}`, provARN, actions, cond)
	}
	acctTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:SetSourceIdentity"]}]}`
	roles := map[string]string{
		"wi":      fedTrust(`["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"]`, ""),
		"wi-nosi": fedTrust(`"sts:AssumeRoleWithWebIdentity"`, ""),
		"wi-bob":  fedTrust(`["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"]`, `,"Condition":{"StringEquals":{"sts:SourceIdentity":"bob"}}`),
		"next":    acctTrust,
	}
	for name, trust := range roles {
		must[*iam.CreateRoleOutput](t, "CreateRole "+name)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
	}
	// The wi session may read roles only with its source identity, and chain on.
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy wi")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("wi"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice@example.com"}}}]}`)}))
	roleARN := func(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }
	token := func(sourceID any) string {
		return oidctest.Sign(t, key, webIdentityClaims(is.URL, func(c map[string]any) {
			if sourceID != nil {
				c["https://aws.amazon.com/source_identity"] = sourceID
			}
		}))
	}
	assume := func(role, tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN(role)),
			RoleSessionName: aws.String("s-" + role), WebIdentityToken: aws.String(tok)})
	}

	const denied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
	tests := []struct {
		name      string
		role      string
		sourceID  any // the claim's value; nil: no claim
		code, msg string
		wantSID   string
	}{
		{"claim, trust allows SetSourceIdentity", "wi", "alice@example.com", "", "", "alice@example.com"},
		{"no claim, trust allows SetSourceIdentity", "wi", nil, "", "", ""},
		{"claim, trust lacks SetSourceIdentity", "wi-nosi", "alice@example.com", "AccessDenied", denied, ""},
		{"no claim, trust lacks SetSourceIdentity", "wi-nosi", nil, "", "", ""},
		{"sts:SourceIdentity condition met", "wi-bob", "bob", "", "", "bob"},
		{"sts:SourceIdentity condition not met", "wi-bob", "alice@example.com", "AccessDenied", denied, ""},
		{"sts:SourceIdentity condition, no claim", "wi-bob", nil, "AccessDenied", denied, ""},
		{"claim beginning with aws:", "wi", "aws:alice", "InvalidIdentityToken", "", ""},
		{"claim of one character", "wi", "a", "InvalidIdentityToken", "", ""},
		{"claim of 65 characters", "wi", strings.Repeat("s", 65), "InvalidIdentityToken", "", ""},
		{"claim with a space", "wi", "alice smith", "InvalidIdentityToken", "", ""},
		{"claim not a string", "wi", 7, "InvalidIdentityToken", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := assume(tc.role, token(tc.sourceID))
			if tc.code != "" {
				wantCode(t, fmt.Sprintf("AssumeRoleWithWebIdentity %s, claim %v", tc.role, tc.sourceID), err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatalf("AssumeRoleWithWebIdentity %s, claim %v: %v", tc.role, tc.sourceID, err)
			}
			if got := aws.ToString(out.SourceIdentity); got != tc.wantSID {
				t.Errorf("AssumeRoleWithWebIdentity %s, claim %v: SourceIdentity = %q, want %q", tc.role, tc.sourceID, got, tc.wantSID)
			}
		})
	}

	// The session carries the source identity: aws:SourceIdentity in its requests, kept when it
	// chains on, and not changeable.
	out := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wi")(assume("wi", token("alice@example.com")))
	cr := out.Credentials
	sessIAM := iamClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	sessSTS := stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole as the session (aws:SourceIdentity condition)")(sessIAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wi")}))
	noSI := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wi without a claim")(assume("wi", token(nil))).Credentials
	_, err = iamClient(srv, aws.ToString(noSI.AccessKeyId), aws.ToString(noSI.SecretAccessKey), aws.ToString(noSI.SessionToken)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wi")})
	wantCode(t, "GetRole as a session without a source identity", err, "AccessDenied", "")

	chained := must[*sts.AssumeRoleOutput](t, "chained AssumeRole")(sessSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("next")), RoleSessionName: aws.String("chained")}))
	if got := aws.ToString(chained.SourceIdentity); got != "alice@example.com" {
		t.Errorf("chained AssumeRole: SourceIdentity = %q, want alice@example.com", got)
	}
	_, err = sessSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("next")), RoleSessionName: aws.String("chained"), SourceIdentity: aws.String("mallory")})
	wantCode(t, "chained AssumeRole changing the source identity", err, "AccessDenied", "")

	// CloudTrail: the response elements of AssumeRoleWithWebIdentity, and the session's later
	// calls in userIdentity.sessionContext.
	var got []string
	for _, ev := range lookupOK(t, srv, attr("EventName", "AssumeRoleWithWebIdentity")).Events {
		var rec struct {
			ErrorCode        string
			ResponseElements struct {
				SourceIdentity string `json:"sourceIdentity"`
			} `json:"responseElements"`
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if rec.ErrorCode == "" && rec.ResponseElements.SourceIdentity != "" {
			got = append(got, rec.ResponseElements.SourceIdentity)
		}
	}
	// Successful calls with a claim: the table's two, and the session above.
	if d := cmp.Diff([]string{"alice@example.com", "alice@example.com", "bob"}, got, cmpSorted); d != "" {
		t.Errorf("responseElements.sourceIdentity of AssumeRoleWithWebIdentity records (-want +got):\n%s", d)
	}
	var sessionSIDs []string
	for _, ev := range lookupOK(t, srv, attr("EventName", "GetRole")).Events {
		var rec struct {
			UserIdentity struct {
				SessionContext struct {
					SourceIdentity string `json:"sourceIdentity"`
				} `json:"sessionContext"`
			} `json:"userIdentity"`
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		sessionSIDs = append(sessionSIDs, rec.UserIdentity.SessionContext.SourceIdentity)
	}
	if d := cmp.Diff([]string{"", "alice@example.com"}, sessionSIDs, cmpSorted); d != "" {
		t.Errorf("userIdentity.sessionContext.sourceIdentity of GetRole records (-want +got):\n%s", d)
	}
}

// cmpSorted compares string slices ignoring order.
var cmpSorted = cmp.Transformer("sorted", func(in []string) []string {
	out := append([]string(nil), in...)
	slices.Sort(out)
	return out
})
