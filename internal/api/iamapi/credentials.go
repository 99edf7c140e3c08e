package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// credentialOps: SSH public keys, signing and server certificates, service-specific credentials.
func credentialOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("UploadSSHPublicKey", s.UploadSSHPublicKey),
		middleware.Handle("GetSSHPublicKey", s.GetSSHPublicKey),
		middleware.Handle("ListSSHPublicKeys", s.ListSSHPublicKeys),
		middleware.Handle("UpdateSSHPublicKey", s.UpdateSSHPublicKey),
		middleware.Handle("DeleteSSHPublicKey", s.DeleteSSHPublicKey),
	}
}
