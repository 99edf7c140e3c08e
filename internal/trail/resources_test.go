package trail_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	stssdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/audit"
	"github.com/iamd-dev/iamd/internal/trail"
)

// TestRecordResources: a successful role assumption names the role in the record's resources,
// as CloudTrail's AssumeRole records do; failed calls and other actions list none.
func TestRecordResources(t *testing.T) {
	role := "arn:aws:iam::111122223333:role/deploy"
	roleRes := []audit.Resource{{ARN: role, AccountID: "111122223333", Type: "AWS::IAM::Role"}}
	for _, tc := range []struct {
		name    string
		service string
		action  string
		params  any
		errCode string
		want    []audit.Resource
	}{
		{"AssumeRole", "sts", "AssumeRole", &stssdk.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s")}, "", roleRes},
		{"AssumeRoleWithWebIdentity", "sts", "AssumeRoleWithWebIdentity", &stssdk.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role)}, "", roleRes},
		{"AssumeRoleWithSAML", "sts", "AssumeRoleWithSAML", &stssdk.AssumeRoleWithSAMLInput{RoleArn: aws.String(role)}, "", roleRes},
		{"denied AssumeRole", "sts", "AssumeRole", &stssdk.AssumeRoleInput{RoleArn: aws.String(role)}, "AccessDenied", nil},
		{"AssumeRole without a role", "sts", "AssumeRole", &stssdk.AssumeRoleInput{}, "", nil},
		{"GetCallerIdentity", "sts", "GetCallerIdentity", &stssdk.GetCallerIdentityInput{}, "", nil},
		{"IAM GetRole", "iam", "GetRole", &iamsdk.GetRoleInput{RoleName: aws.String("deploy")}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := trail.Build(&trail.Call{Service: tc.service, Action: tc.action, Account: "111122223333", RequestID: "r",
				Time: time.Unix(1700000000, 0), Params: tc.params, ErrCode: tc.errCode})
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Resources []audit.Resource `json:"resources"`
			}
			if err := json.Unmarshal(rec.JSON, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
		})
	}
}
