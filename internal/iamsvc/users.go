package iamsvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

func noSuchUser(name string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The user with name %s cannot be found.", name)
}

func tagsIn(in []types.Tag) []iam.Tag {
	out := make([]iam.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, iam.Tag{Key: str(t.Key), Value: str(t.Value)})
	}
	return out
}

func tagsOut(in []iam.Tag) []types.Tag {
	if len(in) == 0 {
		return nil
	}
	out := make([]types.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, types.Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}

// tagContext is aws:RequestTag/* and aws:TagKeys for a request that adds tags.
func tagContext(tags []iam.Tag) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string][]string{}
	var keys []string
	for _, t := range tags {
		m["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	m["aws:TagKeys"] = keys
	return m
}

func userOut(acct string, u *iam.User) *types.User {
	out := &types.User{
		UserName:   ptr(u.Name),
		UserId:     ptr(u.ID),
		Path:       ptr(u.Path),
		Arn:        ptr(iam.UserARN(acct, u.Path, u.Name)),
		CreateDate: ptr(u.Created),
		Tags:       tagsOut(u.Tags),
	}
	if u.Boundary != "" {
		out.PermissionsBoundary = &types.AttachedPermissionsBoundary{
			PermissionsBoundaryArn:  ptr(u.Boundary),
			PermissionsBoundaryType: types.PermissionsBoundaryAttachmentTypePolicy,
		}
	}
	if !u.PasswordLastUsed.IsZero() {
		out.PasswordLastUsed = ptr(u.PasswordLastUsed)
	}
	return out
}

// userResource is the ARN a user action is authorized against: the stored user's, or one with
// the default path when the user does not exist (so that authorization never reveals existence).
func (s *Service) userResource(ctx context.Context, acct, name string) (string, *iam.User) {
	u, err := view(ctx, s, func(r store.Reader) (*iam.User, error) {
		u, _, err := load[iam.User](ctx, r, acct, store.KindUser, name, noSuchUser(name))
		return u, err
	})
	return userARN(acct, name, u, err)
}

// userARN is userResource's result for a user read with error err.
func userARN(acct, name string, u *iam.User, err error) (string, *iam.User) {
	if err != nil {
		return iam.UserARN(acct, "/", name), nil
	}
	return iam.UserARN(acct, u.Path, u.Name), u
}

func (s *Service) authorizeUser(ctx context.Context, c *authn.Caller, action, name string, extra map[string][]string) error {
	_, err := s.authorizeLoadUser(ctx, c, action, name, extra)
	return err
}

// authorizeLoadUser authorizes action on the user and returns the user as read for the decision
// (nil when it does not exist), so that read-only operations need no second read.
func (s *Service) authorizeLoadUser(ctx context.Context, c *authn.Caller, action, name string, extra map[string][]string) (*iam.User, error) {
	res, u := s.userResource(ctx, account(c), name)
	return s.authorizeUserAt(ctx, c, action, res, u, extra)
}

// authorizeUserAt authorizes action on user u (nil when it does not exist) at ARN res.
func (s *Service) authorizeUserAt(ctx context.Context, c *authn.Caller, action, res string, u *iam.User, extra map[string][]string) (*iam.User, error) {
	var tags []iam.Tag
	if u != nil {
		tags = u.Tags
	}
	return u, s.authorize(ctx, c, action, res, authz.ResourceTagContext(tags, true, extra))
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, c *authn.Caller, in *sdk.CreateUserInput) (*sdk.CreateUserOutput, error) {
	name, path := str(in.UserName), str(in.Path)
	if path == "" {
		path = "/"
	}
	if err := iam.CheckName("userName", name, iam.MaxUserName); err != nil {
		return nil, err
	}
	if err := iam.CheckPath("path", path); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("User", tags, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	extra := tagContext(tags)
	if in.PermissionsBoundary != nil {
		extra = withKey(extra, "iam:PermissionsBoundary", *in.PermissionsBoundary)
	}
	if err := s.authorize(ctx, c, "iam:CreateUser", iam.UserARN(acct, path, name), extra); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagUser", iam.UserARN(acct, path, name), extra); err != nil {
			return nil, err
		}
	}
	id, err := s.newID("AIDA")
	if err != nil {
		return nil, err
	}
	u := &iam.User{Name: name, ID: id, Path: path, Created: s.nowUTC(), Tags: tags}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateUserOutput, error) {
		if in.PermissionsBoundary != nil {
			if err := s.checkBoundary(ctx, tx, *in.PermissionsBoundary); err != nil {
				return nil, err
			}
			u.Boundary = *in.PermissionsBoundary
		}
		e := &store.Entity{Account: acct, Kind: store.KindUser, Name: name, ID: id, Path: path, Created: u.Created}
		if err := s.createCounted(ctx, tx, iam.QuotaUsers, e, u, iam.Errorf(iam.CodeEntityAlreadyExists, "User with name %s already exists.", name)); err != nil {
			return nil, err
		}
		if err := linkBoundary(ctx, tx, acct, id, "", u.Boundary); err != nil {
			return nil, err
		}
		return &sdk.CreateUserOutput{User: userOut(acct, u)}, nil
	})
}

