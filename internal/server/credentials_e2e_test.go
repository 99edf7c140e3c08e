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
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

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
	wantCode(t, "bad status", err, "ValidationError", "1 validation error detected: Value 'Expired' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]")
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
