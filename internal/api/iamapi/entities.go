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
		middleware.Handle("CreateRole", s.CreateRole),
		middleware.Handle("GetRole", s.GetRole),
		middleware.Handle("ListRoles", s.ListRoles),
		middleware.Handle("UpdateRole", s.UpdateRole),
		middleware.Handle("UpdateRoleDescription", s.UpdateRoleDescription),
		middleware.Handle("UpdateAssumeRolePolicy", s.UpdateAssumeRolePolicy),
		middleware.Handle("DeleteRole", s.DeleteRole),
		middleware.Handle("PutRolePolicy", s.PutRolePolicy),
		middleware.Handle("GetRolePolicy", s.GetRolePolicy),
		middleware.Handle("DeleteRolePolicy", s.DeleteRolePolicy),
		middleware.Handle("ListRolePolicies", s.ListRolePolicies),
		middleware.Handle("AttachRolePolicy", s.AttachRolePolicy),
		middleware.Handle("DetachRolePolicy", s.DetachRolePolicy),
		middleware.Handle("ListAttachedRolePolicies", s.ListAttachedRolePolicies),
		middleware.Handle("TagRole", s.TagRole),
		middleware.Handle("UntagRole", s.UntagRole),
		middleware.Handle("ListRoleTags", s.ListRoleTags),
		middleware.Handle("PutRolePermissionsBoundary", s.PutRolePermissionsBoundary),
		middleware.Handle("DeleteRolePermissionsBoundary", s.DeleteRolePermissionsBoundary),
		middleware.Handle("TagPolicy", s.TagPolicy),
		middleware.Handle("UntagPolicy", s.UntagPolicy),
		middleware.Handle("ListPolicyTags", s.ListPolicyTags),
		middleware.Handle("ListEntitiesForPolicy", s.ListEntitiesForPolicy),
		middleware.Handle("CreateInstanceProfile", s.CreateInstanceProfile),
		middleware.Handle("GetInstanceProfile", s.GetInstanceProfile),
		middleware.Handle("ListInstanceProfiles", s.ListInstanceProfiles),
		middleware.Handle("DeleteInstanceProfile", s.DeleteInstanceProfile),
		middleware.Handle("AddRoleToInstanceProfile", s.AddRoleToInstanceProfile),
		middleware.Handle("RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile),
		middleware.Handle("ListInstanceProfilesForRole", s.ListInstanceProfilesForRole),
		middleware.Handle("TagInstanceProfile", s.TagInstanceProfile),
		middleware.Handle("UntagInstanceProfile", s.UntagInstanceProfile),
		middleware.Handle("ListInstanceProfileTags", s.ListInstanceProfileTags),
	}
}
