package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
	"github.com/iamd-dev/iamd/internal/server"
)

const (
	thumbA = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	thumbB = "1b511abead59c6ce207077c0bf0e0043b1382612"
)

func tagMap(tags []iamtypes.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// TestOIDCProviders: provider CRUD round trips and AWS's errors, through the SDK.
func TestOIDCProviders(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	created := must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{thumbA}, Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("ci")}},
	}))
	ghARN := "arn:aws:iam::" + testAccount + ":oidc-provider/token.actions.githubusercontent.com"
	if got := aws.ToString(created.OpenIDConnectProviderArn); got != ghARN {
		t.Errorf("ARN = %s, want %s", got, ghARN)
	}
	if d := cmp.Diff(map[string]string{"team": "ci"}, tagMap(created.Tags)); d != "" {
		t.Errorf("create tags (-want +got):\n%s", d)
	}
	must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider with path and port")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://login.example.com:8443/tenant/v2.0"), ThumbprintList: []string{thumbB},
	}))
	pathARN := "arn:aws:iam::" + testAccount + ":oidc-provider/login.example.com:8443/tenant/v2.0"

	get := must[*iam.GetOpenIDConnectProviderOutput](t, "GetOpenIDConnectProvider")(root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(ghARN)}))
	if aws.ToString(get.Url) != "token.actions.githubusercontent.com" || get.CreateDate == nil ||
		!cmp.Equal(get.ClientIDList, []string{"sts.amazonaws.com"}) || !cmp.Equal(get.ThumbprintList, []string{thumbA}) || tagMap(get.Tags)["team"] != "ci" {
		t.Errorf("GetOpenIDConnectProvider = url %q clients %v thumbprints %v created %v tags %v", aws.ToString(get.Url), get.ClientIDList, get.ThumbprintList, get.CreateDate, get.Tags)
	}

	list := must[*iam.ListOpenIDConnectProvidersOutput](t, "ListOpenIDConnectProviders")(root.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))
	var arns []string
	for _, e := range list.OpenIDConnectProviderList {
		arns = append(arns, aws.ToString(e.Arn))
	}
	if d := cmp.Diff([]string{ghARN, pathARN}, arns, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("ListOpenIDConnectProviders (-want +got):\n%s", d)
	}

	// Client IDs: adding twice keeps one; removing one that is not there is fine.
	for range 2 {
		must[*iam.AddClientIDToOpenIDConnectProviderOutput](t, "AddClientIDToOpenIDConnectProvider")(root.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(ghARN), ClientID: aws.String("my-app")}))
	}
	must[*iam.RemoveClientIDFromOpenIDConnectProviderOutput](t, "RemoveClientIDFromOpenIDConnectProvider")(root.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(ghARN), ClientID: aws.String("sts.amazonaws.com")}))
	must[*iam.RemoveClientIDFromOpenIDConnectProviderOutput](t, "RemoveClientIDFromOpenIDConnectProvider absent")(root.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(ghARN), ClientID: aws.String("never-added")}))
	must[*iam.UpdateOpenIDConnectProviderThumbprintOutput](t, "UpdateOpenIDConnectProviderThumbprint")(root.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{
		OpenIDConnectProviderArn: aws.String(ghARN), ThumbprintList: []string{thumbB, thumbA}}))
	get = must[*iam.GetOpenIDConnectProviderOutput](t, "GetOpenIDConnectProvider after updates")(root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(ghARN)}))
	if !cmp.Equal(get.ClientIDList, []string{"my-app"}) || !cmp.Equal(get.ThumbprintList, []string{thumbB, thumbA}) {
		t.Errorf("after updates: clients %v, thumbprints %v; want [my-app], [%s %s]", get.ClientIDList, get.ThumbprintList, thumbB, thumbA)
	}

	// Tags.
	must[*iam.TagOpenIDConnectProviderOutput](t, "TagOpenIDConnectProvider")(root.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(ghARN), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("platform")}}}))
	must[*iam.UntagOpenIDConnectProviderOutput](t, "UntagOpenIDConnectProvider")(root.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: aws.String(ghARN), TagKeys: []string{"env"}}))
	lt := must[*iam.ListOpenIDConnectProviderTagsOutput](t, "ListOpenIDConnectProviderTags")(root.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(ghARN)}))
	if d := cmp.Diff(map[string]string{"team": "platform"}, tagMap(lt.Tags)); d != "" || lt.IsTruncated {
		t.Errorf("ListOpenIDConnectProviderTags (-want +got):\n%s truncated %v", d, lt.IsTruncated)
	}

	// Errors.
	missingARN := "arn:aws:iam::" + testAccount + ":oidc-provider/nobody.example.com"
	otherAcct := "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"
	_, err := root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com"), ThumbprintList: []string{thumbA}})
	wantCode(t, "create duplicate", err, "EntityAlreadyExists", "Provider with url https://token.actions.githubusercontent.com already exists.")
	_, err = root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://insecure.example.com")})
	wantCode(t, "create http", err, "InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
	_, err = root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("example.com")})
	wantCode(t, "create without scheme", err, "ValidationError", "Invalid Open ID Connect Provider URL")
	_, err = root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://example.com?x=1")})
	wantCode(t, "create with query", err, "InvalidInput", "Invalid Open ID Connect Provider URL.")
	_, err = root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://six.example.com"), ThumbprintList: []string{thumbA, thumbA, thumbA, thumbA, thumbA, thumbA}})
	wantCode(t, "six thumbprints", err, "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
	_, err = root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://short.example.com"), ThumbprintList: []string{"abc"}})
	wantCode(t, "short thumbprint", err, "InvalidInput", "Thumbprint must be exactly 40 characters.")
	many := make([]string, 101)
	for i := range many {
		many[i] = "client-" + strings.Repeat("x", i%3+1) + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	_, err = root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://many.example.com"), ClientIDList: many})
	wantCode(t, "101 client IDs", err, "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	_, err = root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missingARN)})
	wantCode(t, "get missing", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+missingARN)
	_, err = root.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(otherAcct)})
	wantCode(t, "get another account's", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+otherAcct)
	_, err = root.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(missingARN), ClientID: aws.String("x")})
	wantCode(t, "add client to missing", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+missingARN)
	_, err = root.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(otherAcct), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantCode(t, "tag another account's", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+otherAcct)
	_, err = root.ListOpenIDConnectProviderTags(ctx, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: aws.String(missingARN)})
	wantCode(t, "list tags of missing", err, "NoSuchEntity", "OpenIDConnect Provider not found for arn "+missingARN)

	// Only callers allowed the action may manage providers.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))
	dev := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	_, err = dev.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(ghARN)})
	wantCode(t, "delete without permission", err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/dev is not authorized to perform: iam:DeleteOpenIDConnectProvider on resource: "+ghARN+" because no identity-based policy allows the iam:DeleteOpenIDConnectProvider action")

	// Delete is idempotent.
	for range 2 {
		must[*iam.DeleteOpenIDConnectProviderOutput](t, "DeleteOpenIDConnectProvider")(root.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(ghARN)}))
	}
	list = must[*iam.ListOpenIDConnectProvidersOutput](t, "ListOpenIDConnectProviders after delete")(root.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}))
	if len(list.OpenIDConnectProviderList) != 1 || aws.ToString(list.OpenIDConnectProviderList[0].Arn) != pathARN {
		t.Errorf("after delete: %d providers, want only %s", len(list.OpenIDConnectProviderList), pathARN)
	}
}

