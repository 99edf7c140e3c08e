package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// samlMetadataKeys is SAML 2.0 IdP metadata with n signing certificates, each in its own
// KeyDescriptor.
func samlMetadataKeys(t *testing.T, n int) string {
	t.Helper()
	one := samlMetadata(t, "https://idp.example.com", "", "")
	start := strings.Index(one, "    <md:KeyDescriptor")
	end := strings.Index(one, "</md:KeyDescriptor>\n") + len("</md:KeyDescriptor>\n")
	var keys strings.Builder
	for i := range n {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: fmt.Sprint("key", i)},
			NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		keys.WriteString(`    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
			base64.StdEncoding.EncodeToString(der) + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n")
	}
	return one[:start] + keys.String() + one[end:]
}

// TestQuotaWalks3 walks the fixed quotas of the "IAM and AWS STS quotas" page that
// quota_e2e_test.go, quota2_e2e_test.go and the per-feature tests do not: tags on OIDC and SAML
// providers, server certificates and virtual MFA devices, and keys per SAML provider. Every call
// up to the limit succeeds; the next answers LimitExceeded with the quota message.
func TestQuotaWalks3(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	oidc := must[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://idp.example.com"), ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)}})).OpenIDConnectProviderArn
	saml := must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("idp"), SAMLMetadataDocument: aws.String(samlMetadata(t, "https://idp.example.com", "", ""))})).SAMLProviderArn
	cert, key := validCert(t, "www.example.com")
	must[*iam.UploadServerCertificateOutput](t, "UploadServerCertificate")(root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("web"), CertificateBody: aws.String(cert), PrivateKey: aws.String(key)}))
	mfa := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: aws.String("d")})).VirtualMFADevice.SerialNumber
	tag := func(i int) []iamtypes.Tag {
		return []iamtypes.Tag{{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}}
	}

	tests := []struct {
		name  string
		limit int
		call  func(i int) error
		msg   string
	}{
		// iamd's key names the entity as the API does (OpenIDConnectProvider, MFADevice); AWS's
		// own spelling of these two keys is not recorded anywhere we could find.
		{"TagsPerOpenIDConnectProvider", 50, func(i int) error {
			_, err := root.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: oidc, Tags: tag(i)})
			return err
		}, "Cannot exceed quota for TagsPerOpenIDConnectProvider: 50"},
		{"TagsPerSAMLProvider", 50, func(i int) error {
			_, err := root.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: saml, Tags: tag(i)})
			return err
		}, "Cannot exceed quota for TagsPerSAMLProvider: 50"},
		{"TagsPerServerCertificate", 50, func(i int) error {
			_, err := root.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("web"), Tags: tag(i)})
			return err
		}, "Cannot exceed quota for TagsPerServerCertificate: 50"},
		{"TagsPerMFADevice", 50, func(i int) error {
			_, err := root.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: mfa, Tags: tag(i)})
			return err
		}, "Cannot exceed quota for TagsPerMFADevice: 50"},
		{"KeysPerSAMLProvider", 1, func(i int) error {
			// A provider whose metadata has 10 signing keys, then one with 11.
			_, err := root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(fmt.Sprint("keys", i)),
				SAMLMetadataDocument: aws.String(samlMetadataKeys(t, 10+i))})
			return err
		}, "Cannot exceed quota for KeysPerSAMLProvider: 10"},
		{"KeysPerSAMLProvider on update", 1, func(i int) error {
			_, err := root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: saml,
				SAMLMetadataDocument: aws.String(samlMetadataKeys(t, 10+i))})
			return err
		}, "Cannot exceed quota for KeysPerSAMLProvider: 10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.limit {
				if err := tc.call(i); err != nil {
					t.Fatalf("call %d of %d: %v", i+1, tc.limit, err)
				}
			}
			wantCode(t, "one past the quota", tc.call(tc.limit), "LimitExceeded", tc.msg)
		})
	}
}

// TestQuotasOfOne: the quotas of one per entity that AWS enforces by replacing rather than
// refusing. A second permissions boundary replaces the first (PutUserPermissionsBoundary and
// PutRolePermissionsBoundary set, not add). The account alias and the login profile are walked
// in TestAccountAlias (a new alias replaces the old) and TestLoginProfiles (a second profile is
// EntityAlreadyExists).
func TestQuotasOfOne(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	var arns []*string
	for i := range 2 {
		p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprint("b", i)), PolicyDocument: aws.String(policyDoc("iam:GetUser"))}))
		arns = append(arns, p.Policy.Arn)
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trustDoc(acctARN+"root", ""))}))
	for _, tc := range []struct {
		name string
		put  func(arn *string) error
		get  func() (*iamtypes.AttachedPermissionsBoundary, error)
	}{
		{"user", func(arn *string) error {
			_, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("u"), PermissionsBoundary: arn})
			return err
		}, func() (*iamtypes.AttachedPermissionsBoundary, error) {
			out, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("u")})
			if err != nil {
				return nil, err
			}
			return out.User.PermissionsBoundary, nil
		}},
		{"role", func(arn *string) error {
			_, err := root.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("r"), PermissionsBoundary: arn})
			return err
		}, func() (*iamtypes.AttachedPermissionsBoundary, error) {
			out, err := root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
			if err != nil {
				return nil, err
			}
			return out.Role.PermissionsBoundary, nil
		}},
	} {
		t.Run("PermissionsBoundary per "+tc.name, func(t *testing.T) {
			for i, arn := range arns {
				if err := tc.put(arn); err != nil {
					t.Fatalf("boundary %d: %v", i+1, err)
				}
				b, err := tc.get()
				if err != nil {
					t.Fatal(err)
				}
				if b == nil || aws.ToString(b.PermissionsBoundaryArn) != aws.ToString(arn) {
					t.Errorf("after boundary %d: boundary = %+v, want %s", i+1, b, aws.ToString(arn))
				}
			}
		})
	}
}

// TestCharacterQuotas walks the "IAM and STS character quotas" table: a value of exactly the
// quota's length is accepted, one character more is ValidationError with the constraint AWS's
// request validation reports.
func TestCharacterQuotas(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	trust := aws.String(trustDoc(acctARN+"root", ""))
	sessionTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctARN + `root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(sessionTrust)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(policyDoc("sts:AssumeRole", "sts:TagSession"))}))
	user := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	name := func(c byte, n int) string { return strings.Repeat(string(c), n) }
	assume := func(session string, tags []ststypes.Tag) error {
		_, err := user.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + "role/r"), RoleSessionName: aws.String(session), Tags: tags})
		return err
	}

	tests := []struct {
		name  string
		limit int
		call  func(v string) error
		field string
	}{
		{"user name", 64, func(v string) error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(v)})
			return err
		}, "userName"},
		{"group name", 128, func(v string) error {
			_, err := root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(v)})
			return err
		}, "groupName"},
		{"role name", 64, func(v string) error {
			_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(v), AssumeRolePolicyDocument: trust})
			return err
		}, "roleName"},
		{"instance profile name", 128, func(v string) error {
			_, err := root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(v)})
			return err
		}, "instanceProfileName"},
		{"policy name", 128, func(v string) error {
			_, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(v), PolicyDocument: aws.String(policyDoc("iam:GetUser"))})
			return err
		}, "policyName"},
		{"inline policy name", 128, func(v string) error {
			_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String(v), PolicyDocument: aws.String(policyDoc("iam:GetUser"))})
			return err
		}, "policyName"},
		{"path", 512, func(v string) error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprint("p", len(v))), Path: aws.String(v)})
			return err
		}, "path"},
		{"tag key", 128, func(v string) error {
			_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("u"), Tags: []iamtypes.Tag{{Key: aws.String(v), Value: aws.String("v")}}})
			return err
		}, "tags.1.member.key"},
		{"tag value", 256, func(v string) error {
			_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("u"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String(v)}}})
			return err
		}, "tags.1.member.value"},
		{"account alias", 63, func(v string) error {
			_, err := root.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(v)})
			return err
		}, "accountAlias"},
		{"role session name", 64, func(v string) error { return assume(v, nil) }, "roleSessionName"},
		{"session tag key", 128, func(v string) error {
			return assume("ss", []ststypes.Tag{{Key: aws.String(v), Value: aws.String("v")}})
		}, "tags.1.member.key"},
		{"session tag value", 256, func(v string) error {
			return assume("ss", []ststypes.Tag{{Key: aws.String("k"), Value: aws.String(v)}})
		}, "tags.1.member.value"},
	}
	t.Run("password", func(t *testing.T) {
		// 1–128 characters. AWS leaves a sensitive member's value out of the message.
		msgs := []string{
			"2 validation errors detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				`Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`,
			"",
			"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128",
		}
		for i, pw := range []string{"", strings.Repeat("Aa1!", 32), strings.Repeat("Aa1!", 32) + "x"} {
			_, err := root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("u"), Password: aws.String(pw)})
			if i == 1 {
				if err != nil {
					t.Fatalf("128 characters: %v", err)
				}
				continue
			}
			wantCode(t, fmt.Sprint(len(pw), " characters"), err, "ValidationError", msgs[i])
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			at, past := name('a', tc.limit), name('a', tc.limit+1)
			if tc.field == "path" {
				at, past = "/"+name('a', tc.limit-2)+"/", "/"+name('a', tc.limit-1)+"/"
			}
			if err := tc.call(at); err != nil {
				t.Fatalf("%d characters: %v", tc.limit, err)
			}
			want := "1 validation error detected: Value '" + past + "' at '" + tc.field + "' failed to satisfy constraint: Member must have length less than or equal to " + fmt.Sprint(tc.limit)
			if tc.field == "accountAlias" { // the pattern's {1,61} fails too, and AWS names both
				want = "2 validation errors detected: Value '" + past + "' at 'accountAlias' failed to satisfy constraint: Member must have length less than or equal to 63; " +
					"Value '" + past + "' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
			}
			wantCode(t, fmt.Sprint(tc.limit+1, " characters"), tc.call(past), "ValidationError", want)
		})
	}
}

