package credsrv

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ErrNoRole is a Source's answer while the instance profile holds no role (after
// RemoveRoleFromInstanceProfile): the instance then has no credentials, and IMDS lists no role
// under iam/security-credentials/ (404), as EC2 does.
var ErrNoRole = errors.New("the instance profile has no role")

// RoleError is a failure to obtain credentials for a role the instance profile holds: IMDS
// still lists the role and answers its document with the failure's code, as EC2 does.
type RoleError struct {
	RoleArn string
	Err     error
}

func (e *RoleError) Error() string { return e.Err.Error() }

func (e *RoleError) Unwrap() error { return e.Err }

// InstanceProfileAPI is the part of the IAM client ProfileSession uses (*iam.Client implements
// it).
type InstanceProfileAPI interface {
	GetInstanceProfile(ctx context.Context, in *iam.GetInstanceProfileInput, optFns ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error)
}

// ProfileSession obtains credentials for the role an instance profile holds at the time of the
// call, as EC2 does at each refresh: it reads the profile (GetInstanceProfile) and assumes its
// role, so that credentials follow RemoveRoleFromInstanceProfile and AddRoleToInstanceProfile
// at the next refresh instead of serving the role the profile held at start.
type ProfileSession struct {
	IAM         InstanceProfileAPI
	ProfileName string
	// Assume obtains credentials for the profile's role (iamd instance run: a ServiceSession for
	// ec2.amazonaws.com).
	Assume func(ctx context.Context, roleArn string) (Creds, error)
}

// Obtain reads the profile and assumes its role. It has the signature of RefresherConfig.Obtain.
// A profile without a role is ErrNoRole; a failure to assume the role is a *RoleError.
func (p ProfileSession) Obtain(ctx context.Context) (Creds, error) {
	out, err := p.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(p.ProfileName)})
	if err != nil {
		return Creds{}, fmt.Errorf("instance profile %s: %w", p.ProfileName, err)
	}
	if out.InstanceProfile == nil || len(out.InstanceProfile.Roles) == 0 {
		return Creds{}, fmt.Errorf("instance profile %s: %w", p.ProfileName, ErrNoRole)
	}
	// An instance profile holds at most one role.
	arn := aws.ToString(out.InstanceProfile.Roles[0].Arn)
	c, err := p.Assume(ctx, arn)
	if err != nil {
		return Creds{}, &RoleError{RoleArn: arn, Err: err}
	}
	c.RoleArn = arn
	return c, nil
}

// roleGone reports whether err, a failed renewal of credentials for the role roleArn, says that
// the role is no longer the one to serve: the profile lost its role or holds another.
func roleGone(err error, roleArn string) bool {
	var re *RoleError
	return errors.Is(err, ErrNoRole) || errors.As(err, &re) && re.RoleArn != roleArn
}

// roleName is the name of the role with ARN arn (arn:aws:iam::ACCOUNT:role/PATH/NAME).
func roleName(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}
