package stssvc

import (
	"context"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
)

// AssumeRoot: privileged root sessions on member accounts of an organization. iamd has no
// Organizations, so no account has centralized root access: after validation and
// authorization the call is denied.

// MaxRootSessionDuration is AssumeRoot's longest (and default) DurationSeconds.
const MaxRootSessionDuration = 900

// rootTaskPolicyPrefix is the path of the AWS managed policies that scope root sessions
// (IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials,
// S3UnlockBucketPolicy, SQSUnlockQueuePolicy).
const rootTaskPolicyPrefix = "arn:aws:iam::aws:policy/root-task/"

// targetAccount is the account of AssumeRoot's TargetPrincipal: an account ID or a principal
// ARN of the member account.
func targetAccount(p string) (string, bool) {
	if strings.HasPrefix(p, "arn:") {
		parts := strings.SplitN(p, ":", 6)
		if len(parts) != 6 || parts[2] != "iam" {
			return "", false
		}
		p = parts[4]
	}
	if len(p) != 12 {
		return "", false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return p, true
}

// AssumeRoot would return credentials for a privileged task as the root user of a member
// account. Root user credentials cannot call it; other callers need sts:AssumeRoot on the
// target's root (with sts:TaskPolicyArn in the context) and then are denied, because the
// caller's account manages no organization.
func (s *Service) AssumeRoot(ctx context.Context, c *authn.Caller, in *sdk.AssumeRootInput) (*sdk.AssumeRootOutput, error) {
	target := str(in.TargetPrincipal)
	if len(target) < 12 {
		return nil, validation("targetPrincipal", target, "Member must have length greater than or equal to 12")
	}
	if len(target) > 2048 {
		return nil, validation("targetPrincipal", target, "Member must have length less than or equal to 2048")
	}
	var task string
	if in.TaskPolicyArn != nil {
		task = str(in.TaskPolicyArn.Arn)
	}
	if len(task) < 20 {
		return nil, validation("taskPolicyArn.arn", task, "Member must have length greater than or equal to 20")
	}
	if len(task) > 2048 {
		return nil, validation("taskPolicyArn.arn", task, "Member must have length less than or equal to 2048")
	}
	if d := in.DurationSeconds; d != nil && (*d < 0 || *d > MaxRootSessionDuration) {
		bound := "Member must have value less than or equal to 900"
		if *d < 0 {
			bound = "Member must have value greater than or equal to 0"
		}
		return nil, validation("durationSeconds", strconv.Itoa(int(*d)), bound)
	}
	acct, ok := targetAccount(target)
	if !ok {
		return nil, iam.Errorf(iam.CodeInvalidParameterValue, "The TargetPrincipal %s is not a valid account ID or principal ARN.", target)
	}
	if !strings.HasPrefix(task, rootTaskPolicyPrefix) {
		return nil, iam.Errorf(iam.CodeInvalidParameterValue, "The TaskPolicyArn %s is not a root task policy.", task)
	}
	resource := "arn:aws:iam::" + acct + ":root"
	denied := iam.Errorf(iam.CodeAccessDenied, "User: %s is not authorized to perform: sts:AssumeRoot on resource: %s", c.Principal.ARN, resource)
	if c.IsRoot() {
		return nil, denied
	}
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:AssumeRoot", Resource: resource,
		Context: map[string][]string{"sts:TaskPolicyArn": {task}}}); err != nil {
		return nil, err
	}
	return nil, denied
}
