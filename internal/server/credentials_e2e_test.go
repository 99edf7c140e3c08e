package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	"github.com/iamd-dev/iamd/internal/server"
)

// rsaKey returns a new RSA key of the size.
func rsaKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// authorizedKey is the public key in OpenSSH form with a comment.
func authorizedKey(t *testing.T, pub any) string {
	t.Helper()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " me@example.com"
}

func pemPublicKey(t *testing.T, pub any) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// md5Fingerprint is an independent computation of the fingerprint AWS shows.
func md5Fingerprint(t *testing.T, pub any) string {
	t.Helper()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(k.Marshal())
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// noSecretsInTrail fails if any audit record contains one of the secrets.
func noSecretsInTrail(t *testing.T, srv *server.Server, secrets ...string) {
	t.Helper()
	evs, err := srv.Store().Chain(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatal("no audit records")
	}
	for _, e := range evs {
		for _, s := range secrets {
			if s != "" && strings.Contains(string(e.Record), s) {
				t.Errorf("audit record %s contains a secret (%.20s…)", e.Name, s)
			}
		}
	}
}

func TestSSHPublicKeys(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))

	k1 := rsaKey(t, 2048)
	body := authorizedKey(t, &k1.PublicKey)
	up := must[*iam.UploadSSHPublicKeyOutput](t, "UploadSSHPublicKey")(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(body)}))
	id := aws.ToString(up.SSHPublicKey.SSHPublicKeyId)
	if !strings.HasPrefix(id, "APKA") || len(id) != 20 {
		t.Errorf("SSHPublicKeyId = %q, want APKA + 16 characters", id)
	}
	if got, want := aws.ToString(up.SSHPublicKey.Fingerprint), md5Fingerprint(t, &k1.PublicKey); got != want {
		t.Errorf("fingerprint = %s, want %s", got, want)
	}
	if up.SSHPublicKey.Status != iamtypes.StatusTypeActive || aws.ToString(up.SSHPublicKey.UserName) != "dev" || up.SSHPublicKey.UploadDate == nil {
		t.Errorf("uploaded key = %+v", up.SSHPublicKey)
	}

	// Both encodings give the same key back.
	for _, tc := range []struct {
		enc  iamtypes.EncodingType
		want string
	}{
		{iamtypes.EncodingTypeSsh, strings.TrimSuffix(body, " me@example.com")},
		{iamtypes.EncodingTypePem, pemPublicKey(t, &k1.PublicKey)},
	} {
		got := must[*iam.GetSSHPublicKeyOutput](t, "GetSSHPublicKey "+string(tc.enc))(root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Encoding: tc.enc}))
		if b := aws.ToString(got.SSHPublicKey.SSHPublicKeyBody); b != tc.want {
			t.Errorf("GetSSHPublicKey %s body = %q, want %q", tc.enc, b, tc.want)
		}
	}

	// A PEM upload of a different key works; the same key again (in either form) is a duplicate.
	k2 := rsaKey(t, 3072)
	must[*iam.UploadSSHPublicKeyOutput](t, "UploadSSHPublicKey PEM")(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(pemPublicKey(t, &k2.PublicKey))}))
	_, err := root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(pemPublicKey(t, &k1.PublicKey))})
	wantCode(t, "duplicate key", err, "DuplicateSSHPublicKey", "The SSH public key is already associated with the specified IAM user.")

	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, body, code, msg string
	}{
		{"ed25519", authorizedKey(t, edPub), "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized."},
		{"ecdsa PEM", pemPublicKey(t, &ec.PublicKey), "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized."},
		{"not a key", "hello", "UnrecognizedPublicKeyEncoding", "The public key encoding format is unsupported or unrecognized."},
		{"bad base64", "ssh-rsa AAAA!!!!", "InvalidPublicKey", "The public key is malformed or otherwise invalid."},
		{"1024 bits", authorizedKey(t, &rsaKey(t, 1024).PublicKey), "InvalidPublicKey", "The public key must be at least 2048 bits long."},
	} {
		_, err := root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(tc.body)})
		wantCode(t, "upload "+tc.name, err, tc.code, tc.msg)
	}
	_, err = root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("nobody"), SSHPublicKeyBody: aws.String(body)})
	wantCode(t, "upload for missing user", err, "NoSuchEntity", "The user with name nobody cannot be found.")

	// Quota: five keys per user.
	for i := range 3 {
		must[*iam.UploadSSHPublicKeyOutput](t, fmt.Sprint("upload ", i))(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(authorizedKey(t, &rsaKey(t, 2048).PublicKey))}))
	}
	_, err = root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(authorizedKey(t, &rsaKey(t, 2048).PublicKey))})
	wantCode(t, "sixth key", err, "LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5")

	list := must[*iam.ListSSHPublicKeysOutput](t, "ListSSHPublicKeys")(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev"), MaxItems: aws.Int32(3)}))
	if len(list.SSHPublicKeys) != 3 || !list.IsTruncated {
		t.Fatalf("first page: %d keys, truncated %v", len(list.SSHPublicKeys), list.IsTruncated)
	}
	rest := must[*iam.ListSSHPublicKeysOutput](t, "ListSSHPublicKeys page 2")(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev"), Marker: list.Marker}))
	if len(rest.SSHPublicKeys) != 2 || rest.IsTruncated {
		t.Errorf("second page: %d keys, truncated %v", len(rest.SSHPublicKeys), rest.IsTruncated)
	}

	// Update, and the errors around it.
	must[*iam.UpdateSSHPublicKeyOutput](t, "UpdateSSHPublicKey")(root.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Status: iamtypes.StatusTypeInactive}))
	got := must[*iam.GetSSHPublicKeyOutput](t, "GetSSHPublicKey after update")(root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Encoding: iamtypes.EncodingTypeSsh}))
	if got.SSHPublicKey.Status != iamtypes.StatusTypeInactive {
		t.Errorf("status after update = %s, want Inactive", got.SSHPublicKey.Status)
	}
	_, err = root.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Status: "Expired"})
	// Expired is in the model's statusType, so it is no enum failure; a caller cannot set it.
	wantCode(t, "bad status", err, "InvalidInput", "The status Expired cannot be set; a credential expires at its expiration date.")
	_, err = root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String(id), Encoding: "DER"})
	wantCode(t, "bad encoding", err, "ValidationError", "1 validation error detected: Value 'DER' at 'encoding' failed to satisfy constraint: Member must satisfy enum value set: [SSH, PEM]")

	// Another user cannot reach dev's key by ID, and renaming dev keeps its keys.
	must[*iam.CreateUserOutput](t, "CreateUser other")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("other")}))
	_, err = root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("other"), SSHPublicKeyId: aws.String(id), Encoding: iamtypes.EncodingTypeSsh})
	wantCode(t, "other user's key", err, "NoSuchEntity", "The Public Key with id "+id+" cannot be found.")
	must[*iam.UpdateUserOutput](t, "UpdateUser rename")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("dev"), NewUserName: aws.String("dev2")}))
	renamed := must[*iam.ListSSHPublicKeysOutput](t, "ListSSHPublicKeys after rename")(root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev2")}))
	if len(renamed.SSHPublicKeys) != 5 || aws.ToString(renamed.SSHPublicKeys[0].UserName) != "dev2" {
		t.Errorf("after rename: %d keys, first %+v", len(renamed.SSHPublicKeys), renamed.SSHPublicKeys)
	}

	must[*iam.DeleteSSHPublicKeyOutput](t, "DeleteSSHPublicKey")(root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev2"), SSHPublicKeyId: aws.String(id)}))
	_, err = root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("dev2"), SSHPublicKeyId: aws.String(id)})
	wantCode(t, "delete twice", err, "NoSuchEntity", "The Public Key with id "+id+" cannot be found.")
	// The deleted key's slot is free again.
	must[*iam.UploadSSHPublicKeyOutput](t, "upload after delete")(root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("dev2"), SSHPublicKeyBody: aws.String(body)}))

	// A user with no permission is denied against the user's ARN.
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("other")}))
	other := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	_, err = other.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("dev2")})
	wantCode(t, "ListSSHPublicKeys denied", err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/other is not authorized to perform: iam:ListSSHPublicKeys on resource: arn:aws:iam::"+testAccount+":user/dev2 because no identity-based policy allows the iam:ListSSHPublicKeys action")
}

