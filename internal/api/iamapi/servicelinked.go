package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// serviceOps: service-linked roles, SAML providers and last-accessed reports.
func serviceOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("ListPoliciesGrantingServiceAccess", s.ListPoliciesGrantingServiceAccess),
		middleware.Handle("CreateServiceLinkedRole", s.CreateServiceLinkedRole),
		middleware.Handle("DeleteServiceLinkedRole", s.DeleteServiceLinkedRole),
		middleware.Handle("GetServiceLinkedRoleDeletionStatus", s.GetServiceLinkedRoleDeletionStatus),

		middleware.Handle("CreateSAMLProvider", s.CreateSAMLProvider),
		middleware.Handle("GetSAMLProvider", s.GetSAMLProvider),
		middleware.Handle("ListSAMLProviders", s.ListSAMLProviders),
		middleware.Handle("UpdateSAMLProvider", s.UpdateSAMLProvider),
		middleware.Handle("DeleteSAMLProvider", s.DeleteSAMLProvider),
		middleware.Handle("TagSAMLProvider", s.TagSAMLProvider),
		middleware.Handle("UntagSAMLProvider", s.UntagSAMLProvider),
		middleware.Handle("ListSAMLProviderTags", s.ListSAMLProviderTags),

		middleware.Handle("GenerateServiceLastAccessedDetails", s.GenerateServiceLastAccessedDetails),
		middleware.Handle("GetServiceLastAccessedDetails", s.GetServiceLastAccessedDetails),
		middleware.Handle("GetServiceLastAccessedDetailsWithEntities", s.GetServiceLastAccessedDetailsWithEntities),
		middleware.Handle("GenerateOrganizationsAccessReport", s.GenerateOrganizationsAccessReport),
		middleware.Handle("GetOrganizationsAccessReport", s.GetOrganizationsAccessReport),
	}
}
