package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamd-dev/iamd/internal/server"
)

// awsCLI runs the real aws CLI against srv with the given credentials and returns stdout, stderr
// and whether it succeeded. Without the CLI the test fails when IAMD_REQUIRE_AWSCLI=1 (as the
// README's test command sets it) and is skipped otherwise.
func awsCLI(t *testing.T, srv *server.Server, id, secret string, args ...string) (string, string, bool) {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("IAMD_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the aws CLI is not installed (Debian package awscli)")
		}
		t.Skip("aws CLI not installed; set IAMD_REQUIRE_AWSCLI=1 to make this a failure")
	}
	home := t.TempDir()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", srv.Endpoint(), "--output", "json"}, args...)...)
	cmd.Env = []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "AWS_PAGER=",
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err == nil
}

func TestAWSCLI(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	run := func(id, secret string, args ...string) string {
		t.Helper()
		out, errOut, ok := awsCLI(t, srv, id, secret, args...)
		if !ok {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), errOut)
		}
		return out
	}
	var user struct {
		User struct{ UserName, Arn string }
	}
	if err := json.Unmarshal([]byte(run(rootKey, rootSecret, "iam", "create-user", "--user-name", "alice")), &user); err != nil || user.User.UserName != "alice" {
		t.Fatalf("create-user output: %+v, %v", user, err)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(run(rootKey, rootSecret, "iam", "create-access-key", "--user-name", "alice")), &key); err != nil {
		t.Fatal(err)
	}
	id, secret := key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey

	// No policy yet: denied with AWS's message.
	_, errOut, ok := awsCLI(t, srv, id, secret, "iam", "get-user")
	if ok || !strings.Contains(errOut, "AccessDenied") || !strings.Contains(errOut, "is not authorized to perform: iam:GetUser") {
		t.Errorf("get-user without policy: ok=%v stderr=%s", ok, errOut)
	}
	run(rootKey, rootSecret, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "read",
		"--policy-document", allowGet)
	out := run(id, secret, "iam", "get-user")
	if !strings.Contains(out, `"UserName": "alice"`) {
		t.Errorf("get-user as alice: %s", out)
	}
	_, errOut, ok = awsCLI(t, srv, id, secret, "iam", "create-user", "--user-name", "mallory")
	if ok || !strings.Contains(errOut, "AccessDenied") {
		t.Errorf("create-user as alice: ok=%v stderr=%s", ok, errOut)
	}
	// The CLI decodes the URL-encoded policy document.
	out = run(rootKey, rootSecret, "iam", "get-user-policy", "--user-name", "alice", "--policy-name", "read")
	if !strings.Contains(out, `iam:Get*`) {
		t.Errorf("get-user-policy: %s", out)
	}
	out = run(id, secret, "sts", "get-caller-identity")
	if !strings.Contains(out, "arn:aws:iam::"+testAccount+":user/alice") {
		t.Errorf("get-caller-identity: %s", out)
	}
	// The CLI's own pagination over Marker/IsTruncated.
	for _, n := range []string{"bob", "carol", "dave"} {
		run(rootKey, rootSecret, "iam", "create-user", "--user-name", n)
	}
	var list struct{ Users []struct{ UserName string } }
	if err := json.Unmarshal([]byte(run(rootKey, rootSecret, "iam", "list-users", "--page-size", "1")), &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range list.Users {
		names = append(names, u.UserName)
	}
	if strings.Join(names, ",") != "alice,bob,carol,dave" {
		t.Errorf("list-users with page size 1 = %v", names)
	}
	// Errors come back with AWS's codes.
	_, errOut, ok = awsCLI(t, srv, rootKey, rootSecret, "iam", "get-user", "--user-name", "nobody")
	if ok || !strings.Contains(errOut, "NoSuchEntity") {
		t.Errorf("get-user nobody: ok=%v stderr=%s", ok, errOut)
	}
	_, errOut, ok = awsCLI(t, srv, id, "wrong-secret-wrong-secret-wrong-secret-00", "sts", "get-caller-identity")
	if ok || !strings.Contains(errOut, "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: ok=%v stderr=%s", ok, errOut)
	}
}

// TestAWSCLIAdminFlows: what an administrator types: a user with a console password and MFA,
// key rotation, and the credential report.
func TestAWSCLIAdminFlows(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	run := func(args ...string) string {
		t.Helper()
		out, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, args...)
		if !ok {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), errOut)
		}
		return out
	}
	run("iam", "create-user", "--user-name", "ada")
	run("iam", "create-login-profile", "--user-name", "ada", "--password", "Correct-Horse-1", "--password-reset-required")

	// Virtual MFA: the CLI writes the Base32 seed to a file; two consecutive codes enable it.
	seedFile := filepath.Join(t.TempDir(), "seed.txt")
	var dev struct{ VirtualMFADevice struct{ SerialNumber string } }
	if err := json.Unmarshal([]byte(run("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "ada-phone",
		"--outfile", seedFile, "--bootstrap-method", "Base32StringSeed")), &dev); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile(seedFile)
	if err != nil || len(seed) != 64 {
		t.Fatalf("seed file: %d bytes, %v", len(seed), err)
	}
	now := time.Now()
	run("iam", "enable-mfa-device", "--user-name", "ada", "--serial-number", dev.VirtualMFADevice.SerialNumber,
		"--authentication-code1", code(t, string(seed), now.Add(-30*time.Second)), "--authentication-code2", code(t, string(seed), now))

	// Key rotation: a second key, the first deactivated, then deleted.
	var k1, k2 struct{ AccessKey struct{ AccessKeyId string } }
	json.Unmarshal([]byte(run("iam", "create-access-key", "--user-name", "ada")), &k1)
	json.Unmarshal([]byte(run("iam", "create-access-key", "--user-name", "ada")), &k2)
	run("iam", "update-access-key", "--user-name", "ada", "--access-key-id", k1.AccessKey.AccessKeyId, "--status", "Inactive")
	run("iam", "delete-access-key", "--user-name", "ada", "--access-key-id", k1.AccessKey.AccessKeyId)
	keys := run("iam", "list-access-keys", "--user-name", "ada")
	if strings.Contains(keys, k1.AccessKey.AccessKeyId) || !strings.Contains(keys, k2.AccessKey.AccessKeyId) {
		t.Errorf("keys after rotation: %s", keys)
	}

	// The credential report shows the password, the MFA device and the one active key.
	run("iam", "generate-credential-report")
	var rep struct{ Content string }
	if err := json.Unmarshal([]byte(run("iam", "get-credential-report")), &rep); err != nil {
		t.Fatal(err)
	}
	csv, err := base64.StdEncoding.DecodeString(rep.Content)
	if err != nil {
		t.Fatalf("report content is not base64: %v", err)
	}
	var ada []string
	for _, line := range strings.Split(string(csv), "\n") {
		if strings.HasPrefix(line, "ada,") {
			ada = strings.Split(line, ",")
		}
	}
	if len(ada) < 14 || ada[3] != "true" || ada[7] != "true" || ada[8] != "true" || ada[13] != "false" {
		t.Errorf("ada's row: %v\n%s", ada, csv)
	}
}
