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
		middleware.Handle("UploadSigningCertificate", s.UploadSigningCertificate),
		middleware.Handle("ListSigningCertificates", s.ListSigningCertificates),
		middleware.Handle("UpdateSigningCertificate", s.UpdateSigningCertificate),
		middleware.Handle("DeleteSigningCertificate", s.DeleteSigningCertificate),
		middleware.Handle("UploadServerCertificate", s.UploadServerCertificate),
		middleware.Handle("GetServerCertificate", s.GetServerCertificate),
		middleware.Handle("ListServerCertificates", s.ListServerCertificates),
		middleware.Handle("UpdateServerCertificate", s.UpdateServerCertificate),
		middleware.Handle("DeleteServerCertificate", s.DeleteServerCertificate),
		middleware.Handle("TagServerCertificate", s.TagServerCertificate),
		middleware.Handle("UntagServerCertificate", s.UntagServerCertificate),
		middleware.Handle("ListServerCertificateTags", s.ListServerCertificateTags),
		middleware.Handle("CreateServiceSpecificCredential", s.CreateServiceSpecificCredential),
		middleware.Handle("ListServiceSpecificCredentials", s.ListServiceSpecificCredentials),
		middleware.Handle("UpdateServiceSpecificCredential", s.UpdateServiceSpecificCredential),
		middleware.Handle("ResetServiceSpecificCredential", s.ResetServiceSpecificCredential),
		middleware.Handle("DeleteServiceSpecificCredential", s.DeleteServiceSpecificCredential),
	}
}
