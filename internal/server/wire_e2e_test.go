package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

// signed sends a request signed with the SDK's signer (service "iam" unless the form says sts)
// at time `at`, and returns the status and body.
func signed(t *testing.T, srv *server.Server, method, service, body string, at time.Time, presign bool) (int, string) {
	t.Helper()
	ctx := context.Background()
	target := srv.Endpoint() + "/"
	var rd io.Reader
	if method == http.MethodGet {
		target += "?" + body
	} else {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	payload := ""
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		payload = body
	}
	sum := sha256.Sum256([]byte(payload))
	creds := aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}
	if presign {
		u, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		req, _ = http.NewRequestWithContext(ctx, method, u, nil)
	} else if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWire(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	now := time.Now()
	tests := []struct {
		name, method, service, body string
		at                          time.Time
		presign                     bool
		status                      int
		want                        []string // substrings of the response
	}{
		{"POST", "POST", "iam", "Action=CreateUser&Version=2010-05-08&UserName=wire", now, false, 200,
			[]string{`<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`, "<UserName>wire</UserName>", "<ResponseMetadata><RequestId>"}},
		{"GET", "GET", "iam", "Action=GetUser&Version=2010-05-08&UserName=wire", now, false, 200, []string{"<GetUserResult>", "<UserName>wire</UserName>"}},
		{"presigned GET", "GET", "iam", "Action=ListUsers&Version=2010-05-08", now, true, 200, []string{"<ListUsersResult>", "<IsTruncated>false</IsTruncated>"}},
		{"STS on the same listener", "POST", "sts", "Action=GetCallerIdentity&Version=2011-06-15", now, false, 200,
			[]string{`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`, "<Arn>arn:aws:iam::" + testAccount + ":root</Arn>"}},
		{"unknown action", "POST", "iam", "Action=FlyToTheMoon&Version=2010-05-08", now, false, 400,
			[]string{"<Code>InvalidAction</Code>", "<Message>Could not find operation FlyToTheMoon for version 2010-05-08</Message>", "<Type>Sender</Type>"}},
		{"wrong version", "POST", "iam", "Action=ListUsers&Version=2011-06-15", now, false, 400, []string{"<Code>InvalidAction</Code>", "for version 2011-06-15"}},
		{"IAM action signed for STS", "POST", "sts", "Action=ListUsers&Version=2010-05-08", now, false, 400, []string{"<Code>InvalidAction</Code>"}},
		{"missing action", "POST", "iam", "Version=2010-05-08", now, false, 400, []string{"<Code>MissingAction</Code>"}},
		{"missing parameter", "POST", "iam", "Action=GetUserPolicy&Version=2010-05-08&UserName=wire", now, false, 400,
			[]string{"<Code>ValidationError</Code>", "Value null at 'policyName' failed to satisfy constraint: Member must not be null"}},
		{"wrong type", "POST", "iam", "Action=ListUsers&Version=2010-05-08&MaxItems=many", now, false, 400, []string{"<Code>ValidationError</Code>"}},
		{"malformed form", "POST", "iam", "Action=ListUsers&Version=2010-05-08&Bad=%zz", now, false, 404, []string{"<Code>MalformedQueryString</Code>"}},
		{"clock 20 minutes behind", "POST", "iam", "Action=ListUsers&Version=2010-05-08", now.Add(-20 * time.Minute), false, 403,
			[]string{"<Code>SignatureDoesNotMatch</Code>", "Signature expired"}},
		{"clock 20 minutes ahead", "POST", "iam", "Action=ListUsers&Version=2010-05-08", now.Add(20 * time.Minute), false, 403,
			[]string{"<Code>SignatureDoesNotMatch</Code>", "Signature not yet current"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := signed(t, srv, tc.method, tc.service, tc.body, tc.at, tc.presign)
			if status != tc.status {
				t.Errorf("status = %d, want %d; body %s", status, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("response lacks %q:\n%s", w, body)
				}
			}
		})
	}
	// A partial Authorization header.
	req, _ := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+rootKey+"/20260101/us-east-1/iam/aws4_request")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>IncompleteSignature</Code>") {
		t.Errorf("partial Authorization header: %d %s", resp.StatusCode, b)
	}
	// Nothing the failures touched changed: only the one user exists.
	root := iamClient(srv, rootKey, rootSecret, "")
	out := must[*iam.ListUsersOutput](t, "ListUsers")(root.ListUsers(context.Background(), &iam.ListUsersInput{}))
	if len(out.Users) != 1 {
		t.Errorf("%d users after the wire tests, want 1", len(out.Users))
	}
}

// TestEnforceLog: in --enforce=log mode a would-be denial is allowed and logged.
func TestEnforceLog(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, t.TempDir())
	cfg.Enforce = config.EnforceLog
	var logs strings.Builder
	srv, err := server.Start(ctx, cfg, slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dan")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("dan")}))
	dan := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	if _, err := dan.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("eve")}); err != nil {
		t.Errorf("CreateUser with no policy in enforce=log mode: %v", err)
	}
	srv.Close()
	if !strings.Contains(logs.String(), "would deny") || !strings.Contains(logs.String(), "iam:CreateUser") {
		t.Errorf("log lacks the would-be denial:\n%s", logs.String())
	}
}