// certFor returns a self-signed a PEM certificate for key valid from notBefore to notAfter, and the key in
// PKCS #8 PEM.
func certFor(t *testing.T, key *ecdsa.PrivateKey, cn string, notBefore, notAfter time.Time) (certPEM, keyPEM string) {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// validCert returns a certificate valid for a year around now, and its key.
func validCert(t *testing.T, cn string) (string, string) {
	now := time.Now()
	return certFor(t, ecKey(t), cn, now.Add(-time.Hour), now.Add(365*24*time.Hour))
}

func TestSigningCertificates(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("signer")}))

	c1, _ := validCert(t, "one")
	up := must[*iam.UploadSigningCertificateOutput](t, "UploadSigningCertificate")(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(c1)}))
	id := aws.ToString(up.Certificate.CertificateId)
	if len(id) < 24 || aws.ToString(up.Certificate.CertificateBody) != c1 || up.Certificate.Status != iamtypes.StatusTypeActive || aws.ToString(up.Certificate.UserName) != "signer" {
		t.Errorf("uploaded certificate = %+v", up.Certificate)
	}
	// The same certificate for another user of the account is a duplicate.
	must[*iam.CreateUserOutput](t, "CreateUser 2")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("signer2")}))
	_, err := root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer2"), CertificateBody: aws.String(c1)})
	wantCode(t, "duplicate certificate", err, "DuplicateCertificate", "The Certificate with id "+id+" already exists.")

	now := time.Now()
	expired, _ := certFor(t, ecKey(t), "old", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	future, _ := certFor(t, ecKey(t), "future", now.Add(24*time.Hour), now.Add(48*time.Hour))
	for _, tc := range []struct{ name, body, code, msg string }{
		{"not PEM", "hello", "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{"bad DER", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{"expired", expired, "MalformedCertificate", "Certificate has expired."},
		{"not yet valid", future, "InvalidCertificate", "Certificate is not yet valid."},
	} {
		_, err := root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(tc.body)})
		wantCode(t, "upload "+tc.name, err, tc.code, tc.msg)
	}
	c2, _ := validCert(t, "two")
	c3, _ := validCert(t, "three")
	must[*iam.UploadSigningCertificateOutput](t, "second certificate")(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(c2)}))
	_, err = root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(c3)})
	wantCode(t, "third certificate", err, "LimitExceeded", "Cannot exceed quota for SigningCertificatesPerUser: 2")

	list := must[*iam.ListSigningCertificatesOutput](t, "ListSigningCertificates")(root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("signer")}))
	if len(list.Certificates) != 2 || list.IsTruncated {
		t.Errorf("ListSigningCertificates: %d certificates, truncated %v", len(list.Certificates), list.IsTruncated)
	}
	must[*iam.UpdateSigningCertificateOutput](t, "UpdateSigningCertificate")(root.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("signer"), CertificateId: aws.String(id), Status: iamtypes.StatusTypeInactive}))
	list = must[*iam.ListSigningCertificatesOutput](t, "ListSigningCertificates after update")(root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("signer")}))
	for _, c := range list.Certificates {
		if want := map[bool]iamtypes.StatusType{true: iamtypes.StatusTypeInactive, false: iamtypes.StatusTypeActive}[aws.ToString(c.CertificateId) == id]; c.Status != want {
			t.Errorf("certificate %s status %s, want %s", aws.ToString(c.CertificateId), c.Status, want)
		}
	}
	_, err = root.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("signer2"), CertificateId: aws.String(id), Status: iamtypes.StatusTypeActive})
	wantCode(t, "other user's certificate", err, "NoSuchEntity", "The Certificate with id "+id+" cannot be found.")

	// The root user has signing certificates of its own (no UserName).
	must[*iam.UploadSigningCertificateOutput](t, "root certificate")(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{CertificateBody: aws.String(c3)}))
	rl := must[*iam.ListSigningCertificatesOutput](t, "ListSigningCertificates root")(root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{}))
	if len(rl.Certificates) != 1 || aws.ToString(rl.Certificates[0].CertificateBody) != c3 {
		t.Errorf("root certificates = %+v", rl.Certificates)
	}

	must[*iam.DeleteSigningCertificateOutput](t, "DeleteSigningCertificate")(root.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("signer"), CertificateId: aws.String(id)}))
	_, err = root.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("signer"), CertificateId: aws.String(id)})
	wantCode(t, "delete twice", err, "NoSuchEntity", "The Certificate with id "+id+" cannot be found.")
	// Once deleted, the certificate may be uploaded again, for another user.
	must[*iam.UploadSigningCertificateOutput](t, "upload after delete")(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer2"), CertificateBody: aws.String(c1)}))
}

