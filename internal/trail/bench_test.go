package trail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/iamd-dev/iamd/internal/trail"
)

// BenchmarkBuild is the record of a GetUser call by an IAM user, of a CreateUser call with its
// response and of an AssumeRole call with its credentials: "encoder" is Build, "compact"
// BuildCompact (what the server builds for reads and denials), "legacy" the JSON
// round trip it replaced (today's general path, recordJSON, which Build takes for values the
// encoder does not model).
func BenchmarkBuild(b *testing.B) {
	caller := callers()[2]
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	calls := map[string]*trail.Call{
		"GetUser": {Service: "iam", Action: "GetUser", Account: "123456789012", RequestID: "6b1c4a0e-8f1e-4c1e-9d7a-0a1b2c3d4e5f",
			SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.39.2 os/linux lang/go#1.26 api/iam#1.64.9 m/E", Time: t0, Caller: caller,
			Params: &iamsdk.GetUserInput{UserName: aws.String("load-0")}, Response: &iamsdk.GetUserOutput{}},
		"CreateUser": {Service: "iam", Action: "CreateUser", Account: "123456789012", RequestID: "6b1c4a0e-8f1e-4c1e-9d7a-0a1b2c3d4e5f",
			SourceIP: "127.0.0.1", UserAgent: "aws-cli/2.27.0", Time: t0, Caller: caller,
			Params: &iamsdk.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("/"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}},
			Response: &iamsdk.CreateUserOutput{User: &iamtypes.User{UserName: aws.String("bob"), Path: aws.String("/"), UserId: aws.String("AIDAEXAMPLEEXAMPLE01"),
				Arn: aws.String("arn:aws:iam::123456789012:user/bob"), CreateDate: aws.Time(t0), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}}},
		"AssumeRole": {Service: "sts", Action: "AssumeRole", Account: "123456789012", RequestID: "6b1c4a0e-8f1e-4c1e-9d7a-0a1b2c3d4e5f",
			SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.39.2 os/linux lang/go#1.26 api/sts#1.38.6 m/E", Time: t0, Caller: caller,
			Params: &stssdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/load-role"), RoleSessionName: aws.String("load")},
			Response: &stssdk.AssumeRoleOutput{
				Credentials: &ststypes.Credentials{AccessKeyId: aws.String("ASIAEXAMPLEEXAMPLE01"), SecretAccessKey: aws.String("secretsecretsecretsecretsecretsecretsecr"),
					SessionToken: aws.String(strings.Repeat("IQoJb3JpZ2luX2VjEJr", 24)), Expiration: aws.Time(t0.Add(time.Hour))},
				AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::123456789012:assumed-role/load-role/load"), AssumedRoleId: aws.String("AROAEXAMPLEEXAMPLE01:load")}}},
	}
	for _, name := range []string{"GetUser", "CreateUser", "AssumeRole"} {
		call := calls[name]
		b.Run(name+"/encoder", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := trail.Build(call); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/compact", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := trail.BuildCompact(call); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/legacy", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := trail.BuildLegacy(call, trail.NewID()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
