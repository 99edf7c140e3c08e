package query

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// TestDecodeEmptyValues: "Name=" is an empty string where the member is a string, and AWS refuses
// it when the service model sets a minimum length; for a list it is the empty list, and a string
// whose model sets no minimum keeps the empty value.
func TestDecodeEmptyValues(t *testing.T) {
	tests := []struct {
		name    string
		form    string
		into    func() any
		want    any    // on success
		wantErr string // the ValidationError message
	}{
		{
			name:    "optional user name, min 1",
			form:    "Action=GetUser&UserName=",
			into:    func() any { return &iam.GetUserInput{} },
			wantErr: "1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:    "marker and path prefix together",
			form:    "Marker=&PathPrefix=&MaxItems=5",
			into:    func() any { return &iam.ListUsersInput{} },
			wantErr: "2 validation errors detected: Value '' at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'pathPrefix' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:    "required member: length, not null",
			form:    "UserName=",
			into:    func() any { return &iam.CreateUserInput{} },
			wantErr: "1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name:    "min 9",
			form:    "SerialNumber=&UserName=u",
			into:    func() any { return &iam.DeactivateMFADeviceInput{} },
			wantErr: "1 validation error detected: Value '' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9",
		},
		{
			name:    "nested structure member",
			form:    "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss&PolicyArns.member.1.arn=",
			into:    func() any { return &sts.AssumeRoleInput{} },
			wantErr: "1 validation error detected: Value '' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			name:    "tag key",
			form:    "UserName=u&Tags.member.1.Key=&Tags.member.1.Value=v",
			into:    func() any { return &iam.TagUserInput{} },
			wantErr: "1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
		},
		{
			name: "empty lists stay empty lists",
			form: "UserName=u&Tags=",
			into: func() any { return &iam.CreateUserInput{} },
			want: &iam.CreateUserInput{UserName: aws.String("u"), Tags: []iamtypes.Tag{}},
		},
		{
			name: "no model minimum: tag value and description stay empty",
			form: "RoleName=r&Description=",
			into: func() any { return &iam.UpdateRoleInput{} },
			want: &iam.UpdateRoleInput{RoleName: aws.String("r"), Description: aws.String("")},
		},
		{
			name: "tag value may be empty",
			form: "UserName=u&Tags.member.1.Key=k&Tags.member.1.Value=",
			into: func() any { return &iam.TagUserInput{} },
			want: &iam.TagUserInput{UserName: aws.String("u"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("")}}},
		},
		{
			name:    "empty enum is an enum failure, once",
			form:    "AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=",
			into:    func() any { return &iam.UpdateAccessKeyInput{} },
			wantErr: "1 validation error detected: Value '' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
		},
	}
	c := NewCodec()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.into()
			err := c.DecodeForm(mustParse(t, tt.form), in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeForm(%q) = %v, want success", tt.form, err)
				}
				if diff := cmp.Diff(tt.want, in, cmp.AllowUnexported(iam.CreateUserInput{}, iam.UpdateRoleInput{}, iam.TagUserInput{}, iamtypes.Tag{})); diff != "" {
					t.Errorf("DecodeForm(%q) mismatch (-want +got):\n%s", tt.form, diff)
				}
				return
			}
			ae, ok := awserr.As(err)
			if !ok || ae.Code != "ValidationError" {
				t.Fatalf("DecodeForm(%q) = %v, want ValidationError", tt.form, err)
			}
			if ae.Message != tt.wantErr {
				t.Errorf("DecodeForm(%q) message\n got %q\nwant %q", tt.form, ae.Message, tt.wantErr)
			}
		})
	}
}
