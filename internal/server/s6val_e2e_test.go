package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// validationMsg is AWS's message for one input member breaking a constraint of the service model.
func validationMsg(value, member, constraint string) string {
	return "1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy constraint: " + constraint
}

// TestS6ValMarker: a Marker breaking the model's markerType (at most 320 characters of
// [\u0020-\u00FF]+) is a ValidationError at 'marker', checked before anything is looked up (the
// operations naming a missing entity answer it, not NoSuchEntity); a well-formed marker iamd did
// not issue stays InvalidInput "Invalid Marker.".
func TestS6ValMarker(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	missingMFA := "arn:aws:iam::" + testAccount + ":mfa/none"

	long := strings.Repeat("a", 321)
	outside := "MTA\u0100"
	bad := []struct{ name, marker, want string }{
		{"321 characters", long, validationMsg(long, "marker", "Member must have length less than or equal to 320")},
		{"U+0100", outside, validationMsg(outside, "marker", `Member must satisfy regular expression pattern: [\u0020-\u00FF]+`)},
	}
	ops := []struct {
		name    string
		missing string // the NoSuchEntity an unissued marker meets first ("": none, the marker is decoded)
		call    func(m *string) error
	}{
		{"ListUsers", "", func(m *string) error { _, err := root.ListUsers(ctx, &iam.ListUsersInput{Marker: m}); return err }},
		{"ListPolicies", "", func(m *string) error { _, err := root.ListPolicies(ctx, &iam.ListPoliciesInput{Marker: m}); return err }},
		{"ListVirtualMFADevices", "", func(m *string) error {
			_, err := root.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{Marker: m})
			return err
		}},
		{"ListUserPolicies", "", func(m *string) error {
			_, err := root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("ada"), Marker: m})
			return err
		}},
		{"ListAccountAliases", "", func(m *string) error {
			_, err := root.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{Marker: m})
			return err
		}},
		{"SimulateCustomPolicy", "", func(m *string) error {
			_, err := root.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"}, Marker: m})
			return err
		}},
		{"ListAccessKeys of a missing user", "NoSuchEntity", func(m *string) error {
			_, err := root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListMFADevices of a missing user", "NoSuchEntity", func(m *string) error {
			_, err := root.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListMFADeviceTags of a missing device", "NoSuchEntity", func(m *string) error {
			_, err := root.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: aws.String(missingMFA), Marker: m})
			return err
		}},
		{"ListAttachedUserPolicies of a missing user", "NoSuchEntity", func(m *string) error {
			_, err := root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListAttachedRolePolicies of a missing role", "NoSuchEntity", func(m *string) error {
			_, err := root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListPolicyVersions of a missing policy", "NoSuchEntity", func(m *string) error {
			_, err := root.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(acctARN + "policy/none"), Marker: m})
			return err
		}},
		{"SimulatePrincipalPolicy of a missing user", "NoSuchEntity", func(m *string) error {
			_, err := root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(acctARN + "user/nobody"), ActionNames: []string{"s3:GetObject"}, Marker: m})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			for _, b := range bad {
				wantCode(t, op.name+" with a marker of "+b.name, op.call(aws.String(b.marker)), "ValidationError", b.want)
			}
			if op.missing != "" {
				wantCode(t, op.name+" with an unissued marker", op.call(aws.String("bogus!")), op.missing, "")
			} else {
				wantCode(t, op.name+" with an unissued marker", op.call(aws.String("bogus!")), "InvalidInput", "Invalid Marker.")
			}
		})
	}
}

