package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

const (
	testAccount = "123456789012"
	rootKey     = "AKIAIAMDTESTROOT0001"
	rootSecret  = "iamdTestRootSecretKey0000000000000000000"
)

func testConfig(t *testing.T, dir string) config.Config {
	cfg := config.Default(t.TempDir(), "")
	cfg.DataDir = dir
	cfg.Listen = "127.0.0.1:0"
	cfg.AccountID = testAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = rootKey, rootSecret
	// Loading the 1,500+ AWS managed policies takes seconds under -race; the tests that use them
	// (managed_e2e_test.go) turn it back on.
	cfg.ManagedPolicies = false
	return cfg
}

func start(t *testing.T, cfg config.Config) *server.Server {
	t.Helper()
	srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// awsConfig is a client configuration for the server. It keeps the SDK's default retryer: the
// Go SDK's transport can close a keep-alive connection while a large response is still being
// read from a very fast server (aws/aws-sdk-go-v2#2737), and the SDK retries that error
// (net.ErrClosed) by default; AWS API errors are not retried, so the tests still see them.
func awsConfig(endpoint, id, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, token),
		BaseEndpoint: aws.String(endpoint),
	}
}

func iamClient(srv *server.Server, id, secret, token string) *iam.Client {
	return iam.NewFromConfig(awsConfig(srv.Endpoint(), id, secret, token))
}

func stsClient(srv *server.Server, id, secret, token string) *sts.Client {
	return sts.NewFromConfig(awsConfig(srv.Endpoint(), id, secret, token))
}