// TestSessionQuotas walks the STS rows of the character quotas table on AssumeRole: the session
// duration (900 seconds to the role's maximum, at most 12 hours), the managed session policies
// (10 ARNs) and the session tags (50).
func TestSessionQuotas(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	trust := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acctARN + `root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`)
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("short"), AssumeRolePolicyDocument: trust}))
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("long"), AssumeRolePolicyDocument: trust, MaxSessionDuration: aws.Int32(43200)}))
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("u"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(policyDoc("sts:AssumeRole", "sts:TagSession"))}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("u")}))
	user := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	var arns []ststypes.PolicyDescriptorType
	for i := range 11 {
		p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprint("s", i)), PolicyDocument: aws.String(policyDoc("iam:GetUser"))}))
		arns = append(arns, ststypes.PolicyDescriptorType{Arn: p.Policy.Arn})
	}
	var tags []ststypes.Tag
	for i := range 51 {
		tags = append(tags, ststypes.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	assume := func(in *sts.AssumeRoleInput) error {
		in.RoleSessionName = aws.String("walk")
		if in.RoleArn == nil {
			in.RoleArn = aws.String(acctARN + "role/short")
		}
		_, err := user.AssumeRole(ctx, in)
		return err
	}
	tests := []struct {
		name    string
		ok, bad *sts.AssumeRoleInput
		msg     string
	}{
		{"duration at least 900", &sts.AssumeRoleInput{DurationSeconds: aws.Int32(900)}, &sts.AssumeRoleInput{DurationSeconds: aws.Int32(899)},
			"1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"duration up to the role's maximum", &sts.AssumeRoleInput{DurationSeconds: aws.Int32(3600)}, &sts.AssumeRoleInput{DurationSeconds: aws.Int32(3601)},
			"The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"duration up to 12 hours", &sts.AssumeRoleInput{RoleArn: aws.String(acctARN + "role/long"), DurationSeconds: aws.Int32(43200)},
			&sts.AssumeRoleInput{RoleArn: aws.String(acctARN + "role/long"), DurationSeconds: aws.Int32(43201)},
			"1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"10 managed session policies", &sts.AssumeRoleInput{PolicyArns: arns[:10]}, &sts.AssumeRoleInput{PolicyArns: arns},
			"1 validation error detected: Value '11' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10"},
		// AWS's message shows the list itself as the value; iamd shows its length.
		{"50 session tags", &sts.AssumeRoleInput{Tags: tags[:50]}, &sts.AssumeRoleInput{Tags: tags}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := assume(tc.ok); err != nil {
				t.Fatalf("at the quota: %v", err)
			}
			wantCode(t, "one past the quota", assume(tc.bad), "ValidationError", tc.msg)
		})
	}
}
