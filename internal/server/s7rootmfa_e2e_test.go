package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestS7RootMFA: the root user has a virtual MFA device of its own (issue 5: "root MFA"): it
// creates one, enables it for itself (UserName "root"), the account summary counts it
// (AccountMFAEnabled 1), ListMFADevices without a user name lists it, the root's
// GetSessionToken takes its codes (and refuses a wrong one), and deactivating it clears the
// summary again.
func TestS7RootMFA(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	summary := func(what string) int32 {
		t.Helper()
		s := must[*iam.GetAccountSummaryOutput](t, "GetAccountSummary "+what)(root.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{}))
		return s.SummaryMap[string(iamtypes.SummaryKeyTypeAccountMFAEnabled)]
	}
	if got := summary("before"); got != 0 {
		t.Fatalf("AccountMFAEnabled before = %d, want 0", got)
	}
	dev := must[*iam.CreateVirtualMFADeviceOutput](t, "CreateVirtualMFADevice")(root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("root-device")}))
	serial, seed := aws.ToString(dev.VirtualMFADevice.SerialNumber), string(dev.VirtualMFADevice.Base32StringSeed)
	now := time.Now()
	must[*iam.EnableMFADeviceOutput](t, "EnableMFADevice for root")(root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("root"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(code(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(code(t, seed, now))}))
	if got := summary("after EnableMFADevice"); got != 1 {
		t.Errorf("AccountMFAEnabled after enabling root's device = %d, want 1", got)
	}
	list := must[*iam.ListMFADevicesOutput](t, "ListMFADevices")(root.ListMFADevices(ctx, &iam.ListMFADevicesInput{}))
	if len(list.MFADevices) != 1 || aws.ToString(list.MFADevices[0].SerialNumber) != serial || aws.ToString(list.MFADevices[0].UserName) != "root" {
		t.Errorf("root's ListMFADevices = %+v, want %s of user root", list.MFADevices, serial)
	}
	got := must[*iam.GetMFADeviceOutput](t, "GetMFADevice")(root.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: aws.String("Root"), SerialNumber: aws.String(serial)}))
	if aws.ToString(got.UserName) != "root" {
		t.Errorf("root's GetMFADevice (as Root) user = %q, want root", aws.ToString(got.UserName))
	}

	assigned := must[*iam.ListVirtualMFADevicesOutput](t, "ListVirtualMFADevices")(root.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: iamtypes.AssignmentStatusTypeAssigned}))
	if len(assigned.VirtualMFADevices) != 1 || aws.ToString(assigned.VirtualMFADevices[0].User.Arn) != "arn:aws:iam::"+testAccount+":root" {
		t.Errorf("ListVirtualMFADevices Assigned = %+v, want the device with the root user", assigned.VirtualMFADevices)
	}

	// An administrator (iam:* on *) naming "root" names an IAM user of that name, not the root
	// user: no such user, so neither the root user's devices nor its device can be touched.
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("admin")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")}))
	admin := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	_, err := admin.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("root")})
	wantCode(t, "the administrator's ListMFADevices of root", err, "NoSuchEntity", "")
	_, err = admin.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("root"), SerialNumber: aws.String(serial)})
	wantCode(t, "the administrator's DeactivateMFADevice of root's device", err, "NoSuchEntity", "")

	rootSTS := stsClient(srv, rootKey, rootSecret, "")
	_, err = rootSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("000000")})
	if err == nil {
		// 000000 could be the device's current code once in a million runs; use another then.
		_, err = rootSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String("000001")})
	}
	wantCode(t, "root's GetSessionToken with a wrong code", err, "AccessDenied", "")
	// The code of the next step: EnableMFADevice used the current one, and a code is accepted once.
	st := must[*sts.GetSessionTokenOutput](t, "root's GetSessionToken with MFA")(rootSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(serial), TokenCode: aws.String(code(t, seed, now.Add(30*time.Second)))}))
	if st.Credentials == nil || aws.ToString(st.Credentials.SessionToken) == "" {
		t.Fatalf("root's GetSessionToken with MFA = %+v, want credentials", st)
	}

	must[*iam.GenerateCredentialReportOutput](t, "GenerateCredentialReport")(root.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	report := string(must[*iam.GetCredentialReportOutput](t, "GetCredentialReport")(root.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})).Content)
	rootRow := strings.Split(strings.Split(report, "\n")[1], ",")
	if rootRow[0] != "<root_account>" || rootRow[7] != "true" {
		t.Errorf("credential report root row %v: want <root_account> with mfa_active true", rootRow)
	}

	// Once an IAM user is named "root", "root" names that user for the root user too, as in
	// AWS; its devices are its own.
	must[*iam.CreateUserOutput](t, "CreateUser root")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("root")}))
	if l := must[*iam.ListMFADevicesOutput](t, "ListMFADevices of the IAM user root")(root.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("root")})); len(l.MFADevices) != 0 {
		t.Errorf("the IAM user root's MFA devices = %+v, want none (the root user's are not its)", l.MFADevices)
	}
	_, err = root.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("root"), SerialNumber: aws.String(serial)})
	wantCode(t, "DeactivateMFADevice of the IAM user root with the root user's device", err, "NoSuchEntity", "")
	must[*iam.DeleteUserOutput](t, "DeleteUser root")(root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("root")}))

	must[*iam.DeactivateMFADeviceOutput](t, "DeactivateMFADevice")(root.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("root"), SerialNumber: aws.String(serial)}))
	if got := summary("after DeactivateMFADevice"); got != 0 {
		t.Errorf("AccountMFAEnabled after deactivating = %d, want 0", got)
	}
}
