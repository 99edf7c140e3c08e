// Package stsapi is the STS Query service's action table.
package stsapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/api/query"
	"github.com/iamd-dev/iamd/internal/stssvc"
)

// Version is the STS API version.
const Version = "2011-06-15"

// Service returns the STS service table for s.
func Service(s *stssvc.Service) *middleware.Service {
	return &middleware.Service{
		SigningName: "sts",
		Version:     Version,
		Namespace:   query.STSNamespace,
		Ops: middleware.Table(
			middleware.Handle("GetCallerIdentity", s.GetCallerIdentity),
			middleware.Handle("GetSessionToken", s.GetSessionToken),
			middleware.Handle("AssumeRole", s.AssumeRole),
			middleware.Handle("GetFederationToken", s.GetFederationToken),
			middleware.Handle("DecodeAuthorizationMessage", s.DecodeAuthorizationMessage),
			middleware.Handle("GetAccessKeyInfo", s.GetAccessKeyInfo),
			middleware.Handle("GetWebIdentityToken", s.GetWebIdentityToken),
			middleware.Handle("GetDelegatedAccessToken", s.GetDelegatedAccessToken),
			middleware.Handle("AssumeRoot", s.AssumeRoot),
			// iamd's own: a role passed to a service and assumed by it (docs/compatibility.md).
			middleware.Handle("AssumeRoleForService", s.AssumeRoleForService),
			unsigned(middleware.Handle("AssumeRoleWithWebIdentity", s.AssumeRoleWithWebIdentity)),
			unsigned(middleware.Handle("AssumeRoleWithSAML", s.AssumeRoleWithSAML)),
		),
	}
}

// unsigned marks an action that AWS accepts without a signature.
func unsigned(op middleware.Op) middleware.Op {
	op.Unsigned = true
	return op
}