func withKey(m map[string][]string, k string, v ...string) map[string][]string {
	if m == nil {
		m = map[string][]string{}
	}
	m[k] = v
	return m
}

// checkExistingUser checks the UserName of an operation on a user that already exists: the
// model's existingUserNameType, 1–128 characters of [\w+=,.@-]+. A name of 65–128 characters
// passes and names no user (CreateUser's userNameType stops at 64), so the call answers
// NoSuchEntity where AWS does, not a ValidationError.
func checkExistingUser(name string) error {
	return iam.CheckName("userName", name, iam.MaxExistingUserName)
}

// existingKeyOwner is keyOwner for the credential calls whose UserName is existingUserNameType
// (the signing certificate calls; the model gives the SSH key and service-specific credential
// calls userNameType): the named user, else the caller itself ("" for the root user).
func existingKeyOwner(c *authn.Caller, userName *string) (string, error) {
	if n := str(userName); n != "" {
		return n, checkExistingUser(n)
	}
	return keyOwner(c, nil)
}

// GetUser returns a user, or the caller itself when no name is given.
func (s *Service) GetUser(ctx context.Context, c *authn.Caller, in *sdk.GetUserInput) (*sdk.GetUserOutput, error) {
	acct := account(c)
	name := str(in.UserName)
	if name == "" {
		if c.IsRoot() {
			return &sdk.GetUserOutput{User: &types.User{UserId: ptr(acct), Arn: ptr(c.Principal.ARN), CreateDate: ptr(s.accountCreated(ctx, acct))}}, nil
		}
		if c.UserName == "" {
			return nil, iam.Errorf(iam.CodeValidationError, "Must specify userName when calling with non-User credentials")
		}
		name = c.UserName
	}
	if err := checkExistingUser(name); err != nil {
		return nil, err
	}
	// The user comes from the cache (no store read when it was read since the last change); it
	// is shared, and only copied from below.
	u, err := s.cachedUser(ctx, acct, name)
	res, u := userARN(acct, name, u, err)
	u, err = s.authorizeUserAt(ctx, c, "iam:GetUser", res, u, nil)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, noSuchUser(name)
	}
	return &sdk.GetUserOutput{User: userOut(acct, u)}, nil
}

func (s *Service) accountCreated(ctx context.Context, acct string) (t time.Time) {
	a, err := view(ctx, s, func(r store.Reader) (*iam.Account, error) {
		a, _, err := load[iam.Account](ctx, r, acct, store.KindAccount, acct, errors.New("no account"))
		return a, err
	})
	if err == nil {
		t = a.Created
	}
	return t
}

// ListUsers lists users, optionally under a path prefix.
func (s *Service) ListUsers(ctx context.Context, c *authn.Caller, in *sdk.ListUsersInput) (*sdk.ListUsersOutput, error) {
	acct := account(c)
	users, next, err := listKind(ctx, s, c, "iam:ListUsers", iam.UserARN(acct, "/", "*"), store.KindUser, in.PathPrefix, in.Marker, in.MaxItems,
		func(_ store.Reader, u *iam.User) (types.User, error) {
			uo := userOut(acct, u)
			uo.Tags, uo.PermissionsBoundary = nil, nil // ListUsers returns neither
			return *uo, nil
		})
	if err != nil {
		return nil, err
	}
	return &sdk.ListUsersOutput{Users: users, Marker: next, IsTruncated: next != nil}, nil
}

