package iamsvc

import (
	"context"
	"errors"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

func groupOut(acct string, g *iam.Group) *types.Group {
	return &types.Group{
		GroupName:  ptr(g.Name),
		GroupId:    ptr(g.ID),
		Path:       ptr(g.Path),
		Arn:        ptr(iam.GroupARN(acct, g.Path, g.Name)),
		CreateDate: ptr(g.Created),
	}
}

func groupExists(name string) error {
	return iam.Errorf(iam.CodeEntityAlreadyExists, "Group with name %s already exists.", name)
}

// deleteConflict is AWS's DeleteConflict for an entity that still has what (for example
// "remove users from group").
func deleteConflict(what string) error {
	return iam.Errorf(iam.CodeDeleteConflict, "Cannot delete entity, must %s first.", what)
}

func checkGroupName(field, name string) error {
	return iam.CheckName(field, name, iam.MaxGroupName)
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, c *authn.Caller, in *sdk.CreateGroupInput) (*sdk.CreateGroupOutput, error) {
	name, path := str(in.GroupName), str(in.Path)
	if path == "" {
		path = "/"
	}
	if err := checkGroupName("groupName", name); err != nil {
		return nil, err
	}
	if err := iam.CheckPath("path", path); err != nil {
		return nil, err
	}
	acct := account(c)
	if err := s.authorize(ctx, c, "iam:CreateGroup", iam.GroupARN(acct, path, name), nil); err != nil {
		return nil, err
	}
	id, err := s.newID("AGPA")
	if err != nil {
		return nil, err
	}
	g := &iam.Group{Name: name, ID: id, Path: path, Created: s.nowUTC()}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateGroupOutput, error) {
		e := &store.Entity{Account: acct, Kind: store.KindGroup, Name: name, ID: id, Path: path, Created: g.Created}
		if err := s.createCounted(ctx, tx, iam.QuotaGroups, e, g, groupExists(name)); err != nil {
			return nil, err
		}
		return &sdk.CreateGroupOutput{Group: groupOut(acct, g)}, nil
	})
}

// GetGroup returns a group and a page of its members.
func (s *Service) GetGroup(ctx context.Context, c *authn.Caller, in *sdk.GetGroupInput) (*sdk.GetGroupOutput, error) {
	name := str(in.GroupName)
	if err := checkGroupName("groupName", name); err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, groupOwner, "iam:GetGroup", name, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.GetGroupOutput, error) {
		g, _, err := load[iam.Group](ctx, r, acct, store.KindGroup, name, noSuchGroup(name))
		if err != nil {
			return nil, err
		}
		members, err := r.Links(ctx, acct, store.LinkMember, g.Name)
		if err != nil {
			return nil, err
		}
		start, end, next, err := slicePage(len(members), in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		out := &sdk.GetGroupOutput{Group: groupOut(acct, g), Users: []types.User{}, Marker: next, IsTruncated: next != nil}
		for _, m := range members[start:end] {
			u, _, err := load[iam.User](ctx, r, acct, store.KindUser, m, noSuchUser(m))
			if err != nil {
				return nil, err
			}
			uo := userOut(acct, u)
			uo.Tags, uo.PermissionsBoundary = nil, nil
			out.Users = append(out.Users, *uo)
		}
		return out, nil
	})
}

// groupsOut loads the named groups for output.
func groupsOut(ctx context.Context, r store.Reader, acct string, names []string) ([]types.Group, error) {
	out := []types.Group{}
	for _, n := range names {
		g, _, err := load[iam.Group](ctx, r, acct, store.KindGroup, n, noSuchGroup(n))
		if err != nil {
			return nil, err
		}
		out = append(out, *groupOut(acct, g))
	}
	return out, nil
}

// ListGroups lists groups, optionally under a path prefix.
func (s *Service) ListGroups(ctx context.Context, c *authn.Caller, in *sdk.ListGroupsInput) (*sdk.ListGroupsOutput, error) {
	acct := account(c)
	groups, next, err := listKind(ctx, s, c, "iam:ListGroups", iam.GroupARN(acct, "/", "*"), store.KindGroup, in.PathPrefix, in.Marker, in.MaxItems,
		func(_ store.Reader, g *iam.Group) (types.Group, error) { return *groupOut(acct, g), nil })
	if err != nil {
		return nil, err
	}
	return &sdk.ListGroupsOutput{Groups: groups, Marker: next, IsTruncated: next != nil}, nil
}