// wantCode checks that err is an AWS API error with the code (and the message, when given).
func wantCode(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: err = %v, want API error %s", what, err, code)
	}
	if ae.ErrorCode() != code {
		t.Errorf("%s: code = %s (%s), want %s", what, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && ae.ErrorMessage() != msg {
		t.Errorf("%s: message = %q, want %q", what, ae.ErrorMessage(), msg)
	}
}

func must[T any](t *testing.T, what string) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

const allowGet = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`

// TestUserLifecycle is the README's story: create a user, give it a key and a policy, call as
// that user, get denied, get allowed.
func TestUserLifecycle(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")

	u := must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/eng/")}))
	if got, want := aws.ToString(u.User.Arn), "arn:aws:iam::"+testAccount+":user/eng/alice"; got != want {
		t.Errorf("user ARN = %s, want %s", got, want)
	}
	if id := aws.ToString(u.User.UserId); !strings.HasPrefix(id, "AIDA") || len(id) != 21 {
		t.Errorf("user ID = %q, want AIDA + 17 characters", id)
	}
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	aliceID, aliceSecret := aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
	if !strings.HasPrefix(aliceID, "AKIA") || len(aliceID) != 20 || len(aliceSecret) != 40 {
		t.Errorf("access key %q / secret of %d characters", aliceID, len(aliceSecret))
	}
	alice := iamClient(srv, aliceID, aliceSecret, "")

	// No policy: denied, with AWS's message.
	_, err := alice.GetUser(ctx, &iam.GetUserInput{})
	userARN := "arn:aws:iam::" + testAccount + ":user/eng/alice"
	wantCode(t, "GetUser without policy", err, "AccessDenied",
		"User: "+userARN+" is not authorized to perform: iam:GetUser on resource: "+userARN+" because no identity-based policy allows the iam:GetUser action")

	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read"), PolicyDocument: aws.String(allowGet)}))
	got := must[*iam.GetUserOutput](t, "GetUser with policy")(alice.GetUser(ctx, &iam.GetUserInput{}))
	if aws.ToString(got.User.UserName) != "alice" {
		t.Errorf("GetUser = %+v", got.User)
	}
	_, err = alice.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
	wantCode(t, "CreateUser as alice", err, "AccessDenied", "User: "+userARN+" is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::"+testAccount+":user/mallory because no identity-based policy allows the iam:CreateUser action")

	// An explicit deny wins over the allow.
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy deny")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("deny"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`)}))
	_, err = alice.GetUser(ctx, &iam.GetUserInput{})
	wantCode(t, "GetUser with explicit deny", err, "AccessDenied", "User: "+userARN+" is not authorized to perform: iam:GetUser on resource: "+userARN+" with an explicit deny in an identity-based policy")

	// The policy document comes back as submitted, URL-encoded as AWS returns it.
	gp := must[*iam.GetUserPolicyOutput](t, "GetUserPolicy")(root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("read")}))
	if doc, err := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); err != nil || doc != allowGet {
		t.Errorf("GetUserPolicy document = %s (decoded %q, %v)", aws.ToString(gp.PolicyDocument), doc, err)
	}

	// A managed policy through a version change.
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("list"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)}))
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: p.Policy.Arn}))
	must[*iam.ListUsersOutput](t, "ListUsers as alice")(alice.ListUsers(ctx, &iam.ListUsersInput{}))
	must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, SetAsDefault: true,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*"}]}`)}))
	_, err = alice.ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers after version change", err, "AccessDenied", "")
	_, err = root.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: p.Policy.Arn})
	wantCode(t, "DeletePolicy attached", err, "DeleteConflict", "Cannot delete a policy attached to entities.")

	// Deleting a user that still has things fails, as in AWS.
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantCode(t, "DeleteUser with keys", err, "DeleteConflict", "Cannot delete entity, must delete access keys first.")

	// Deactivating the key locks alice out.
	must[*iam.UpdateAccessKeyOutput](t, "UpdateAccessKey")(root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(aliceID), Status: iamtypes.StatusTypeInactive}))
	_, err = alice.GetUser(ctx, &iam.GetUserInput{})
	wantCode(t, "inactive key", err, "InvalidClientTokenId", "The security token included in the request is invalid.")
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))

	_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("BOB")})
	wantCode(t, "duplicate name ignoring case", err, "EntityAlreadyExists", "User with name BOB already exists.")
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantCode(t, "missing user", err, "NoSuchEntity", "The user with name nobody cannot be found.")
	_, err = root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name")})
	wantCode(t, "bad name", err, "ValidationError", `1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*"}]}`)})
	wantCode(t, "malformed policy", err, "MalformedPolicyDocument", "Policy statement must contain resources.")
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"`)})
	wantCode(t, "invalid JSON", err, "MalformedPolicyDocument", "Syntax errors in policy.")
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:user/` + strings.Repeat("a", 2100) + `"}]}`
	_, err = root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, "inline policy over 2048", err, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user bob")
	for range 2 {
		must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	}
	_, err = root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	wantCode(t, "third access key", err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	_, err = root.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
	wantCode(t, "MaxItems over 1000", err, "ValidationError", "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}, func(o *iam.Options) {})
	if err != nil {
		t.Errorf("GetUser bob: %v", err)
	}
	// Nothing changed by the failures: bob has two keys and no policies.
	keys := must[*iam.ListAccessKeysOutput](t, "ListAccessKeys")(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")}))
	pols := must[*iam.ListUserPoliciesOutput](t, "ListUserPolicies")(root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("bob")}))
	if len(keys.AccessKeyMetadata) != 2 || len(pols.PolicyNames) != 0 {
		t.Errorf("after failures: %d keys, policies %v", len(keys.AccessKeyMetadata), pols.PolicyNames)
	}

	// Authentication failures.
	_, err = iamClient(srv, "AKIAUNKNOWNUNKNOWN01", rootSecret, "").GetUser(ctx, &iam.GetUserInput{})
	wantCode(t, "unknown key", err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	_, err = iamClient(srv, rootKey, "wrong"+rootSecret[5:], "").GetUser(ctx, &iam.GetUserInput{})
	wantCode(t, "wrong secret", err, "SignatureDoesNotMatch", "")

	// Raw requests: unsigned, unknown action, wrong version, oversized body.
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"unsigned", "Action=ListUsers&Version=2010-05-08", 403, "MissingAuthenticationToken"},
		{"oversized", "Action=ListUsers&Version=2010-05-08&X=" + strings.Repeat("x", 2<<20), 413, "RequestEntityTooLarge"},
	} {
		resp, err := http.Post(srv.Endpoint()+"/", "application/x-www-form-urlencoded", strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), "<Code>"+tc.code+"</Code>") {
			t.Errorf("%s: HTTP %d %s, want %d %s", tc.name, resp.StatusCode, b, tc.status, tc.code)
		}
	}
}

func TestPaginationAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	srv := start(t, cfg)
	root := iamClient(srv, rootKey, rootSecret, "")
	names := []string{"u3", "u1", "U2", "u5", "u4"}
	for _, n := range names {
		must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))
	}
	var got []string
	pager := iam.NewListUsersPaginator(root, &iam.ListUsersInput{MaxItems: aws.Int32(2)})
	pages := 0
	for pager.HasMorePages() {
		out := must[*iam.ListUsersOutput](t, "ListUsers page")(pager.NextPage(ctx))
		pages++
		for _, u := range out.Users {
			got = append(got, aws.ToString(u.UserName))
		}
		if pages == 1 {
			// Inserts between pages neither repeat nor skip later entries.
			must[*iam.CreateUserOutput](t, "CreateUser a0")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("a0")}))
		}
	}
	if want := "u1,U2,u3,u4,u5"; strings.Join(got, ",") != want || pages != 3 {
		t.Errorf("pages = %d, users = %v, want 3 pages of %s", pages, got, want)
	}
	srv.Close()

	// A restart keeps everything, and the same root credentials work.
	srv2 := start(t, cfg)
	root2 := iamClient(srv2, rootKey, rootSecret, "")
	all := must[*iam.ListUsersOutput](t, "ListUsers after restart")(root2.ListUsers(ctx, &iam.ListUsersInput{}))
	if len(all.Users) != 6 {
		t.Errorf("after restart: %d users, want 6", len(all.Users))
	}
	if srv2.Account != testAccount {
		t.Errorf("account after restart = %s", srv2.Account)
	}
}

func TestCallerIdentityAndSessionToken(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity root")(stsClient(srv, rootKey, rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != "arn:aws:iam::"+testAccount+":root" || aws.ToString(id.Account) != testAccount {
		t.Errorf("root identity = %s %s", aws.ToString(id.Arn), aws.ToString(id.Account))
	}
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")}))
	carol := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	// GetCallerIdentity answers even with no policy at all.
	id = must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity carol")(carol.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != "arn:aws:iam::"+testAccount+":user/carol" {
		t.Errorf("carol identity = %s", aws.ToString(id.Arn))
	}
	// GetSessionToken needs no permission: carol has no policy yet.
	_, err := carol.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Errorf("GetSessionToken without any policy: %v", err)
	}
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser"],"Resource":"*"}]}`)}))
	st := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(carol.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}))
	c := st.Credentials
	if !strings.HasPrefix(aws.ToString(c.AccessKeyId), "ASIA") || aws.ToString(c.SessionToken) == "" {
		t.Fatalf("session credentials = %+v", c)
	}
	sess := iamClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	// Without MFA its session cannot call IAM (AWS answers as for a bad token), whatever its
	// policies allow, and of STS only AssumeRole and GetCallerIdentity.
	_, err = sess.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")})
	wantCode(t, "GetUser with session credentials without MFA", err, "InvalidClientTokenId", "")
	sessSTS := stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity with session credentials")(sessSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	_, err = sessSTS.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKey.AccessKeyId})
	wantCode(t, "GetAccessKeyInfo with session credentials", err, "AccessDenied", "Cannot call GetAccessKeyInfo with session credentials")
	// A tampered token is rejected (the character changed is never the one already there: "x"
	// over an "x" left the token intact about once in 64 runs).
	tok := aws.ToString(c.SessionToken)
	flip := "x"
	if tok[20] == 'x' {
		flip = "y"
	}
	bad := stsClient(srv, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), tok[:20]+flip+tok[21:])
	_, err = bad.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, "tampered session token", err, "InvalidClientTokenId", "")
}
