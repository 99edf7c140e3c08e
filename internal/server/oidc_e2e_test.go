package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
