package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// serviceOps: service-linked roles, SAML providers and last-accessed reports.
func serviceOps(s *iamsvc.Service) []middleware.Op {
	return nil
}
