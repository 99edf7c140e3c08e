package iamsvc

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
)

// Centralized root access for AWS Organizations member accounts. iamd has no Organizations: every
// account is standalone, so after authorization these operations answer as AWS does for an
// account that belongs to no organization.

// CodeOrganizationNotFound is the error AWS returns when the caller's account is in no
// organization (the SDK's OrganizationNotFoundException).
const CodeOrganizationNotFound = "OrganizationNotFoundException"

// errNoOrganization is OrganizationNotFoundException with the IAM API Reference's description.
func errNoOrganization() error {
	return iam.Errorf(CodeOrganizationNotFound, "The request was rejected because no organization is associated with your account.")
}

// organizationFeature authorizes action and answers that the account has no organization.
func (s *Service) organizationFeature(ctx context.Context, c *authn.Caller, action string) error {
	if err := s.authorize(ctx, c, action, "*", nil); err != nil {
		return err
	}
	return errNoOrganization()
}

// ListOrganizationsFeatures lists the centralized root access features of the organization.
func (s *Service) ListOrganizationsFeatures(ctx context.Context, c *authn.Caller, _ *sdk.ListOrganizationsFeaturesInput) (*sdk.ListOrganizationsFeaturesOutput, error) {
	return nil, s.organizationFeature(ctx, c, "iam:ListOrganizationsFeatures")
}

// EnableOrganizationsRootCredentialsManagement enables central management of member accounts'
// root credentials.
func (s *Service) EnableOrganizationsRootCredentialsManagement(ctx context.Context, c *authn.Caller, _ *sdk.EnableOrganizationsRootCredentialsManagementInput) (*sdk.EnableOrganizationsRootCredentialsManagementOutput, error) {
	return nil, s.organizationFeature(ctx, c, "iam:EnableOrganizationsRootCredentialsManagement")
}

// DisableOrganizationsRootCredentialsManagement disables central management of member accounts'
// root credentials.
func (s *Service) DisableOrganizationsRootCredentialsManagement(ctx context.Context, c *authn.Caller, _ *sdk.DisableOrganizationsRootCredentialsManagementInput) (*sdk.DisableOrganizationsRootCredentialsManagementOutput, error) {
	return nil, s.organizationFeature(ctx, c, "iam:DisableOrganizationsRootCredentialsManagement")
}

// EnableOrganizationsRootSessions enables privileged root sessions (sts:AssumeRoot) in member
// accounts.
func (s *Service) EnableOrganizationsRootSessions(ctx context.Context, c *authn.Caller, _ *sdk.EnableOrganizationsRootSessionsInput) (*sdk.EnableOrganizationsRootSessionsOutput, error) {
	return nil, s.organizationFeature(ctx, c, "iam:EnableOrganizationsRootSessions")
}

// DisableOrganizationsRootSessions disables privileged root sessions in member accounts.
func (s *Service) DisableOrganizationsRootSessions(ctx context.Context, c *authn.Caller, _ *sdk.DisableOrganizationsRootSessionsInput) (*sdk.DisableOrganizationsRootSessionsOutput, error) {
	return nil, s.organizationFeature(ctx, c, "iam:DisableOrganizationsRootSessions")
}