// listKind serves a List* call over one entity kind: AWS's path prefix and pagination, the
// caller authorized for action on resource (the kind's wildcard ARN), and each entity turned
// into an output item by conv.
func listKind[T, O any](ctx context.Context, s *Service, c *authn.Caller, action, resource string, kind store.Kind,
	pathPrefix, marker *string, maxItems *int32, conv func(r store.Reader, v *T) (O, error),
) ([]O, *string, error) {
	p, err := page(pathPrefix, marker, maxItems)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(ctx, c, action, resource, nil); err != nil {
		return nil, nil, err
	}
	type result struct {
		items []O
		next  *string
	}
	res, err := view(ctx, s, func(r store.Reader) (*result, error) {
		es, next, err := r.List(ctx, account(c), kind, p)
		if err != nil {
			return nil, err
		}
		out := &result{items: []O{}}
		for _, e := range es {
			v, err := decode[T](e)
			if err != nil {
				return nil, err
			}
			o, err := conv(r, v)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, o)
		}
		out.next, _ = nextMarker(next)
		return out, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return res.items, res.next, nil
}

// ListGroupsForUser lists the groups a user belongs to.
func (s *Service) ListGroupsForUser(ctx context.Context, c *authn.Caller, in *sdk.ListGroupsForUserInput) (*sdk.ListGroupsForUserOutput, error) {
	user := str(in.UserName)
	if err := checkExistingUser(user); err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:ListGroupsForUser", user, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.ListGroupsForUserOutput, error) {
		u, _, err := load[iam.User](ctx, r, acct, store.KindUser, user, noSuchUser(user))
		if err != nil {
			return nil, err
		}
		names, err := r.LinksTo(ctx, acct, store.LinkMember, u.Name)
		if err != nil {
			return nil, err
		}
		start, end, next, err := slicePage(len(names), in.Marker, in.MaxItems)
		if err != nil {
			return nil, err
		}
		groups, err := groupsOut(ctx, r, acct, names[start:end])
		if err != nil {
			return nil, err
		}
		return &sdk.ListGroupsForUserOutput{Groups: groups, Marker: next, IsTruncated: next != nil}, nil
	})
}

// UpdateGroup renames a group or moves it to another path, keeping its members, inline
// policies and attachments. The caller needs iam:UpdateGroup on both the old and the new group.
func (s *Service) UpdateGroup(ctx context.Context, c *authn.Caller, in *sdk.UpdateGroupInput) (*sdk.UpdateGroupOutput, error) {
	name := str(in.GroupName)
	if err := checkGroupName("groupName", name); err != nil {
		return nil, err
	}
	if in.NewGroupName != nil {
		if err := checkGroupName("newGroupName", *in.NewGroupName); err != nil {
			return nil, err
		}
	}
	if in.NewPath != nil {
		if err := iam.CheckPath("newPath", *in.NewPath); err != nil {
			return nil, err
		}
	}
	acct := account(c)
	oldARN, _ := s.ownerResource(ctx, groupOwner, acct, name)
	if err := s.authorize(ctx, c, "iam:UpdateGroup", oldARN, nil); err != nil {
		return nil, err
	}
	if in.NewGroupName != nil || in.NewPath != nil {
		newName, newPath := name, pathOfARN(oldARN)
		if in.NewGroupName != nil {
			newName = *in.NewGroupName
		}
		if in.NewPath != nil {
			newPath = *in.NewPath
		}
		if err := s.authorize(ctx, c, "iam:UpdateGroup", iam.GroupARN(acct, newPath, newName), nil); err != nil {
			return nil, err
		}
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateGroupOutput, error) {
		g, e, err := load[iam.Group](ctx, tx, acct, store.KindGroup, name, noSuchGroup(name))
		if err != nil {
			return nil, err
		}
		if in.NewPath != nil {
			g.Path = *in.NewPath
			e.Path = g.Path
		}
		if in.NewGroupName == nil || *in.NewGroupName == g.Name {
			return &sdk.UpdateGroupOutput{}, save(ctx, tx, e, g)
		}
		newName := *in.NewGroupName
		// Rename: recreate under the new name and move every link.
		members, err := tx.Links(ctx, acct, store.LinkMember, g.Name)
		if err != nil {
			return nil, err
		}
		pols, err := tx.Links(ctx, acct, store.LinkGroupPolicy, g.Name)
		if err != nil {
			return nil, err
		}
		if err := tx.Delete(ctx, acct, store.KindGroup, g.Name); err != nil {
			return nil, err
		}
		g.Name = newName
		ne := &store.Entity{Account: acct, Kind: store.KindGroup, Name: newName, ID: g.ID, Path: g.Path, Created: e.Created}
		if err := create(ctx, tx, ne, g, groupExists(newName)); err != nil {
			return nil, err
		}
		for _, links := range []struct {
			kind store.LinkKind
			to   []string
		}{{store.LinkMember, members}, {store.LinkGroupPolicy, pols}} {
			for _, to := range links.to {
				if err := tx.Link(ctx, acct, links.kind, newName, to); err != nil {
					return nil, err
				}
			}
		}
		return &sdk.UpdateGroupOutput{}, nil
	})
}

