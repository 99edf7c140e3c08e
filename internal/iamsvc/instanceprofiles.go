package iamsvc

import (
	"context"
	"errors"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

func noSuchProfile(name string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "Instance Profile %s cannot be found.", name)
}

func checkProfileName(name string) error {
	return iam.CheckName("instanceProfileName", name, iam.MaxInstanceProfileName)
}

// profileOut builds an instance profile with its roles (loaded from the store).
func profileOut(ctx context.Context, r store.Reader, acct string, p *iam.InstanceProfile) (*types.InstanceProfile, error) {
	names, err := r.Links(ctx, acct, store.LinkProfileRole, p.Name)
	if err != nil {
		return nil, err
	}
	out := &types.InstanceProfile{
		InstanceProfileName: ptr(p.Name),
		InstanceProfileId:   ptr(p.ID),
		Path:                ptr(p.Path),
		Arn:                 ptr(iam.InstanceProfileARN(acct, p.Path, p.Name)),
		CreateDate:          ptr(p.Created),
		Roles:               []types.Role{},
		Tags:                tagsOut(p.Tags),
	}
	for _, n := range names {
		role, _, err := load[iam.Role](ctx, r, acct, store.KindRole, n, noSuchRole(n))
		if err != nil {
			return nil, err
		}
		out.Roles = append(out.Roles, *roleListed(acct, role))
	}
	return out, nil
}

// profileResource is the ARN an instance profile action is authorized against: the stored
// profile's (with its path), or one with the default path when it does not exist; and the
// profile's tags (none when it does not exist).
func (s *Service) profileResource(ctx context.Context, acct, name string) (string, []iam.Tag) {
	p, err := view(ctx, s, func(r store.Reader) (*iam.InstanceProfile, error) {
		p, _, err := load[iam.InstanceProfile](ctx, r, acct, store.KindInstanceProfile, name, noSuchProfile(name))
		return p, err
	})
	if err != nil {
		return iam.InstanceProfileARN(acct, "/", name), nil
	}
	return iam.InstanceProfileARN(acct, p.Path, p.Name), p.Tags
}

func (s *Service) authorizeProfile(ctx context.Context, c *authn.Caller, action, name string) error {
	acct := account(c)
	res, cur := s.profileResource(ctx, acct, name)
	return s.authorize(ctx, c, action, res, resourceTagContextOf(taggedProfile.kind, cur, nil))
}

// CreateInstanceProfile creates an instance profile (without a role).
func (s *Service) CreateInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.CreateInstanceProfileInput) (*sdk.CreateInstanceProfileOutput, error) {
	name, path := str(in.InstanceProfileName), str(in.Path)
	if path == "" {
		path = "/"
	}
	if err := checkProfileName(name); err != nil {
		return nil, err
	}
	if err := iam.CheckPath("path", path); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("InstanceProfile", tags, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := iam.InstanceProfileARN(acct, path, name)
	if err := s.authorize(ctx, c, "iam:CreateInstanceProfile", arn, tagContext(tags)); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagInstanceProfile", arn, tagContext(tags)); err != nil {
			return nil, err
		}
	}
	id, err := s.newID("AIPA")
	if err != nil {
		return nil, err
	}
	p := &iam.InstanceProfile{Name: name, ID: id, Path: path, Created: s.nowUTC(), Tags: tags}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateInstanceProfileOutput, error) {
		e := &store.Entity{Account: acct, Kind: store.KindInstanceProfile, Name: name, ID: id, Path: path, Created: p.Created}
		if err := s.createCounted(ctx, tx, iam.QuotaInstanceProfiles, e, p, iam.Errorf(iam.CodeEntityAlreadyExists, "Instance Profile %s already exists.", name)); err != nil {
			return nil, err
		}
		out, err := profileOut(ctx, tx, acct, p)
		if err != nil {
			return nil, err
		}
		return &sdk.CreateInstanceProfileOutput{InstanceProfile: out}, nil
	})
}

