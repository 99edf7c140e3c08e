package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// delegationOps: outbound web identity federation and delegation requests (AWS's 2025
// additions for handing access to other parties).
func delegationOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("EnableOutboundWebIdentityFederation", s.EnableOutboundWebIdentityFederation),
		middleware.Handle("DisableOutboundWebIdentityFederation", s.DisableOutboundWebIdentityFederation),
		middleware.Handle("GetOutboundWebIdentityFederationInfo", s.GetOutboundWebIdentityFederationInfo),

		middleware.Handle("CreateDelegationRequest", s.CreateDelegationRequest),
		middleware.Handle("GetDelegationRequest", s.GetDelegationRequest),
		middleware.Handle("ListDelegationRequests", s.ListDelegationRequests),
		middleware.Handle("AssociateDelegationRequest", s.AssociateDelegationRequest),
		middleware.Handle("UpdateDelegationRequest", s.UpdateDelegationRequest),
		middleware.Handle("AcceptDelegationRequest", s.AcceptDelegationRequest),
		middleware.Handle("RejectDelegationRequest", s.RejectDelegationRequest),
		middleware.Handle("SendDelegationToken", s.SendDelegationToken),
	}
}
