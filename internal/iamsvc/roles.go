package iamsvc

import (
	"context"
	"errors"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// Role quotas and limits.
const (
	// MinSessionDuration, DefaultSessionDuration and MaxSessionDuration bound a role's
	// MaxSessionDuration, in seconds.
	MinSessionDuration     = 3600
	DefaultSessionDuration = 3600
	MaxSessionDuration     = 43200
)

func roleOut(acct string, r *iam.Role) *types.Role {
	maxSession := r.MaxSessionDuration
	if maxSession == 0 {
		maxSession = DefaultSessionDuration
	}
	out := &types.Role{
		RoleName:                 ptr(r.Name),
		RoleId:                   ptr(r.ID),
		Path:                     ptr(r.Path),
		Arn:                      ptr(iam.RoleARN(acct, r.Path, r.Name)),
		CreateDate:               ptr(r.Created),
		AssumeRolePolicyDocument: ptr(r.TrustPolicy),
		MaxSessionDuration:       ptr(maxSession),
		Tags:                     tagsOut(r.Tags),
		RoleLastUsed:             &types.RoleLastUsed{},
	}
	if r.Description != "" {
		out.Description = ptr(r.Description)
	}
	if r.Boundary != "" {
		out.PermissionsBoundary = &types.AttachedPermissionsBoundary{
			PermissionsBoundaryArn:  ptr(r.Boundary),
			PermissionsBoundaryType: types.PermissionsBoundaryAttachmentTypePolicy,
		}
	}
	if !r.LastUsed.IsZero() {
		out.RoleLastUsed.LastUsedDate = ptr(r.LastUsed)
		if r.LastUsedRegion != "" {
			out.RoleLastUsed.Region = ptr(r.LastUsedRegion)
		}
	}
	return out
}

// checkTrustDoc validates an AssumeRolePolicyDocument: the member's length and character set,
// the trust policy grammar, and the ACLSizePerRole quota.
func (s *Service) checkTrustDoc(doc string) error {
	err := checkDocumentField(doc)
	if err == nil {
		_, err = parsePolicy(doc, policy.Trust)
	}
	if fe := (*iam.FieldError)(nil); errors.As(err, &fe) {
		return &iam.FieldError{Field: "assumeRolePolicyDocument", Value: fe.Value, Constraint: fe.Constraint}
	}
	if err != nil {
		return err
	}
	if int64(policy.Size(doc)) > s.limits.Get(iam.QuotaTrustPolicySize) {
		return s.limits.Exceeded(iam.QuotaTrustPolicySize)
	}
	return nil
}

func checkMaxSession(d *int32) error {
	if d == nil {
		return nil
	}
	v := strconv.Itoa(int(*d))
	if *d < MinSessionDuration {
		return &iam.FieldError{Field: "maxSessionDuration", Value: v, Constraint: "Member must have value greater than or equal to " + strconv.Itoa(MinSessionDuration)}
	}
	if *d > MaxSessionDuration {
		return &iam.FieldError{Field: "maxSessionDuration", Value: v, Constraint: "Member must have value less than or equal to " + strconv.Itoa(MaxSessionDuration)}
	}
	return nil
}

func checkRoleName(name string) error {
	return iam.CheckName("roleName", name, iam.MaxRoleName)
}

// CreateRole creates a role with its trust policy.
func (s *Service) CreateRole(ctx context.Context, c *authn.Caller, in *sdk.CreateRoleInput) (*sdk.CreateRoleOutput, error) {
	name, path, doc := str(in.RoleName), str(in.Path), str(in.AssumeRolePolicyDocument)
	if path == "" {
		path = "/"
	}
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := iam.CheckPath("path", path); err != nil {
		return nil, err
	}
	if err := iam.CheckDescription(str(in.Description)); err != nil {
		return nil, err
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("Role", tags, nil); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != nil {
		if err := checkPolicyARN("permissionsBoundary", *in.PermissionsBoundary); err != nil {
			return nil, err
		}
	}
	if err := s.checkTrustDoc(doc); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := iam.RoleARN(acct, path, name)
	extra := tagContext(tags)
	if in.PermissionsBoundary != nil {
		extra = withKey(extra, "iam:PermissionsBoundary", *in.PermissionsBoundary)
	}
	if err := s.authorize(ctx, c, "iam:CreateRole", arn, extra); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagRole", arn, extra); err != nil {
			return nil, err
		}
	}
	id, err := s.newID("AROA")
	if err != nil {
		return nil, err
	}
	r := &iam.Role{Name: name, ID: id, Path: path, Created: s.nowUTC(), TrustPolicy: doc, Description: str(in.Description),
		MaxSessionDuration: DefaultSessionDuration, Tags: tags}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateRoleOutput, error) {
		if err := checkTrustPrincipals(ctx, tx, doc); err != nil {
			return nil, err
		}
		if in.PermissionsBoundary != nil {
			if err := s.checkBoundary(ctx, tx, *in.PermissionsBoundary); err != nil {
				return nil, err
			}
			r.Boundary = *in.PermissionsBoundary
		}
		e := &store.Entity{Account: acct, Kind: store.KindRole, Name: name, ID: id, Path: path, Created: r.Created}
		if err := s.createCounted(ctx, tx, iam.QuotaRoles, e, r, iam.Errorf(iam.CodeEntityAlreadyExists, "Role with name %s already exists.", name)); err != nil {
			return nil, err
		}
		if err := linkBoundary(ctx, tx, acct, id, "", r.Boundary); err != nil {
			return nil, err
		}
		out := roleOut(acct, r)
		out.RoleLastUsed = nil
		return &sdk.CreateRoleOutput{Role: out}, nil
	})
}