// checkRename checks the inputs of an Update* call that renames an entity or moves it to another
// path: the name (at most max characters), the new name ("new" + field, at most maxNew) and the
// new path. The bounds differ for users: UpdateUser's UserName is the model's
// existingUserNameType (128), its NewUserName userNameType (64).
func checkRename(field, name string, newName, newPath *string, max, maxNew int) error {
	if err := iam.CheckName(field, name, max); err != nil {
		return err
	}
	if newName != nil {
		if err := iam.CheckName("new"+strings.ToUpper(field[:1])+field[1:], *newName, maxNew); err != nil {
			return err
		}
	}
	if newPath != nil {
		return iam.CheckPath("newPath", *newPath)
	}
	return nil
}

// UpdateUser renames a user or moves it to another path.
func (s *Service) UpdateUser(ctx context.Context, c *authn.Caller, in *sdk.UpdateUserInput) (*sdk.UpdateUserOutput, error) {
	name := str(in.UserName)
	if err := checkRename("userName", name, in.NewUserName, in.NewPath, iam.MaxExistingUserName, iam.MaxUserName); err != nil {
		return nil, err
	}
	acct := account(c)
	srcARN, cur := s.userResource(ctx, acct, name)
	if _, err := s.authorizeUserAt(ctx, c, "iam:UpdateUser", srcARN, cur, nil); err != nil {
		return nil, err
	}
	// A rename or move needs the permission on the target too (API Reference, UpdateUser: "the
	// requester must have appropriate permissions on both the source object and the target
	// object"), as UpdateGroup and UpdateServerCertificate check.
	if in.NewUserName != nil || in.NewPath != nil {
		newName, newPath := name, pathOfARN(srcARN)
		if cur != nil {
			newName = cur.Name
		}
		if in.NewUserName != nil {
			newName = *in.NewUserName
		}
		if in.NewPath != nil {
			newPath = *in.NewPath
		}
		if newARN := iam.UserARN(acct, newPath, newName); newARN != srcARN {
			if _, err := s.authorizeUserAt(ctx, c, "iam:UpdateUser", newARN, cur, nil); err != nil {
				return nil, err
			}
		}
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateUserOutput, error) {
		u, e, err := load[iam.User](ctx, tx, acct, store.KindUser, name, noSuchUser(name))
		if err != nil {
			return nil, err
		}
		// Trust policies that name the user follow it to its new name and path, as in AWS.
		oldARN := iam.UserARN(acct, u.Path, u.Name)
		newName := u.Name
		if in.NewUserName != nil {
			newName = *in.NewUserName
		}
		if in.NewPath != nil {
			u.Path = *in.NewPath
			e.Path = u.Path
		}
		if newARN := iam.UserARN(acct, u.Path, newName); newARN != oldARN {
			if err := rebindPrincipal(ctx, tx, acct, oldARN, newARN); err != nil {
				return nil, err
			}
		}
		if in.NewUserName == nil || *in.NewUserName == u.Name {
			return &sdk.UpdateUserOutput{}, save(ctx, tx, e, u)
		}
		// Rename: recreate under the new name and move every link.
		groups, err := tx.LinksTo(ctx, acct, store.LinkMember, u.Name)
		if err != nil {
			return nil, err
		}
		pols, err := tx.Links(ctx, acct, store.LinkUserPolicy, u.Name)
		if err != nil {
			return nil, err
		}
		keys, err := tx.Links(ctx, acct, store.LinkUserKey, u.Name)
		if err != nil {
			return nil, err
		}
		if err := tx.Delete(ctx, acct, store.KindUser, u.Name); err != nil {
			return nil, err
		}
		u.Name = newName
		ne := &store.Entity{Account: acct, Kind: store.KindUser, Name: newName, ID: u.ID, Path: u.Path, Created: e.Created}
		if err := create(ctx, tx, ne, u, iam.Errorf(iam.CodeEntityAlreadyExists, "User with name %s already exists.", newName)); err != nil {
			return nil, err
		}
		for _, g := range groups {
			if err := tx.Link(ctx, acct, store.LinkMember, g, newName); err != nil {
				return nil, err
			}
		}
		for _, p := range pols {
			if err := tx.Link(ctx, acct, store.LinkUserPolicy, newName, p); err != nil {
				return nil, err
			}
		}
		for _, k := range keys {
			if err := tx.Link(ctx, acct, store.LinkUserKey, newName, k); err != nil {
				return nil, err
			}
			ke, err := tx.Get(ctx, "", store.KindAccessKey, k)
			if err != nil {
				return nil, err
			}
			key, err := decode[iam.AccessKey](ke)
			if err != nil {
				return nil, err
			}
			key.User = newName
			if err := save(ctx, tx, ke, key); err != nil {
				return nil, err
			}
		}
		return &sdk.UpdateUserOutput{}, nil
	})
}

