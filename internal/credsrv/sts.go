package credsrv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// AssumeRoleAPI is the part of the STS client RoleSession uses (*sts.Client implements it).
type AssumeRoleAPI interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// RoleSession obtains credentials for a role with STS AssumeRole.
type RoleSession struct {
	Client      AssumeRoleAPI
	RoleArn     string
	SessionName string
	// Duration is the session length (zero: the role's default, one hour).
	Duration time.Duration
}

// Assume calls AssumeRole once. It has the signature of RefresherConfig.Obtain.
func (s RoleSession) Assume(ctx context.Context) (Creds, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(s.RoleArn), RoleSessionName: aws.String(s.SessionName)}
	if s.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(s.Duration / time.Second))
	}
	out, err := s.Client.AssumeRole(ctx, in)
	if err != nil {
		return Creds{}, fmt.Errorf("assume role %s: %w", s.RoleArn, err)
	}
	c := out.Credentials
	if c == nil || c.Expiration == nil {
		return Creds{}, errors.New("assume role " + s.RoleArn + ": response has no credentials")
	}
	return Creds{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expiration:      c.Expiration.UTC(),
		RoleArn:         s.RoleArn,
	}, nil
}
