package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/findings"
	"github.com/iamd-dev/iamd/internal/mfa"
	"github.com/iamd-dev/iamd/internal/server"
	"github.com/iamd-dev/iamd/internal/store"
)

// auditServer starts a server for account execAccount whose root keys are rootKey/rootSecret.
func auditServer(t *testing.T) (*server.Server, *iam.Client) {
	t.Helper()
	cfg := config.Default(t.TempDir(), "")
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.AccountID = execAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = rootKey, rootSecret
	cfg.ManagedPolicies = false
	srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, client(srv.Endpoint())
}

func step[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// auditEnv is the environment of an audit run as the key's owner against srv.
func auditEnv(srv *server.Server, key, secret string) map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
		"AWS_ENDPOINT_URL": srv.Endpoint(), "AWS_REGION": "us-east-1", "HOME": os.TempDir()}
}

// runAuditJSON runs iamd audit --json at now and returns the report and the error.
func runAuditJSON(t *testing.T, env map[string]string, now time.Time, args ...string) (findings.Report, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := auditWith(context.Background(), append(args, "--json"), func(k string) string { return env[k] }, func() time.Time { return now }, &out, &errb)
	var rep findings.Report
	if out.Len() > 0 {
		if jerr := json.Unmarshal(out.Bytes(), &rep); jerr != nil {
			t.Fatalf("iamd audit %v printed %q: %v", args, out.String(), jerr)
		}
	}
	if errb.Len() > 0 {
		t.Logf("iamd audit %v: stderr: %s", args, errb.String())
	}
	return rep, err
}

// codes lists "CODE resource" for each finding, sorted.
func codes(rep findings.Report) []string {
	out := []string{}
	for _, f := range rep.Findings {
		out = append(out, f.Code+" "+strings.TrimPrefix(f.Resource, "arn:aws:iam::"+execAccount+":"))
	}
	sort.Strings(out)
	return out
}

