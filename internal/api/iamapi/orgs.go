package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// orgOps: centralized root access (Organizations), account properties, STS preferences and
// human-readable summaries.
func orgOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("ListOrganizationsFeatures", s.ListOrganizationsFeatures),
		middleware.Handle("EnableOrganizationsRootCredentialsManagement", s.EnableOrganizationsRootCredentialsManagement),
		middleware.Handle("DisableOrganizationsRootCredentialsManagement", s.DisableOrganizationsRootCredentialsManagement),
		middleware.Handle("EnableOrganizationsRootSessions", s.EnableOrganizationsRootSessions),
		middleware.Handle("DisableOrganizationsRootSessions", s.DisableOrganizationsRootSessions),
		middleware.Handle("GetAccountProperties", s.GetAccountProperties),
		middleware.Handle("PutAccountProperties", s.PutAccountProperties),
		middleware.Handle("SetSecurityTokenServicePreferences", s.SetSecurityTokenServicePreferences),
		middleware.Handle("GetHumanReadableSummary", s.GetHumanReadableSummary),
	}
}