// GetInstanceProfile returns an instance profile with its role.
func (s *Service) GetInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.GetInstanceProfileInput) (*sdk.GetInstanceProfileOutput, error) {
	name := str(in.InstanceProfileName)
	if err := checkProfileName(name); err != nil {
		return nil, err
	}
	if err := s.authorizeProfile(ctx, c, "iam:GetInstanceProfile", name); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.GetInstanceProfileOutput, error) {
		p, _, err := load[iam.InstanceProfile](ctx, r, acct, store.KindInstanceProfile, name, noSuchProfile(name))
		if err != nil {
			return nil, err
		}
		out, err := profileOut(ctx, r, acct, p)
		if err != nil {
			return nil, err
		}
		return &sdk.GetInstanceProfileOutput{InstanceProfile: out}, nil
	})
}

// ListInstanceProfiles lists instance profiles, optionally under a path prefix.
func (s *Service) ListInstanceProfiles(ctx context.Context, c *authn.Caller, in *sdk.ListInstanceProfilesInput) (*sdk.ListInstanceProfilesOutput, error) {
	acct := account(c)
	profiles, next, err := listKind(ctx, s, c, "iam:ListInstanceProfiles", iam.InstanceProfileARN(acct, "/", "*"), store.KindInstanceProfile, in.PathPrefix, in.Marker, in.MaxItems,
		func(r store.Reader, ip *iam.InstanceProfile) (types.InstanceProfile, error) {
			po, err := profileOut(ctx, r, acct, ip)
			if err != nil {
				return types.InstanceProfile{}, err
			}
			po.Tags = nil
			return *po, nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.ListInstanceProfilesOutput{InstanceProfiles: profiles, Marker: next, IsTruncated: next != nil}, nil
}

// ListInstanceProfilesForRole lists the instance profiles that hold a role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, c *authn.Caller, in *sdk.ListInstanceProfilesForRoleInput) (*sdk.ListInstanceProfilesForRoleOutput, error) {
	role := str(in.RoleName)
	if err := checkRoleName(role); err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, roleOwner, "iam:ListInstanceProfilesForRole", role, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.ListInstanceProfilesForRoleOutput, error) {
		ro, _, err := load[iam.Role](ctx, r, acct, store.KindRole, role, noSuchRole(role))
		if err != nil {
			return nil, err
		}
		names, err := r.LinksTo(ctx, acct, store.LinkProfileRole, ro.Name)
		if err != nil {
			return nil, err
		}
		start, end, next, err := slicePage(len(names), in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		out := &sdk.ListInstanceProfilesForRoleOutput{InstanceProfiles: []types.InstanceProfile{}, Marker: next, IsTruncated: next != nil}
		for _, n := range names[start:end] {
			ip, _, err := load[iam.InstanceProfile](ctx, r, acct, store.KindInstanceProfile, n, noSuchProfile(n))
			if err != nil {
				return nil, err
			}
			po, err := profileOut(ctx, r, acct, ip)
			if err != nil {
				return nil, err
			}
			po.Tags = nil
			out.InstanceProfiles = append(out.InstanceProfiles, *po)
		}
		return out, nil
	})
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.DeleteInstanceProfileInput) (*sdk.DeleteInstanceProfileOutput, error) {
	name := str(in.InstanceProfileName)
	if err := checkProfileName(name); err != nil {
		return nil, err
	}
	if err := s.authorizeProfile(ctx, c, "iam:DeleteInstanceProfile", name); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteInstanceProfileOutput, error) {
		p, _, err := load[iam.InstanceProfile](ctx, tx, acct, store.KindInstanceProfile, name, noSuchProfile(name))
		if err != nil {
			return nil, err
		}
		if roles, err := tx.Links(ctx, acct, store.LinkProfileRole, p.Name); err != nil {
			return nil, err
		} else if len(roles) > 0 {
			return nil, deleteConflict("remove roles from instance profile")
		}
		return &sdk.DeleteInstanceProfileOutput{}, tx.Delete(ctx, acct, store.KindInstanceProfile, p.Name)
	})
}

// profileRole loads the instance profile and role of an Add/RemoveRole call.
func profileRole(ctx context.Context, r store.Reader, acct, profile, role string) (*iam.InstanceProfile, *iam.Role, error) {
	return loadPair[iam.InstanceProfile, iam.Role](ctx, r, acct, store.KindInstanceProfile, profile, noSuchProfile(profile), store.KindRole, role, noSuchRole(role))
}

