package server_test

import (
	"bytes"
	"context"
	"image/png"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd-dev/iamd/internal/mfa"
)

func code(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	c, err := mfa.Code(seed, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMFA: a virtual device is created with a real seed and QR code, enabled with two
// consecutive TOTP codes, and an MFA code given to GetSessionToken makes aws:MultiFactorAuthPresent
// true for the session, once per code.
func TestMFA(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mia")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("mia"), PolicyName: aws.String("mfa"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"sts:GetSessionToken","Resource":"*"},
			{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mia")}))
	miaSTS := stsClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	dev := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("mia-phone")}))
	serial := aws.ToString(dev.VirtualMFADevice.SerialNumber)
	seed := string(dev.VirtualMFADevice.Base32StringSeed)
	if serial != "arn:aws:iam::"+testAccount+":mfa/mia-phone" || len(seed) != 64 {
		t.Fatalf("device serial %s, seed of %d characters", serial, len(seed))
	}
	if _, err := png.Decode(bytes.NewReader(dev.VirtualMFADevice.QRCodePNG)); err != nil {
		t.Errorf("QRCodePNG: %v", err)
	}
	now := time.Now()
	_, err := root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now)), AuthenticationCode2: aws.String(code(t, seed, now.Add(-30*time.Second)))})
	wantCode(t, "codes in the wrong order", err, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
	must[*iam.EnableMFADeviceOutput](t, "EnableMFADevice")(root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(code(t, seed, now))}))
	list := must[*iam.ListMFADevicesOutput](t, "ListMFADevices")(root.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("mia")}))
	if len(list.MFADevices) != 1 || aws.ToString(list.MFADevices[0].SerialNumber) != serial {
		t.Errorf("ListMFADevices = %+v", list.MFADevices)
	}
	assigned := must[*iam.ListVirtualMFADevicesOutput](t, "ListVirtualMFADevices")(root.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned}))
	if len(assigned.VirtualMFADevices) != 1 || aws.ToString(assigned.VirtualMFADevices[0].User.UserName) != "mia" || assigned.VirtualMFADevices[0].Base32StringSeed != nil {
		t.Errorf("ListVirtualMFADevices Assigned = %+v", assigned.VirtualMFADevices)
	}
	_, err = root.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantCode(t, "delete a device in use", err, "DeleteConflict", "")
	_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("mia")})
	wantCode(t, "delete a user with MFA", err, "DeleteConflict", "")

	// Without MFA the session cannot call IAM at all (GetSessionToken's rule).
	plain := must[*sts.GetSessionTokenOutput](t, "GetSessionToken")(miaSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	pc := plain.Credentials
	_, err = iamClient(srv, aws.ToString(pc.AccessKeyId), aws.ToString(pc.SecretAccessKey), aws.ToString(pc.SessionToken)).ListUsers(ctx, &iam.ListUsersInput{})
	wantCode(t, "ListUsers without MFA", err, "InvalidClientTokenId", "")

	// With a fresh code it can. (The code of the next step: the current one was used to enable.)
	next := code(t, seed, now.Add(30*time.Second))
	withMFA := must[*sts.GetSessionTokenOutput](t, "GetSessionToken with MFA")(miaSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(next)}))
	mc := withMFA.Credentials
	must[*iam.ListUsersOutput](t, "ListUsers with MFA")(iamClient(srv, aws.ToString(mc.AccessKeyId), aws.ToString(mc.SecretAccessKey), aws.ToString(mc.SessionToken)).ListUsers(ctx, &iam.ListUsersInput{}))

	// A code is accepted once; a wrong code never.
	_, err = miaSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(next)})
	wantCode(t, "replayed code", err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	wrong := "000000"
	if wrong == code(t, seed, now.Add(60*time.Second)) || wrong == code(t, seed, now.Add(90*time.Second)) {
		wrong = "111111"
	}
	_, err = miaSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(wrong)})
	wantCode(t, "wrong code", err, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")

	// Resync accepts two consecutive codes from a wider window; the used code stays used.
	must[*iam.ResyncMFADeviceOutput](t, "ResyncMFADevice")(root.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-5*time.Minute))), AuthenticationCode2: aws.String(code(t, seed, now.Add(-5*time.Minute+30*time.Second)))}))
	_, err = root.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now)), AuthenticationCode2: aws.String(code(t, seed, now.Add(-30*time.Second)))})
	wantCode(t, "resync with codes in the wrong order", err, "InvalidAuthenticationCode", "")
	_, err = miaSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(next)})
	wantCode(t, "replayed code after resync", err, "AccessDenied", "")

	// Tags and GetMFADevice.
	must[*iam.TagMFADeviceOutput](t, "TagMFADevice")(root.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: aws.String(serial), Tags: []iamtypes.Tag{{Key: aws.String("kind"), Value: aws.String("phone")}}}))
	mt := must[*iam.ListMFADeviceTagsOutput](t, "ListMFADeviceTags")(root.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(serial)}))
	if len(mt.Tags) != 1 || aws.ToString(mt.Tags[0].Value) != "phone" {
		t.Errorf("MFA device tags = %+v", mt.Tags)
	}
	must[*iam.UntagMFADeviceOutput](t, "UntagMFADevice")(root.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: aws.String(serial), TagKeys: []string{"kind"}}))
	gd := must[*iam.GetMFADeviceOutput](t, "GetMFADevice")(root.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial)}))
	if aws.ToString(gd.UserName) != "mia" || gd.EnableDate == nil {
		t.Errorf("GetMFADevice = %+v", gd)
	}
	_, err = root.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String("arn:aws:iam::" + testAccount + ":mfa/none")})
	wantCode(t, "tags of a missing device", err, "NoSuchEntity", "")

	must[*iam.DeactivateMFADeviceOutput](t, "DeactivateMFADevice")(root.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial)}))
	must[*iam.DeleteVirtualMFADeviceOutput](t, "DeleteVirtualMFADevice")(root.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}))
	_, err = root.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("mia"), SerialNumber: aws.String(serial)})
	wantCode(t, "deactivate a deleted device", err, "NoSuchEntity", "")
}