const (
	adminPolicy     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	partnerTrustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}`
	ghaTrustDoc     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + execAccount +
		`:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`
)

// antiPatterns sets up an account with several anti-patterns: the root user's key in use, a
// user with a policy of its own (allowing * on *) and two keys, a role trusting another account
// without ExternalId, a GitHub Actions role without a sub condition, no password policy.
func antiPatterns(t *testing.T, root *iam.Client) {
	ctx := context.Background()
	pol := step[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("admin"), PolicyDocument: aws.String(adminPolicy)}))
	step[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dev")}))
	step[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: pol.Policy.Arn}))
	for range 2 {
		step[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dev")}))
	}
	step[*iam.CreateRoleOutput](t, "CreateRole partner")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("partner"), AssumeRolePolicyDocument: aws.String(partnerTrustDoc)}))
	step[*iam.CreateOpenIDConnectProviderOutput](t, "CreateOpenIDConnectProvider")(root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}}))
	step[*iam.CreateRoleOutput](t, "CreateRole gha")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gha"), AssumeRolePolicyDocument: aws.String(ghaTrustDoc)}))
}

func TestAuditAntiPatterns(t *testing.T) {
	srv, root := auditServer(t)
	antiPatterns(t, root)
	env := auditEnv(srv, rootKey, rootSecret)
	rep, err := runAuditJSON(t, env, time.Now())
	if err != nil {
		t.Fatalf("iamd audit: %v", err)
	}
	want := []string{
		"CROSS_ACCOUNT_TRUST_NO_EXTERNAL_ID role/partner",
		"EXTERNAL_ACCESS role/gha", "EXTERNAL_ACCESS role/partner",
		"OIDC_TRUST_NO_SUB role/gha",
		"ROOT_ACCESS_KEYS root",
		"ROOT_NO_MFA root",
		"ROOT_USED_RECENTLY root",
		"STAR_STAR_GRANT policy/admin",
		"USER_DIRECT_POLICY user/dev",
		"USER_TWO_ACTIVE_KEYS user/dev",
		"WEAK_PASSWORD_POLICY root",
	}
	if d := cmp.Diff(want, codes(rep)); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	sevs := map[string]string{}
	for _, f := range rep.Findings {
		sevs[f.Code+" "+f.Resource] = f.Severity.String()
	}
	wantSev := map[string]string{"EXTERNAL_ACCESS arn:aws:iam::" + execAccount + ":role/gha": "high",
		"EXTERNAL_ACCESS arn:aws:iam::" + execAccount + ":role/partner": "medium",
		"OIDC_TRUST_NO_SUB arn:aws:iam::" + execAccount + ":role/gha":   "critical"}
	for k, v := range wantSev {
		if sevs[k] != v {
			t.Errorf("severity of %s: %q, want %q", k, sevs[k], v)
		}
	}
	if rep.Account != execAccount || rep.Days != 90 || rep.Summary["critical"] != 3 {
		t.Errorf("report account %q, days %d, summary %v: want %s, 90, 3 critical (root keys, root MFA, GitHub trust)", rep.Account, rep.Days, rep.Summary, execAccount)
	}

	// 200 days on, nothing was used since: keys are old and unused, roles unused, and the
	// user's permissions (every service, through "*") unused; the root user's use is old.
	later := time.Now().AddDate(0, 0, 200)
	rep, err = runAuditJSON(t, env, later)
	if err != nil {
		t.Fatalf("iamd audit 200 days later: %v", err)
	}
	want = []string{
		"ACCESS_KEY_NOT_ROTATED user/dev", "ACCESS_KEY_NOT_ROTATED user/dev",
		"CROSS_ACCOUNT_TRUST_NO_EXTERNAL_ID role/partner",
		"EXTERNAL_ACCESS role/gha", "EXTERNAL_ACCESS role/partner",
		"OIDC_TRUST_NO_SUB role/gha",
		"ROOT_ACCESS_KEYS root",
		"ROOT_NO_MFA root",
		"STAR_STAR_GRANT policy/admin",
		"USER_DIRECT_POLICY user/dev",
		"USER_TWO_ACTIVE_KEYS user/dev",
		"UnusedIAMRole role/gha", "UnusedIAMRole role/partner",
		"UnusedIAMUserAccessKey user/dev", "UnusedIAMUserAccessKey user/dev",
		"UnusedPermission user/dev",
		"WEAK_PASSWORD_POLICY root",
	}
	if d := cmp.Diff(want, codes(rep)); d != "" {
		t.Errorf("findings 200 days later (-want +got):\n%s", d)
	}
	for _, f := range rep.Findings {
		if f.Code == findings.CodeUnusedPermission && (len(f.Evidence) < 100 || !strings.Contains(f.Message, "s3")) {
			t.Errorf("UnusedPermission %q with %d services: want every service of the catalog, s3 among them", f.Message, len(f.Evidence))
		}
	}

	// --check and --days narrow the run.
	rep, err = runAuditJSON(t, env, later, "--check", "UnusedIAMRole,ROOT_NO_MFA", "--days", "365")
	if d := cmp.Diff([]string{"ROOT_NO_MFA root"}, codes(rep)); d != "" || err != nil {
		t.Errorf("--check UnusedIAMRole,ROOT_NO_MFA --days 365: %v, findings (-want +got):\n%s", err, d)
	}

	// --fail-on high: exit status 2 (the real binary); none and the default: 0.
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--fail-on", "high"}, auditExitStatus},
		{[]string{"--fail-on", "critical", "--check", "USER_TWO_ACTIVE_KEYS"}, 0},
		{[]string{"--fail-on", "none"}, 0},
		{nil, 0},
	} {
		if got := auditBinary(t, env, tc.args...); got != tc.want {
			t.Errorf("iamd audit %v: exit status %d, want %d", tc.args, got, tc.want)
		}
	}
}

// auditBinary runs the test binary as iamd audit and returns its exit status.
func auditBinary(t *testing.T, env map[string]string, args ...string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"audit"}, args...)...)
	cmd.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("iamd audit %v: %v", args, err)
	}
	if code := cmd.ProcessState.ExitCode(); code != 0 && code != auditExitStatus {
		t.Logf("iamd audit %v: stderr: %s", args, stderr.String())
	}
	return cmd.ProcessState.ExitCode()
}

// TestAuditCleanAccount: an account following the practices has no finding, so even
// --fail-on info exits zero. The audit runs as a user allowed to read IAM through a group.
func TestAuditCleanAccount(t *testing.T) {
	ctx := context.Background()
	srv, root := auditServer(t)
	step[*iam.UpdateAccountPasswordPolicyOutput](t, "UpdateAccountPasswordPolicy")(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24)}))
	pol := step[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("audit-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails"],"Resource":"*"}]}`)}))
	step[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("auditors")}))
	step[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: pol.Policy.Arn}))
	step[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	step[*iam.AddUserToGroupOutput](t, "AddUserToGroup")(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("auditor")}))
	key := step[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")}))
	// The root user's MFA device is set in the console in AWS, through no IAM action; the test
	// links one in the store.
	if err := srv.Store().Update(ctx, func(tx store.Tx) error {
		return tx.Link(ctx, execAccount, store.LinkUserMFA, "", "root-mfa")
	}); err != nil {
		t.Fatal(err)
	}
	// Last, the root user deletes its own access key.
	step[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey root")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(rootKey)}))

	env := auditEnv(srv, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	rep, err := runAuditJSON(t, env, time.Now(), "--fail-on", "info")
	if err != nil || len(rep.Findings) != 0 || rep.Account != execAccount {
		t.Errorf("iamd audit --fail-on info on a clean account: %v, account %q, findings %+v; want none", err, rep.Account, rep.Findings)
	}
	if got := auditBinary(t, env, "--fail-on", "info"); got != 0 {
		t.Errorf("iamd audit --fail-on info: exit status %d, want 0", got)
	}
}

func TestAuditFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fail-on", "severe"}, `unknown severity "severe"`},
		{[]string{"--check", "ROOT_NO_MFA,NOPE"}, `unknown check "NOPE"`},
		{[]string{"--days", "0"}, "--days 0"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		var out, errb bytes.Buffer
		err := auditWith(context.Background(), tc.args, func(string) string { return "" }, time.Now, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("iamd audit %v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
	var errb bytes.Buffer
	if err := auditWith(context.Background(), []string{"--help"}, func(string) string { return "" }, time.Now, &bytes.Buffer{}, &errb); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("iamd audit --help: %v, want flag.ErrHelp", err)
	}
	for _, c := range findings.Checks() {
		if !strings.Contains(errb.String(), c.Code) {
			t.Errorf("iamd audit --help does not list check %s:\n%s", c.Code, errb.String())
		}
	}
}

func TestPolicyText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"Version":"2012-10-17"}`, `{"Version":"2012-10-17"}`},
		// AWS URL-encodes the documents of GetAccountAuthorizationDetails (RFC 3986).
		{"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa%2Bb%2F%2A%22%7D%5D%7D",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::a+b/*"}]}`},
		{"%zz", "%zz"},
	} {
		if got := policyText(aws.String(tc.in)); got != tc.want {
			t.Errorf("policyText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestApplyCredentialReport reads a report as AWS writes it (the root row's not_supported and
// no_information, N/A for what is absent).
func TestApplyCredentialReport(t *testing.T) {
	report := "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n" +
		"<root_account>,arn:aws:iam::123456789012:root,2020-01-02T03:04:05+00:00,not_supported,2024-05-06T07:08:09+00:00,not_supported,not_supported,false," +
		"false,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,true,2022-02-02T00:00:00+00:00,2024-01-01T00:00:00+00:00,us-east-1,s3,false,N/A,false,N/A\n" +
		"ann,arn:aws:iam::123456789012:user/ann,2023-01-01T00:00:00+00:00,true,no_information,2023-06-01T00:00:00+00:00,N/A,true," +
		"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n" +
		"bob,arn:aws:iam::123456789012:user/bob,2023-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false," +
		"true,2023-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
	s := &findings.Snapshot{Users: []findings.User{{Name: "ann", Created: date(2023, 1, 1)}, {Name: "bob"}}}
	if err := applyCredentialReport(s, []byte(report)); err != nil {
		t.Fatal(err)
	}
	want := &findings.Snapshot{Account: "123456789012",
		Root: findings.Root{ARN: "arn:aws:iam::123456789012:root", PasswordLastUsed: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
			AccessKeys: []findings.AccessKey{{ID: "access_key_1", Created: date(2021, 1, 1)},
				{ID: "access_key_2", Active: true, Created: date(2022, 2, 2), LastUsed: date(2024, 1, 1)}}},
		Users: []findings.User{{Name: "ann", Created: date(2023, 1, 1), MFA: true, Password: &findings.Password{Changed: date(2023, 6, 1)}}, {Name: "bob"}},
	}
	if d := cmp.Diff(want, s, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
		t.Errorf("snapshot (-want +got):\n%s", d)
	}
	if err := applyCredentialReport(&findings.Snapshot{}, []byte("a,\"b\n")); err == nil {
		t.Error("a broken report was accepted")
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestAuditSeesChangesSinceTheReport: the credential report is regenerated at most every 4
// hours, so changes made after an audit (a password for bob, who has no MFA; an MFA device for
// alice) must come from live calls in the next audit. alice also shows that a user with an
// inline policy whose group attaches a managed policy is not "inline only".
func TestAuditSeesChangesSinceTheReport(t *testing.T) {
	ctx := context.Background()
	srv, root := auditServer(t)
	pol := step[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	step[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	step[*iam.AttachGroupPolicyOutput](t, "AttachGroupPolicy")(root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: pol.Policy.Arn}))
	for _, name := range []string{"alice", "bob"} {
		step[*iam.CreateUserOutput](t, "CreateUser "+name)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
		step[*iam.AddUserToGroupOutput](t, "AddUserToGroup "+name)(root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(name)}))
	}
	step[*iam.PutUserPolicyOutput](t, "PutUserPolicy alice")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("mine"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)}))
	step[*iam.CreateLoginProfileOutput](t, "CreateLoginProfile alice")(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String("Correct-Horse-7-Battery")}))

	env := auditEnv(srv, rootKey, rootSecret)
	only := []string{"--check", "USER_CONSOLE_NO_MFA,INLINE_ONLY_POLICIES,USER_DIRECT_POLICY"}
	rep, err := runAuditJSON(t, env, time.Now(), only...)
	if d := cmp.Diff([]string{"USER_CONSOLE_NO_MFA user/alice", "USER_DIRECT_POLICY user/alice"}, codes(rep)); d != "" || err != nil {
		t.Errorf("first audit: %v, findings (-want +got):\n%s", err, d)
	}

	// bob gets a password; alice an MFA device. The report generated by the first audit is
	// minutes old, so GenerateCredentialReport keeps it.
	step[*iam.CreateLoginProfileOutput](t, "CreateLoginProfile bob")(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Correct-Horse-7-Battery")}))
	dev := step[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")}))
	seed, now := string(dev.VirtualMFADevice.Base32StringSeed), time.Now()
	code := func(at time.Time) string {
		c, err := mfa.Code(seed, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	step[*iam.EnableMFADeviceOutput](t, "EnableMFADevice alice")(root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"),
		SerialNumber: dev.VirtualMFADevice.SerialNumber, AuthenticationCode1: aws.String(code(now.Add(-30 * time.Second))), AuthenticationCode2: aws.String(code(now))}))
	rep, err = runAuditJSON(t, env, time.Now(), only...)
	if d := cmp.Diff([]string{"USER_CONSOLE_NO_MFA user/bob", "USER_DIRECT_POLICY user/alice"}, codes(rep)); d != "" || err != nil {
		t.Errorf("audit after bob's password and alice's MFA: %v, findings (-want +got):\n%s", err, d)
	}

}

// TestAuditRootKeys: run as the root user, the audit names the root user's keys by ID (from
// ListAccessKeys); run as another user, the root user's key, deleted after the report was
// generated, is not reported (from the account summary).
func TestAuditRootKeys(t *testing.T) {
	ctx := context.Background()
	srv, root := auditServer(t)
	rep, err := runAuditJSON(t, auditEnv(srv, rootKey, rootSecret), time.Now(), "--check", "ROOT_ACCESS_KEYS,ROOT_USED_RECENTLY")
	var keys []string
	for _, f := range rep.Findings {
		for _, e := range f.Evidence {
			keys = append(keys, f.Code+" "+e.AccessKey)
		}
	}
	if d := cmp.Diff([]string{"ROOT_ACCESS_KEYS " + rootKey, "ROOT_USED_RECENTLY " + rootKey}, keys); d != "" || err != nil {
		t.Errorf("audit as the root user: %v, evidence (-want +got):\n%s", err, d)
	}

	pol := step[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("audit-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport"],"Resource":"*"}]}`)}))
	step[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}))
	step[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("auditor"), PolicyArn: pol.Policy.Arn}))
	key := step[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")}))
	env := auditEnv(srv, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	rep, err = runAuditJSON(t, env, time.Now(), "--check", "ROOT_ACCESS_KEYS")
	if d := cmp.Diff([]string{"ROOT_ACCESS_KEYS root"}, codes(rep)); d != "" || err != nil {
		t.Errorf("audit with the root key: %v, findings (-want +got):\n%s", err, d)
	}
	step[*iam.DeleteAccessKeyOutput](t, "DeleteAccessKey root")(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(rootKey)}))
	rep, err = runAuditJSON(t, env, time.Now(), "--check", "ROOT_ACCESS_KEYS")
	if d := cmp.Diff([]string{}, codes(rep)); d != "" || err != nil {
		t.Errorf("audit after the root key's deletion: %v, findings (-want +got):\n%s", err, d)
	}
}

func TestApplyLive(t *testing.T) {
	created := date(2024, 1, 1)
	for _, tc := range []struct {
		name     string
		report   *findings.Password // what the credential report said
		profile  *types.LoginProfile
		lastUsed time.Time
		mfa      bool
		want     *findings.Password
	}{
		{"no password, none in the report", nil, nil, time.Time{}, false, nil},
		{"password deleted since the report", &findings.Password{Changed: date(2024, 2, 1)}, nil, time.Time{}, true, nil},
		{"password created since the report", nil, &types.LoginProfile{CreateDate: aws.Time(date(2024, 5, 1))}, date(2024, 5, 2), false,
			&findings.Password{Changed: date(2024, 5, 1), LastUsed: date(2024, 5, 2)}},
		{"password changed: the report's date is later", &findings.Password{Changed: date(2024, 6, 1), LastUsed: date(2024, 6, 2)},
			&types.LoginProfile{CreateDate: aws.Time(date(2024, 5, 1))}, date(2024, 7, 1), true,
			&findings.Password{Changed: date(2024, 6, 1), LastUsed: date(2024, 7, 1)}},
		{"profile re-created since the report", &findings.Password{Changed: date(2024, 2, 1), LastUsed: date(2024, 3, 1)},
			&types.LoginProfile{CreateDate: aws.Time(date(2024, 5, 1))}, time.Time{}, false,
			&findings.Password{Changed: date(2024, 5, 1), LastUsed: date(2024, 3, 1)}},
		{"profile without a date", nil, &types.LoginProfile{}, time.Time{}, false, &findings.Password{Changed: created}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &findings.User{Name: "u", Created: created, Password: tc.report, MFA: !tc.mfa}
			applyLive(u, tc.profile, tc.lastUsed, tc.mfa)
			if d := cmp.Diff(tc.want, u.Password); d != "" || u.MFA != tc.mfa {
				t.Errorf("report %+v, profile %+v, last used %v: MFA %v (want %v), password (-want +got):\n%s", tc.report, tc.profile, tc.lastUsed, u.MFA, tc.mfa, d)
			}
		})
	}
}

func TestApplySummary(t *testing.T) {
	reportKey := findings.AccessKey{ID: "access_key_1", Active: true, Created: date(2024, 1, 1)}
	for _, tc := range []struct {
		name    string
		report  findings.Root
		summary map[string]int32
		want    findings.Root
	}{
		{"MFA enabled since the report", findings.Root{}, map[string]int32{"AccountMFAEnabled": 1}, findings.Root{MFA: true}},
		{"MFA removed since the report", findings.Root{MFA: true}, map[string]int32{"AccountMFAEnabled": 0}, findings.Root{}},
		{"no summary keys: the report stands", findings.Root{MFA: true, AccessKeys: []findings.AccessKey{reportKey}}, map[string]int32{},
			findings.Root{MFA: true, AccessKeys: []findings.AccessKey{reportKey}}},
		{"key deleted since the report", findings.Root{AccessKeys: []findings.AccessKey{reportKey}}, map[string]int32{"AccountAccessKeysPresent": 0}, findings.Root{}},
		{"key created since the report", findings.Root{}, map[string]int32{"AccountAccessKeysPresent": 1},
			findings.Root{AccessKeys: []findings.AccessKey{{ID: "access_key_1", Active: true}}}},
		{"key in both", findings.Root{AccessKeys: []findings.AccessKey{reportKey}}, map[string]int32{"AccountAccessKeysPresent": 1},
			findings.Root{AccessKeys: []findings.AccessKey{reportKey}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.report
			applySummary(&got, tc.summary)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("report %+v, summary %v (-want +got):\n%s", tc.report, tc.summary, d)
			}
		})
	}
}

// auditIsolated runs the test binary as iamd audit with only the environment given (no
// credentials from the test's environment or the user's files) and returns its exit status and
// standard error.
func auditIsolated(t *testing.T, env map[string]string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"audit"}, args...)...)
	cmd.Env = []string{"IAMD_TEST_MAIN=1", "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("iamd audit %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// TestAuditNoCredentials: with no credentials, the audit fails at once with a message saying
// what to set, without asking the EC2 instance metadata service (unless one is named) and
// without the SDK's warnings.
func TestAuditNoCredentials(t *testing.T) {
	srv, _ := auditServer(t)
	imds := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(imds.Close)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint(), "AWS_REGION": "us-east-1"}, []string{noCredentials}},
		{"a metadata service without a role", map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint(), "AWS_REGION": "us-east-1",
			"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL}, []string{noCredentials, "the EC2 instance metadata service has none"}},
		{"a secret without a key ID", map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint(), "AWS_SECRET_ACCESS_KEY": rootSecret}, []string{noCredentials}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := auditIsolated(t, tc.env)
			if code != 1 {
				t.Errorf("exit status %d, want 1; stderr:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "WARN") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("stderr has more than the error (SDK warnings?):\n%s", stderr)
			}
		})
	}
	// With the root keys, the same environment works.
	code, stderr := auditIsolated(t, map[string]string{"AWS_ENDPOINT_URL": srv.Endpoint(), "AWS_ACCESS_KEY_ID": rootKey, "AWS_SECRET_ACCESS_KEY": rootSecret})
	if code != 0 {
		t.Errorf("iamd audit with the root keys: exit status %d, stderr:\n%s", code, stderr)
	}
}

// TestAuditNoSDKWarnings: an endpoint that cuts a response short makes the SDK fail to discard
// the rest of the body, which it logs as a WARN; the user sees only the error.
func TestAuditNoSDKWarnings(t *testing.T) {
	cut := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>`)
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(cut.Close)
	code, stderr := auditIsolated(t, map[string]string{"AWS_ENDPOINT_URL": cut.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": rootKey, "AWS_SECRET_ACCESS_KEY": rootSecret, "AWS_MAX_ATTEMPTS": "1"})
	if code != 1 || !strings.Contains(stderr, "GetAccountAuthorizationDetails") {
		t.Errorf("exit status %d, want 1 with a GetAccountAuthorizationDetails error; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "WARN") || strings.Contains(stderr, "discard") {
		t.Errorf("stderr has SDK warnings:\n%s", stderr)
	}
}
