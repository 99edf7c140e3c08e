package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// oidcOps: OpenID Connect identity providers.
func oidcOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("CreateOpenIDConnectProvider", s.CreateOpenIDConnectProvider),
		middleware.Handle("GetOpenIDConnectProvider", s.GetOpenIDConnectProvider),
		middleware.Handle("ListOpenIDConnectProviders", s.ListOpenIDConnectProviders),
		middleware.Handle("DeleteOpenIDConnectProvider", s.DeleteOpenIDConnectProvider),
		middleware.Handle("AddClientIDToOpenIDConnectProvider", s.AddClientIDToOpenIDConnectProvider),
		middleware.Handle("RemoveClientIDFromOpenIDConnectProvider", s.RemoveClientIDFromOpenIDConnectProvider),
		middleware.Handle("UpdateOpenIDConnectProviderThumbprint", s.UpdateOpenIDConnectProviderThumbprint),
		middleware.Handle("TagOpenIDConnectProvider", s.TagOpenIDConnectProvider),
		middleware.Handle("UntagOpenIDConnectProvider", s.UntagOpenIDConnectProvider),
		middleware.Handle("ListOpenIDConnectProviderTags", s.ListOpenIDConnectProviderTags),
	}
}
