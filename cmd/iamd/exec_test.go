package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

const execAccount = "111122223333"

// TestWorkloadChild is the program iamd exec runs in these tests: the test binary started with
// -test.run=TestWorkloadChild and IAMD_TEST_CHILD set. It uses the Go SDK's default credential
// chain, as any program would.
func TestWorkloadChild(t *testing.T) {
	mode := os.Getenv("IAMD_TEST_CHILD")
	if mode == "" {
		t.Skip("only run as iamd exec's child")
	}
	ctx := context.Background()
	opts := []func(*awsconfig.LoadOptions) error{}
	if mode == "loop" {
		// Fetch from the endpoint before every call, so that each call uses what the endpoint
		// hands out at that moment.
		opts = append(opts, awsconfig.WithCredentialsCacheOptions(func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 24 * time.Hour }))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	client := sts.NewFromConfig(cfg)
	call := func() {
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			fmt.Println("ERR", err)
			return
		}
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Println("ERR", err)
			return
		}
		fmt.Println(creds.AccessKeyID, aws.ToString(out.Arn), creds.Source)
	}
	switch mode {
	case "identity":
		call()
	case "loop":
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			call()
		}
	}
	os.Exit(0)
}

func childArgv(mode string) ([]string, []string) {
	return []string{os.Args[0], "-test.run=^TestWorkloadChild$"}, append(os.Environ(), "IAMD_TEST_CHILD="+mode)
}

// execFixture is a running server with a role r (trusting the account, EC2 and ECS tasks), a
// role web-role trusting only EC2 in an instance profile web, and a user op allowed to assume
// r and to pass roles to EC2 and ECS tasks, whose keys are the operator's credentials.
type execFixture struct {
	srv    *server.Server
	vars   map[string]string
	opKey  string
	opSecr string
}

