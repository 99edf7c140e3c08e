//go:build unix

package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/config"
)

// BenchmarkAssumeRoleHandler measures the server's own cost of AssumeRole: one signed request,
// signed once, handed to the API handler in process (no client, no loopback, no net/http
// connection), with its audit record written. An IAM user allowed sts:AssumeRole assumes a role
// that trusts the account, as in BenchmarkAssumeRole. cpu-ns/op is the process's CPU time per
// call, the store's background work and garbage collection included.
func BenchmarkAssumeRoleHandler(b *testing.B) {
	srv, root := startHandlerBench(b)
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + handlerBenchAccount + `:root"},"Action":"sts:AssumeRole"}]}`
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	if _, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench-role"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		b.Fatal(err)
	}
	id, secret := benchUser(b, root, "caller", allow)
	body := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::" + handlerBenchAccount + ":role/bench-role"},
		"RoleSessionName": {"bench"}}.Encode()
	runHandler(b, srv, "sts", id, secret, body)
}

// benchUser creates an IAM user with an inline policy and returns its new access key.
func benchUser(b *testing.B, root *iam.Client, name, policy string) (id, secret string) {
	ctx := context.Background()
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		b.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("bench"), PolicyDocument: aws.String(policy)}); err != nil {
		b.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		b.Fatal(err)
	}
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

// BenchmarkGetUserHandler is BenchmarkAssumeRoleHandler for GetUser called by the root user: the
// server's own cost of a signed, authorized read and its audit record. Run it also with
// -tags iamd_noaudit; the difference in cpu-ns/op is what recording the read costs (issue 7).
func BenchmarkGetUserHandler(b *testing.B) {
	srv, root := startHandlerBench(b)
	if _, err := root.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("load-0")}); err != nil {
		b.Fatal(err)
	}
	body := url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {"load-0"}}.Encode()
	runHandler(b, srv, "iam", handlerBenchRootID, handlerBenchRootSK, body)
}

// BenchmarkGetUserSpreadHandler is BenchmarkGetUserHandler reading 1,000 users in turn, as
// `SPREAD=1000 scripts/bench-audit` does: records naming many users, each of which the audit
// index holds a posting of (issue 7's worst case).
func BenchmarkGetUserSpreadHandler(b *testing.B) {
	srv, root := startHandlerBench(b)
	ctx := context.Background()
	bodies := make([]string, 1000)
	for i := range bodies {
		name := "load-" + strconv.Itoa(i)
		if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
		bodies[i] = url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {name}}.Encode()
	}
	runHandlerBodies(b, srv, "iam", handlerBenchRootID, handlerBenchRootSK, bodies, http.StatusOK)
}

// BenchmarkDeniedHandler is BenchmarkGetUserHandler for a denial: ListUsers called by an IAM
// user whose policy allows only iam:GetUser, as scripts/bench-audit's deny mode calls it. Every
// call is AccessDenied and recorded as such.
func BenchmarkDeniedHandler(b *testing.B) {
	srv, root := startHandlerBench(b)
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
	id, secret := benchUser(b, root, "denied", allow)
	body := url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}}.Encode()
	runHandlerStatus(b, srv, "iam", id, secret, body, http.StatusForbidden)
}

// The handler benchmarks' account and root key.
const (
	handlerBenchAccount = "123456789012"
	handlerBenchRootID  = "AKIAIAMDBENCHROOT001"
	handlerBenchRootSK  = "iamdBenchRootSecretKey000000000000000000"
)

// startHandlerBench starts a server for a handler benchmark (no AWS managed policies) and
// returns it with an IAM client signed by its root key.
func startHandlerBench(b *testing.B) (*Server, *iam.Client) {
	cfg := config.Default(b.TempDir(), "")
	cfg.ManagedPolicies = false
	cfg.Listen = "127.0.0.1:0"
	cfg.AccountID = handlerBenchAccount
	cfg.RootAccessKeyID, cfg.RootSecretAccessKey = handlerBenchRootID, handlerBenchRootSK
	srv, err := Start(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	root := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.Endpoint()),
		Credentials: credentials.NewStaticCredentialsProvider(handlerBenchRootID, handlerBenchRootSK, "")})
	return srv, root
}

// runHandler signs the Query call body once and hands it to srv's API handler in process,
// serially and from parallel goroutines, reporting cpu-ns/op.
func runHandler(b *testing.B, srv *Server, service, id, secret, body string) {
	runHandlerStatus(b, srv, service, id, secret, body, http.StatusOK)
}

// runHandlerStatus is runHandler for a call that answers with HTTP status want.
func runHandlerStatus(b *testing.B, srv *Server, service, id, secret, body string, want int) {
	runHandlerBodies(b, srv, service, id, secret, []string{body}, want)
}

// runHandlerBodies is runHandlerStatus for calls of each of bodies in turn.
func runHandlerBodies(b *testing.B, srv *Server, service, id, secret string, bodies []string, want int) {
	headers := make([]http.Header, len(bodies))
	var host string
	signer, creds := v4.NewSigner(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
	for i, body := range bodies {
		signed, err := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		signed.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		if err := signer.SignHTTP(context.Background(), creds, signed, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		headers[i], host = signed.Header, signed.Host
	}
	h := srv.http.Handler
	var next atomic.Uint64
	call := func(b *testing.B) {
		i := int((next.Add(1) - 1) % uint64(len(bodies)))
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(bodies[i]))
		r.Host = host
		r.Header = headers[i]
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s: HTTP %d: %s", bodies[i], w.Code, w.Body)
		}
		_, _ = io.Copy(io.Discard, w.Body)
	}
	call(b)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		start := processCPU(b)
		for b.Loop() {
			call(b)
		}
		reportCPU(b, start)
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		start := processCPU(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call(b)
			}
		})
		reportCPU(b, start)
	})
}

// processCPU is the CPU time the process has used (user and system, every thread).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per call since start as cpu-ns/op: the server's whole
// cost of a call (garbage collection and the store's background work included), which the
// wall-clock ns/op of a shared machine hides.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}