// GetRole returns a role with its trust policy, tags, boundary and last use.
func (s *Service) GetRole(ctx context.Context, c *authn.Caller, in *sdk.GetRoleInput) (*sdk.GetRoleOutput, error) {
	name := str(in.RoleName)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, roleOwner, "iam:GetRole", name, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.GetRoleOutput, error) {
		role, _, err := load[iam.Role](ctx, r, acct, store.KindRole, name, noSuchRole(name))
		if err != nil {
			return nil, err
		}
		return &sdk.GetRoleOutput{Role: roleOut(acct, role)}, nil
	})
}

// ListRoles lists roles, optionally under a path prefix. As in AWS, the listing leaves out
// tags, permissions boundaries and last use.
func (s *Service) ListRoles(ctx context.Context, c *authn.Caller, in *sdk.ListRolesInput) (*sdk.ListRolesOutput, error) {
	acct := account(c)
	roles, next, err := listKind(ctx, s, c, "iam:ListRoles", iam.RoleARN(acct, "/", "*"), store.KindRole, in.PathPrefix, in.Marker, in.MaxItems,
		func(_ store.Reader, r *iam.Role) (types.Role, error) { return *roleListed(acct, r), nil })
	if err != nil {
		return nil, err
	}
	return &sdk.ListRolesOutput{Roles: roles, Marker: next, IsTruncated: next != nil}, nil
}

// roleListed is a role as listings show it: without tags, boundary and last use.
func roleListed(acct string, r *iam.Role) *types.Role {
	ro := roleOut(acct, r)
	ro.Tags, ro.PermissionsBoundary, ro.RoleLastUsed = nil, nil, nil
	return ro
}

// changeRole authorizes action on the role, then loads it in a write transaction, lets fn change
// it and saves it.
func changeRole[T any](ctx context.Context, s *Service, c *authn.Caller, action, name string, extra map[string][]string, fn func(tx store.Tx, r *iam.Role) (*T, error)) (*T, error) {
	if err := s.authorizeOwner(ctx, c, roleOwner, action, name, extra); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*T, error) {
		r, e, err := load[iam.Role](ctx, tx, acct, store.KindRole, name, noSuchRole(name))
		if err != nil {
			return nil, err
		}
		// Service-linked roles are modifiable only by their service; the description is the exception.
		if action != "iam:UpdateRoleDescription" && IsServiceLinkedRole(r.Path) {
			return nil, ProtectedRoleError(r.Name)
		}
		out, err := fn(tx, r)
		if err != nil {
			return nil, err
		}
		return out, save(ctx, tx, e, r)
	})
}

