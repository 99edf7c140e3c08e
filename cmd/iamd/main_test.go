package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestMain lets tests run the real binary: with IAMD_TEST_MAIN=1 the test binary is iamd.
func TestMain(m *testing.M) {
	if os.Getenv("IAMD_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const (
	rootKey    = "AKIAIAMDKILLTEST0001"
	rootSecret = "iamdKillTestRootSecret000000000000000000"
)

// serve starts `iamd serve` as a child process and returns its endpoint.
func serve(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--data", dir, "--listen", "127.0.0.1:0", "--account-id", "111122223333")
	cmd.Env = append(os.Environ(), "IAMD_TEST_MAIN=1", "IAMD_ROOT_ACCESS_KEY_ID="+rootKey, "IAMD_ROOT_SECRET_ACCESS_KEY="+rootSecret)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the serve banner: %v", err)
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("banner %q has no endpoint", line)
	}
	return cmd, strings.Fields(line[i:])[0]
}

func client(endpoint string) *iam.Client {
	return iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSecret, "")})
}

// TestKill9KeepsAcknowledgedWrites: every call that returned success survives kill -9.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cmd, endpoint := serve(t, dir)
	c := client(endpoint)
	const n = 25
	for i := range n {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%02d", i))}); err != nil {
			t.Fatalf("CreateUser %d: %v", i, err)
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	cmd.Wait()
	_, endpoint = serve(t, dir)
	out, err := client(endpoint).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatalf("ListUsers after restart: %v", err)
	}
	if len(out.Users) != n {
		t.Errorf("%d users after kill -9, want %d", len(out.Users), n)
	}
}

func TestRunCommands(t *testing.T) {
	env := map[string]string{"HOME": t.TempDir(), "IAMD_ROOT_ACCESS_KEY_ID": "AKIAIAMDCONFIGTEST01", "IAMD_ROOT_SECRET_ACCESS_KEY": "topsecret-value-never-printed-0000000000"}
	getenv := func(k string) string { return env[k] }
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"version"}, getenv, &out, &errb); err != nil || !strings.HasPrefix(out.String(), "iamd ") {
		t.Errorf("version: %q, %v", out.String(), err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"config", "print", "--listen", "127.0.0.1:9999"}, getenv, &out, &errb); err != nil {
		t.Fatalf("config print: %v", err)
	}
	if !strings.Contains(out.String(), "127.0.0.1:9999") || strings.Contains(out.String(), "topsecret") {
		t.Errorf("config print must show the listen flag and redact secrets:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"fly"}, getenv, &out, &errb); err == nil {
		t.Error("unknown command accepted")
	}
	if err := run(context.Background(), nil, getenv, &out, &errb); err == nil {
		t.Error("no command accepted")
	}
	if err := run(context.Background(), []string{"serve", "--enforce", "maybe"}, getenv, &out, &errb); err == nil {
		t.Error("invalid --enforce accepted")
	}
}
