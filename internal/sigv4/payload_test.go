package sigv4_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd-dev/iamd/internal/sigv4"
)

// TestVerifyCoversBody: the signature covers the body whatever X-Amz-Content-Sha256 claims. A
// captured request sent again with another body, and a header naming the original body's hash
// (signed or not), must fail; so must UNSIGNED-PAYLOAD over a body. (A security trial replayed
// root's signed ListUsers as CreateAccessKey this way.)
func TestVerifyCoversBody(t *testing.T) {
	const original, swapped = "Action=ListUsers&Version=2010-05-08", "Action=CreateAccessKey&Version=2010-05-08&UserName=carol"
	sign := func(t *testing.T, body, header string, signHeader bool) *sigv4.Request {
		t.Helper()
		c := sdkCase{method: "POST", url: "https://iam.amazonaws.com/", body: body,
			headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}}}
		req := c.newRequest(t)
		hash := bodyHash(body)
		if header != "" && signHeader {
			req.Header.Set("X-Amz-Content-Sha256", header)
			hash = header
		}
		creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "iam", "us-east-1", signTime); err != nil {
			t.Fatalf("SignHTTP: %v", err)
		}
		if header != "" && !signHeader {
			req.Header.Set("X-Amz-Content-Sha256", header)
		}
		return capture(t, req)
	}
	for _, tc := range []struct {
		name string
		req  func(t *testing.T) *sigv4.Request
		ok   bool
	}{
		{"signed body", func(t *testing.T) *sigv4.Request { return sign(t, original, "", false) }, true},
		{"signed body, true hash in a signed header", func(t *testing.T) *sigv4.Request { return sign(t, original, bodyHash(original), true) }, true},
		{"body swapped, original hash in an unsigned header", func(t *testing.T) *sigv4.Request {
			r := sign(t, original, "", false)
			r.Body = []byte(swapped)
			r.Header.Set("X-Amz-Content-Sha256", bodyHash(original))
			return r
		}, false},
		{"body swapped, original hash in a signed header", func(t *testing.T) *sigv4.Request {
			r := sign(t, original, bodyHash(original), true)
			r.Body = []byte(swapped)
			return r
		}, false},
		{"header claims another body's hash", func(t *testing.T) *sigv4.Request { return sign(t, original, bodyHash(swapped), true) }, false},
		{"UNSIGNED-PAYLOAD over a body", func(t *testing.T) *sigv4.Request { return sign(t, original, "UNSIGNED-PAYLOAD", true) }, false},
		{"UNSIGNED-PAYLOAD, no body", func(t *testing.T) *sigv4.Request { return sign(t, "", "UNSIGNED-PAYLOAD", true) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req(t)
			err := sigv4.Verify(r, mustParse(t, r), testSecret, signTime)
			var e *sigv4.Error
			switch {
			case tc.ok && err != nil:
				t.Errorf("Verify(body %q, X-Amz-Content-Sha256 %q) = %v, want nil", r.Body, r.Header.Get("X-Amz-Content-Sha256"), err)
			case !tc.ok && (!errors.As(err, &e) || e.Code != sigv4.CodeSignatureDoesNotMatch):
				t.Errorf("Verify(body %q, X-Amz-Content-Sha256 %q) = %v, want SignatureDoesNotMatch", r.Body, r.Header.Get("X-Amz-Content-Sha256"), err)
			}
		})
	}
}