// UpdateRole changes a role's description or maximum session duration.
func (s *Service) UpdateRole(ctx context.Context, c *authn.Caller, in *sdk.UpdateRoleInput) (*sdk.UpdateRoleOutput, error) {
	name := str(in.RoleName)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := iam.CheckDescription(str(in.Description)); err != nil {
		return nil, err
	}
	if err := checkMaxSession(in.MaxSessionDuration); err != nil {
		return nil, err
	}
	return changeRole(ctx, s, c, "iam:UpdateRole", name, nil, func(_ store.Tx, r *iam.Role) (*sdk.UpdateRoleOutput, error) {
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return &sdk.UpdateRoleOutput{}, nil
	})
}

// UpdateRoleDescription changes a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, c *authn.Caller, in *sdk.UpdateRoleDescriptionInput) (*sdk.UpdateRoleDescriptionOutput, error) {
	name := str(in.RoleName)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := iam.CheckDescription(str(in.Description)); err != nil {
		return nil, err
	}
	acct := account(c)
	return changeRole(ctx, s, c, "iam:UpdateRoleDescription", name, nil, func(_ store.Tx, r *iam.Role) (*sdk.UpdateRoleDescriptionOutput, error) {
		r.Description = str(in.Description)
		return &sdk.UpdateRoleDescriptionOutput{Role: roleOut(acct, r)}, nil
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, c *authn.Caller, in *sdk.UpdateAssumeRolePolicyInput) (*sdk.UpdateAssumeRolePolicyOutput, error) {
	name, doc := str(in.RoleName), str(in.PolicyDocument)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := s.checkTrustDoc(doc); err != nil {
		var fe *iam.FieldError
		if errors.As(err, &fe) {
			return nil, &iam.FieldError{Field: "policyDocument", Value: fe.Value, Constraint: fe.Constraint}
		}
		return nil, err
	}
	return changeRole(ctx, s, c, "iam:UpdateAssumeRolePolicy", name, nil, func(tx store.Tx, r *iam.Role) (*sdk.UpdateAssumeRolePolicyOutput, error) {
		if err := checkTrustPrincipals(ctx, tx, doc); err != nil {
			return nil, err
		}
		r.TrustPolicy = doc
		return &sdk.UpdateAssumeRolePolicyOutput{}, nil
	})
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, c *authn.Caller, in *sdk.PutRolePermissionsBoundaryInput) (*sdk.PutRolePermissionsBoundaryOutput, error) {
	name, arn := str(in.RoleName), str(in.PermissionsBoundary)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := checkPolicyARN("permissionsBoundary", arn); err != nil {
		return nil, err
	}
	extra := map[string][]string{"iam:PermissionsBoundary": {arn}}
	return changeRole(ctx, s, c, "iam:PutRolePermissionsBoundary", name, extra, func(tx store.Tx, r *iam.Role) (*sdk.PutRolePermissionsBoundaryOutput, error) {
		if err := s.checkBoundary(ctx, tx, arn); err != nil {
			return nil, err
		}
		if err := linkBoundary(ctx, tx, account(c), r.ID, r.Boundary, arn); err != nil {
			return nil, err
		}
		r.Boundary = arn
		return &sdk.PutRolePermissionsBoundaryOutput{}, nil
	})
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, c *authn.Caller, in *sdk.DeleteRolePermissionsBoundaryInput) (*sdk.DeleteRolePermissionsBoundaryOutput, error) {
	name := str(in.RoleName)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	return changeRole(ctx, s, c, "iam:DeleteRolePermissionsBoundary", name, nil, func(tx store.Tx, r *iam.Role) (*sdk.DeleteRolePermissionsBoundaryOutput, error) {
		if err := linkBoundary(ctx, tx, account(c), r.ID, r.Boundary, ""); err != nil {
			return nil, err
		}
		r.Boundary = ""
		return &sdk.DeleteRolePermissionsBoundaryOutput{}, nil
	})
}

// DeleteRole deletes a role that is in no instance profile and has no policies.
func (s *Service) DeleteRole(ctx context.Context, c *authn.Caller, in *sdk.DeleteRoleInput) (*sdk.DeleteRoleOutput, error) {
	name := str(in.RoleName)
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, roleOwner, "iam:DeleteRole", name, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteRoleOutput, error) {
		r, _, err := load[iam.Role](ctx, tx, acct, store.KindRole, name, noSuchRole(name))
		if err != nil {
			return nil, err
		}
		if IsServiceLinkedRole(r.Path) {
			return nil, ProtectedRoleError(r.Name)
		}
		if profiles, err := tx.LinksTo(ctx, acct, store.LinkProfileRole, r.Name); err != nil {
			return nil, err
		} else if len(profiles) > 0 {
			return nil, deleteConflict("remove roles from instance profile")
		}
		if len(r.Inline) > 0 {
			return nil, deleteConflict("delete policies")
		}
		if pols, err := tx.Links(ctx, acct, store.LinkRolePolicy, r.Name); err != nil {
			return nil, err
		} else if len(pols) > 0 {
			return nil, deleteConflict("detach all policies")
		}
		if err := tx.Delete(ctx, acct, store.KindRole, r.Name); err != nil {
			return nil, err
		}
		// The boundary link starts at the role's ID, which deleting by name leaves.
		if err := linkBoundary(ctx, tx, acct, r.ID, r.Boundary, ""); err != nil {
			return nil, err
		}
		// Trust policies that named the role now name its unique ID, which no new role has.
		return &sdk.DeleteRoleOutput{}, rebindPrincipal(ctx, tx, acct, iam.RoleARN(acct, r.Path, r.Name), r.ID)
	})
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, c *authn.Caller, in *sdk.PutRolePolicyInput) (*sdk.PutRolePolicyOutput, error) {
	return &sdk.PutRolePolicyOutput{}, s.putInline(ctx, c, roleOwner, "iam:PutRolePolicy", str(in.RoleName), str(in.PolicyName), str(in.PolicyDocument))
}

