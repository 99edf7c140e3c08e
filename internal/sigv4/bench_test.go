package sigv4_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

// BenchmarkVerify verifies an SDK-signed IAM POST with six signed headers (content-length,
// content-type, host, x-amz-date, x-amz-security-token, x-amz-target), as a server does per
// request: Parse, then Verify.
func BenchmarkVerify(b *testing.B) {
	body := "Action=CreateUser&UserName=alice&Path=%2Fteam%2F&Version=2010-05-08"
	req, err := http.NewRequest("POST", "https://iam.amazonaws.com/", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Target", "x")
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "token"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, bodyHash(body), "iam", "us-east-1", signTime); err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	r := &sigv4.Request{Method: "POST", Path: "/", Host: req.Host, Header: req.Header, Body: []byte(body)}
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	a, err := sigv4.Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	if n := len(a.SignedHeaders); n != 6 {
		b.Fatalf("signed headers %v, want 6", a.SignedHeaders)
	}
	if err := sigv4.Verify(r, a, testSecret, signTime); err != nil {
		b.Fatal(err)
	}
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := sigv4.Verify(r, a, testSecret, signTime); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifyWithKey", func(b *testing.B) {
		key := sigv4.SigningKey(testSecret, a.Date, a.Region, a.Service)
		b.ReportAllocs()
		for b.Loop() {
			if err := sigv4.VerifyWithKey(r, a, key, signTime); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParseVerify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			a, err := sigv4.Parse(r)
			if err != nil {
				b.Fatal(err)
			}
			if err := sigv4.Verify(r, a, testSecret, signTime); err != nil {
				b.Fatal(err)
			}
		}
	})
}
