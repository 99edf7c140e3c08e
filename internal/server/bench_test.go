package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/config"
	"github.com/iamd-dev/iamd/internal/server"
)

// benchCaller is a non-root IAM user whose inline policy allows iam:Get*, with an access key.
type benchCaller struct{ id, secret string }

// setupBench creates users load-0 … load-(n-1) and the IAM user "caller" (policy allowGet).
func setupBench(b *testing.B, endpoint string, users int) benchCaller {
	b.Helper()
	ctx := context.Background()
	root := iam.NewFromConfig(awsConfig(endpoint, rootKey, rootSecret, ""))
	for i := range users {
		if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("load-" + strconv.Itoa(i))}); err != nil {
			b.Fatalf("CreateUser: %v", err)
		}
	}
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("caller")}); err != nil {
		b.Fatalf("CreateUser caller: %v", err)
	}
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("read"), PolicyDocument: aws.String(allowGet)}); err != nil {
		b.Fatalf("PutUserPolicy: %v", err)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("caller")})
	if err != nil {
		b.Fatalf("CreateAccessKey: %v", err)
	}
	return benchCaller{aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)}
}

// signedPost builds a SigV4-signed Query POST, the way bench/load does (no SDK client, so the
// client's cost stays out of the figure).
func signedPost(b *testing.B, signer *v4.Signer, endpoint, id, secret, body string) *http.Request {
	return signedPostTo(b, signer, "iam", endpoint, id, secret, body)
}

// signedPostTo is signedPost for the service (signing name) given.
func signedPostTo(b *testing.B, signer *v4.Signer, service, endpoint, id, secret, body string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

// runGetUser sends signed GetUser calls for load-0, serially and from parallel clients.
func runGetUser(b *testing.B, endpoint, id, secret string) {
	body := url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {"load-0"}}.Encode()
	runCalls(b, "iam", endpoint, id, secret, body)
}

// runCalls sends the signed Query call body, serially and from parallel clients.
func runCalls(b *testing.B, service, endpoint, id, secret, body string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	do := func(b *testing.B, signer *v4.Signer) {
		resp, err := client.Do(signedPostTo(b, signer, service, endpoint, id, secret, body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s: HTTP %d", body, resp.StatusCode)
		}
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		signer := v4.NewSigner()
		for b.Loop() {
			do(b, signer)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(16) // 32 clients on 2 cores
		b.RunParallel(func(pb *testing.PB) {
			signer := v4.NewSigner()
			for pb.Next() {
				do(b, signer)
			}
		})
	})
}

// BenchmarkGetUser measures signed, authorized GetUser end to end against a real server on
// loopback (allocations include the client's), called by the root user and by an IAM user
// whose policy allows it.
func BenchmarkGetUser(b *testing.B) {
	srv, err := startBench(b)
	if err != nil {
		b.Fatal(err)
	}
	caller := setupBench(b, srv.Endpoint(), 10)
	b.Run("root", func(b *testing.B) { runGetUser(b, srv.Endpoint(), rootKey, rootSecret) })
	b.Run("user", func(b *testing.B) { runGetUser(b, srv.Endpoint(), caller.id, caller.secret) })
}

// BenchmarkAssumeRole measures AssumeRole end to end (issue 6): an IAM user allowed
// sts:AssumeRole assumes a role trusting the account, with its audit record written.
func BenchmarkAssumeRole(b *testing.B) {
	srv, err := startBench(b)
	if err != nil {
		b.Fatal(err)
	}
	caller := setupBench(b, srv.Endpoint(), 0)
	ctx := context.Background()
	root := iam.NewFromConfig(awsConfig(srv.Endpoint(), rootKey, rootSecret, ""))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench-role"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		b.Fatal(err)
	}
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("caller"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(allow)}); err != nil {
		b.Fatal(err)
	}
	body := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + testAccount + ":role/bench-role"}, "RoleSessionName": {"bench"}}.Encode()
	runCalls(b, "sts", srv.Endpoint(), caller.id, caller.secret, body)
}

// startBench starts a server like start does, for benchmarks.
func startBench(b *testing.B) (*server.Server, error) {
	cfg := config.Default(b.TempDir(), "")
	cfg.ManagedPolicies = false
	cfg.Listen = "127.0.0.1:0"
	cfg.AccountID = testAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = rootKey, rootSecret
	srv, err := server.Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	b.Cleanup(func() { srv.Close() })
	return srv, nil
}
