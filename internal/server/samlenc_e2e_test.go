package server_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/samlsp"
	"github.com/iamd-dev/iamd/internal/samlsp/samltest"
)

// TestSAMLEncryptedAssertions: a provider created with AddPrivateKey and
// AssertionEncryptionMode Required turns encrypted assertions into sessions and refuses plain
// ones; its keys are listed by ID only, never shown in answers, audit records or the database,
// and rotate within the two-key limit.
func TestSAMLEncryptedAssertions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := start(t, testConfig(t, dir))
	root := iamClient(srv, rootKey, rootSecret, "")
	anon := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()), RetryMaxAttempts: 1})
	idp := must[*samltest.IdP](t, "test IdP")(samltest.New("https://idp.example.com/saml", time.Now()))
	newKey := func() (*samltest.Encryption, string) {
		k, pemText, err := samltest.NewEncryptionKey()
		if err != nil {
			t.Fatal(err)
		}
		return &samltest.Encryption{Key: &k.PublicKey}, pemText
	}
	enc1, pem1 := newKey()
	enc2, pem2 := newKey()
	enc3, pem3 := newKey()

	provARN := aws.ToString(must[*iam.CreateSAMLProviderOutput](t, "CreateSAMLProvider")(root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("Enc"), SAMLMetadataDocument: aws.String(idp.Metadata()), AddPrivateKey: aws.String(pem1),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired})).SAMLProviderArn)
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":%q},"Action":"sts:AssumeRoleWithSAML",`+
		`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`, provARN)
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Fed"), AssumeRolePolicyDocument: aws.String(trust)}))
	roleARN := "arn:aws:iam::" + testAccount + ":role/Fed"

	n := 0
	resp := func(e *samltest.Encryption, signResponse bool) string {
		n++
		o := idp.Options(time.Now(), fmt.Sprint(n), samltest.RoleAttr(roleARN, provARN), samltest.Attr("RoleSessionName", "alice"))
		o.Encrypt, o.SignResponse = e, signResponse
		return must[string](t, "Response")(idp.Response(o))
	}
	assume := func(r string) (*sts.AssumeRoleWithSAMLOutput, error) {
		return anon.AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(r)})
	}
	getKeys := func(what string) (types.AssertionEncryptionModeType, []string) {
		t.Helper()
		g := must[*iam.GetSAMLProviderOutput](t, what)(root.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(provARN)}))
		var ids []string
		for _, k := range g.PrivateKeyList {
			ids = append(ids, aws.ToString(k.KeyId))
			if k.Timestamp == nil {
				t.Errorf("%s: key %s has no Timestamp", what, aws.ToString(k.KeyId))
			}
		}
		return g.AssertionEncryptionMode, ids
	}

	// An encrypted assertion (Assertion signed, or Response signed over the EncryptedAssertion)
	// gets credentials; a plain one is refused.
	for _, signResponse := range []bool{false, true} {
		out := must[*sts.AssumeRoleWithSAMLOutput](t, fmt.Sprint("encrypted assertion, response signed ", signResponse))(assume(resp(enc1, signResponse)))
		if got, want := aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::"+testAccount+":assumed-role/Fed/alice"; got != want || out.Credentials == nil {
			t.Errorf("session = %s (credentials %v), want %s with credentials", got, out.Credentials != nil, want)
		}
	}
	_, err := assume(resp(nil, false))
	wantCode(t, "plain assertion, mode Required", err, "InvalidIdentityToken", samlsp.MsgNotEncrypted)
	_, err = assume(resp(enc2, false))
	wantCode(t, "assertion encrypted for another key", err, "InvalidIdentityToken", samlsp.MsgDecrypt)

	mode, ids := getKeys("GetSAMLProvider")
	if mode != types.AssertionEncryptionModeTypeRequired || len(ids) != 1 || len(ids[0]) < 22 || strings.Trim(ids[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("GetSAMLProvider = mode %s keys %q, want Required and one [A-Z0-9]{22,64} key ID", mode, ids)
	}
	first := ids[0]

	// Rotation: add a second key (both work), a third is over the limit, remove the first.
	must[*iam.UpdateSAMLProviderOutput](t, "add a second key")(root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(provARN), AddPrivateKey: aws.String(pem2)}))
	must[*sts.AssumeRoleWithSAMLOutput](t, "encrypted for the second key")(assume(resp(enc2, false)))
	must[*sts.AssumeRoleWithSAMLOutput](t, "encrypted for the first key, two held")(assume(resp(enc1, false)))
	_, err = root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(provARN), AddPrivateKey: aws.String(pem3)})
	wantCode(t, "a third key", err, "LimitExceeded", "Cannot exceed quota for PrivateKeysPerSAMLProvider: 2")
	must[*iam.UpdateSAMLProviderOutput](t, "RemovePrivateKey")(root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(provARN), RemovePrivateKey: aws.String(first)}))
	if _, ids = getKeys("GetSAMLProvider after removal"); len(ids) != 1 || ids[0] == first {
		t.Errorf("keys after removing %s = %q, want the second key only", first, ids)
	}
	_, err = assume(resp(enc1, false))
	wantCode(t, "encrypted for the removed key", err, "InvalidIdentityToken", samlsp.MsgDecrypt)
	must[*sts.AssumeRoleWithSAMLOutput](t, "third key after rotation")(func() (*sts.AssumeRoleWithSAMLOutput, error) {
		must[*iam.UpdateSAMLProviderOutput](t, "add the third key")(root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(provARN), AddPrivateKey: aws.String(pem3)}))
		return assume(resp(enc3, false))
	}())

	// Bad input.
	for _, tc := range []struct {
		name    string
		in      *iam.UpdateSAMLProviderInput
		code, m string
	}{
		{"bad PEM", &iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")},
			"InvalidInput", "The private key is not a valid PEM-encoded RSA private key."},
		{"not PEM", &iam.UpdateSAMLProviderInput{AddPrivateKey: aws.String("hello")}, "InvalidInput", "The private key is not a valid PEM-encoded RSA private key."},
		{"unknown key ID", &iam.UpdateSAMLProviderInput{RemovePrivateKey: aws.String("AAAAAAAAAAAAAAAAAAAAAAAAAA")}, "NoSuchEntity",
			"The private key with ID AAAAAAAAAAAAAAAAAAAAAAAAAA does not exist."},
		{"malformed key ID", &iam.UpdateSAMLProviderInput{RemovePrivateKey: aws.String("abcdefghijklmnopqrstuvwxyz")}, "ValidationError",
			"1 validation error detected: Value 'abcdefghijklmnopqrstuvwxyz' at 'removePrivateKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Z0-9]+"},
		{"bad mode", &iam.UpdateSAMLProviderInput{AssertionEncryptionMode: "Sometimes"}, "ValidationError",
			"1 validation error detected: Value 'Sometimes' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.SAMLProviderArn = aws.String(provARN)
			_, err := root.UpdateSAMLProvider(ctx, tc.in)
			wantCode(t, tc.name, err, tc.code, tc.m)
		})
	}
	_, err = root.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("NoKey"), SAMLMetadataDocument: aws.String(idp.Metadata()),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired})
	wantCode(t, "Required without a key", err, "InvalidInput", "AssertionEncryptionMode Required needs a private key.")

	// Mode Allowed: plain assertions are accepted again.
	must[*iam.UpdateSAMLProviderOutput](t, "mode Allowed")(root.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(provARN),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeAllowed}))
	must[*sts.AssumeRoleWithSAMLOutput](t, "plain assertion, mode Allowed")(assume(resp(nil, false)))
	if mode, _ := getKeys("GetSAMLProvider, Allowed"); mode != types.AssertionEncryptionModeTypeAllowed {
		t.Errorf("mode = %s, want Allowed", mode)
	}

	// No key material in audit records or on disk (sealed with the keyring).
	var secrets []string
	for _, p := range []string{pem1, pem2, pem3} {
		b, _ := pem.Decode([]byte(p))
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		secrets = append(secrets, strings.Split(p, "\n")[1], base64.StdEncoding.EncodeToString(der)[:40])
	}
	for _, name := range []string{"CreateSAMLProvider", "UpdateSAMLProvider"} {
		evs := lookupOK(t, srv, attr("EventName", name)).Events
		if len(evs) == 0 {
			t.Errorf("no %s audit records", name)
		}
		withParams := 0
		for _, ev := range evs {
			if strings.Contains(ev.CloudTrailEvent, `"requestParameters":{`) {
				withParams++
			}
			for _, s := range secrets {
				if strings.Contains(ev.CloudTrailEvent, s) || strings.Contains(ev.CloudTrailEvent, "PRIVATE KEY") {
					t.Errorf("%s audit record shows private key material: %s", name, ev.CloudTrailEvent)
				}
			}
		}
		if withParams == 0 {
			t.Errorf("no %s audit record has request parameters, so the check above proves nothing", name)
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds private key material %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
