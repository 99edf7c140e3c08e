package iamsvc

import (
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// owner describes an entity that holds inline policies and attached managed policies: users,
// groups and roles share the same operations, parameterised by this table.
type owner struct {
	kind      store.Kind
	noun      string // "user", "group", "role" (messages)
	field     string // wire member of the name ("userName")
	maxName   int
	maxInline iam.QuotaID // aggregate inline policy size, characters without whitespace
	maxAttach iam.QuotaID // managed policies attached
	link      store.LinkKind
	missing   func(string) error
	// open decodes the entity and returns it, its inline policies and its ARN.
	open func(acct string, e *store.Entity) (v any, inline *[]iam.InlinePolicy, arn string, err error)
}

func noSuchGroup(name string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The group with name %s cannot be found.", name)
}

func noSuchRole(name string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The role with name %s cannot be found.", name)
}

var (
	// userOwner is a user as the managed-policy and permissions-boundary calls name it
	// (Attach/Detach/ListAttachedUserPolicies, Put/DeleteUserPermissionsBoundary): the model's
	// userNameType, up to 64 characters.
	userOwner = owner{store.KindUser, "user", "userName", iam.MaxUserName, iam.QuotaUserPolicySize, iam.QuotaPoliciesPerUser, store.LinkUserPolicy, noSuchUser,
		func(acct string, e *store.Entity) (any, *[]iam.InlinePolicy, string, error) {
			u, err := decode[iam.User](e)
			if err != nil {
				return nil, nil, "", err
			}
			return u, &u.Inline, iam.UserARN(acct, u.Path, u.Name), nil
		}}
	// inlineUserOwner is a user as the inline-policy calls name it (Put/Get/Delete/
	// ListUserPolicies): the model's existingUserNameType, up to 128 characters, so a
	// longer-than-64 name is NoSuchEntity rather than a ValidationError.
	inlineUserOwner = withMaxName(userOwner, iam.MaxExistingUserName)
	groupOwner      = owner{store.KindGroup, "group", "groupName", iam.MaxGroupName, iam.QuotaGroupPolicySize, iam.QuotaPoliciesPerGroup, store.LinkGroupPolicy, noSuchGroup,
		func(acct string, e *store.Entity) (any, *[]iam.InlinePolicy, string, error) {
			g, err := decode[iam.Group](e)
			if err != nil {
				return nil, nil, "", err
			}
			return g, &g.Inline, iam.GroupARN(acct, g.Path, g.Name), nil
		}}
	roleOwner = owner{store.KindRole, "role", "roleName", iam.MaxRoleName, iam.QuotaRolePolicySize, iam.QuotaPoliciesPerRole, store.LinkRolePolicy, noSuchRole,
		func(acct string, e *store.Entity) (any, *[]iam.InlinePolicy, string, error) {
			r, err := decode[iam.Role](e)
			if err != nil {
				return nil, nil, "", err
			}
			return r, &r.Inline, iam.RoleARN(acct, r.Path, r.Name), nil
		}}
)

// withMaxName is o naming its entity with up to max characters.
func withMaxName(o owner, max int) owner {
	o.maxName = max
	return o
}
