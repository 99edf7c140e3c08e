package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"
)

// getJSON fetches url unsigned and decodes its JSON body into v; it returns the HTTP status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, b)
		}
	}
	return resp.StatusCode
}

// outboundClaims are the claims of a GetWebIdentityToken token that the test checks.
type outboundClaims struct {
	jwt.Claims
	AWS struct {
		Account       string            `json:"aws_account"`
		Region        string            `json:"source_region"`
		PrincipalID   string            `json:"principal_id"`
		PrincipalTags map[string]string `json:"principal_tags"`
		RequestTags   map[string]string `json:"request_tags"`
	} `json:"https://sts.amazonaws.com/"`
}

// verifyOutbound verifies a token the way an external service does: the issuer's discovery
// document names the key set, and the token's key ID picks the key.
func verifyOutbound(t *testing.T, issuer, token, audience string) (outboundClaims, string) {
	t.Helper()
	var disc struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	if code := getJSON(t, issuer+"/.well-known/openid-configuration", &disc); code != http.StatusOK {
		t.Fatalf("discovery document: status %d", code)
	}
	if disc.Issuer != issuer || disc.JWKSURI != issuer+"/.well-known/jwks.json" || !cmp.Equal(disc.Algs, []string{"RS256", "ES384"}) {
		t.Errorf("discovery document = %+v, want issuer %s", disc, issuer)
	}
	var set jose.JSONWebKeySet
	if code := getJSON(t, disc.JWKSURI, &set); code != http.StatusOK {
		t.Fatalf("key set: status %d", code)
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES384})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	kid := tok.Headers[0].KeyID
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("key set has %d keys with ID %q, want 1 (set %+v)", len(keys), kid, set)
	}
	var c outboundClaims
	if err := tok.Claims(keys[0].Key, &c); err != nil {
		t.Fatalf("verify token: %v", err)
	}
	if err := c.Validate(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{audience}, Time: time.Now()}); err != nil {
		t.Errorf("validate claims %+v: %v", c.Claims, err)
	}
	return c, tok.Headers[0].Algorithm
}

