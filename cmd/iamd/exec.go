package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/credsrv"
)

// workloadEnv is what the workload-credential commands read and run with; tests replace the
// clock, the environment and the standard streams.
type workloadEnv struct {
	getenv  func(string) string
	environ []string // the base environment of the child
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	now     func() time.Time
}

func osWorkloadEnv(getenv func(string) string, stdout, stderr io.Writer) workloadEnv {
	return workloadEnv{getenv: getenv, environ: os.Environ(), stdin: os.Stdin, stdout: stdout, stderr: stderr, now: time.Now}
}

// exitStatus is a child's non-zero exit status; main exits with it.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("command exited with status %d", int(e)) }

// ExitCode is the status iamd exits with.
func (e exitStatus) ExitCode() int { return int(e) }

// stsFlags are the flags every workload-credential command shares.
type stsFlags struct {
	endpoint string
	region   string
	duration time.Duration
}

func (f *stsFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", "", "iamd endpoint (default $AWS_ENDPOINT_URL_STS, $AWS_ENDPOINT_URL or http://127.0.0.1:8343)")
	fs.StringVar(&f.region, "region", "", "region (default $AWS_REGION, $AWS_DEFAULT_REGION, the profile's, or us-east-1)")
	fs.DurationVar(&f.duration, "duration", time.Hour, "session length of each set of role credentials (15m to the role's maximum)")
}

// operator is the caller iamd exec acts as: the credentials of the environment iamd runs in.
type operator struct {
	cfg      aws.Config
	endpoint string
}

// loadOperator resolves the operator's credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
// else the SDK's default chain: AWS_PROFILE, the shared files, …), the region and the endpoint.
func loadOperator(ctx context.Context, f stsFlags, env workloadEnv) (operator, error) {
	opts := []func(*awsconfig.LoadOptions) error{}
	if id := env.getenv("AWS_ACCESS_KEY_ID"); id != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(id,
			env.getenv("AWS_SECRET_ACCESS_KEY"), env.getenv("AWS_SESSION_TOKEN"))))
	} else if p := env.getenv("AWS_PROFILE"); p != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(p))
	}
	region := firstNonEmpty(f.region, env.getenv("AWS_REGION"), env.getenv("AWS_DEFAULT_REGION"))
	if region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return operator{}, fmt.Errorf("load the operator's AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	endpoint := firstNonEmpty(f.endpoint, env.getenv("AWS_ENDPOINT_URL_STS"), env.getenv("AWS_ENDPOINT_URL"), "http://127.0.0.1:8343")
	cfg.BaseEndpoint = aws.String(endpoint)
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return operator{}, fmt.Errorf("no AWS credentials to call iamd with (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE to a user allowed iam:PassRole for exec and instance run, sts:AssumeRole for credential-process): %w", err)
	}
	return operator{cfg: cfg, endpoint: endpoint}, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// roleARN turns a role name into the role's ARN in the operator's account; an ARN stays as is.
func (o operator) roleARN(ctx context.Context, role string) (string, error) {
	if strings.HasPrefix(role, "arn:") {
		if _, err := awsarn.Parse(role); err != nil {
			return "", fmt.Errorf("--role %q: %w", role, err)
		}
		return role, nil
	}
	id, err := sts.NewFromConfig(o.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("find the account of the role: %w", err)
	}
	return "arn:aws:iam::" + aws.ToString(id.Account) + ":role/" + role, nil
}

func (o operator) session(roleArn, sessionName string, d time.Duration) credsrv.RoleSession {
	return credsrv.RoleSession{Client: sts.NewFromConfig(o.cfg), RoleArn: roleArn, SessionName: sessionName, Duration: d}
}

