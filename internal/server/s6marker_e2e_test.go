package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TestS6MarkerBeforeLookup: the list calls built on the shared tag, SSH key and last accessed
// paths check the Marker (the model's markerType) before looking anything up, so a call naming a
// missing entity with a bad marker answers ValidationError, not NoSuchEntity, as AWS validates
// first.
func TestS6MarkerBeforeLookup(t *testing.T) {
	ctx := context.Background()
	srv := start(t, testConfig(t, t.TempDir()))
	root := iamClient(srv, rootKey, rootSecret, "")
	long := strings.Repeat("a", 321)
	want := validationMsg(long, "marker", "Member must have length less than or equal to 320")
	job := "0193a5c4-7d1e-4c3b-9a2f-000000000000"
	for _, tc := range []struct {
		name string
		call func(m *string) error
	}{
		{"ListUserTags", func(m *string) error {
			_, err := root.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListRoleTags", func(m *string) error {
			_, err := root.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListSSHPublicKeys", func(m *string) error {
			_, err := root.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListInstanceProfilesForRole", func(m *string) error {
			_, err := root.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListServiceSpecificCredentials", func(m *string) error {
			_, err := root.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"GetGroup", func(m *string) error {
			_, err := root.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListGroupsForUser", func(m *string) error {
			_, err := root.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListUserPolicies", func(m *string) error {
			_, err := root.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListGroupPolicies", func(m *string) error {
			_, err := root.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"ListSigningCertificates", func(m *string) error {
			_, err := root.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("nobody"), Marker: m})
			return err
		}},
		{"GetServiceLastAccessedDetails", func(m *string) error {
			_, err := root.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: aws.String(job), Marker: m})
			return err
		}},
		{"GetServiceLastAccessedDetailsWithEntities", func(m *string) error {
			_, err := root.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(job), ServiceNamespace: aws.String("iam"), Marker: m})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, tc.name+" with a 321-character marker", tc.call(aws.String(long)), "ValidationError", want)
			wantCode(t, tc.name+" with no marker", tc.call(nil), "NoSuchEntity", "")
		})
	}
}
