package server_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
