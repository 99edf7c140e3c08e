package stssvc

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/iam"
)

// TestTokenCodeNotEchoed: a malformed TokenCode is refused with the STS model's constraint and
// without the code itself, in the error and in its message.
func TestTokenCodeNotEchoed(t *testing.T) {
	sensitive := func(c string) *iam.FieldError {
		return &iam.FieldError{Field: "tokenCode", Sensitive: true, Constraint: c}
	}
	pattern := sensitive(`Member must satisfy regular expression pattern: [\d]*`)
	cases := []struct {
		name, code string
		want       *iam.FieldError
	}{
		{"six digits", "012345", nil},
		{"empty", "", sensitive("Member must have length greater than or equal to 6")},
		{"five digits", "12345", sensitive("Member must have length greater than or equal to 6")},
		{"seven digits", "1234567", sensitive("Member must have length less than or equal to 6")},
		{"a letter", "12345a", pattern},
		{"a space", "123 45", pattern},
		{"an Arabic-Indic digit", "12345٣", pattern},
		{"six characters, more than six bytes", "é12345", pattern},
	}
	caller := userCaller()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := checkTokenCode(tc.code)
			if diff := cmp.Diff(tc.want, fieldErr(err)); diff != "" {
				t.Errorf("checkTokenCode(%q) (-want +got):\n%s", tc.code, diff)
			}
			if tc.want == nil {
				if err != nil {
					t.Errorf("checkTokenCode(%q) = %v, want nil", tc.code, err)
				}
				return
			}
			if tc.code != "" && strings.Contains(err.Error(), tc.code) {
				t.Errorf("checkTokenCode(%q) = %q, want a message without the code", tc.code, err)
			}
			// checkMFA refuses the code before it reads the store or the clock: a Service
			// without either would panic otherwise.
			_, err = (&Service{}).checkMFA(context.Background(), &caller, aws.String("arn:aws:iam::111122223333:mfa/carol"), aws.String(tc.code))
			if diff := cmp.Diff(tc.want, fieldErr(err)); diff != "" {
				t.Errorf("checkMFA(code %q) (-want +got):\n%s", tc.code, diff)
			}
		})
	}
}

// TestGetSessionTokenCodeNotEchoed: GetSessionToken (and AssumeRole) answer a malformed
// TokenCode with ValidationError whose message leaves the code out.
func TestGetSessionTokenCodeNotEchoed(t *testing.T) {
	s := newSessionService(t)
	s.now = func() time.Time { return sessionNow }
	user := userCaller()
	serial := aws.String("arn:aws:iam::111122223333:mfa/carol")
	for _, code := range []string{"12345a", "12345", "1234567"} {
		t.Run(code, func(t *testing.T) {
			_, err := s.GetSessionToken(context.Background(), &user, &sdk.GetSessionTokenInput{SerialNumber: serial, TokenCode: aws.String(code)})
			checkValidationWithout(t, "GetSessionToken", err, code)
			in := &sdk.AssumeRoleInput{RoleArn: aws.String(testRoleARN), RoleSessionName: aws.String("session"), SerialNumber: serial, TokenCode: aws.String(code)}
			checkValidationWithout(t, "AssumeRole input", checkAssumeRoleInput(in), code)
		})
	}
}

func checkValidationWithout(t *testing.T, op string, err error, code string) {
	t.Helper()
	we := awserr.FromDomain(err)
	if we == nil || we.Code != "ValidationError" {
		t.Fatalf("%s(TokenCode %q) = %v, want ValidationError", op, code, err)
	}
	if strings.Contains(we.Message, code) {
		t.Errorf("%s(TokenCode %q) message = %q, want it without the code", op, code, we.Message)
	}
}
