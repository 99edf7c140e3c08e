package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
	"github.com/iamd-dev/iamd/internal/server"
)

// TestS6WebTagsSessionTags: a web identity token's https://aws.amazon.com/tags claim (IAM User
// Guide, "Passing session tags using AssumeRoleWithWebIdentity") tags the session: the trust
// policy must allow sts:TagSession and sees aws:RequestTag/*, aws:TagKeys and
// sts:TransitiveTagKeys; the tags follow AssumeRole's rules and count in PackedPolicySize; the
// session's requests carry them as aws:PrincipalTag/*, and the transitive ones pass to a chained
// AssumeRole; the CloudTrail record's requestParameters show principalTags and
// transitiveTagKeys (and sourceIdentity) as the User Guide's web identity example does.
func TestS6WebTagsSessionTags(t *testing.T) {
	ctx := context.Background()
	w := startWebIdentity(t)
	is, key, srv, root, anon, provARN := w.is, w.key, w.srv, w.root, w.anon, w.provARN
	fed := func(actions string) string {
		return fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":%s}`, provARN, actions)
	}
	// wt-cond lets tokens tag sessions only with Department=Engineering, the keys of AWS's
	// example, and Project or CostCenter transitive (the User Guide's trust policy example).
	condTag := fmt.Sprintf(`{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:TagSession","Condition":{`+
		`"StringEquals":{"aws:RequestTag/Department":"Engineering"},`+
		`"ForAllValues:StringEquals":{"aws:TagKeys":["Project","CostCenter","Department"],"sts:TransitiveTagKeys":["Project","CostCenter"]}}}`, provARN)
	doc := func(stmts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	}
	roles := map[string]string{
		"wt":       doc(fed(`["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"]`)),
		"wt-notag": doc(fed(`"sts:AssumeRoleWithWebIdentity"`)),
		"wt-cond":  doc(fed(`"sts:AssumeRoleWithWebIdentity"`), condTag),
		"next":     doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":["sts:AssumeRole","sts:TagSession"]}`),
	}
	for name, trust := range roles {
		must[*iam.CreateRoleOutput](t, "CreateRole "+name)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
	}
	// Sessions of wt and next may get roles with Project=Automation, and list them with
	// Department=Engineering; wt's may chain on to next.
	abac := `{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Project":"Automation"}}},` +
		`{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Department":"Engineering"}}}`
	for role, policy := range map[string]string{
		"wt":   doc(abac, `{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}`),
		"next": doc(abac),
	} {
		must[*iam.PutRolePolicyOutput](t, "PutRolePolicy "+role)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String("abac"), PolicyDocument: aws.String(policy)}))
	}
	roleARN := func(name string) string { return "arn:aws:iam::" + testAccount + ":role/" + name }
	// token signs a token whose tags claim is claim (nil: none), plus more claims.
	token := func(claim any, more map[string]any) string {
		return oidctest.Sign(t, key, webIdentityClaims(is.URL, func(c map[string]any) {
			if claim != nil {
				c["https://aws.amazon.com/tags"] = claim
			}
			for k, v := range more {
				c[k] = v
			}
		}))
	}
	assume := func(role, session, tok string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		return anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN(role)),
			RoleSessionName: aws.String(session), WebIdentityToken: aws.String(tok)})
	}
	tagsClaim := func(tags map[string][]string, transitive ...string) map[string]any {
		c := map[string]any{"principal_tags": tags}
		if transitive != nil {
			c["transitive_tag_keys"] = transitive
		}
		return c
	}
	// The User Guide's example claim.
	awsExample := tagsClaim(map[string][]string{"Project": {"Automation"}, "CostCenter": {"987654"}, "Department": {"Engineering"}}, "Project", "CostCenter")
	// Its packed size: the keys and values, 54 characters, of 2048.
	const examplePacked = 54 * 100 / 2048
	many := map[string][]string{}
	for i := range 51 {
		many[fmt.Sprintf("k%02d", i)] = []string{"v"}
	}
	// 10 tags of 300 characters: 3000 of 2048 is 146%.
	large := map[string][]string{}
	for i := range 10 {
		large[fmt.Sprintf("%02d", i)+strings.Repeat("k", 98)] = []string{strings.Repeat("v", 200)}
	}

	const denied = "Not authorized to perform sts:AssumeRoleWithWebIdentity"
	tests := []struct {
		name       string
		role       string
		claim      any // the tags claim; nil: none
		code, msg  string
		wantPacked *int32
	}{
		{"AWS's example, trust allows TagSession", "wt", awsExample, "", "", aws.Int32(examplePacked)},
		{"no claim, trust allows TagSession", "wt", nil, "", "", nil},
		{"AWS's example, trust lacks TagSession", "wt-notag", awsExample, "AccessDenied", denied, nil},
		{"no claim, trust lacks TagSession", "wt-notag", nil, "", "", nil},
		{"claim without tags, trust lacks TagSession", "wt-notag", tagsClaim(map[string][]string{}), "", "", nil},
		{"trust conditions on tags met", "wt-cond", awsExample, "", "", aws.Int32(examplePacked)},
		{"aws:RequestTag condition not met", "wt-cond", tagsClaim(map[string][]string{"Department": {"Sales"}}), "AccessDenied", denied, nil},
		{"aws:TagKeys condition not met", "wt-cond", tagsClaim(map[string][]string{"Department": {"Engineering"}, "Extra": {"x"}}), "AccessDenied", denied, nil},
		{"sts:TransitiveTagKeys condition not met", "wt-cond", tagsClaim(map[string][]string{"Department": {"Engineering"}}, "Department"), "AccessDenied", denied, nil},
		{"51 tags", "wt", tagsClaim(many), "ValidationError", "", nil},
		{"multivalued tag", "wt", tagsClaim(map[string][]string{"Department": {"Engineering", "Sales"}}), "ValidationError", "Unable to validate tags", nil},
		{"claim not an object", "wt", "Department=Engineering", "ValidationError", "Unable to validate tags", nil},
		{"transitive key naming no tag", "wt", tagsClaim(map[string][]string{"Department": {"Engineering"}}, "Project"),
			"InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.", nil},
		{"keys differing in case", "wt", tagsClaim(map[string][]string{"Team": {"a"}, "team": {"b"}}),
			"InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", nil},
		{"aws: tag key", "wt", tagsClaim(map[string][]string{"aws:team": {"x"}}), "InvalidInput", "", nil},
		{"value with a bad character", "wt", tagsClaim(map[string][]string{"team": {"a!"}}), "ValidationError", "", nil},
		{"tags over the packed size", "wt", tagsClaim(large), "PackedPolicyTooLarge", "Packed policy consumes 146% of allotted space, please use smaller policy.", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := assume(tc.role, "t-"+tc.role, token(tc.claim, nil))
			what := fmt.Sprintf("AssumeRoleWithWebIdentity %s, claim %v", tc.role, tc.claim)
			if tc.code != "" {
				wantCode(t, what, err, tc.code, tc.msg)
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if d := cmp.Diff(tc.wantPacked, out.PackedPolicySize); d != "" {
				t.Errorf("%s: PackedPolicySize (-want +got):\n%s", what, d)
			}
		})
	}

	// The tags are the session's principal tags.
	out := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wt with AWS's example")(assume("wt", "tagged", token(awsExample, nil)))
	cr := out.Credentials
	tagged := iamClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	taggedSTS := stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole as the tagged session (aws:PrincipalTag/Project)")(tagged.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wt")}))
	must[*iam.ListRolesOutput](t, "ListRoles as the tagged session (aws:PrincipalTag/Department)")(tagged.ListRoles(ctx, &iam.ListRolesInput{}))
	plain := must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wt without tags")(assume("wt", "plain", token(nil, nil))).Credentials
	untagged := iamClient(srv, aws.ToString(plain.AccessKeyId), aws.ToString(plain.SecretAccessKey), aws.ToString(plain.SessionToken))
	_, err := untagged.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("wt")})
	wantCode(t, "GetRole as a session without tags", err, "AccessDenied", "")
	_, err = untagged.ListRoles(ctx, &iam.ListRolesInput{})
	wantCode(t, "ListRoles as a session without tags", err, "AccessDenied", "")

	// A chained AssumeRole keeps the transitive tags (Project, CostCenter) and drops Department.
	chained := must[*sts.AssumeRoleOutput](t, "chained AssumeRole")(taggedSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("next")), RoleSessionName: aws.String("chained")}))
	if chained.PackedPolicySize == nil {
		t.Errorf("chained AssumeRole: PackedPolicySize is absent, want the inherited tags' share")
	}
	cc := chained.Credentials
	next := iamClient(srv, aws.ToString(cc.AccessKeyId), aws.ToString(cc.SecretAccessKey), aws.ToString(cc.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole as the chained session (transitive Project)")(next.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("next")}))
	_, err = next.ListRoles(ctx, &iam.ListRolesInput{})
	wantCode(t, "ListRoles as the chained session (Department is not transitive)", err, "AccessDenied", "")

	// CloudTrail: the request parameters of a call with tags and a source identity.
	must[*sts.AssumeRoleWithWebIdentityOutput](t, "AssumeRoleWithWebIdentity wt with tags and a source identity")(assume("wt", "recorded",
		token(awsExample, map[string]any{"https://aws.amazon.com/source_identity": "alice"})))
	type params struct {
		RoleSessionName   string            `json:"roleSessionName"`
		SourceIdentity    string            `json:"sourceIdentity"`
		PrincipalTags     map[string]string `json:"principalTags"`
		TransitiveTagKeys []string          `json:"transitiveTagKeys"`
		WebIdentityToken  *string           `json:"webIdentityToken"`
	}
	got := map[string]params{}
	for _, ev := range lookupOK(t, srv, attr("EventName", "AssumeRoleWithWebIdentity")).Events {
		var rec struct {
			ErrorCode         string `json:"errorCode"`
			RequestParameters params `json:"requestParameters"`
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if p := rec.RequestParameters; rec.ErrorCode == "" && (p.RoleSessionName == "recorded" || p.RoleSessionName == "tagged" || p.RoleSessionName == "plain") {
			got[p.RoleSessionName] = p
		}
	}
	exampleTags := map[string]string{"Project": "Automation", "CostCenter": "987654", "Department": "Engineering"}
	want := map[string]params{
		"recorded": {RoleSessionName: "recorded", SourceIdentity: "alice", PrincipalTags: exampleTags, TransitiveTagKeys: []string{"Project", "CostCenter"}},
		"tagged":   {RoleSessionName: "tagged", PrincipalTags: exampleTags, TransitiveTagKeys: []string{"Project", "CostCenter"}},
		"plain":    {RoleSessionName: "plain"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("requestParameters of AssumeRoleWithWebIdentity records (-want +got):\n%s", d)
	}
}

// webIdentity is a server whose OIDC client reaches a test issuer registered as a provider
// (client ID sts.amazonaws.com), with a root client, an unsigned STS client and the issuer's
// RSA key.
type webIdentity struct {
	is      *oidctest.Issuer
	key     jose.JSONWebKey
	srv     *server.Server
	root    *iam.Client
	anon    *sts.Client
	provARN string
}

func startWebIdentity(t *testing.T) webIdentity {
	t.Helper()
	ctx := context.Background()
	w := webIdentity{is: oidctest.NewIssuer(t), key: oidctest.RSAKey(t, "rsa-1")}
	w.is.Publish(w.key)
	srv, err := server.StartWith(ctx, testConfig(t, t.TempDir()), slog.New(slog.DiscardHandler), server.Options{OIDCHTTPClient: w.is.Client()})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	w.srv = srv
	w.root = iamClient(srv, rootKey, rootSecret, "")
	w.anon = sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})
	w.provARN = "arn:aws:iam::" + testAccount + ":oidc-provider/" + strings.TrimPrefix(w.is.URL, "https://")
	must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(w.root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String(w.is.URL), ClientIDList: []string{"sts.amazonaws.com"}}))
	return w
}
