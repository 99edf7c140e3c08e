package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestS6NamesKeysAndMFA: the access key and MFA calls whose UserName is the model's
// existingUserNameType take names up to 128 characters (NoSuchEntity for a user that cannot
// exist, ValidationError past 128); GetMFADevice's is userNameType and keeps 64.
func TestS6NamesKeysAndMFA(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	serial := aws.String("arn:aws:iam::" + testAccount + ":mfa/none")
	key := aws.String("AKIAIOSFODNN7EXAMPLE")
	calls := []struct {
		name string
		max  int
		call func(u string) error
	}{
		{"CreateAccessKey", 128, func(u string) error {
			_, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(u)})
			return err
		}},
		{"ListAccessKeys", 128, func(u string) error {
			_, err := root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(u)})
			return err
		}},
		{"UpdateAccessKey", 128, func(u string) error {
			_, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(u), AccessKeyId: key, Status: "Inactive"})
			return err
		}},
		{"DeleteAccessKey", 128, func(u string) error {
			_, err := root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(u), AccessKeyId: key})
			return err
		}},
		{"EnableMFADevice", 128, func(u string) error {
			_, err := root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(u), SerialNumber: serial, AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("234567")})
			return err
		}},
		{"ResyncMFADevice", 128, func(u string) error {
			_, err := root.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String(u), SerialNumber: serial, AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("234567")})
			return err
		}},
		{"DeactivateMFADevice", 128, func(u string) error {
			_, err := root.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(u), SerialNumber: serial})
			return err
		}},
		{"ListMFADevices", 128, func(u string) error {
			_, err := root.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String(u)})
			return err
		}},
		{"GetMFADevice", 64, func(u string) error {
			_, err := root.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String(u), SerialNumber: serial})
			return err
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			u := strings.Repeat("u", c.max)
			wantCode(t, fmt.Sprintf("%s of a %d-character name", c.name, c.max), c.call(u), "NoSuchEntity", "")
			u = strings.Repeat("u", c.max+1)
			wantCode(t, fmt.Sprintf("%s of a %d-character name", c.name, c.max+1), c.call(u), "ValidationError", s6LengthMsg(u, c.max))
		})
	}
}
