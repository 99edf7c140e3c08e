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

// s6NameCall is one IAM operation reached with a given UserName; the other members are valid, so
// that the name alone decides between ValidationError and NoSuchEntity.
type s6NameCall struct {
	name string
	call func(user string) error
}

// s6NamesFixture starts a server with a group "g", a customer managed policy (its ARN is
// returned) and a valid signing certificate body and SSH public key.
func s6NamesFixture(t *testing.T) (root *iam.Client, policyARN, cert, sshKey string) {
	t.Helper()
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root = iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateGroupOutput](t, "CreateGroup")(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("g")}))
	policyARN = aws.ToString(must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"),
		PolicyDocument: aws.String(s6NamesDoc)})).Policy.Arn)
	cert, _ = validCert(t, "names")
	return root, policyARN, cert, authorizedKey(t, &rsaKey(t, 2048).PublicKey)
}

const s6NamesDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`

// s6ExistingUserCalls are the operations whose UserName is the model's existingUserNameType
// (1–128 characters).
func s6ExistingUserCalls(root *iam.Client, cert string) []s6NameCall {
	ctx := context.Background()
	certID := aws.String(strings.Repeat("A", 24))
	return []s6NameCall{
		{"GetUser", func(u string) error {
			_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(u)})
			return err
		}},
		{"DeleteUser", func(u string) error {
			_, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(u)})
			return err
		}},
		{"UpdateUser", func(u string) error {
			_, err := root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String(u), NewUserName: aws.String("renamed")})
			return err
		}},
		{"AddUserToGroup", func(u string) error {
			_, err := root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: aws.String(u)})
			return err
		}},
		{"RemoveUserFromGroup", func(u string) error {
			_, err := root.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: aws.String(u)})
			return err
		}},
		{"ListGroupsForUser", func(u string) error {
			_, err := root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String(u)})
			return err
		}},
		{"UploadSigningCertificate", func(u string) error {
			_, err := root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String(u), CertificateBody: aws.String(cert)})
			return err
		}},
		{"UpdateSigningCertificate", func(u string) error {
			_, err := root.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String(u), CertificateId: certID, Status: iamtypes.StatusTypeInactive})
			return err
		}},
		{"DeleteSigningCertificate", func(u string) error {
			_, err := root.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String(u), CertificateId: certID})
			return err
		}},
		{"ListSigningCertificates", func(u string) error {
			_, err := root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String(u)})
			return err
		}},
		{"PutUserPolicy", func(u string) error {
			_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(u), PolicyName: aws.String("inline"), PolicyDocument: aws.String(s6NamesDoc)})
			return err
		}},
		{"GetUserPolicy", func(u string) error {
			_, err := root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String(u), PolicyName: aws.String("inline")})
			return err
		}},
		{"DeleteUserPolicy", func(u string) error {
			_, err := root.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String(u), PolicyName: aws.String("inline")})
			return err
		}},
		{"ListUserPolicies", func(u string) error {
			_, err := root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String(u)})
			return err
		}},
	}
}

// s6UserNameTypeCalls are the operations whose UserName is the model's userNameType (1–64
// characters): CreateUser, the managed-policy and permissions-boundary calls, login profiles,
// SSH public keys and service-specific credentials.
func s6UserNameTypeCalls(root *iam.Client, policyARN, sshKey string) []s6NameCall {
	ctx := context.Background()
	keyID := aws.String("APKA" + strings.Repeat("A", 16))
	credID := aws.String("ACCA" + strings.Repeat("A", 16))
	return []s6NameCall{
		{"CreateUser", func(u string) error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)})
			if err == nil {
				_, err = root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(u)})
				if err == nil {
					err = fmt.Errorf("CreateUser of %q succeeded", u)
				}
			}
			return err
		}},
		{"AttachUserPolicy", func(u string) error {
			_, err := root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(u), PolicyArn: aws.String(policyARN)})
			return err
		}},
		{"DetachUserPolicy", func(u string) error {
			_, err := root.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(u), PolicyArn: aws.String(policyARN)})
			return err
		}},
		{"ListAttachedUserPolicies", func(u string) error {
			_, err := root.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(u)})
			return err
		}},
		{"PutUserPermissionsBoundary", func(u string) error {
			_, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String(u), PermissionsBoundary: aws.String(policyARN)})
			return err
		}},
		{"DeleteUserPermissionsBoundary", func(u string) error {
			_, err := root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String(u)})
			return err
		}},
		{"CreateLoginProfile", func(u string) error {
			_, err := root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(u), Password: aws.String("Correct-Horse-9-Battery")})
			return err
		}},
		{"GetLoginProfile", func(u string) error {
			_, err := root.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(u)})
			return err
		}},
		{"UpdateLoginProfile", func(u string) error {
			_, err := root.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String(u), PasswordResetRequired: aws.Bool(true)})
			return err
		}},
		{"DeleteLoginProfile", func(u string) error {
			_, err := root.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(u)})
			return err
		}},
		{"UploadSSHPublicKey", func(u string) error {
			_, err := root.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String(u), SSHPublicKeyBody: aws.String(sshKey)})
			return err
		}},
		{"GetSSHPublicKey", func(u string) error {
			_, err := root.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String(u), SSHPublicKeyId: keyID, Encoding: iamtypes.EncodingTypeSsh})
			return err
		}},
		{"UpdateSSHPublicKey", func(u string) error {
			_, err := root.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String(u), SSHPublicKeyId: keyID, Status: iamtypes.StatusTypeInactive})
			return err
		}},
		{"DeleteSSHPublicKey", func(u string) error {
			_, err := root.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String(u), SSHPublicKeyId: keyID})
			return err
		}},
		{"ListSSHPublicKeys", func(u string) error {
			_, err := root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String(u)})
			return err
		}},
		{"CreateServiceSpecificCredential", func(u string) error {
			_, err := root.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String(u), ServiceName: aws.String("codecommit.amazonaws.com")})
			return err
		}},
		{"ResetServiceSpecificCredential", func(u string) error {
			_, err := root.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String(u), ServiceSpecificCredentialId: credID})
			return err
		}},
		{"UpdateServiceSpecificCredential", func(u string) error {
			_, err := root.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String(u), ServiceSpecificCredentialId: credID, Status: iamtypes.StatusTypeInactive})
			return err
		}},
		{"DeleteServiceSpecificCredential", func(u string) error {
			_, err := root.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String(u), ServiceSpecificCredentialId: credID})
			return err
		}},
		{"ListServiceSpecificCredentials", func(u string) error {
			_, err := root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String(u)})
			return err
		}},
	}
}

// s6LengthMsg is AWS's message for a userName longer than max.
func s6LengthMsg(user string, max int) string {
	return fmt.Sprintf("1 validation error detected: Value '%s' at 'userName' failed to satisfy constraint: Member must have length less than or equal to %d", user, max)
}

// TestS6NamesExistingUser: the operations whose UserName is existingUserNameType accept names of
// up to 128 characters; one of 65–128 characters names no user (CreateUser stops at 64), so the
// answer is NoSuchEntity, and 129 characters is a ValidationError naming the bound 128.
func TestS6NamesExistingUser(t *testing.T) {
	root, _, cert, _ := s6NamesFixture(t)
	for _, c := range s6ExistingUserCalls(root, cert) {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{65, 100, 128} {
				u := strings.Repeat("u", n)
				wantCode(t, fmt.Sprintf("%s of a %d-character name", c.name, n), c.call(u), "NoSuchEntity", "The user with name "+u+" cannot be found.")
			}
			u := strings.Repeat("u", 129)
			wantCode(t, c.name+" of a 129-character name", c.call(u), "ValidationError", s6LengthMsg(u, 128))
		})
	}
}

// TestS6NamesUserNameType: the operations whose UserName is userNameType keep the bound 64: 65
// characters is a ValidationError naming 64, while 64 characters passes validation and names no
// user.
func TestS6NamesUserNameType(t *testing.T) {
	root, policyARN, _, sshKey := s6NamesFixture(t)
	for _, c := range s6UserNameTypeCalls(root, policyARN, sshKey) {
		t.Run(c.name, func(t *testing.T) {
			u := strings.Repeat("u", 65)
			wantCode(t, c.name+" of a 65-character name", c.call(u), "ValidationError", s6LengthMsg(u, 64))
			if c.name == "CreateUser" {
				return // a 64-character user is created (and deleted) there: no NoSuchEntity
			}
			wantCode(t, c.name+" of a 64-character name", c.call(strings.Repeat("u", 64)), "NoSuchEntity", "")
		})
	}
}

// TestS6NamesUpdateUserNewName: UpdateUser's UserName is existingUserNameType (128) but its
// NewUserName is userNameType (64): a rename to 65 characters is refused at 'newUserName', a
// rename to 64 characters succeeds, and the old name is then gone.
func TestS6NamesUpdateUserNewName(t *testing.T) {
	ctx := context.Background()
	root, _, _, _ := s6NamesFixture(t)
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("old")}))
	for _, tc := range []struct {
		name, user, newName, code, msg string
	}{
		{"new name of 65", "old", strings.Repeat("n", 65), "ValidationError",
			"1 validation error detected: Value '" + strings.Repeat("n", 65) + "' at 'newUserName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"name of 128, new name of 65", strings.Repeat("u", 128), strings.Repeat("n", 65), "ValidationError",
			"1 validation error detected: Value '" + strings.Repeat("n", 65) + "' at 'newUserName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"name of 129", strings.Repeat("u", 129), "x", "ValidationError", s6LengthMsg(strings.Repeat("u", 129), 128)},
		{"name of 128, new name of 64", strings.Repeat("u", 128), strings.Repeat("n", 64), "NoSuchEntity",
			"The user with name " + strings.Repeat("u", 128) + " cannot be found."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String(tc.user), NewUserName: aws.String(tc.newName)})
			wantCode(t, fmt.Sprintf("UpdateUser %d → %d characters", len(tc.user), len(tc.newName)), err, tc.code, tc.msg)
		})
	}
	long := strings.Repeat("n", 64)
	must[*iam.UpdateUserOutput](t, "UpdateUser to 64 characters")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("old"), NewUserName: aws.String(long)}))
	got := must[*iam.GetUserOutput](t, "GetUser renamed")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(long)}))
	if aws.ToString(got.User.UserName) != long {
		t.Errorf("GetUser(%q).UserName = %q, want %q", long, aws.ToString(got.User.UserName), long)
	}
	_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("old")})
	wantCode(t, "GetUser of the old name", err, "NoSuchEntity", "The user with name old cannot be found.")
}

// TestS6NamesSigningCertificatePages: ListSigningCertificates (no longer through the SSH keys'
// listing, whose UserName is userNameType) still pages a user's certificates by MaxItems and
// Marker, and refuses MaxItems 0.
func TestS6NamesSigningCertificatePages(t *testing.T) {
	ctx := context.Background()
	root, _, c1, _ := s6NamesFixture(t)
	c2, _ := validCert(t, "names2")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("signer")}))
	want := map[string]bool{}
	for _, body := range []string{c1, c2} {
		up := must[*iam.UploadSigningCertificateOutput](t, "UploadSigningCertificate")(root.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("signer"), CertificateBody: aws.String(body)}))
		want[aws.ToString(up.Certificate.CertificateId)] = true
	}
	got := map[string]bool{}
	var marker *string
	for page := 1; ; page++ {
		out := must[*iam.ListSigningCertificatesOutput](t, "ListSigningCertificates")(root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("signer"), MaxItems: aws.Int32(1), Marker: marker}))
		if len(out.Certificates) != 1 {
			t.Fatalf("page %d: %d certificates, want 1", page, len(out.Certificates))
		}
		if u := aws.ToString(out.Certificates[0].UserName); u != "signer" {
			t.Errorf("page %d: UserName %q, want signer", page, u)
		}
		got[aws.ToString(out.Certificates[0].CertificateId)] = true
		if !out.IsTruncated {
			if page != 2 {
				t.Errorf("listing ended after %d pages, want 2", page)
			}
			break
		}
		if page == 2 {
			t.Fatalf("page 2 is truncated, want the last page")
		}
		marker = out.Marker
	}
	if len(got) != len(want) {
		t.Errorf("listed certificates %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("certificate %s not listed; listed %v", id, got)
		}
	}
	_, err := root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("signer"), MaxItems: aws.Int32(0)})
	wantCode(t, "ListSigningCertificates MaxItems 0", err, "ValidationError", "")
}