// TestOutboundWebIdentityFederation: enabling the feature gives the account an issuer on the
// server's listener; GetWebIdentityToken tokens (RS256 and ES384) verify against the issuer's
// published keys with an independent JOSE library; policies see the audience, duration and
// tags; disabling stops new tokens but not the key set.
func TestOutboundWebIdentityFederation(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	rootSTS := stsClient(srv, rootKey, rootSecret, "")
	issuer := srv.Endpoint() + "/outbound/" + testAccount
	const aud = "https://api.example.com"

	_, err := root.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	wantCode(t, "info before enabling", err, "FeatureDisabled", "")
	_, err = root.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	wantCode(t, "disable before enabling", err, "FeatureDisabled", "")
	_, err = rootSTS.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256")})
	wantCode(t, "token before enabling", err, "OutboundWebIdentityFederationDisabledException", "")
	if code := getJSON(t, issuer+"/.well-known/jwks.json", &struct{}{}); code != http.StatusNotFound {
		t.Errorf("key set before enabling: status %d, want 404", code)
	}

	en := must[*iam.EnableOutboundWebIdentityFederationOutput](t, "Enable")(root.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{}))
	if got := aws.ToString(en.IssuerIdentifier); got != issuer {
		t.Fatalf("IssuerIdentifier = %s, want %s", got, issuer)
	}
	_, err = root.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	wantCode(t, "enable twice", err, "FeatureEnabled", "")
	info := must[*iam.GetOutboundWebIdentityFederationInfoOutput](t, "Info")(root.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{}))
	if aws.ToString(info.IssuerIdentifier) != issuer || !info.JwtVendingEnabled {
		t.Errorf("info = %s enabled %v, want %s enabled", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled, issuer)
	}

	// A user whose policy limits the audience and the lifetime, as AWS's guide shows.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("wes"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("wes"), PolicyName: aws.String("jwt"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*","Condition":{
				"ForAllValues:StringEquals":{"sts:IdentityTokenAudience":"` + aud + `"},
				"NumericLessThanEquals":{"sts:DurationSeconds":"900"}}},
			{"Effect":"Allow","Action":"sts:TagGetWebIdentityToken","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["job"]}}},
			{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("wes")}))
	wes := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	userARN := "arn:aws:iam::" + testAccount + ":user/wes"

	before := time.Now().Add(-time.Second)
	rs := must[*sts.GetWebIdentityTokenOutput](t, "GetWebIdentityToken RS256")(wes.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{
		Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(600),
		Tags: []ststypes.Tag{{Key: aws.String("job"), Value: aws.String("nightly")}}}))
	c, alg := verifyOutbound(t, issuer, aws.ToString(rs.WebIdentityToken), aud)
	if alg != "RS256" {
		t.Errorf("RS256 token signed with %s", alg)
	}
	if c.Subject != userARN || c.AWS.Account != testAccount || c.AWS.PrincipalID != userARN || c.AWS.Region != "us-east-1" {
		t.Errorf("claims sub %s, aws %+v; want %s in account %s, region us-east-1", c.Subject, c.AWS, userARN, testAccount)
	}
	if diff := cmp.Diff(map[string]string{"team": "data"}, c.AWS.PrincipalTags); diff != "" {
		t.Errorf("principal_tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"job": "nightly"}, c.AWS.RequestTags); diff != "" {
		t.Errorf("request_tags (-want +got):\n%s", diff)
	}
	exp := aws.ToTime(rs.Expiration)
	if life := c.Expiry.Time().Sub(c.IssuedAt.Time()); life != 600*time.Second || !c.Expiry.Time().Equal(exp) || exp.Before(before.Add(600*time.Second)) {
		t.Errorf("token lives %s until %s (Expiration %s), want 10m from now", life, c.Expiry.Time(), exp)
	}
	if c.ID == "" {
		t.Error("token has no jti")
	}

	es := must[*sts.GetWebIdentityTokenOutput](t, "GetWebIdentityToken ES384")(wes.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{
		Audience: []string{aud}, SigningAlgorithm: aws.String("ES384")}))
	c, alg = verifyOutbound(t, issuer, aws.ToString(es.WebIdentityToken), aud)
	if life := c.Expiry.Time().Sub(c.IssuedAt.Time()); alg != "ES384" || life != 300*time.Second {
		t.Errorf("ES384 token: alg %s, lifetime %s; want ES384, the default 5m", alg, life)
	}

	for _, tc := range []struct {
		name      string
		in        *sts.GetWebIdentityTokenInput
		code, msg string
	}{
		{"audience the policy does not allow", &sts.GetWebIdentityTokenInput{Audience: []string{aud, "https://other.example"}, SigningAlgorithm: aws.String("RS256")}, "AccessDenied", ""},
		{"longer than the policy allows", &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(1800)}, "AccessDenied", ""},
		{"tag key the policy does not allow", &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"),
			Tags: []ststypes.Tag{{Key: aws.String("cost"), Value: aws.String("1")}}}, "AccessDenied", ""},
		{"too short", &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256"), DurationSeconds: aws.Int32(30)}, "ValidationError",
			"1 validation error detected: Value '30' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60"},
		{"HMAC", &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("HS256")}, "ValidationError", ""},
		{"eleven audiences", &sts.GetWebIdentityTokenInput{Audience: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}, SigningAlgorithm: aws.String("RS256")}, "ValidationError", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := wes.GetWebIdentityToken(ctx, tc.in)
			wantCode(t, tc.name, err, tc.code, tc.msg)
		})
	}

	// A role session's token names the role.
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("pipeline"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userARN + `"},"Action":"sts:AssumeRole"}]}`)}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("pipeline"), PolicyName: aws.String("jwt"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}`)}))
	ar := must[*sts.AssumeRoleOutput](t, "AssumeRole")(wes.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/pipeline"), RoleSessionName: aws.String("run-1")}))
	sess := stsClient(srv, aws.ToString(ar.Credentials.AccessKeyId), aws.ToString(ar.Credentials.SecretAccessKey), aws.ToString(ar.Credentials.SessionToken))
	rt := must[*sts.GetWebIdentityTokenOutput](t, "GetWebIdentityToken as a role session")(sess.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{
		Audience: []string{"sts.example"}, SigningAlgorithm: aws.String("ES384")}))
	c, _ = verifyOutbound(t, issuer, aws.ToString(rt.WebIdentityToken), "sts.example")
	if roleARN := "arn:aws:iam::" + testAccount + ":role/pipeline"; c.Subject != roleARN || c.AWS.PrincipalID != roleARN {
		t.Errorf("role session token sub %s, principal_id %s; want %s", c.Subject, c.AWS.PrincipalID, roleARN)
	}

	// Disabled: no new tokens, but earlier ones still verify; enabling again keeps the issuer.
	must[*iam.DisableOutboundWebIdentityFederationOutput](t, "Disable")(root.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{}))
	_, err = wes.GetWebIdentityToken(ctx, &sts.GetWebIdentityTokenInput{Audience: []string{aud}, SigningAlgorithm: aws.String("RS256")})
	wantCode(t, "token after disabling", err, "OutboundWebIdentityFederationDisabledException", "")
	verifyOutbound(t, issuer, aws.ToString(rs.WebIdentityToken), aud)
	info = must[*iam.GetOutboundWebIdentityFederationInfoOutput](t, "Info disabled")(root.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{}))
	if aws.ToString(info.IssuerIdentifier) != issuer || info.JwtVendingEnabled {
		t.Errorf("info after disabling = %s enabled %v", aws.ToString(info.IssuerIdentifier), info.JwtVendingEnabled)
	}
	_, err = root.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	wantCode(t, "disable twice", err, "FeatureDisabled", "")
	again := must[*iam.EnableOutboundWebIdentityFederationOutput](t, "Enable again")(root.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{}))
	if aws.ToString(again.IssuerIdentifier) != issuer {
		t.Errorf("issuer after re-enabling = %s, want %s", aws.ToString(again.IssuerIdentifier), issuer)
	}

	// Only root (or a policy) may switch the feature.
	_, err = iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "").DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	wantCode(t, "disable without permission", err, "AccessDenied", "")
	if code := getJSON(t, srv.Endpoint()+"/outbound/999999999999/.well-known/openid-configuration", &struct{}{}); code != http.StatusNotFound {
		t.Errorf("another account's issuer: status %d, want 404", code)
	}
}

// BenchmarkGetWebIdentityToken measures GetWebIdentityToken end to end through the SDK client
// (signing, authorization, loading and opening the account's sealed key, signing the JWT), per
// algorithm, once the keys exist.
func BenchmarkGetWebIdentityToken(b *testing.B) {
	ctx := context.Background()
	srv, err := startBench(b)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := iamClient(srv, rootKey, rootSecret, "").EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{}); err != nil {
		b.Fatal(err)
	}
	client := stsClient(srv, rootKey, rootSecret, "")
	for _, alg := range []string{"RS256", "ES384"} {
		b.Run(alg, func(b *testing.B) {
			in := &sts.GetWebIdentityTokenInput{Audience: []string{"https://api.example.com"}, SigningAlgorithm: aws.String(alg)}
			if _, err := client.GetWebIdentityToken(ctx, in); err != nil { // makes the key
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.GetWebIdentityToken(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