// pathOfARN is the IAM path of an entity ARN ("arn:aws:iam::1:group/a/b/name" → "/a/b/").
func pathOfARN(arn string) string {
	i := strings.IndexByte(arn, '/')
	j := strings.LastIndexByte(arn, '/')
	if i < 0 || i == j {
		return "/"
	}
	return arn[i : j+1]
}

// DeleteGroup deletes a group without members, inline policies or attached policies.
func (s *Service) DeleteGroup(ctx context.Context, c *authn.Caller, in *sdk.DeleteGroupInput) (*sdk.DeleteGroupOutput, error) {
	name := str(in.GroupName)
	if err := checkGroupName("groupName", name); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, groupOwner, "iam:DeleteGroup", name, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteGroupOutput, error) {
		g, _, err := load[iam.Group](ctx, tx, acct, store.KindGroup, name, noSuchGroup(name))
		if err != nil {
			return nil, err
		}
		if members, err := tx.Links(ctx, acct, store.LinkMember, g.Name); err != nil {
			return nil, err
		} else if len(members) > 0 {
			return nil, deleteConflict("remove users from group")
		}
		if len(g.Inline) > 0 {
			return nil, deleteConflict("delete policies")
		}
		if pols, err := tx.Links(ctx, acct, store.LinkGroupPolicy, g.Name); err != nil {
			return nil, err
		} else if len(pols) > 0 {
			return nil, deleteConflict("detach all policies")
		}
		return &sdk.DeleteGroupOutput{}, tx.Delete(ctx, acct, store.KindGroup, g.Name)
	})
}

// loadPair loads the two entities a call links or unlinks (a group and a user, an instance
// profile and a role), each with its own error when it does not exist.
func loadPair[A, B any](ctx context.Context, r store.Reader, acct string, ka store.Kind, a string, missingA error, kb store.Kind, b string, missingB error) (*A, *B, error) {
	x, _, err := load[A](ctx, r, acct, ka, a, missingA)
	if err != nil {
		return nil, nil, err
	}
	y, _, err := load[B](ctx, r, acct, kb, b, missingB)
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// membership loads the group and user of an AddUserToGroup/RemoveUserFromGroup call.
func membership(ctx context.Context, r store.Reader, acct, group, user string) (*iam.Group, *iam.User, error) {
	return loadPair[iam.Group, iam.User](ctx, r, acct, store.KindGroup, group, noSuchGroup(group), store.KindUser, user, noSuchUser(user))
}

// checkMembership checks the names of an AddUserToGroup/RemoveUserFromGroup call; the user is
// the model's existingUserNameType (up to 128 characters).
func checkMembership(group, user string) error {
	if err := checkGroupName("groupName", group); err != nil {
		return err
	}
	return checkExistingUser(user)
}

// AddUserToGroup adds a user to a group (at most the GroupsPerUser quota of groups per user).
func (s *Service) AddUserToGroup(ctx context.Context, c *authn.Caller, in *sdk.AddUserToGroupInput) (*sdk.AddUserToGroupOutput, error) {
	group, user := str(in.GroupName), str(in.UserName)
	if err := checkMembership(group, user); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, groupOwner, "iam:AddUserToGroup", group, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.AddUserToGroupOutput, error) {
		g, u, err := membership(ctx, tx, acct, group, user)
		if err != nil {
			return nil, err
		}
		groups, err := tx.LinksTo(ctx, acct, store.LinkMember, u.Name)
		if err != nil {
			return nil, err
		}
		for _, x := range groups {
			if strings.EqualFold(x, g.Name) {
				return &sdk.AddUserToGroupOutput{}, nil
			}
		}
		if s.limits.Reached(iam.QuotaGroupsPerUser, len(groups)) {
			return nil, s.limits.Exceeded(iam.QuotaGroupsPerUser)
		}
		return &sdk.AddUserToGroupOutput{}, tx.Link(ctx, acct, store.LinkMember, g.Name, u.Name)
	})
}