// webIdentityClaims are the claims of a GitHub Actions–style token from the test issuer, changed
// by mod.
func webIdentityClaims(iss string, mod func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": iss, "sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "amr": []string{"pwd"}}
	if mod != nil {
		mod(c)
	}
	return c
}

// TestAssumeRoleWithWebIdentity: an OIDC provider's tokens, verified against the issuer's
// published keys (RSA and EC), get role sessions when the trust policy's conditions hold, and
// each way a token can be wrong gets AWS's error.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	ctx := context.Background()
	is := oidctest.NewIssuer(t)
	rk, ek := oidctest.RSAKey(t, "rsa-1"), oidctest.ECKey(t, "ec-1")
	is.Publish(rk, ek)
	srv, err := server.StartWith(ctx, testConfig(t, t.TempDir()), slog.New(slog.DiscardHandler), server.Options{OIDCHTTPClient: is.Client()})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	root := iamClient(srv, rootKey, rootSecret, "")
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})

	name := strings.TrimPrefix(is.URL, "https://")
	provARN := "arn:aws:iam::" + testAccount + ":oidc-provider/" + name
	must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(is.URL), ClientIDList: []string{"sts.amazonaws.com", "web-app"}}))
	// A second provider that is registered but whose key set cannot be fetched.
	down := oidctest.NewIssuer(t)
	down.SetDown(true)
	must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider (down)")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(down.URL), ClientIDList: []string{"sts.amazonaws.com"}}))
	downName := strings.TrimPrefix(down.URL, "https://")

	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":[%q,%q]},"Action":"sts:AssumeRoleWithWebIdentity",`+
		`"Condition":{"StringEquals":{%q:"sts.amazonaws.com","aws:FederatedProvider":[%q,%q]},"StringLike":{%q:"repo:acme/app:*"},"ForAnyValue:StringEquals":{%q:"pwd"}}}]}`,
		provARN, "arn:aws:iam::"+testAccount+":oidc-provider/"+downName, name+":aud", provARN, "arn:aws:iam::"+testAccount+":oidc-provider/"+downName, name+":sub", name+":amr")
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ci"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)}))
	roleARN := "arn:aws:iam::" + testAccount + ":role/ci"
	assume := func(token string, mod func(*sts.AssumeRoleWithWebIdentityInput)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("build-42"), WebIdentityToken: aws.String(token)}
		if mod != nil {
			mod(in)
		}
		return anon.AssumeRoleWithWebIdentity(ctx, in)
	}

	// Success, and the session works.
	out := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity")(assume(oidctest.Sign(t, rk, webIdentityClaims(is.URL, nil)), nil))
	sessionARN := "arn:aws:sts::" + testAccount + ":assumed-role/ci/build-42"
	got := []string{aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.SubjectFromWebIdentityToken), aws.ToString(out.Audience), aws.ToString(out.Provider)}
	if d := cmp.Diff([]string{sessionARN, "repo:acme/app:ref:refs/heads/main", "sts.amazonaws.com", provARN}, got); d != "" {
		t.Errorf("AssumeRoleWithWebIdentity answer (-want +got):\n%s", d)
	}
	if out.Credentials == nil || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") || out.PackedPolicySize != nil {
		t.Errorf("credentials = %+v, packed size %v; want ASIA… credentials and no packed size", out.Credentials, out.PackedPolicySize)
	}
	cr := out.Credentials
	who := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as the web identity session")(stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(who.Arn) != sessionARN || aws.ToString(who.Account) != testAccount {
		t.Errorf("GetCallerIdentity = %s in %s, want %s in %s", aws.ToString(who.Arn), aws.ToString(who.Account), sessionARN, testAccount)
	}
	sess := iamClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole as the session")(sess.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ci")}))
	_, err = sess.ListRoles(ctx, &iam.ListRolesInput{})
	wantCode(t, "ListRoles as the session", err, "AccessDenied", "")

	// An EC-signed token whose azp is a client ID: aud is then azp (the trust policy's aud
	// condition names sts.amazonaws.com, so this one is denied), and the audience is azp.
	_, err = assume(oidctest.Sign(t, ek, webIdentityClaims(is.URL, func(c map[string]any) { c["azp"] = "web-app" })), nil)
	wantCode(t, "azp web-app against an aud condition", err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	ecOut := must[*sts.AssumeRoleWithWebIdentityOutput](t, "EC token")(assume(oidctest.Sign(t, ek, webIdentityClaims(is.URL, nil)), func(in *sts.AssumeRoleWithWebIdentityInput) {
		in.DurationSeconds = aws.Int32(900)
		in.Policy = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)
	}))
	if ecOut.PackedPolicySize == nil || ecOut.Credentials.Expiration.Sub(time.Now()) > 15*time.Minute {
		t.Errorf("EC token with session policy: packed size %v, expiration %v; want a size and 15 minutes", ecOut.PackedPolicySize, ecOut.Credentials.Expiration)
	}

	// Key rotation: a token signed by a key published after the key set was cached makes iamd
	// fetch the key set again.
	rotated := oidctest.RSAKey(t, "rsa-2")
	is.Publish(rotated, ek)
	hits := is.Hits()
	must[*sts.AssumeRoleWithWebIdentityOutput](t, "rotated key")(assume(oidctest.Sign(t, rotated, webIdentityClaims(is.URL, nil)), nil))
	if is.Hits() != hits+1 {
		t.Errorf("key set fetched %d times for the rotated key, want 1", is.Hits()-hits)
	}

	impostor := oidctest.RSAKey(t, "rsa-2") // the published kid, another key
	ghost := oidctest.RSAKey(t, "ghost")    // a kid nobody published
	tests := []struct {
		name      string
		token     string
		mod       func(*sts.AssumeRoleWithWebIdentityInput)
		code, msg string
	}{
		{"wrong signature", oidctest.Sign(t, impostor, webIdentityClaims(is.URL, nil)), nil, "InvalidIdentityToken", "Signature validation failed"},
		{"unknown kid", oidctest.Sign(t, ghost, webIdentityClaims(is.URL, nil)), nil, "InvalidIdentityToken", "Signature validation failed"},
		{"retired key", oidctest.Sign(t, rk, webIdentityClaims(is.URL, nil)), nil, "InvalidIdentityToken", "Signature validation failed"},
		{"expired", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, func(c map[string]any) {
			c["iat"], c["nbf"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
		})), nil, "ExpiredTokenException", "Token is expired"},
		{"wrong audience", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, func(c map[string]any) { c["aud"] = "someone-else" })), nil, "InvalidIdentityToken", "Incorrect token audience"},
		{"unregistered issuer", oidctest.Sign(t, rotated, webIdentityClaims("https://unregistered.example.com", nil)), nil, "InvalidIdentityToken",
			"No OpenIDConnect provider found in your account for https://unregistered.example.com"},
		{"sub not matching the trust policy", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, func(c map[string]any) { c["sub"] = "repo:evil/app:ref:refs/heads/main" })), nil,
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"amr not matching the trust policy", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, func(c map[string]any) { c["amr"] = []string{"otp"} })), nil,
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"no such role", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, nil)), func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleArn = aws.String(roleARN + "-gone") },
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{"duration over the role's maximum", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, nil)), func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(7200) },
			"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"not a JWT", "opaque-access-token", nil, "InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"},
		{"provider unreachable", oidctest.Sign(t, rotated, webIdentityClaims(down.URL, nil)), nil, "IDPCommunicationError", ""},
		{"ProviderId too short", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, nil)), func(in *sts.AssumeRoleWithWebIdentityInput) { in.ProviderId = aws.String("www") },
			"ValidationError", "1 validation error detected: Value 'www' at 'providerId' failed to satisfy constraint: Member must have length greater than or equal to 4"},
		{"ProviderId (OAuth 2.0, not supported)", oidctest.Sign(t, rotated, webIdentityClaims(is.URL, nil)), func(in *sts.AssumeRoleWithWebIdentityInput) { in.ProviderId = aws.String("graph.facebook.com") },
			"InvalidIdentityToken", ""},
	}
	hits = is.Hits()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assume(tc.token, tc.mod)
			wantCode(t, tc.name, err, tc.code, tc.msg)
		})
	}
	// The unknown kid and the retired key came within a minute of the rotation's refresh: no
	// further fetches.
	if is.Hits() != hits {
		t.Errorf("key set fetched %d more times for unknown key IDs within a minute, want 0", is.Hits()-hits)
	}

	// The trail shows the successful calls' caller as the token's web identity user.
	var identities []string
	for _, ev := range lookupOK(t, srv, attr("EventName", "AssumeRoleWithWebIdentity")).Events {
		var rec struct {
			ErrorCode          string
			RecipientAccountID string `json:"recipientAccountId"`
			UserIdentity       struct{ Type, PrincipalID, UserName, IdentityProvider string }
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if rec.ErrorCode == "" {
			u := rec.UserIdentity
			identities = append(identities, strings.Join([]string{rec.RecipientAccountID, u.Type, u.PrincipalID, u.UserName, u.IdentityProvider}, " "))
		}
	}
	sub := "repo:acme/app:ref:refs/heads/main"
	want := strings.Join([]string{testAccount, "WebIdentityUser", provARN + ":sts.amazonaws.com:" + sub, sub, provARN}, " ")
	if d := cmp.Diff([]string{want, want, want}, identities); d != "" {
		t.Errorf("identities of successful AssumeRoleWithWebIdentity records (-want +got):\n%s", d)
	}
}
