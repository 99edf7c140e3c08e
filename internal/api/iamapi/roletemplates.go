package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// roleTemplateOps: roles created from role templates.
func roleTemplateOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("GetRoleTemplateVersion", s.GetRoleTemplateVersion),
		middleware.Handle("AcquireRole", s.AcquireRole),
	}
}