// TestS6ValAccessKeyID: an AccessKeyId breaking the model's accessKeyIdType (16–128 characters of
// [\w]+) is a ValidationError at 'accessKeyId', not NoSuchEntity; a well-formed unknown ID still
// is NoSuchEntity.
func TestS6ValAccessKeyID(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))
	short, long := strings.Repeat("a", 15), strings.Repeat("a", 129)
	ids := []struct{ name, id, code, msg string }{
		{"15 characters", short, "ValidationError", validationMsg(short, "accessKeyId", "Member must have length greater than or equal to 16")},
		{"129 characters", long, "ValidationError", validationMsg(long, "accessKeyId", "Member must have length less than or equal to 128")},
		{"a space", "aaaaaaaa aaaaaaa", "ValidationError", validationMsg("aaaaaaaa aaaaaaa", "accessKeyId", `Member must satisfy regular expression pattern: [\w]+`)},
		{"unknown", "AKIAAAAAAAAAAAAAAAAA", "NoSuchEntity", "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found."},
	}
	ops := []struct {
		name string
		call func(id string) error
	}{
		{"DeleteAccessKey", func(id string) error {
			_, err := root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("ada"), AccessKeyId: aws.String(id)})
			return err
		}},
		{"UpdateAccessKey", func(id string) error {
			_, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("ada"), AccessKeyId: aws.String(id), Status: iamtypes.StatusTypeInactive})
			return err
		}},
		{"GetAccessKeyLastUsed", func(id string) error {
			_, err := root.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(id)})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			for _, tc := range ids {
				wantCode(t, op.name+" with an ID of "+tc.name, op.call(tc.id), tc.code, tc.msg)
			}
		})
	}
}

// TestS6ValMFASerial: a SerialNumber breaking the model's serialNumberType ([\w+=/:,.@-]+, 9–256
// characters) is a ValidationError at 'serialNumber' in every MFA operation, not NoSuchEntity; a
// well-formed unknown serial number still is NoSuchEntity.
func TestS6ValMFASerial(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))
	spaced := "arn:aws:iam::1234 6789012:mfa/fxmfa"
	unknown := "arn:aws:iam::" + testAccount + ":mfa/none"
	serials := []struct{ name, serial, code, msg string }{
		{"a space", spaced, "ValidationError", validationMsg(spaced, "serialNumber", `Member must satisfy regular expression pattern: [\w+=/:,.@-]+`)},
		{"8 characters", "aaaaaaaa", "ValidationError", validationMsg("aaaaaaaa", "serialNumber", "Member must have length greater than or equal to 9")},
		{"unknown", unknown, "NoSuchEntity", ""},
	}
	user, c1, c2 := aws.String("ada"), aws.String("123456"), aws.String("654321")
	ops := []struct {
		name string
		call func(sn *string) error
	}{
		{"EnableMFADevice", func(sn *string) error {
			_, err := root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: user, SerialNumber: sn, AuthenticationCode1: c1, AuthenticationCode2: c2})
			return err
		}},
		{"ResyncMFADevice", func(sn *string) error {
			_, err := root.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: user, SerialNumber: sn, AuthenticationCode1: c1, AuthenticationCode2: c2})
			return err
		}},
		{"DeactivateMFADevice", func(sn *string) error {
			_, err := root.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: user, SerialNumber: sn})
			return err
		}},
		{"DeleteVirtualMFADevice", func(sn *string) error {
			_, err := root.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: sn})
			return err
		}},
		{"GetMFADevice", func(sn *string) error {
			_, err := root.GetMFADevice(ctx, &iam.GetMFADeviceInput{UserName: user, SerialNumber: sn})
			return err
		}},
		{"TagMFADevice", func(sn *string) error {
			_, err := root.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: sn, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
		{"UntagMFADevice", func(sn *string) error {
			_, err := root.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: sn, TagKeys: []string{"k"}})
			return err
		}},
		{"ListMFADeviceTags", func(sn *string) error {
			_, err := root.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: sn})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			for _, tc := range serials {
				wantCode(t, op.name+" with a serial number of "+tc.name, op.call(aws.String(tc.serial)), tc.code, tc.msg)
			}
		})
	}
}

// TestS6ValPolicySourceArn: a PolicySourceArn over the model's 2048 characters is a
// ValidationError at 'policySourceArn', not NoSuchEntity.
func TestS6ValPolicySourceArn(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	prefix := acctARN + "user/"
	long := prefix + strings.Repeat("a", 2049-len(prefix))
	want := validationMsg(long, "policySourceArn", "Member must have length less than or equal to 2048")
	_, err := root.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(long), ActionNames: []string{"s3:GetObject"}})
	wantCode(t, "SimulatePrincipalPolicy with a 2049-character PolicySourceArn", err, "ValidationError", want)
	_, err = root.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(long)})
	wantCode(t, "GetContextKeysForPrincipalPolicy with a 2049-character PolicySourceArn", err, "ValidationError", want)
	// 2048 characters is in bounds: the user is looked up (and missing).
	_, err = root.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(long[:2048])})
	wantCode(t, "GetContextKeysForPrincipalPolicy with a 2048-character PolicySourceArn", err, "NoSuchEntity", "")
}

