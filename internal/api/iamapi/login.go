package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// loginOps: login profiles (console passwords) and the credential report.
func loginOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("CreateLoginProfile", s.CreateLoginProfile),
		middleware.Handle("GetLoginProfile", s.GetLoginProfile),
		middleware.Handle("UpdateLoginProfile", s.UpdateLoginProfile),
		middleware.Handle("DeleteLoginProfile", s.DeleteLoginProfile),
		middleware.Handle("ChangePassword", s.ChangePassword),
		middleware.Handle("GenerateCredentialReport", s.GenerateCredentialReport),
		middleware.Handle("GetCredentialReport", s.GetCredentialReport),
	}
}
