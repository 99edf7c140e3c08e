package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// credentialOps: SSH public keys, signing and server certificates, service-specific credentials.
func credentialOps(s *iamsvc.Service) []middleware.Op {
	return nil
}