// serviceCreds is a Refresher of the credentials service gets for the role the operator passes
// to it (AssumeRoleForService: iam:PassRole, then the role's trust in the service), checked
// once so that a role that cannot be passed or assumed fails before the child starts. The
// caller closes it.
func (o operator) serviceCreds(ctx context.Context, env workloadEnv, roleArn, service, sessionName string, d time.Duration) (*credsrv.Refresher, error) {
	s := credsrv.ServiceSession{Config: o.cfg, RoleArn: roleArn, ServiceName: service, SessionName: sessionName, Duration: d}
	src := credsrv.NewRefresher(credsrv.RefresherConfig{Obtain: s.Assume, Now: env.now})
	if _, err := src.Credentials(ctx); err != nil {
		src.Close()
		return nil, err
	}
	return src, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func parseWorkloadFlags(name string, args []string, env workloadEnv, bind func(*flag.FlagSet)) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("iamd "+name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	bind(fs)
	return fs, fs.Parse(args)
}

// runExec is `iamd exec --role ROLE [--duration D] [--endpoint URL] -- CMD ARGS…`.
func runExec(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return execWith(ctx, args, osWorkloadEnv(getenv, stdout, stderr))
}

func execWith(ctx context.Context, args []string, env workloadEnv) error {
	var sf stsFlags
	var role string
	fs, err := parseWorkloadFlags("exec", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "role name or ARN whose credentials CMD gets (required)")
		sf.bind(fs)
	})
	if err != nil {
		return err
	}
	if role == "" || fs.NArg() == 0 {
		return errors.New("usage: iamd exec --role ROLE [--duration D] [--endpoint URL] -- CMD [ARGS…]")
	}
	op, err := loadOperator(ctx, sf, env)
	if err != nil {
		return err
	}
	roleArn, err := op.roleARN(ctx, role)
	if err != nil {
		return err
	}
	// ECS passes the task role to ecs-tasks.amazonaws.com and names the session after the task.
	src, err := op.serviceCreds(ctx, env, roleArn, "ecs-tasks.amazonaws.com", randomHex(16), sf.duration)
	if err != nil {
		return err
	}
	defer src.Close()
	token := randomHex(32)
	mux := http.NewServeMux()
	mux.Handle("/creds", credsrv.NewContainer(src, token))
	return runChild(ctx, mux, fs.Args(), env, op, func(base string) []string {
		return []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + base + "creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN=" + token}
	})
}

// childRemoves are the variables that could point the child at other credentials, or hand it
// the server's own secrets (the root key and the seal keys an operator exports for `iamd
// serve`): it sees only its role.
var childRemoves = []string{
	"IAMD_ROOT_ACCESS_KEY_ID", "IAMD_ROOT_SECRET_ACCESS_KEY", "IAMD_SEAL_KEYS",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_EC2_METADATA_DISABLED",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_REGION", "AWS_DEFAULT_REGION",
}

// childEnv is the child's environment: the base without childRemoves, the shared config and
// credentials files pointed at an empty file (a default profile with keys would otherwise win
// over the endpoint in the SDKs' credential chain), the endpoint, the region and extra.
func childEnv(base []string, endpoint, region string, extra []string) []string {
	var env []string
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		removed := false
		for _, r := range childRemoves {
			if name == r {
				removed = true
				break
			}
		}
		if !removed {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_CONFIG_FILE="+os.DevNull,
		"AWS_ENDPOINT_URL="+endpoint, "AWS_REGION="+region, "AWS_DEFAULT_REGION="+region)
	return append(env, extra...)
}

// runChild serves h on a loopback listener with a random port while CMD runs with the
// variables vars(base URL) adds, and returns CMD's exit status.
func runChild(ctx context.Context, h http.Handler, argv []string, env workloadEnv, op operator, vars func(base string) []string) error {
	ln, err := credsrv.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().(*net.TCPAddr).String() + "/"
	sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() { served <- credsrv.Serve(sctx, ln, h, logger) }()
	defer func() { stop(); <-served }()

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdin, cmd.Stdout, cmd.Stderr = env.stdin, env.stdout, env.stderr
	cmd.Env = childEnv(env.environ, op.endpoint, op.cfg.Region, vars(base))
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitStatus(128 + int(ws.Signal()))
		}
		return exitStatus(ee.ExitCode())
	default:
		return fmt.Errorf("run %s: %w", argv[0], err)
	}
}

// processCredentials is the credential_process output format (Version 1).
type processCredentials struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// runCredentialProcess is `iamd credential-process --role ROLE`, for credential_process in
// ~/.aws/config.
func runCredentialProcess(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return credentialProcessWith(ctx, args, osWorkloadEnv(getenv, stdout, stderr))
}

func credentialProcessWith(ctx context.Context, args []string, env workloadEnv) error {
	var sf stsFlags
	var role, session string
	fs, err := parseWorkloadFlags("credential-process", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "role name or ARN (required)")
		fs.StringVar(&session, "session-name", "", "role session name (default iamd-<random>)")
		sf.bind(fs)
	})
	if err != nil {
		return err
	}
	if role == "" || fs.NArg() > 0 {
		return errors.New("usage: iamd credential-process --role ROLE [--duration D] [--endpoint URL]")
	}
	op, err := loadOperator(ctx, sf, env)
	if err != nil {
		return err
	}
	roleArn, err := op.roleARN(ctx, role)
	if err != nil {
		return err
	}
	c, err := op.session(roleArn, firstNonEmpty(session, "iamd-"+randomHex(6)), sf.duration).Assume(ctx)
	if err != nil {
		return err
	}
	return json.NewEncoder(env.stdout).Encode(processCredentials{Version: 1, AccessKeyID: c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration.UTC().Format(time.RFC3339)})
}