func newExecFixture(t *testing.T) *execFixture {
	t.Helper()
	ctx := context.Background()
	cfg := config.Default(t.TempDir(), "")
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.AccountID = execAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = rootKey, rootSecret
	cfg.ManagedPolicies = false
	srv, err := server.Start(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	root := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSecret, "")})
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + execAccount + `:root"},"Action":"sts:AssumeRole"},` +
		`{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`
	_, err = root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)})
	step("CreateRole r", err)
	trustEC2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err = root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web-role"), AssumeRolePolicyDocument: aws.String(trustEC2)})
	step("CreateRole web-role", err)
	_, err = root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")})
	step("CreateInstanceProfile", err)
	_, err = root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web-role")})
	step("AddRoleToInstanceProfile", err)
	_, err = root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("op")})
	step("CreateUser", err)
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("op"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","iam:GetInstanceProfile"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":["ec2.amazonaws.com","ecs-tasks.amazonaws.com"]}}}]}`)})
	step("PutUserPolicy", err)
	key, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("op")})
	step("CreateAccessKey", err)
	f := &execFixture{srv: srv, opKey: aws.ToString(key.AccessKey.AccessKeyId), opSecr: aws.ToString(key.AccessKey.SecretAccessKey)}
	f.vars = map[string]string{"AWS_ACCESS_KEY_ID": f.opKey, "AWS_SECRET_ACCESS_KEY": f.opSecr,
		"AWS_ENDPOINT_URL": srv.Endpoint(), "AWS_REGION": "eu-west-1", "HOME": t.TempDir()}
	return f
}

// env is a workload environment whose child environment also carries the operator's keys, so
// the tests see that iamd removes them.
func (f *execFixture) env(environ []string, stdin io.Reader, stdout io.Writer, now func() time.Time) workloadEnv {
	for k, v := range f.vars {
		environ = append(environ, k+"="+v)
	}
	return workloadEnv{getenv: func(k string) string { return f.vars[k] }, environ: environ, stdin: stdin,
		stdout: stdout, stderr: &lockedBuffer{}, now: now}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// taskSession is the ARN of r's session as ECS tasks get it: named after a 32-hex-digit task ID.
var taskSession = regexp.MustCompile(`^arn:aws:sts::` + execAccount + `:assumed-role/r/[0-9a-f]{32}$`)

func TestExecGivesTheChildTheRole(t *testing.T) {
	f := newExecFixture(t)
	ctx := context.Background()
	argv, environ := childArgv("identity")
	for _, tc := range []struct {
		name       string
		run        func(context.Context, []string, workloadEnv) error
		args       []string
		wantArn    *regexp.Regexp // the role session: the task ID for ECS, the instance ID for EC2
		wantSource string
	}{
		{"exec, container endpoint", execWith, []string{"--role", "r"}, taskSession, "CredentialsEndpointProvider"},
		{"exec, role ARN", execWith, []string{"--role", "arn:aws:iam::" + execAccount + ":role/r"}, taskSession, "CredentialsEndpointProvider"},
		{"instance run, IMDSv2, a role trusting only EC2", instanceWith, []string{"run", "--instance-profile", "web"},
			regexp.MustCompile(`^arn:aws:sts::` + execAccount + `:assumed-role/web-role/i-[0-9a-f]{17}$`), "EC2RoleProvider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			env := f.env(environ, strings.NewReader(""), &out, time.Now)
			args := append(append(append([]string{}, tc.args...), "--"), argv...)
			if err := tc.run(ctx, args, env); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, env.stderr.(*lockedBuffer).b.String())
			}
			fields := strings.Fields(out.String())
			if len(fields) != 3 || !tc.wantArn.MatchString(fields[1]) || fields[2] != tc.wantSource || fields[0] == f.opKey {
				t.Errorf("child printed %q, want a role key, an ARN starting %s and source %s", out.String(), tc.wantArn, tc.wantSource)
			}
		})
	}
}

// TestExecAWSCLI runs the aws CLI inside iamd exec.
func TestExecAWSCLI(t *testing.T) {
	aws, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("IAMD_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the aws CLI is not installed")
		}
		t.Skip("the aws CLI is not installed")
	}
	f := newExecFixture(t)
	var out bytes.Buffer
	env := f.env(os.Environ(), strings.NewReader(""), &out, time.Now)
	args := []string{"--role", "r", "--", aws, "sts", "get-caller-identity", "--query", "Arn", "--output", "text"}
	if err := execWith(context.Background(), args, env); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, env.stderr.(*lockedBuffer).b.String())
	}
	if got := strings.TrimSpace(out.String()); !taskSession.MatchString(got) {
		t.Errorf("aws sts get-caller-identity printed %q, want %s", got, taskSession)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestExecRenewsCredentials: a long-running child calling GetCallerIdentity over and over keeps
// working while iamd exec's clock moves past the renewal point twice, and the child is handed
// new credentials each time.
func TestExecRenewsCredentials(t *testing.T) {
	f := newExecFixture(t)
	argv, environ := childArgv("loop")
	clk := &fakeClock{t: time.Now()}
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	env := f.env(environ, stdinR, stdoutW, clk.now)
	done := make(chan error, 1)
	go func() {
		done <- execWith(context.Background(), append([]string{"--role", "r", "--duration", "1h", "--"}, argv...), env)
		stdoutW.Close()
	}()
	lines := bufio.NewScanner(stdoutR)
	var keys []string
	// A one-hour session is renewed 15 minutes before it expires; the next one was issued when
	// the clock read 46 minutes, so it has 14 minutes left and is renewed 7 minutes before.
	for i, advance := range []time.Duration{0, time.Minute, 45 * time.Minute, time.Minute, 7 * time.Minute} {
		clk.advance(advance)
		fmt.Fprintln(stdinW, "call")
		if !lines.Scan() {
			t.Fatalf("call %d: the child stopped: %v\n%s", i, lines.Err(), env.stderr.(*lockedBuffer).b.String())
		}
		fields := strings.Fields(lines.Text())
		if len(fields) < 2 || fields[0] == "ERR" || !strings.Contains(fields[1], ":assumed-role/r/") {
			t.Fatalf("call %d (+%s): child printed %q", i, advance, lines.Text())
		}
		keys = append(keys, fields[0])
	}
	stdinW.Close()
	if err := <-done; err != nil {
		t.Fatalf("iamd exec: %v", err)
	}
	distinct := map[string]int{}
	for i, k := range keys {
		if _, ok := distinct[k]; !ok {
			distinct[k] = i
		}
	}
	var firstUse []int
	for _, i := range distinct {
		firstUse = append(firstUse, i)
	}
	sort.Ints(firstUse)
	// New keys first appear at the renewals: calls 2 and 4.
	if d := cmp.Diff([]int{0, 2, 4}, firstUse); d != "" {
		t.Errorf("keys %v: first use of each (-want +got):\n%s", keys, d)
	}
}

func TestCredentialProcess(t *testing.T) {
	f := newExecFixture(t)
	ctx := context.Background()
	var out bytes.Buffer
	env := f.env(nil, nil, &out, time.Now)
	if err := credentialProcessWith(ctx, []string{"--role", "r", "--duration", "30m"}, env); err != nil {
		t.Fatalf("credential-process: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	var names []string
	for k := range got {
		names = append(names, k)
	}
	sort.Strings(names)
	if d := cmp.Diff([]string{"AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"}, names); d != "" {
		t.Fatalf("fields of %s (-want +got):\n%s", out.String(), d)
	}
	if got["Version"] != 1.0 {
		t.Errorf("Version = %v, want 1", got["Version"])
	}
	exp, err := time.Parse(time.RFC3339, got["Expiration"].(string))
	if left := time.Until(exp); err != nil || left < 25*time.Minute || left > 31*time.Minute {
		t.Errorf("Expiration %v (%v): want about 30 minutes from now", got["Expiration"], err)
	}
	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(got["AccessKeyId"].(string), got["SecretAccessKey"].(string), got["SessionToken"].(string))})
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.Contains(aws.ToString(id.Arn), ":assumed-role/r/iamd-") {
		t.Errorf("GetCallerIdentity with the printed credentials: %v, %v", id, err)
	}
}

func TestWorkloadUsageErrors(t *testing.T) {
	f := newExecFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(context.Context, []string, workloadEnv) error
		args []string
		want string // in the error, when given
	}{
		{"exec without --role", execWith, []string{"--", "true"}, "usage"},
		{"exec without a command", execWith, []string{"--role", "r"}, "usage"},
		{"exec with a role that does not exist", execWith, []string{"--role", "nope", "--", "true"}, "AccessDenied"},
		{"exec with a role that does not trust ECS tasks", execWith, []string{"--role", "web-role", "--", "true"},
			"AccessDenied: User: ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole"},
		{"instance without run", instanceWith, []string{"--instance-profile", "web", "--", "true"}, "usage"},
		{"instance run with a profile that does not exist", instanceWith, []string{"run", "--instance-profile", "nope", "--", "true"}, "NoSuchEntity"},
		{"credential-process without --role", credentialProcessWith, nil, "usage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(ctx, tc.args, f.env(nil, nil, io.Discard, time.Now))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
			}
		})
	}
	// An operator who may assume roles but not pass them gets nothing from exec or instance run.
	ctx2 := context.Background()
	root := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(rootKey, rootSecret, "")})
	if _, err := root.DeleteUserPolicy(ctx2, &iam.DeleteUserPolicyInput{UserName: aws.String("op"), PolicyName: aws.String("assume")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx2, &iam.PutUserPolicyInput{UserName: aws.String("op"), PolicyName: aws.String("nopass"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","iam:GetInstanceProfile"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		run  func(context.Context, []string, workloadEnv) error
		args []string
	}{
		{execWith, []string{"--role", "r", "--", "true"}},
		{instanceWith, []string{"run", "--instance-profile", "web", "--", "true"}},
	} {
		err := tc.run(ctx, tc.args, f.env(nil, nil, io.Discard, time.Now))
		if err == nil || !strings.Contains(err.Error(), "is not authorized to perform: iam:PassRole") {
			t.Errorf("%v without iam:PassRole: error %v, want a PassRole denial", tc.args, err)
		}
	}
}

// TestExecBinary runs the real binary: the child's environment and exit status.
func TestExecBinary(t *testing.T) {
	f := newExecFixture(t)
	iamd := func(args ...string) (string, int) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
		for k, v := range f.vars {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("iamd %v: %v", args, err)
		}
		if stderr.Len() > 0 {
			t.Logf("iamd %v: stderr: %s", args, stderr.String())
		}
		return string(out), cmd.ProcessState.ExitCode()
	}
	if _, code := iamd("exec", "--role", "r", "--", "sh", "-c", "exit 3"); code != 3 {
		t.Errorf("exit status %d, want the child's 3", code)
	}
	out, code := iamd("exec", "--role", "r", "--", "env")
	if code != 0 {
		t.Fatalf("env: exit %d", code)
	}
	got := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "AWS_") {
			got[k] = v
		}
	}
	if !strings.HasPrefix(got["AWS_CONTAINER_CREDENTIALS_FULL_URI"], "http://127.0.0.1:") || len(got["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) < 32 {
		t.Errorf("child environment %v: want the loopback endpoint and a random token", got)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		if v, ok := got[k]; ok {
			t.Errorf("child environment has %s=%q", k, v)
		}
	}
	if got["AWS_ENDPOINT_URL"] != f.srv.Endpoint() || got["AWS_REGION"] != "eu-west-1" {
		t.Errorf("child environment %v: want AWS_ENDPOINT_URL %s and AWS_REGION eu-west-1", got, f.srv.Endpoint())
	}
	out2, _ := iamd("exec", "--role", "r", "--", "env")
	if tok := func(s string) string {
		_, after, _ := strings.Cut(s, "AWS_CONTAINER_AUTHORIZATION_TOKEN=")
		return after
	}; tok(out) == tok(out2) {
		t.Error("two runs got the same authorization token")
	}
}

// TestChildEnvLeavesSecretsOut: the child of iamd exec / instance run sees neither the
// operator's AWS credentials nor the server's root key and seal keys (a security trial found
// IAMD_ROOT_* in a workload's environment), and keeps the rest.
func TestChildEnvLeavesSecretsOut(t *testing.T) {
	base := []string{"PATH=/usr/bin", "HOME=/root", "IAMD_ROOT_ACCESS_KEY_ID=AKIAROOT", "IAMD_ROOT_SECRET_ACCESS_KEY=rootsecret",
		"IAMD_SEAL_KEYS=sealkeys", "AWS_ACCESS_KEY_ID=AKIAOP", "AWS_SECRET_ACCESS_KEY=opsecret", "AWS_PROFILE=admin"}
	env := childEnv(base, "http://127.0.0.1:1", "us-east-1", []string{"X=1"})
	joined := strings.Join(env, "\n")
	for _, secret := range []string{"AKIAROOT", "rootsecret", "sealkeys", "AKIAOP", "opsecret", "AWS_PROFILE"} {
		if strings.Contains(joined, secret) {
			t.Errorf("child environment holds %q:\n%s", secret, joined)
		}
	}
	for _, kept := range []string{"PATH=/usr/bin", "HOME=/root", "X=1", "AWS_ENDPOINT_URL=http://127.0.0.1:1", "AWS_REGION=us-east-1"} {
		if !slices.Contains(env, kept) {
			t.Errorf("child environment lacks %q:\n%s", kept, joined)
		}
	}
}
