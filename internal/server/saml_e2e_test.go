package server_test

import (
	"context"
	"crypto/sha1" //nolint:gosec // AWS's NameQualifier is a SHA-1 digest
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
)

// TestAssumeRoleWithSAML: responses from a registered SAML identity provider, signed with the
// key its metadata names, get role sessions when the Role attribute and the trust policy allow;
// forged, foreign, misaddressed, stale and replayed responses are refused with STS's errors.
func TestAssumeRoleWithSAML(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})
	now := time.Now()
	idp := must[*samltest.IdP](t, "test IdP")(samltest.New("https://idp.example.com/saml", now))
	other := must[*samltest.IdP](t, "other IdP")(samltest.New("https://idp.example.com/saml", now))

	provARN := aws.ToString(must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(idp.Metadata())})).SAMLProviderArn)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"],`+
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml","saml:doc":"%s/Corp","saml:sub_type":"persistent"},"StringLike":{"saml:sub":"*@example.com"}}}]}`,
		provARN, testAccount)
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Admin"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.CreateRoleOutput](t, "CreateRole other")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Other"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("Admin"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)}))
	roleARN := "arn:aws:iam::" + testAccount + ":role/Admin"

	n := 0
	opts := func(edit func(*samltest.Options)) samltest.Options {
		n++
		o := idp.Options(time.Now(), fmt.Sprint(n), samltest.RoleAttr(provARN, roleARN), samltest.Attr("RoleSessionName", "alice@example.com"),
			samltest.Attr("PrincipalTag:Dept", "eng"), samltest.Attr("SourceIdentity", "alice"))
		if edit != nil {
			edit(&o)
		}
		return o
	}
	assume := func(resp string, mod func(*sts.AssumeRoleWithSAMLInput)) (*sts.AssumeRoleWithSAMLOutput, error) {
		in := &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(resp)}
		if mod != nil {
			mod(in)
		}
		return anon.AssumeRoleWithSAML(ctx, in)
	}

	// Success, and the session works.
	good := must[string](t, "Response")(idp.Response(opts(nil)))
	out := must[*sts.AssumeRoleWithSAMLOutput](t, "AssumeRoleWithSAML")(assume(good, nil))
	sessionARN := "arn:aws:sts::" + testAccount + ":assumed-role/Admin/alice@example.com"
	h := sha1.Sum([]byte("https://idp.example.com/saml" + testAccount + "/Corp")) //nolint:gosec // AWS's definition
	got := []string{aws.ToString(out.AssumedRoleUser.Arn), aws.ToString(out.Subject), aws.ToString(out.SubjectType), aws.ToString(out.Issuer),
		aws.ToString(out.Audience), aws.ToString(out.NameQualifier), aws.ToString(out.SourceIdentity)}
	want := []string{sessionARN, "alice@example.com", "persistent", "https://idp.example.com/saml", "https://signin.aws.amazon.com/saml",
		base64.StdEncoding.EncodeToString(h[:]), "alice"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("AssumeRoleWithSAML answer (-want +got):\n%s", d)
	}
	if out.Credentials == nil || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") || out.PackedPolicySize == nil {
		t.Errorf("credentials = %+v, packed size %v; want ASIA… credentials and a packed size (session tag)", out.Credentials, out.PackedPolicySize)
	}
	cr := out.Credentials
	who := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity as the SAML session")(stsClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(who.Arn) != sessionARN || aws.ToString(who.Account) != testAccount {
		t.Errorf("GetCallerIdentity = %s in %s, want %s in %s", aws.ToString(who.Arn), aws.ToString(who.Account), sessionARN, testAccount)
	}
	sess := iamClient(srv, aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	must[*iam.GetRoleOutput](t, "GetRole as the session")(sess.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("Admin")}))
	_, err := sess.ListRoles(ctx, &iam.ListRolesInput{})
	wantCode(t, "ListRoles as the session", err, "AccessDenied", "")

	// A response-level signature, a 15-minute session with a session policy.
	short := must[*sts.AssumeRoleWithSAMLOutput](t, "signed Response")(assume(must[string](t, "Response")(idp.Response(opts(func(o *samltest.Options) { o.SignResponse = true }))),
		func(in *sts.AssumeRoleWithSAMLInput) {
			in.DurationSeconds = aws.Int32(900)
			in.Policy = aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`)
		}))
	if time.Until(*short.Credentials.Expiration) > 15*time.Minute {
		t.Errorf("expiration %v, want within 15 minutes", short.Credentials.Expiration)
	}

	resp := func(edit func(*samltest.Options)) string {
		return must[string](t, "Response")(idp.Response(opts(edit)))
	}
	denied := "Not authorized to perform sts:AssumeRoleWithSAML"
	tests := []struct {
		name      string
		resp      string
		mod       func(*sts.AssumeRoleWithSAMLInput)
		code, msg string
	}{
		{"unsigned", resp(func(o *samltest.Options) { o.Unsigned = true }), nil, "InvalidIdentityToken", "Response signature invalid"},
		{"forged subject", func() string {
			b, _ := base64.StdEncoding.DecodeString(resp(nil))
			return base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(b), ">alice@example.com<", ">mallory@example.com<", 1)))
		}(), nil, "InvalidIdentityToken", "Response signature invalid"},
		{"signed by another key", must[string](t, "other")(idp.ResponseSignedBy(opts(nil), other.Key, other.CertDER)), nil, "InvalidIdentityToken", "Response signature invalid"},
		{"wrong audience", resp(func(o *samltest.Options) { o.Audience = "https://app.example.com" }), nil, "InvalidIdentityToken", "Response does not contain the required audience."},
		{"expired", resp(func(o *samltest.Options) {
			o.Issued, o.NotBefore, o.NotOnOrAfter, o.BearerNotOnOrAfter = now.Add(-time.Hour), now.Add(-time.Hour), now.Add(-50*time.Minute), now.Add(-50*time.Minute)
		}), nil, "ExpiredTokenException", "The SAML assertion has expired."},
		{"not yet valid", resp(func(o *samltest.Options) { o.NotBefore = time.Now().Add(time.Hour) }), nil, "InvalidIdentityToken", "The SAML assertion is not yet valid."},
		{"replayed", good, nil, "InvalidIdentityToken", "The SAML assertion has already been used."},
		{"role not in the assertion", resp(nil), func(in *sts.AssumeRoleWithSAMLInput) {
			in.RoleArn = aws.String("arn:aws:iam::" + testAccount + ":role/Other")
		}, "AccessDenied", denied},
		{"pair with another provider", resp(func(o *samltest.Options) {
			o.Attributes[0] = samltest.RoleAttr(roleARN, "arn:aws:iam::"+testAccount+":saml-provider/Elsewhere")
		}), nil, "AccessDenied", denied},
		{"sub not matching the trust policy", resp(func(o *samltest.Options) { o.Subject = "mallory@evil.example" }), nil, "AccessDenied", denied},
		{"no RoleSessionName", resp(func(o *samltest.Options) { o.Attributes = o.Attributes[:1] }), nil, "InvalidIdentityToken", "RoleSessionName is required in AuthnResponse"},
		{"unknown provider", resp(nil), func(in *sts.AssumeRoleWithSAMLInput) {
			in.PrincipalArn = aws.String("arn:aws:iam::" + testAccount + ":saml-provider/Nope")
		},
			"InvalidIdentityToken", "Specified provider doesn't exist."},
		{"duration over the role's maximum", resp(nil), func(in *sts.AssumeRoleWithSAMLInput) { in.DurationSeconds = aws.Int32(7200) },
			"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assume(tc.resp, tc.mod)
			wantCode(t, tc.name, err, tc.code, tc.msg)
		})
	}

	// The trail shows the successful calls' caller as the assertion's SAML user.
	var identities []string
	for _, ev := range lookupOK(t, srv, attr("EventName", "AssumeRoleWithSAML")).Events {
		var rec struct {
			ErrorCode    string
			UserIdentity struct{ Type, PrincipalID, UserName, IdentityProvider string }
		}
		if err := json.Unmarshal([]byte(ev.CloudTrailEvent), &rec); err != nil {
			t.Fatalf("record %s: %v", ev.CloudTrailEvent, err)
		}
		if rec.ErrorCode == "" {
			u := rec.UserIdentity
			identities = append(identities, strings.Join([]string{u.Type, u.PrincipalID, u.UserName, u.IdentityProvider}, " "))
		}
	}
	// identityProvider is saml:namequalifier (the CloudTrail userIdentity element reference).
	w := strings.Join([]string{"SAMLUser", base64.StdEncoding.EncodeToString(h[:]) + ":alice@example.com", "alice@example.com", base64.StdEncoding.EncodeToString(h[:])}, " ")
	if d := cmp.Diff([]string{w, w}, identities); d != "" {
		t.Errorf("identities of successful AssumeRoleWithSAML records (-want +got):\n%s", d)
	}

	// A source identity in the assertion needs sts:SetSourceIdentity in the trust policy.
	noSI := strings.Replace(trust, `,"sts:SetSourceIdentity"`, "", 1)
	must[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy without SetSourceIdentity")(root.UpdateAssumeRolePolicy(ctx,
		&iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Admin"), PolicyDocument: aws.String(noSI)}))
	_, err = assume(must[string](t, "Response")(idp.Response(opts(nil))), nil)
	wantCode(t, "AssumeRoleWithSAML with a source identity the trust policy does not allow setting", err, "AccessDenied", "")
	withoutSI := must[string](t, "Response")(idp.Response(opts(func(o *samltest.Options) {
		o.Attributes = slices.DeleteFunc(slices.Clone(o.Attributes), func(a samltest.Attribute) bool { return strings.HasSuffix(a.Name, "SourceIdentity") })
	})))
	must[*sts.AssumeRoleWithSAMLOutput](t, "AssumeRoleWithSAML without a source identity")(assume(withoutSI, nil))
}
