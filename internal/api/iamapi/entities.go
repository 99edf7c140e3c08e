package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// entityOps: groups, roles and instance profiles.
func entityOps(s *iamsvc.Service) []middleware.Op {
	return nil
}
