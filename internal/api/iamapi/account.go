package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// accountOps: account alias, summary, password policy, login profiles and MFA devices.
func accountOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("CreateAccountAlias", s.CreateAccountAlias),
		middleware.Handle("DeleteAccountAlias", s.DeleteAccountAlias),
		middleware.Handle("ListAccountAliases", s.ListAccountAliases),
		middleware.Handle("GetAccountSummary", s.GetAccountSummary),
		middleware.Handle("UpdateAccountPasswordPolicy", s.UpdateAccountPasswordPolicy),
		middleware.Handle("GetAccountPasswordPolicy", s.GetAccountPasswordPolicy),
		middleware.Handle("DeleteAccountPasswordPolicy", s.DeleteAccountPasswordPolicy),
	}
}