// DeleteUser deletes a user that has nothing attached, as AWS requires.
func (s *Service) DeleteUser(ctx context.Context, c *authn.Caller, in *sdk.DeleteUserInput) (*sdk.DeleteUserOutput, error) {
	name := str(in.UserName)
	if err := checkExistingUser(name); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:DeleteUser", name, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteUserOutput, error) {
		u, _, err := load[iam.User](ctx, tx, acct, store.KindUser, name, noSuchUser(name))
		if err != nil {
			return nil, err
		}
		conflict := func(what string) error {
			return iam.Errorf(iam.CodeDeleteConflict, "Cannot delete entity, must %s first.", what)
		}
		if keys, err := tx.Links(ctx, acct, store.LinkUserKey, u.Name); err != nil {
			return nil, err
		} else if len(keys) > 0 {
			return nil, conflict("delete access keys")
		}
		if len(u.Inline) > 0 {
			return nil, conflict("delete policies")
		}
		if u.Login != nil {
			return nil, conflict("delete login profile")
		}
		if pols, err := tx.Links(ctx, acct, store.LinkUserPolicy, u.Name); err != nil {
			return nil, err
		} else if len(pols) > 0 {
			return nil, conflict("detach all policies")
		}
		if groups, err := tx.LinksTo(ctx, acct, store.LinkMember, u.Name); err != nil {
			return nil, err
		} else if len(groups) > 0 {
			return nil, conflict("remove users from group")
		}
		// SSH keys, signing certificates and service-specific credentials link from the user's ID.
		for _, l := range []struct {
			kind store.LinkKind
			what string
		}{{store.LinkUserSigningCert, "delete signing certificates"}, {store.LinkUserSSHKey, "delete SSH public keys"}, {store.LinkUserServiceCred, "delete service-specific credentials"}} {
			if ids, err := tx.Links(ctx, acct, l.kind, u.ID); err != nil {
				return nil, err
			} else if len(ids) > 0 {
				return nil, conflict(l.what)
			}
		}
		if mfa, err := tx.Links(ctx, acct, store.LinkUserMFA, u.Name); err != nil {
			return nil, err
		} else if len(mfa) > 0 {
			return nil, conflict("delete MFA device")
		}
		if err := tx.Delete(ctx, acct, store.KindUser, u.Name); err != nil {
			return nil, err
		}
		// The boundary link starts at the user's ID, which deleting by name leaves.
		if err := linkBoundary(ctx, tx, acct, u.ID, u.Boundary, ""); err != nil {
			return nil, err
		}
		// Trust policies that named the user now name its unique ID, which no new user has.
		if err := rebindPrincipal(ctx, tx, acct, iam.UserARN(acct, u.Path, u.Name), u.ID); err != nil {
			return nil, err
		}
		return &sdk.DeleteUserOutput{}, nil
	})
}

func decode[T any](e *store.Entity) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(e.Data, v); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", e.Kind, e.Name, err)
	}
	return v, nil
}
