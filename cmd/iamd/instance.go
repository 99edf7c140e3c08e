package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/credsrv"
)

// runInstance is `iamd instance run --instance-profile NAME -- CMD ARGS…`.
func runInstance(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return instanceWith(ctx, args, osWorkloadEnv(getenv, stdout, stderr))
}

// instanceWith serves the child an IMDSv2 endpoint with the credentials of the instance
// profile's role. As in EC2, the role is the one the profile holds at each refresh, not the one
// it held at start: after RemoveRoleFromInstanceProfile the endpoint lists no role, after
// AddRoleToInstanceProfile it serves the new one.
func instanceWith(ctx context.Context, args []string, env workloadEnv) error {
	const usage = "usage: iamd instance run --instance-profile NAME [--imdsv1] [--duration D] [--endpoint URL] -- CMD [ARGS…]"
	if len(args) == 0 || args[0] != "run" {
		return errors.New(usage)
	}
	var sf stsFlags
	var profile string
	var v1 bool
	fs, err := parseWorkloadFlags("instance run", args[1:], env, func(fs *flag.FlagSet) {
		fs.StringVar(&profile, "instance-profile", "", "instance profile whose role CMD gets (required)")
		fs.BoolVar(&v1, "imdsv1", false, "also answer requests without a session token (IMDSv1; off, as with HttpTokens=required)")
		sf.bind(fs)
	})
	if err != nil {
		return err
	}
	if profile == "" || fs.NArg() == 0 {
		return errors.New(usage)
	}
	op, err := loadOperator(ctx, sf, env)
	if err != nil {
		return err
	}
	client := iamsdk.NewFromConfig(op.cfg)
	out, err := client.GetInstanceProfile(ctx, &iamsdk.GetInstanceProfileInput{InstanceProfileName: aws.String(profile)})
	if err != nil {
		return fmt.Errorf("instance profile %s: %w", profile, err)
	}
	ip := out.InstanceProfile
	if len(ip.Roles) == 0 {
		return fmt.Errorf("instance profile %s has no role", profile)
	}
	parsed, err := awsarn.Parse(aws.ToString(ip.Arn))
	if err != nil {
		return fmt.Errorf("instance profile ARN: %w", err)
	}
	instanceID := "i-" + randomHex(9)[:17]
	// At each refresh EC2 reads the profile's role, assumes it and names the session after the
	// instance.
	ps := credsrv.ProfileSession{IAM: client, ProfileName: profile, Assume: func(ctx context.Context, roleArn string) (credsrv.Creds, error) {
		s := credsrv.ServiceSession{Config: op.cfg, RoleArn: roleArn, ServiceName: "ec2.amazonaws.com", SessionName: instanceID, Duration: sf.duration}
		return s.Assume(ctx)
	}}
	src := credsrv.NewRefresher(credsrv.RefresherConfig{Obtain: ps.Obtain, Now: env.now})
	defer src.Close()
	// Checked once, so that a role that cannot be passed or assumed fails before the child starts.
	if _, err := src.Credentials(ctx); err != nil {
		return err
	}
	imds, err := credsrv.NewIMDS(credsrv.IMDSConfig{
		Source:             src, // no RoleName: the listing follows the profile's role
		InstanceProfileArn: aws.ToString(ip.Arn), InstanceProfileID: aws.ToString(ip.InstanceProfileId),
		InstanceID: instanceID, AccountID: parsed.AccountID, Region: op.cfg.Region,
		AllowV1: v1, Rand: rand.Reader, Now: env.now,
	})
	if err != nil {
		return err
	}
	return runChild(ctx, imds, fs.Args(), env, op, func(base string) []string {
		return []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + base}
	})
}
