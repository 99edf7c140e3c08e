package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestSignatureCoversBody replays a request root signed (ListUsers) with another body
// (CreateAccessKey for a user) and an X-Amz-Content-Sha256 header naming the signed body's
// hash, as a security trial did: iamd took the header's claim as the payload hash and issued
// a key. The replay must be refused and create nothing.
func TestSignatureCoversBody(t *testing.T) {
	srv := start(t, testConfig(t, t.TempDir()))
	ctx := context.Background()
	root := iam.NewFromConfig(awsConfig(srv.Endpoint(), rootKey, rootSecret, ""))
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}); err != nil {
		t.Fatal(err)
	}
	// The same length as the replayed body: the SDK signs Content-Length (botocore, whose
	// requests the trial replayed, does not).
	const replayed = "Action=CreateAccessKey&Version=2010-05-08&UserName=carol"
	signedBody := "Action=ListUsers&Version=2010-05-08&PathPrefix=%2F"
	signedBody += strings.Repeat("x", len(replayed)-len(signedBody)-3) + "%2F"
	sum := sha256.Sum256([]byte(signedBody))
	hash := hex.EncodeToString(sum[:])
	send := func(t *testing.T, body string, header bool) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.Endpoint()+"/", strings.NewReader(signedBody))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		creds := aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "iam", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		// The captured request, sent again with another body.
		req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
		if header {
			req.Header.Set("X-Amz-Content-Sha256", hash)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := send(t, signedBody, true); code != http.StatusOK {
		t.Fatalf("the signed request itself: HTTP %d %s", code, body)
	}
	for _, header := range []bool{true, false} {
		code, body := send(t, replayed, header)
		if code != http.StatusForbidden || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("replay with another body (X-Amz-Content-Sha256 %v): HTTP %d %s, want 403 SignatureDoesNotMatch", header, code, body)
		}
	}
	keys, err := root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("carol")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 0 {
		t.Errorf("carol has %d access keys after the replays, want 0", len(keys.AccessKeyMetadata))
	}
}