// GetRolePolicy returns an inline policy of a role.
func (s *Service) GetRolePolicy(ctx context.Context, c *authn.Caller, in *sdk.GetRolePolicyInput) (*sdk.GetRolePolicyOutput, error) {
	doc, err := s.getInline(ctx, c, roleOwner, "iam:GetRolePolicy", str(in.RoleName), str(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &sdk.GetRolePolicyOutput{RoleName: in.RoleName, PolicyName: in.PolicyName, PolicyDocument: &doc}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, c *authn.Caller, in *sdk.DeleteRolePolicyInput) (*sdk.DeleteRolePolicyOutput, error) {
	return &sdk.DeleteRolePolicyOutput{}, s.deleteInline(ctx, c, roleOwner, "iam:DeleteRolePolicy", str(in.RoleName), str(in.PolicyName))
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, c *authn.Caller, in *sdk.ListRolePoliciesInput) (*sdk.ListRolePoliciesOutput, error) {
	names, next, err := s.listInline(ctx, c, roleOwner, "iam:ListRolePolicies", str(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListRolePoliciesOutput{PolicyNames: names, Marker: next, IsTruncated: next != nil}, nil
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, c *authn.Caller, in *sdk.AttachRolePolicyInput) (*sdk.AttachRolePolicyOutput, error) {
	return &sdk.AttachRolePolicyOutput{}, s.attach(ctx, c, roleOwner, "iam:AttachRolePolicy", str(in.RoleName), str(in.PolicyArn))
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, c *authn.Caller, in *sdk.DetachRolePolicyInput) (*sdk.DetachRolePolicyOutput, error) {
	return &sdk.DetachRolePolicyOutput{}, s.detach(ctx, c, roleOwner, "iam:DetachRolePolicy", str(in.RoleName), str(in.PolicyArn))
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, c *authn.Caller, in *sdk.ListAttachedRolePoliciesInput) (*sdk.ListAttachedRolePoliciesOutput, error) {
	ps, next, err := s.listAttached(ctx, c, roleOwner, "iam:ListAttachedRolePolicies", str(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListAttachedRolePoliciesOutput{AttachedPolicies: ps, Marker: next, IsTruncated: next != nil}, nil
}

// TagRole adds or replaces tags on a role.
func (s *Service) TagRole(ctx context.Context, c *authn.Caller, in *sdk.TagRoleInput) (*sdk.TagRoleOutput, error) {
	name := str(in.RoleName)
	res, cur := s.ownerResource(ctx, roleOwner, account(c), name)
	return &sdk.TagRoleOutput{}, s.tag(ctx, c, taggedRole, "iam:TagRole", name, res, cur, tagsIn(in.Tags))
}

// UntagRole removes tags from a role.
func (s *Service) UntagRole(ctx context.Context, c *authn.Caller, in *sdk.UntagRoleInput) (*sdk.UntagRoleOutput, error) {
	name := str(in.RoleName)
	res, cur := s.ownerResource(ctx, roleOwner, account(c), name)
	return &sdk.UntagRoleOutput{}, s.untag(ctx, c, taggedRole, "iam:UntagRole", name, res, cur, in.TagKeys)
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, c *authn.Caller, in *sdk.ListRoleTagsInput) (*sdk.ListRoleTagsOutput, error) {
	name := str(in.RoleName)
	res, cur := s.ownerResource(ctx, roleOwner, account(c), name)
	tags, next, err := s.listTags(ctx, c, taggedRole, "iam:ListRoleTags", name, res, cur, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListRoleTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}

// policyTagTarget is the tag table entry and stored name for a customer managed policy ARN.
func policyTagTarget(c *authn.Caller, arn string) (tagged, string, error) {
	t := taggedPolicy
	t.missing = func(string) error { return noSuchPolicy(arn) }
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return t, "", err
	}
	acct, name, _ := authz.PolicyARNParts(arn)
	if acct != account(c) {
		return t, "", noSuchPolicy(arn)
	}
	return t, name, nil
}

// TagPolicy adds or replaces tags on a customer managed policy.
func (s *Service) TagPolicy(ctx context.Context, c *authn.Caller, in *sdk.TagPolicyInput) (*sdk.TagPolicyOutput, error) {
	arn := str(in.PolicyArn)
	t, name, err := policyTagTarget(c, arn)
	if err != nil {
		return nil, err
	}
	return &sdk.TagPolicyOutput{}, s.tag(ctx, c, t, "iam:TagPolicy", name, arn, s.entityTags(ctx, account(c), t, name), tagsIn(in.Tags))
}

// UntagPolicy removes tags from a customer managed policy.
func (s *Service) UntagPolicy(ctx context.Context, c *authn.Caller, in *sdk.UntagPolicyInput) (*sdk.UntagPolicyOutput, error) {
	arn := str(in.PolicyArn)
	t, name, err := policyTagTarget(c, arn)
	if err != nil {
		return nil, err
	}
	return &sdk.UntagPolicyOutput{}, s.untag(ctx, c, t, "iam:UntagPolicy", name, arn, s.entityTags(ctx, account(c), t, name), in.TagKeys)
}

// ListPolicyTags lists a customer managed policy's tags.
func (s *Service) ListPolicyTags(ctx context.Context, c *authn.Caller, in *sdk.ListPolicyTagsInput) (*sdk.ListPolicyTagsOutput, error) {
	arn := str(in.PolicyArn)
	t, name, err := policyTagTarget(c, arn)
	if err != nil {
		return nil, err
	}
	tags, next, err := s.listTags(ctx, c, t, "iam:ListPolicyTags", name, arn, s.entityTags(ctx, account(c), t, name), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListPolicyTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}

// policyEntity is one user, group or role a managed policy is attached to (or bounds).
type policyEntity struct {
	kind     store.Kind
	name, id string
}

// ListEntitiesForPolicy lists the users, groups and roles a managed policy is attached to (or,
// with PolicyUsageFilter PermissionsBoundary, the users and roles it bounds).
func (s *Service) ListEntitiesForPolicy(ctx context.Context, c *authn.Caller, in *sdk.ListEntitiesForPolicyInput) (*sdk.ListEntitiesForPolicyOutput, error) {
	arn, prefix := str(in.PolicyArn), str(in.PathPrefix)
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return nil, err
	}
	if err := iam.CheckPathPrefix(prefix); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:ListEntitiesForPolicy", arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return nil, err
	}
	acct := account(c)
	kinds := []struct {
		kind   store.Kind
		filter types.EntityType
		link   store.LinkKind
	}{
		{store.KindUser, types.EntityTypeUser, store.LinkUserPolicy},
		{store.KindGroup, types.EntityTypeGroup, store.LinkGroupPolicy},
		{store.KindRole, types.EntityTypeRole, store.LinkRolePolicy},
	}
	boundary := in.PolicyUsageFilter == types.PolicyUsageTypePermissionsBoundary
	all, err := view(ctx, s, func(r store.Reader) (*[]policyEntity, error) {
		if _, _, err := policyByARN(ctx, r, arn); err != nil {
			return nil, err
		}
		out := []policyEntity{}
		for _, k := range kinds {
			if in.EntityFilter != "" && in.EntityFilter != k.filter {
				continue
			}
			var es []*store.Entity
			if boundary {
				if k.kind == store.KindGroup {
					continue
				}
				list, _, err := r.List(ctx, acct, k.kind, store.Page{PathPrefix: prefix})
				if err != nil {
					return nil, err
				}
				for _, e := range list {
					// Users and roles both store their boundary as "boundary".
					b, err := decode[struct {
						Boundary string `json:"boundary"`
					}](e)
					if err != nil {
						return nil, err
					}
					if b.Boundary == arn {
						es = append(es, e)
					}
				}
			} else {
				names, err := r.LinksTo(ctx, acct, k.link, arn)
				if err != nil {
					return nil, err
				}
				for _, n := range names {
					e, err := r.Get(ctx, acct, k.kind, n)
					if errors.Is(err, store.ErrNotFound) {
						continue
					} else if err != nil {
						return nil, err
					}
					if strings.HasPrefix(e.Path, prefix) {
						es = append(es, e)
					}
				}
			}
			for _, e := range es {
				out = append(out, policyEntity{kind: k.kind, name: e.Name, id: e.ID})
			}
		}
		return &out, nil
	})
	if err != nil {
		return nil, err
	}
	start, end, next, err := slicePage(len(*all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &sdk.ListEntitiesForPolicyOutput{PolicyUsers: []types.PolicyUser{}, PolicyGroups: []types.PolicyGroup{}, PolicyRoles: []types.PolicyRole{}, Marker: next, IsTruncated: next != nil}
	for _, e := range (*all)[start:end] {
		switch e.kind {
		case store.KindUser:
			out.PolicyUsers = append(out.PolicyUsers, types.PolicyUser{UserName: ptr(e.name), UserId: ptr(e.id)})
		case store.KindGroup:
			out.PolicyGroups = append(out.PolicyGroups, types.PolicyGroup{GroupName: ptr(e.name), GroupId: ptr(e.id)})
		case store.KindRole:
			out.PolicyRoles = append(out.PolicyRoles, types.PolicyRole{RoleName: ptr(e.name), RoleId: ptr(e.id)})
		}
	}
	return out, nil
}
