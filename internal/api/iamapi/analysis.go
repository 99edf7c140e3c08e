package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// analysisOps: GetAccountAuthorizationDetails, the policy simulator and context keys.
func analysisOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("SimulatePrincipalPolicy", s.SimulatePrincipalPolicy),
		middleware.Handle("SimulateCustomPolicy", s.SimulateCustomPolicy),
		middleware.Handle("GetContextKeysForPrincipalPolicy", s.GetContextKeysForPrincipalPolicy),
		middleware.Handle("GetContextKeysForCustomPolicy", s.GetContextKeysForCustomPolicy),
		middleware.Handle("GetAccountAuthorizationDetails", s.GetAccountAuthorizationDetails),
	}
}