// RemoveUserFromGroup removes a user from a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, c *authn.Caller, in *sdk.RemoveUserFromGroupInput) (*sdk.RemoveUserFromGroupOutput, error) {
	group, user := str(in.GroupName), str(in.UserName)
	if err := checkMembership(group, user); err != nil {
		return nil, err
	}
	if err := s.authorizeOwner(ctx, c, groupOwner, "iam:RemoveUserFromGroup", group, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.RemoveUserFromGroupOutput, error) {
		g, u, err := membership(ctx, tx, acct, group, user)
		if err != nil {
			return nil, err
		}
		if err := tx.Unlink(ctx, acct, store.LinkMember, g.Name, u.Name); errors.Is(err, store.ErrNotFound) {
			return nil, noSuchUser(user)
		} else if err != nil {
			return nil, err
		}
		return &sdk.RemoveUserFromGroupOutput{}, nil
	})
}

// PutGroupPolicy adds or replaces an inline policy of a group.
func (s *Service) PutGroupPolicy(ctx context.Context, c *authn.Caller, in *sdk.PutGroupPolicyInput) (*sdk.PutGroupPolicyOutput, error) {
	return &sdk.PutGroupPolicyOutput{}, s.putInline(ctx, c, groupOwner, "iam:PutGroupPolicy", str(in.GroupName), str(in.PolicyName), str(in.PolicyDocument))
}

// GetGroupPolicy returns an inline policy of a group.
func (s *Service) GetGroupPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetGroupPolicyInput) (*sdk.GetGroupPolicyOutput, error) {
	doc, err := s.getInline(ctx, c, groupOwner, "iam:GetGroupPolicy", str(in.GroupName), str(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &sdk.GetGroupPolicyOutput{GroupName: in.GroupName, PolicyName: in.PolicyName, PolicyDocument: &doc}, nil
}

// DeleteGroupPolicy deletes an inline policy of a group.
func (s *Service) DeleteGroupPolicy(ctx context.Context, c *authn.Caller, in *sdk.DeleteGroupPolicyInput) (*sdk.DeleteGroupPolicyOutput, error) {
	return &sdk.DeleteGroupPolicyOutput{}, s.deleteInline(ctx, c, groupOwner, "iam:DeleteGroupPolicy", str(in.GroupName), str(in.PolicyName))
}

// ListGroupPolicies lists the names of a group's inline policies.
func (s *Service) ListGroupPolicies(ctx context.Context, c *authn.Caller, in *sdk.ListGroupPoliciesInput) (*sdk.ListGroupPoliciesOutput, error) {
	names, next, err := s.listInline(ctx, c, groupOwner, "iam:ListGroupPolicies", str(in.GroupName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListGroupPoliciesOutput{PolicyNames: names, Marker: next, IsTruncated: next != nil}, nil
}

// AttachGroupPolicy attaches a managed policy to a group.
func (s *Service) AttachGroupPolicy(ctx context.Context, c *authn.Caller, in *sdk.AttachGroupPolicyInput) (*sdk.AttachGroupPolicyOutput, error) {
	return &sdk.AttachGroupPolicyOutput{}, s.attach(ctx, c, groupOwner, "iam:AttachGroupPolicy", str(in.GroupName), str(in.PolicyArn))
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Service) DetachGroupPolicy(ctx context.Context, c *authn.Caller, in *sdk.DetachGroupPolicyInput) (*sdk.DetachGroupPolicyOutput, error) {
	return &sdk.DetachGroupPolicyOutput{}, s.detach(ctx, c, groupOwner, "iam:DetachGroupPolicy", str(in.GroupName), str(in.PolicyArn))
}

// ListAttachedGroupPolicies lists the managed policies attached to a group.
func (s *Service) ListAttachedGroupPolicies(ctx context.Context, c *authn.Caller, in *sdk.ListAttachedGroupPoliciesInput) (*sdk.ListAttachedGroupPoliciesOutput, error) {
	ps, next, err := s.listAttached(ctx, c, groupOwner, "iam:ListAttachedGroupPolicies", str(in.GroupName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListAttachedGroupPoliciesOutput{AttachedPolicies: ps, Marker: next, IsTruncated: next != nil}, nil
}