func checkProfileRole(profile, role string) error {
	if err := checkProfileName(profile); err != nil {
		return err
	}
	return checkRoleName(role)
}

// AddRoleToInstanceProfile puts a role into an instance profile (which holds at most one). As
// in AWS, the caller also needs iam:PassRole on the role.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.AddRoleToInstanceProfileInput) (*sdk.AddRoleToInstanceProfileOutput, error) {
	profile, role := str(in.InstanceProfileName), str(in.RoleName)
	if err := checkProfileRole(profile, role); err != nil {
		return nil, err
	}
	if err := s.authorizeProfile(ctx, c, "iam:AddRoleToInstanceProfile", profile); err != nil {
		return nil, err
	}
	acct := account(c)
	if err := s.authorizeOwner(ctx, c, roleOwner, "iam:PassRole", role, map[string][]string{"iam:PassedToService": {"ec2.amazonaws.com"}}); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.AddRoleToInstanceProfileOutput, error) {
		p, ro, err := profileRole(ctx, tx, acct, profile, role)
		if err != nil {
			return nil, err
		}
		roles, err := tx.Links(ctx, acct, store.LinkProfileRole, p.Name)
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaRolesPerInstanceProfile, len(roles)) {
			return nil, s.limits.Exceeded(iam.QuotaRolesPerInstanceProfile)
		}
		return &sdk.AddRoleToInstanceProfileOutput{}, tx.Link(ctx, acct, store.LinkProfileRole, p.Name, ro.Name)
	})
}

// RemoveRoleFromInstanceProfile takes the role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.RemoveRoleFromInstanceProfileInput) (*sdk.RemoveRoleFromInstanceProfileOutput, error) {
	profile, role := str(in.InstanceProfileName), str(in.RoleName)
	if err := checkProfileRole(profile, role); err != nil {
		return nil, err
	}
	if err := s.authorizeProfile(ctx, c, "iam:RemoveRoleFromInstanceProfile", profile); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.RemoveRoleFromInstanceProfileOutput, error) {
		p, ro, err := profileRole(ctx, tx, acct, profile, role)
		if err != nil {
			return nil, err
		}
		if err := tx.Unlink(ctx, acct, store.LinkProfileRole, p.Name, ro.Name); errors.Is(err, store.ErrNotFound) {
			return nil, noSuchRole(role)
		} else if err != nil {
			return nil, err
		}
		return &sdk.RemoveRoleFromInstanceProfileOutput{}, nil
	})
}

// TagInstanceProfile adds or replaces tags on an instance profile.
func (s *Service) TagInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.TagInstanceProfileInput) (*sdk.TagInstanceProfileOutput, error) {
	name := str(in.InstanceProfileName)
	res, cur := s.profileResource(ctx, account(c), name)
	return &sdk.TagInstanceProfileOutput{}, s.tag(ctx, c, taggedProfile, "iam:TagInstanceProfile", name, res, cur, tagsIn(in.Tags))
}

// UntagInstanceProfile removes tags from an instance profile.
func (s *Service) UntagInstanceProfile(ctx context.Context, c *authn.Caller, in *sdk.UntagInstanceProfileInput) (*sdk.UntagInstanceProfileOutput, error) {
	name := str(in.InstanceProfileName)
	res, cur := s.profileResource(ctx, account(c), name)
	return &sdk.UntagInstanceProfileOutput{}, s.untag(ctx, c, taggedProfile, "iam:UntagInstanceProfile", name, res, cur, in.TagKeys)
}

// ListInstanceProfileTags lists an instance profile's tags.
func (s *Service) ListInstanceProfileTags(ctx context.Context, c *authn.Caller, in *sdk.ListInstanceProfileTagsInput) (*sdk.ListInstanceProfileTagsOutput, error) {
	name := str(in.InstanceProfileName)
	res, cur := s.profileResource(ctx, account(c), name)
	tags, next, err := s.listTags(ctx, c, taggedProfile, "iam:ListInstanceProfileTags", name, res, cur, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListInstanceProfileTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}