func TestServerCertificates(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	arn := func(path, name string) string {
		return "arn:aws:iam::" + testAccount + ":server-certificate" + path + name
	}

	key := ecKey(t)
	notAfter := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
	body, keyPEM := certFor(t, key, "www.example.com", time.Now().Add(-time.Hour), notAfter)
	chain, _ := validCert(t, "ca")
	up := must[*iam.UploadServerCertificateOutput](t, "UploadServerCertificate")(root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("www"), Path: aws.String("/web/"), CertificateBody: aws.String(body), PrivateKey: aws.String(keyPEM),
		CertificateChain: aws.String(chain), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))
	m := up.ServerCertificateMetadata
	if id := aws.ToString(m.ServerCertificateId); !strings.HasPrefix(id, "ASCA") || len(id) != 21 {
		t.Errorf("ServerCertificateId = %q, want ASCA + 17 characters", id)
	}
	if aws.ToString(m.Arn) != arn("/web/", "www") || !aws.ToTime(m.Expiration).Equal(notAfter) || len(up.Tags) != 1 {
		t.Errorf("uploaded: %+v (expiration want %v), tags %+v", m, notAfter, up.Tags)
	}

	got := must[*iam.GetServerCertificateOutput](t, "GetServerCertificate")(root.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("WWW")}))
	if aws.ToString(got.ServerCertificate.CertificateBody) != body || aws.ToString(got.ServerCertificate.CertificateChain) != chain || aws.ToString(got.ServerCertificate.ServerCertificateMetadata.ServerCertificateName) != "www" {
		t.Errorf("GetServerCertificate = %+v", got.ServerCertificate)
	}

	other, otherKey := validCert(t, "other")
	for _, tc := range []struct {
		name string
		in   iam.UploadServerCertificateInput
		code string
		msg  string
	}{
		{"duplicate name", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("WWW"), CertificateBody: aws.String(other), PrivateKey: aws.String(otherKey)},
			"EntityAlreadyExists", "The Server Certificate with name WWW already exists."},
		{"key of another certificate", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("x"), CertificateBody: aws.String(other), PrivateKey: aws.String(keyPEM)},
			"KeyPairMismatch", "The public key certificate and the private key do not match."},
		{"bad key", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("x"), CertificateBody: aws.String(other), PrivateKey: aws.String("not a key")},
			"MalformedCertificate", "Unable to parse private key."},
		{"bad body", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("x"), CertificateBody: aws.String("nope"), PrivateKey: aws.String(otherKey)},
			"MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format."},
		{"bad chain", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("x"), CertificateBody: aws.String(other), PrivateKey: aws.String(otherKey), CertificateChain: aws.String("junk")},
			"MalformedCertificate", "Unable to parse certificate chain. Please ensure the certificate chain is in PEM format."},
		{"bad name", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("a b"), CertificateBody: aws.String(other), PrivateKey: aws.String(otherKey)},
			"ValidationError", `1 validation error detected: Value 'a b' at 'serverCertificateName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"private key too long", iam.UploadServerCertificateInput{ServerCertificateName: aws.String("x"), CertificateBody: aws.String(other), PrivateKey: aws.String(strings.Repeat("k", 16385))},
			"ValidationError", "1 validation error detected: Value at 'privateKey' failed to satisfy constraint: Member must have length less than or equal to 16384"},
	} {
		_, err := root.UploadServerCertificate(ctx, &tc.in)
		wantCode(t, tc.name, err, tc.code, tc.msg)
	}

	// Rename and move; the old name is gone, the key stays sealed under the new ARN.
	must[*iam.UpdateServerCertificateOutput](t, "UpdateServerCertificate")(root.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewServerCertificateName: aws.String("site"), NewPath: aws.String("/edge/")}))
	_, err := root.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("www")})
	wantCode(t, "old name", err, "NoSuchEntity", "The Server Certificate with name www cannot be found.")
	moved := must[*iam.GetServerCertificateOutput](t, "GetServerCertificate moved")(root.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("site")}))
	if aws.ToString(moved.ServerCertificate.ServerCertificateMetadata.Arn) != arn("/edge/", "site") || aws.ToString(moved.ServerCertificate.ServerCertificateMetadata.ServerCertificateId) != aws.ToString(m.ServerCertificateId) {
		t.Errorf("moved = %+v", moved.ServerCertificate.ServerCertificateMetadata)
	}
	// A second move (needs the key opened under the previous ARN).
	must[*iam.UpdateServerCertificateOutput](t, "UpdateServerCertificate path")(root.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("site"), NewPath: aws.String("/")}))

	must[*iam.UploadServerCertificateOutput](t, "second certificate")(root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("api"), Path: aws.String("/web/"), CertificateBody: aws.String(other), PrivateKey: aws.String(otherKey)}))
	_, err = root.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("site"), NewServerCertificateName: aws.String("API")})
	wantCode(t, "rename onto existing", err, "EntityAlreadyExists", "The Server Certificate with name API already exists.")
	web := must[*iam.ListServerCertificatesOutput](t, "ListServerCertificates /web/")(root.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{PathPrefix: aws.String("/web/")}))
	if len(web.ServerCertificateMetadataList) != 1 || aws.ToString(web.ServerCertificateMetadataList[0].ServerCertificateName) != "api" {
		t.Errorf("ListServerCertificates /web/ = %+v", web.ServerCertificateMetadataList)
	}
	all := must[*iam.ListServerCertificatesOutput](t, "ListServerCertificates")(root.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{MaxItems: aws.Int32(1)}))
	if len(all.ServerCertificateMetadataList) != 1 || !all.IsTruncated {
		t.Errorf("ListServerCertificates MaxItems 1: %d, truncated %v", len(all.ServerCertificateMetadataList), all.IsTruncated)
	}

	// Tags.
	must[*iam.TagServerCertificateOutput](t, "TagServerCertificate")(root.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: aws.String("site"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("edge")}}}))
	must[*iam.UntagServerCertificateOutput](t, "UntagServerCertificate")(root.UntagServerCertificate(ctx, &iam.UntagServerCertificateInput{ServerCertificateName: aws.String("site"), TagKeys: []string{"env"}}))
	tags := must[*iam.ListServerCertificateTagsOutput](t, "ListServerCertificateTags")(root.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("site")}))
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("tags = %+v", tags.Tags)
	}
	_, err = root.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: aws.String("nope")})
	wantCode(t, "tags of missing", err, "NoSuchEntity", "The Server Certificate with name nope cannot be found.")

	// Authorization is against the certificate's ARN.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ops")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ops")}))
	ops := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	_, err = ops.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("api")})
	wantCode(t, "GetServerCertificate denied", err, "AccessDenied", "User: arn:aws:iam::"+testAccount+":user/ops is not authorized to perform: iam:GetServerCertificate on resource: "+arn("/web/", "api")+" because no identity-based policy allows the iam:GetServerCertificate action")

	must[*iam.DeleteServerCertificateOutput](t, "DeleteServerCertificate")(root.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("site")}))
	_, err = root.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: aws.String("site")})
	wantCode(t, "delete twice", err, "NoSuchEntity", "The Server Certificate with name site cannot be found.")

	// Quota: 20 per account (one is left).
	for i := range 19 {
		c, kp := validCert(t, fmt.Sprint("q", i))
		must[*iam.UploadServerCertificateOutput](t, fmt.Sprint("quota upload ", i))(root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String(fmt.Sprint("q", i)), CertificateBody: aws.String(c), PrivateKey: aws.String(kp)}))
	}
	_, err = root.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{ServerCertificateName: aws.String("one-too-many"), CertificateBody: aws.String(other), PrivateKey: aws.String(otherKey)})
	wantCode(t, "21st certificate", err, "LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: 20")

	noSecretsInTrail(t, srv, strings.TrimSpace(strings.Split(keyPEM, "\n")[1]), strings.TrimSpace(strings.Split(otherKey, "\n")[1]))
}

func TestServiceSpecificCredentials(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("git")}))

	cr := must[*iam.CreateServiceSpecificCredentialOutput](t, "CreateServiceSpecificCredential")(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	c := cr.ServiceSpecificCredential
	id, pw := aws.ToString(c.ServiceSpecificCredentialId), aws.ToString(c.ServicePassword)
	if !strings.HasPrefix(id, "ACCA") || len(id) != 21 {
		t.Errorf("ServiceSpecificCredentialId = %q, want ACCA + 17 characters", id)
	}
	if got, want := aws.ToString(c.ServiceUserName), "git-at-"+testAccount; got != want {
		t.Errorf("ServiceUserName = %q, want %q", got, want)
	}
	if len(pw) != 44 || c.Status != iamtypes.StatusTypeActive || aws.ToString(c.UserName) != "git" || aws.ToString(c.ServiceName) != "codecommit.amazonaws.com" {
		t.Errorf("created credential = %+v (password of %d characters)", c, len(pw))
	}

	second := must[*iam.CreateServiceSpecificCredentialOutput](t, "second credential")(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	_, err := root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")})
	wantCode(t, "third credential for a service", err, "LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2")
	// The quota is per service.
	ks := must[*iam.CreateServiceSpecificCredentialOutput](t, "cassandra credential")(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("cassandra.amazonaws.com")}))
	bk := must[*iam.CreateServiceSpecificCredentialOutput](t, "bedrock API key")(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(30)}))
	if b := bk.ServiceSpecificCredential; b.ServiceCredentialSecret == nil || b.ServicePassword != nil || !aws.ToTime(b.ExpirationDate).Equal(aws.ToTime(b.CreateDate).Add(30*24*time.Hour)) {
		t.Errorf("bedrock API key = %+v", b)
	}

	for _, tc := range []struct {
		name string
		in   iam.CreateServiceSpecificCredentialInput
		code string
		msg  string
	}{
		{"unsupported service", iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("s3.amazonaws.com")},
			"NotSupportedService", "No such service s3.amazonaws.com is supported for Service-Specific Credentials"},
		{"missing user", iam.CreateServiceSpecificCredentialInput{UserName: aws.String("nobody"), ServiceName: aws.String("codecommit.amazonaws.com")},
			"NoSuchEntity", "The user with name nobody cannot be found."},
		{"age for a password service", iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("cassandra.amazonaws.com"), CredentialAgeDays: aws.Int32(5)},
			"InvalidInput", "CredentialAgeDays is only valid for services that support long-term API keys."},
		{"age out of range", iam.CreateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceName: aws.String("bedrock.amazonaws.com"), CredentialAgeDays: aws.Int32(0)},
			"ValidationError", "1 validation error detected: Value '0' at 'credentialAgeDays' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		_, err := root.CreateServiceSpecificCredential(ctx, &tc.in)
		wantCode(t, tc.name, err, tc.code, tc.msg)
	}

	list := must[*iam.ListServiceSpecificCredentialsOutput](t, "ListServiceSpecificCredentials")(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git"), ServiceName: aws.String("codecommit.amazonaws.com")}))
	if len(list.ServiceSpecificCredentials) != 2 {
		t.Errorf("codecommit credentials: %+v", list.ServiceSpecificCredentials)
	}
	allOfGit := must[*iam.ListServiceSpecificCredentialsOutput](t, "ListServiceSpecificCredentials all services")(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("git"), MaxItems: aws.Int32(3)}))
	if len(allOfGit.ServiceSpecificCredentials) != 3 || !allOfGit.IsTruncated {
		t.Errorf("first page: %d, truncated %v", len(allOfGit.ServiceSpecificCredentials), allOfGit.IsTruncated)
	}
	must[*iam.CreateUserOutput](t, "CreateUser 2")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("db")}))
	must[*iam.CreateServiceSpecificCredentialOutput](t, "db credential")(root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("db"), ServiceName: aws.String("cassandra.amazonaws.com")}))
	every := must[*iam.ListServiceSpecificCredentialsOutput](t, "ListServiceSpecificCredentials AllUsers")(root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), ServiceName: aws.String("cassandra.amazonaws.com")}))
	users := map[string]bool{}
	for _, m := range every.ServiceSpecificCredentials {
		users[aws.ToString(m.UserName)] = true
	}
	if len(every.ServiceSpecificCredentials) != 2 || !users["git"] || !users["db"] {
		t.Errorf("AllUsers cassandra credentials: %+v", every.ServiceSpecificCredentials)
	}

	must[*iam.UpdateServiceSpecificCredentialOutput](t, "UpdateServiceSpecificCredential")(root.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id), Status: iamtypes.StatusTypeInactive}))
	reset := must[*iam.ResetServiceSpecificCredentialOutput](t, "ResetServiceSpecificCredential")(root.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id)}))
	newPw := aws.ToString(reset.ServiceSpecificCredential.ServicePassword)
	if len(newPw) != 44 || newPw == pw || reset.ServiceSpecificCredential.Status != iamtypes.StatusTypeInactive {
		t.Errorf("after reset: %+v", reset.ServiceSpecificCredential)
	}
	_, err = root.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("db"), ServiceSpecificCredentialId: aws.String(id)})
	wantCode(t, "other user's credential", err, "NoSuchEntity", "No such credential "+id+" exists")

	must[*iam.DeleteServiceSpecificCredentialOutput](t, "DeleteServiceSpecificCredential")(root.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id)}))
	_, err = root.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("git"), ServiceSpecificCredentialId: aws.String(id)})
	wantCode(t, "delete twice", err, "NoSuchEntity", "No such credential "+id+" exists")

	noSecretsInTrail(t, srv, pw, newPw, aws.ToString(second.ServiceSpecificCredential.ServicePassword), aws.ToString(ks.ServiceSpecificCredential.ServicePassword),
		aws.ToString(bk.ServiceSpecificCredential.ServiceCredentialSecret))
}