// TestS6ValPolicyPath: CreatePolicy's Path and the PathPrefix of ListPolicies and
// ListAttached{User,Group,Role}Policies follow the model's policyPathType,
// ((/[A-Za-z0-9\.,\+@=_-]+)*)/, which refuses characters the path of users and roles allows
// ("/a!a/"), and the message names that pattern.
func TestS6ValPolicyPath(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	const pattern = `Member must satisfy regular expression pattern: ((/[A-Za-z0-9\.,\+@=_-]+)*)/`
	must[*iam.CreateUserOutput](t, "CreateUser ada")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ada")}))

	for _, path := range []string{"/a!a/", "/aaa aa/", "/a//b/"} {
		t.Run("CreatePolicy "+path, func(t *testing.T) {
			_, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), Path: aws.String(path), PolicyDocument: aws.String(doc)})
			wantCode(t, "CreatePolicy Path "+path, err, "ValidationError", validationMsg(path, "path", pattern))
			_, err = root.ListPolicies(ctx, &iam.ListPoliciesInput{PathPrefix: aws.String(path)})
			wantCode(t, "ListPolicies PathPrefix "+path, err, "ValidationError", validationMsg(path, "pathPrefix", pattern))
			_, err = root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("ada"), PathPrefix: aws.String(path)})
			wantCode(t, "ListAttachedUserPolicies PathPrefix "+path, err, "ValidationError", validationMsg(path, "pathPrefix", pattern))
			_, err = root.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("nobody"), PathPrefix: aws.String(path)})
			wantCode(t, "ListAttachedGroupPolicies PathPrefix "+path, err, "ValidationError", validationMsg(path, "pathPrefix", pattern))
			_, err = root.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("nobody"), PathPrefix: aws.String(path)})
			wantCode(t, "ListAttachedRolePolicies PathPrefix "+path, err, "ValidationError", validationMsg(path, "pathPrefix", pattern))
		})
	}
	local := must[*iam.ListPoliciesOutput](t, "ListPolicies Local")(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal}))
	if len(local.Policies) != 0 {
		t.Errorf("after refused CreatePolicy calls, ListPolicies Local = %d policies, want 0", len(local.Policies))
	}

	// Every character the pattern allows, in two segments.
	const path = "/a.b,c+d@e=f_g-h/Z9/"
	p := must[*iam.CreatePolicyOutput](t, "CreatePolicy "+path)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), Path: aws.String(path), PolicyDocument: aws.String(doc)}))
	if got, want := aws.ToString(p.Policy.Arn), acctARN+"policy"+path+"p"; got != want {
		t.Errorf("CreatePolicy Path %s: ARN %s, want %s", path, got, want)
	}
	must[*iam.AttachUserPolicyOutput](t, "AttachUserPolicy")(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("ada"), PolicyArn: p.Policy.Arn}))
	for _, prefix := range []string{"/", "/a.b,c+d@e=f_g-h/", path} {
		got := must[*iam.ListPoliciesOutput](t, "ListPolicies PathPrefix "+prefix)(root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, PathPrefix: aws.String(prefix)}))
		if len(got.Policies) != 1 {
			t.Errorf("ListPolicies PathPrefix %s: %d policies, want 1", prefix, len(got.Policies))
		}
		att := must[*iam.ListAttachedUserPoliciesOutput](t, "ListAttachedUserPolicies PathPrefix "+prefix)(root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("ada"), PathPrefix: aws.String(prefix)}))
		if len(att.AttachedPolicies) != 1 {
			t.Errorf("ListAttachedUserPolicies PathPrefix %s: %d policies, want 1", prefix, len(att.AttachedPolicies))
		}
	}
}
