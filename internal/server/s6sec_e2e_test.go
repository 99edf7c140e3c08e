package server_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestS6SecUpdateUserRenameNeedsTarget: renaming or moving a user needs iam:UpdateUser on both
// the source and the target ARN (API Reference, UpdateUser: "the requester must have
// appropriate permissions on both the source object and the target object").
func TestS6SecUpdateUserRenameNeedsTarget(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	allowOn := func(arns ...string) string {
		res := `"` + arns[0] + `"`
		for _, a := range arns[1:] {
			res += `,"` + a + `"`
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:UpdateUser","Resource":[` + res + `]}]}`
	}
	erinARN := acctARN + "user/erin"
	id, secret := policyUser(t, root, "erin", allowOn(erinARN))
	erin := iamClient(srv, id, secret, "")
	callerARN := erinARN

	tests := []struct {
		name     string
		policy   string // erin's policy before the call
		newName  string // "": no NewUserName
		newPath  string // "": no NewPath
		deniedOn string // the ARN the AccessDenied names; "": allowed
	}{
		{"rename allowed only on the source", allowOn(erinARN), "erin-renamed", "", acctARN + "user/erin-renamed"},
		{"move allowed only on the source", allowOn(erinARN), "", "/moved/", acctARN + "user/moved/erin"},
		{"rename and move allowed only on the new name", allowOn(erinARN, acctARN+"user/erin-renamed"), "erin-renamed", "/moved/", acctARN + "user/moved/erin-renamed"},
		{"update to the same name and path needs only the source", allowOn(erinARN), "erin", "/", ""},
		{"rename allowed on both", allowOn(erinARN, acctARN+"user/erin-renamed"), "erin-renamed", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("erin"),
				PolicyName: aws.String("p"), PolicyDocument: aws.String(tc.policy)}))
			in := &iam.UpdateUserInput{UserName: aws.String("erin")}
			if tc.newName != "" {
				in.NewUserName = aws.String(tc.newName)
			}
			if tc.newPath != "" {
				in.NewPath = aws.String(tc.newPath)
			}
			_, err := erin.UpdateUser(ctx, in)
			if tc.deniedOn == "" {
				if err != nil {
					t.Fatalf("UpdateUser(%s -> %q %q): %v, want success", "erin", tc.newName, tc.newPath, err)
				}
				if tc.newName != "" && tc.newName != "erin" {
					// Put erin back (as root) for the next case.
					must[*iam.UpdateUserOutput](t, "UpdateUser back")(root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String(tc.newName), NewUserName: aws.String("erin"), NewPath: aws.String("/")}))
				}
				return
			}
			wantCode(t, "UpdateUser "+tc.name, err, "AccessDenied", deniedMsg(callerARN, "iam:UpdateUser", tc.deniedOn))
			u := must[*iam.GetUserOutput](t, "GetUser erin")(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("erin")}))
			if got := aws.ToString(u.User.Arn); got != erinARN {
				t.Errorf("after a refused UpdateUser, erin's ARN = %s, want %s", got, erinARN)
			}
		})
	}
}
