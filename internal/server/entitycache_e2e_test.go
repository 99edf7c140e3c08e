package server_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// apiCode is err's AWS error code, or its text when it is not an API error.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// TestUserCacheChangesApplyOnNextRequest checks that GetUser's user cache never outlives a
// change: each change is followed at once by a GetUser (by root, and by an IAM user whose
// permission depends on the target's tags) that must see it.
func TestUserCacheChangesApplyOnNextRequest(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	must[*iam.CreateUserOutput](t, "CreateUser")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")}))
	must[*iam.CreateUserOutput](t, "CreateUser reader")(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("reader")}))
	must[*iam.PutUserPolicyOutput](t, "PutUserPolicy")(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("tagged"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}`)}))
	k := must[*iam.CreateAccessKeyOutput](t, "CreateAccessKey")(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("reader")}))
	reader := iamClient(srv, aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")

	type seen struct {
		Name, Path, Boundary string
		Tags                 map[string]string
		ReaderCode           string // "" = the reader was allowed
	}
	get := func(name string) (seen, error) {
		out, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
		if err != nil {
			return seen{}, err
		}
		u := out.User
		s := seen{Name: aws.ToString(u.UserName), Path: aws.ToString(u.Path), Tags: map[string]string{}}
		if u.PermissionsBoundary != nil {
			s.Boundary = aws.ToString(u.PermissionsBoundary.PermissionsBoundaryArn)
		}
		for _, tg := range u.Tags {
			s.Tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if _, err := reader.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}); err != nil {
			s.ReaderCode = apiCode(err)
		}
		return s, nil
	}
	bp := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("bound"), PolicyDocument: aws.String(allowGet)}))
	boundary := aws.ToString(bp.Policy.Arn)
	steps := []struct {
		name   string
		change func() error
		get    string
		want   seen
	}{
		{"created", func() error { return nil }, "dave",
			seen{Name: "dave", Path: "/", Tags: map[string]string{}, ReaderCode: "AccessDenied"}},
		{"tagged", func() error {
			_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
			return err
		}, "DAVE", seen{Name: "dave", Path: "/", Tags: map[string]string{"team": "blue"}}},
		{"retagged", func() error {
			_, err := root.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("dave"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
			return err
		}, "dave", seen{Name: "dave", Path: "/", Tags: map[string]string{"team": "red"}, ReaderCode: "AccessDenied"}},
		{"untagged", func() error {
			_, err := root.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("dave"), TagKeys: []string{"team"}})
			return err
		}, "dave", seen{Name: "dave", Path: "/", Tags: map[string]string{}, ReaderCode: "AccessDenied"}},
		{"boundary", func() error {
			_, err := root.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("dave"), PermissionsBoundary: aws.String(boundary)})
			return err
		}, "dave", seen{Name: "dave", Path: "/", Boundary: boundary, Tags: map[string]string{}, ReaderCode: "AccessDenied"}},
		{"moved and renamed", func() error {
			_, err := root.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("dave"), NewUserName: aws.String("david"), NewPath: aws.String("/ops/")})
			return err
		}, "david", seen{Name: "david", Path: "/ops/", Boundary: boundary, Tags: map[string]string{}, ReaderCode: "AccessDenied"}},
		{"recreated under the old name", func() error {
			_, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Dave"), Path: aws.String("/new/"),
				Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
			return err
		}, "dave", seen{Name: "Dave", Path: "/new/", Tags: map[string]string{"team": "blue"}}},
	}
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: change: %v", st.name, err)
		}
		got, err := get(st.get)
		if err != nil {
			t.Fatalf("%s: GetUser(%s): %v", st.name, st.get, err)
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s: GetUser(%s) right after the change (-want +got):\n%s", st.name, st.get, diff)
		}
		// Again: now from the cache.
		if again, err := get(st.get); err != nil || !cmp.Equal(got, again) {
			t.Errorf("%s: second GetUser(%s) = %+v, %v; want %+v", st.name, st.get, again, err, got)
		}
	}

	// The renamed user's old name is gone at once; so is a deleted user.
	_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("david")})
	if err != nil {
		t.Fatalf("GetUser david: %v", err)
	}
	if _, err := root.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("david")}); err != nil {
		t.Fatalf("DeleteUserPermissionsBoundary: %v", err)
	}
	if _, err := root.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("david")}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("david")})
	wantCode(t, "GetUser after DeleteUser", err, "NoSuchEntity", "The user with name david cannot be found.")
}
