package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// accountOps: account alias, summary, password policy, login profiles and MFA devices.
func accountOps(s *iamsvc.Service) []middleware.Op {
	return nil
}
