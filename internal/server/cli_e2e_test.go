package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
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

// cliSupportsEndpointURLInProfile reports whether the aws CLI reads endpoint_url from a profile
// (aws-cli ≥ 1.29 / ≥ 2.13), which role profiles need to reach iamd's STS.
func cliSupportsEndpointURLInProfile() bool {
	out, err := exec.Command("aws", "--version").CombinedOutput()
	if err != nil {
		return false
	}
	var major, minor int
	if _, err := fmt.Sscanf(strings.TrimPrefix(strings.Fields(string(out))[0], "aws-cli/"), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major == 1 && minor >= 29 || major == 2 && minor >= 13 || major > 2
}

// TestAWSCLIRoleProfile: a CLI profile with role_arn, source_profile and external_id assumes the
// role through iamd's STS, as administrators configure cross-account access.
func TestAWSCLIRoleProfile(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	if _, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, "iam", "create-user", "--user-name", "op"); !ok {
		t.Fatalf("create-user: %s", errOut)
	}
	if !cliSupportsEndpointURLInProfile() {
		t.Skip("this aws CLI does not read endpoint_url from profiles (needs aws-cli ≥ 1.29 or ≥ 2.13)")
	}
	run := func(args ...string) string {
		t.Helper()
		out, errOut, ok := awsCLI(t, srv, rootKey, rootSecret, args...)
		if !ok {
			t.Fatalf("aws %s: %s", strings.Join(args, " "), errOut)
		}
		return out
	}
	run("iam", "put-user-policy", "--user-name", "op", "--policy-name", "p", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(run("iam", "create-access-key", "--user-name", "op")), &key); err != nil {
		t.Fatal(err)
	}
	run("iam", "create-role", "--role-name", "deputy", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+testAccount+`:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-123"}}}]}`)

	home := t.TempDir()
	config := func(externalID string) string {
		p := filepath.Join(home, "config-"+externalID)
		body := fmt.Sprintf("[profile base]\naws_access_key_id = %s\naws_secret_access_key = %s\nendpoint_url = %s\nregion = us-east-1\n\n"+
			"[profile deputy]\nrole_arn = arn:aws:iam::%s:role/deputy\nsource_profile = base\nexternal_id = %s\nendpoint_url = %s\nregion = us-east-1\n",
			key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey, srv.Endpoint(), testAccount, externalID, srv.Endpoint())
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	profileCLI := func(cfgFile string) (string, string, bool) {
		cmd := exec.Command("aws", "--profile", "deputy", "--output", "json", "sts", "get-caller-identity")
		cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + cfgFile,
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_PAGER="}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		return o.String(), e.String(), err == nil
	}
	got, errOut, ok := profileCLI(config("ext-123"))
	if !ok || !strings.Contains(got, "arn:aws:sts::"+testAccount+":assumed-role/deputy/") {
		t.Errorf("role profile with the right external ID: %s %s", got, errOut)
	}
	// The confused deputy: the wrong external ID is refused.
	got, errOut, ok = profileCLI(config("wrong-id"))
	if ok || !strings.Contains(errOut, "AccessDenied") {
		t.Errorf("role profile with a wrong external ID: ok=%v %s %s", ok, got, errOut)
	}
}
