package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

// TestS7WebIdentityInvalidRoleARN: AssumeRoleWithWebIdentity answers a RoleArn that is not an
// ARN at all as AssumeRole and AssumeRoleWithSAML do (ValidationError "<arn> is invalid",
// LocalStack's recording of AssumeRole), and an ARN of another kind with the role-ARN message.
func TestS7WebIdentityInvalidRoleARN(t *testing.T) {
	ctx := context.Background()
	w := startWebIdentity(t)
	token := oidctest.Sign(t, w.key, webIdentityClaims(w.is.URL, nil))
	for _, tc := range []struct{ name, arn, msg string }{
		{"not an ARN", "nothing-valid-in-here", "nothing-valid-in-here is invalid"},
		{"no service", "arn:a::::something/test-role", "arn:a::::something/test-role is invalid"},
		{"a user", "arn:aws:iam::" + testAccount + ":user/u", "1 validation error detected: Value 'arn:aws:iam::" + testAccount + ":user/u' at 'roleArn' failed to satisfy constraint: Member must satisfy the ARN format of a role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.anon.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(tc.arn), RoleSessionName: aws.String("run"), WebIdentityToken: aws.String(token)})
			wantCode(t, "AssumeRoleWithWebIdentity "+tc.arn, err, "ValidationError", tc.msg)
		})
	}
}
