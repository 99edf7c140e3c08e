// Package iamapi is the IAM Query service's action table: each action's SDK input and output
// types and the iamsvc method that handles it.
package iamapi

import (
	"slices"

	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/api/query"
	"github.com/iamd-dev/iamd/internal/iamsvc"
)

// Version is the IAM API version.
const Version = "2010-05-08"

// Service returns the IAM service table for s.
func Service(s *iamsvc.Service) *middleware.Service {
	return &middleware.Service{
		SigningName: "iam",
		Version:     Version,
		Namespace:   query.IAMNamespace,
		Ops:         middleware.Table(slices.Concat(coreOps(s), entityOps(s), analysisOps(s), accountOps(s), mfaOps(s), loginOps(s), oidcOps(s), credentialOps(s), serviceOps(s), orgOps(s), delegationOps(s), roleTemplateOps(s))...),
	}
}

// coreOps: users, access keys, user inline policies, managed policies and user attachments.
func coreOps(s *iamsvc.Service) []middleware.Op {
	return []middleware.Op{
		middleware.Handle("CreateUser", s.CreateUser),
		middleware.Handle("GetUser", s.GetUser),
		middleware.Handle("ListUsers", s.ListUsers),
		middleware.Handle("UpdateUser", s.UpdateUser),
		middleware.Handle("DeleteUser", s.DeleteUser),
		middleware.Handle("TagUser", s.TagUser),
		middleware.Handle("UntagUser", s.UntagUser),
		middleware.Handle("ListUserTags", s.ListUserTags),
		middleware.Handle("PutUserPermissionsBoundary", s.PutUserPermissionsBoundary),
		middleware.Handle("DeleteUserPermissionsBoundary", s.DeleteUserPermissionsBoundary),

		middleware.Handle("CreateAccessKey", s.CreateAccessKey),
		middleware.Handle("ListAccessKeys", s.ListAccessKeys),
		middleware.Handle("UpdateAccessKey", s.UpdateAccessKey),
		middleware.Handle("DeleteAccessKey", s.DeleteAccessKey),
		middleware.Handle("GetAccessKeyLastUsed", s.GetAccessKeyLastUsed),

		middleware.Handle("PutUserPolicy", s.PutUserPolicy),
		middleware.Handle("GetUserPolicy", s.GetUserPolicy),
		middleware.Handle("DeleteUserPolicy", s.DeleteUserPolicy),
		middleware.Handle("ListUserPolicies", s.ListUserPolicies),

		middleware.Handle("CreatePolicy", s.CreatePolicy),
		middleware.Handle("GetPolicy", s.GetPolicy),
		middleware.Handle("ListPolicies", s.ListPolicies),
		middleware.Handle("DeletePolicy", s.DeletePolicy),
		middleware.Handle("CreatePolicyVersion", s.CreatePolicyVersion),
		middleware.Handle("GetPolicyVersion", s.GetPolicyVersion),
		middleware.Handle("ListPolicyVersions", s.ListPolicyVersions),
		middleware.Handle("DeletePolicyVersion", s.DeletePolicyVersion),
		middleware.Handle("SetDefaultPolicyVersion", s.SetDefaultPolicyVersion),
		middleware.Handle("AttachUserPolicy", s.AttachUserPolicy),
		middleware.Handle("DetachUserPolicy", s.DetachUserPolicy),
		middleware.Handle("ListAttachedUserPolicies", s.ListAttachedUserPolicies),
	}
}
