package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSTSRules drives the AWS rules for GetSessionToken and STS input validation through the
// SDK: a user with no policy at all, and then with an explicit Deny on sts:GetSessionToken,
// still gets session tokens, with and without MFA (AWS: "No permissions are required for a user
// to get a session token"; policies cannot control authentication); a wrong or malformed MFA
// code is refused with AWS's error; a GetSessionToken session may call AssumeRole and
// GetCallerIdentity but no other STS operation; an ExternalId outside [\w+=,.@:/-]* is a
// ValidationError, not AccessDenied.
func TestSTSRules(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nadia")}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nadia")}))
	nadia := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	// No policy at all.
	plain := must[*sts.GetSessionTokenOutput](t, "GetSessionToken with no policy")(nadia.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}))
	pc := plain.Credentials
	sess := stsClient(srv, aws.ToString(pc.AccessKeyId), aws.ToString(pc.SecretAccessKey), aws.ToString(pc.SessionToken))
	id := must[*sts.GetCallerIdentityOutput](t, "GetCallerIdentity with the session")(sess.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if want := "arn:aws:iam::" + testAccount + ":user/nadia"; aws.ToString(id.Arn) != want {
		t.Errorf("session identity = %s, want %s", aws.ToString(id.Arn), want)
	}
	_, err := sess.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: k.AccessKey.AccessKeyId})
	wantCode(t, "GetAccessKeyInfo with GetSessionToken credentials", err, "AccessDenied", "Cannot call GetAccessKeyInfo with session credentials")
	_, err = sess.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	wantCode(t, "GetSessionToken with session credentials", err, "AccessDenied", "Cannot call GetSessionToken with session credentials")

	// An explicit Deny changes nothing; nadia may assume a role and list users with MFA.
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nadia"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Deny","Action":"sts:GetSessionToken","Resource":"*"},
			{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},
			{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))
	must[*sts.GetSessionTokenOutput](t, "GetSessionToken despite an explicit Deny")(nadia.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))

	// With MFA.
	dev := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("nadia-phone")}))
	serial, seed := aws.ToString(dev.VirtualMFADevice.SerialNumber), string(dev.VirtualMFADevice.Base32StringSeed)
	now := time.Now()
	must[*iam.EnableMFADeviceOutput](t, "EnableMFADevice")(root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("nadia"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(code(t, seed, now))}))
	wrong := "000000"
	for _, at := range []time.Duration{0, 30 * time.Second, 60 * time.Second, 90 * time.Second} {
		if c := code(t, seed, now.Add(at)); c == wrong || c == "111111" {
			wrong = "222222"
		}
	}
	_, err = nadia.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(wrong)})
	wantCode(t, "wrong TOTP code", err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	_, err = nadia.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("12345")})
	wantCode(t, "TOTP code of five digits", err, "ValidationError",
		"1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6")
	_, err = nadia.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::" + testAccount + ":mfa/nadia phone"), TokenCode: aws.String("123456")})
	wantCode(t, "serial number with a space", err, "ValidationError",
		`1 validation error detected: Value 'arn:aws:iam::`+testAccount+`:mfa/nadia phone' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=/:,.@-]*`)
	withMFA := must[*sts.GetSessionTokenOutput](t, "GetSessionToken with MFA")(nadia.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(serial), TokenCode: aws.String(code(t, seed, now.Add(30*time.Second)))}))
	mc := withMFA.Credentials
	must[*iam.ListUsersOutput](t, "ListUsers with the MFA session")(iamClient(srv, aws.ToString(mc.AccessKeyId), aws.ToString(mc.SecretAccessKey), aws.ToString(mc.SessionToken)).ListUsers(ctx, &iam.ListUsersInput{}))

	// ExternalId: [\w+=,.@:/-]*, 2 to 1224 characters, checked before the role or any policy.
	must[*iam.CreateRoleOutput](t, "CreateRole")(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("partner"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testAccount + `:root"},
			"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"Partner:42/prod"}}}]}`)}))
	roleARN := "arn:aws:iam::" + testAccount + ":role/partner"
	for _, tc := range []struct {
		name, externalID, msg string
	}{
		{"space and !", "bad id!", `1 validation error detected: Value 'bad id!' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`},
		{"one character", "x", `1 validation error detected: Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2`},
	} {
		_, err = nadia.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), ExternalId: aws.String(tc.externalID)})
		wantCode(t, "AssumeRole with ExternalId "+tc.name, err, "ValidationError", tc.msg)
		_, err = nadia.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/none"), RoleSessionName: aws.String("s1"), ExternalId: aws.String(tc.externalID)})
		wantCode(t, "AssumeRole of a missing role with ExternalId "+tc.name, err, "ValidationError", tc.msg)
	}
	_, err = nadia.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), ExternalId: aws.String("Partner:42/other")})
	wantCode(t, "AssumeRole with another valid ExternalId", err, "AccessDenied", "")
	_, err = nadia.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), ExternalId: aws.String("Partner:42/prod"), SourceIdentity: aws.String("aws:nadia")})
	wantCode(t, "AssumeRole with a SourceIdentity holding a colon", err, "ValidationError",
		`1 validation error detected: Value 'aws:nadia' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	must[*sts.AssumeRoleOutput](t, "AssumeRole with the ExternalId")(nadia.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), ExternalId: aws.String("Partner:42/prod")}))
	// A GetSessionToken session may assume a role.
	must[*sts.AssumeRoleOutput](t, "AssumeRole with the MFA session")(stsClient(srv, aws.ToString(mc.AccessKeyId), aws.ToString(mc.SecretAccessKey), aws.ToString(mc.SessionToken)).AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s2"), ExternalId: aws.String("Partner:42/prod")}))
}
