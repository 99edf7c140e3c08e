package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// mfaOps: virtual MFA devices.
func mfaOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("CreateVirtualMFADevice", s.CreateVirtualMFADevice),
		middleware.Handle("EnableMFADevice", s.EnableMFADevice),
		middleware.Handle("ResyncMFADevice", s.ResyncMFADevice),
		middleware.Handle("DeactivateMFADevice", s.DeactivateMFADevice),
		middleware.Handle("DeleteVirtualMFADevice", s.DeleteVirtualMFADevice),
		middleware.Handle("ListMFADevices", s.ListMFADevices),
		middleware.Handle("ListVirtualMFADevices", s.ListVirtualMFADevices),
		middleware.Handle("GetMFADevice", s.GetMFADevice),
		middleware.Handle("TagMFADevice", s.TagMFADevice),
		middleware.Handle("UntagMFADevice", s.UntagMFADevice),
		middleware.Handle("ListMFADeviceTags", s.ListMFADeviceTags),
	}
}
