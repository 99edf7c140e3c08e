package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestQuotas walks each per-entity quota to its limit and one past it: every call up to the limit
// succeeds, the next answers LimitExceeded with AWS's message, and nothing changed.
func TestQuotas(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("q")}))
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("qr"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	doc := func(i int) *string {
		return aws.String(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::%s:user/u%d"}]}`, testAccount, i))
	}
	var policyARNs []*string
	for i := range 11 {
		p := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%02d", i)), PolicyDocument: doc(i)}))
		policyARNs = append(policyARNs, p.Policy.Arn)
	}
	for i := range 11 {
		must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(fmt.Sprintf("g%02d", i))}))
	}
	for i := range 9 {
		must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(fmt.Sprintf("d%d", i))}))
	}
	must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(root.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}))
	must[*iam.CreateRoleOutput](t, "CreateRole 2")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("qr2"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))

	tests := []struct {
		name  string
		limit int
		call  func(i int) error
		msg   string
	}{
		{"AccessKeysPerUser", 2, func(int) error {
			_, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("q")})
			return err
		}, "Cannot exceed quota for AccessKeysPerUser: 2"},
		{"GroupsPerUser", 10, func(i int) error {
			_, err := root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String("q"), GroupName: aws.String(fmt.Sprintf("g%02d", i))})
			return err
		}, "Cannot exceed quota for GroupsPerUser: 10"},
		{"PoliciesPerUser", 10, func(i int) error {
			_, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("q"), PolicyArn: policyARNs[i]})
			return err
		}, "Cannot exceed quota for PoliciesPerUser: 10"},
		{"PoliciesPerRole", 10, func(i int) error {
			_, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("qr"), PolicyArn: policyARNs[i]})
			return err
		}, "Cannot exceed quota for PoliciesPerRole: 10"},
		{"PolicyVersionsInUse", 4, func(i int) error {
			_, err := root.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: policyARNs[0], PolicyDocument: doc(100 + i)})
			return err
		}, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version."},
		{"TagsPerRole", 50, func(i int) error {
			_, err := root.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("qr"), Tags: []iamtypes.Tag{{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}}})
			return err
		}, "Cannot exceed quota for TagsPerRole: 50"},
		{"MFADevicesPerUser", 8, func(i int) error {
			return enableDevice(t, root, fmt.Sprintf("arn:aws:iam::%s:mfa/d%d", testAccount, i))
		}, "Cannot exceed quota for MFADevicesPerUser: 8"},
		{"InstanceSessionsPerInstanceProfile", 1, func(i int) error {
			_, err := root.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String([]string{"qr", "qr2"}[i])})
			return err
		}, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"},
		{"InlinePolicySizePerUser", 1, func(i int) error {
			// 1,900 characters fit in 2,048; a second such policy does not.
			big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::` + testAccount + `:user/` + strings.Repeat("x", 1800) + `"}]}`
			_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("q"), PolicyName: aws.String(fmt.Sprintf("big%d", i)), PolicyDocument: aws.String(big)})
			return err
		}, "Maximum policy size of 2048 bytes exceeded for user q"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.limit {
				if err := tc.call(i); err != nil {
					t.Fatalf("call %d of %d: %v", i+1, tc.limit, err)
				}
			}
			wantCode(t, "one past the quota", tc.call(tc.limit), "LimitExceeded", tc.msg)
		})
	}
}

// enableDevice enables a virtual MFA device for user q with two consecutive codes.
func enableDevice(t *testing.T, root *iam.Client, serial string) error {
	t.Helper()
	ctx := context.Background()
	// The seed is only returned at creation; recreate the device to learn it.
	name := serial[strings.LastIndexByte(serial, '/')+1:]
	if _, err := root.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); err != nil {
		return err
	}
	dev, err := root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		return err
	}
	seed := string(dev.VirtualMFADevice.Base32StringSeed)
	now := timeNow()
	_, err = root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("q"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-30e9))), AuthenticationCode2: aws.String(code(t, seed, now))})
	return err
}
