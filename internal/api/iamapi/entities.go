package iamapi

import (
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// entityOps: groups, roles and instance profiles.
func entityOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("CreateGroup", s.CreateGroup),
		middleware.Handle("GetGroup", s.GetGroup),
		middleware.Handle("ListGroups", s.ListGroups),
		middleware.Handle("UpdateGroup", s.UpdateGroup),
		middleware.Handle("DeleteGroup", s.DeleteGroup),
		middleware.Handle("AddUserToGroup", s.AddUserToGroup),
		middleware.Handle("RemoveUserFromGroup", s.RemoveUserFromGroup),
		middleware.Handle("ListGroupsForUser", s.ListGroupsForUser),
		middleware.Handle("PutGroupPolicy", s.PutGroupPolicy),
		middleware.Handle("GetGroupPolicy", s.GetGroupPolicy),
		middleware.Handle("DeleteGroupPolicy", s.DeleteGroupPolicy),
		middleware.Handle("ListGroupPolicies", s.ListGroupPolicies),
		middleware.Handle("AttachGroupPolicy", s.AttachGroupPolicy),
		middleware.Handle("DetachGroupPolicy", s.DetachGroupPolicy),
		middleware.Handle("ListAttachedGroupPolicies", s.ListAttachedGroupPolicies),
	}
}
