package iamsvc

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// tagged is an entity kind with tags: how to reach its tag list and how to name it in errors.
type tagged struct {
	kind    store.Kind
	entity  string // "User", "Role", "Policy", "InstanceProfile" (quota names)
	field   string // wire member ("userName")
	max     int
	missing func(string) error
	tags    func(e *store.Entity) (any, *[]iam.Tag, error)
}

// taggedUser names an existing user: TagUser, UntagUser and ListUserTags take the model's
// existingUserNameType (up to 128 characters; a longer-than-64 name is then NoSuchEntity).
var taggedUser = tagged{store.KindUser, "User", "userName", iam.MaxExistingUserName, noSuchUser, func(e *store.Entity) (any, *[]iam.Tag, error) {
	u, err := decode[iam.User](e)
	if err != nil {
		return nil, nil, err
	}
	return u, &u.Tags, nil
}}

// checkName checks an entity name; kinds named by something else than an IAM name (OIDC
// providers, named by their URL) set max 0 and check their names themselves.
func (t tagged) checkName(name string) error {
	if t.max == 0 {
		return nil
	}
	return iam.CheckName(t.field, name, t.max)
}

// entityTags is the tags of t's entity name in account acct as stored now: none when it does
// not exist or cannot be read (authorization then runs without them, and the operation itself
// reports the entity missing).
func (s *Service) entityTags(ctx context.Context, acct string, t tagged, name string) []iam.Tag {
	tags, err := view(ctx, s, func(r store.Reader) (*[]iam.Tag, error) {
		e, err := r.Get(ctx, acct, t.kind, name)
		if err != nil {
			return nil, err
		}
		_, cur, err := t.tags(e)
		return cur, err
	})
	if err != nil || tags == nil {
		return nil
	}
	return *tags
}

// entityTagContext is the request context of an action on t's entity name in account acct:
// extra plus the entity's current tags (see resourceTagContextOf).
func (s *Service) entityTagContext(ctx context.Context, acct string, t tagged, name string, extra map[string][]string) map[string][]string {
	return resourceTagContextOf(t.kind, s.entityTags(ctx, acct, t, name), extra)
}

// resourceTagContextOf is extra plus an existing entity's tags (authz.ResourceTagContext, with
// the iam: keys for users and roles).
func resourceTagContextOf(kind store.Kind, tags []iam.Tag, extra map[string][]string) map[string][]string {
	return authz.ResourceTagContext(tags, kind == store.KindUser || kind == store.KindRole, extra)
}

// policyTagContext is entityTagContext for the managed policy arn (of any account; AWS
// managed policies have no tags).
func (s *Service) policyTagContext(ctx context.Context, arn string, extra map[string][]string) map[string][]string {
	var tags []iam.Tag
	p, err := view(ctx, s, func(r store.Reader) (*iam.ManagedPolicy, error) {
		p, _, err := policyByARN(ctx, r, arn)
		return p, err
	})
	if err == nil {
		tags = p.Tags
	}
	return resourceTagContextOf(store.KindPolicy, tags, extra)
}

// tag adds or replaces tags on t's entity name; cur is the entity's current tags as the caller
// read them with its ARN (nil when it does not exist), for the request context.
func (s *Service) tag(ctx context.Context, c *authn.Caller, t tagged, action, name, arn string, cur, tags []iam.Tag) error {
	if err := t.checkName(name); err != nil {
		return err
	}
	if err := iam.CheckTags(t.entity, tags, nil); err != nil {
		return err
	}
	acct := account(c)
	if err := s.authorize(ctx, c, action, arn, resourceTagContextOf(t.kind, cur, tagContext(tags))); err != nil {
		return err
	}
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		e, err := tx.Get(ctx, acct, t.kind, name)
		if err != nil {
			return nil, t.missing(name)
		}
		v, cur, err := t.tags(e)
		if err != nil {
			return nil, err
		}
		if err := iam.CheckTags(t.entity, tags, *cur); err != nil {
			return nil, err
		}
		*cur = iam.MergeTags(*cur, tags)
		return &struct{}{}, save(ctx, tx, e, v)
	})
	return err
}

// untag removes tags by key. The keys are checked as the model's tagKeyListType says (at most
// 50, each a tag key) before anything else, as AWS validates a request against its model first.
// cur is the entity's current tags, as for tag.
func (s *Service) untag(ctx context.Context, c *authn.Caller, t tagged, action, name, arn string, cur []iam.Tag, keys []string) error {
	if err := t.checkName(name); err != nil {
		return err
	}
	if err := iam.CheckTagKeys(keys); err != nil {
		return err
	}
	acct := account(c)
	if err := s.authorize(ctx, c, action, arn, resourceTagContextOf(t.kind, cur, map[string][]string{"aws:TagKeys": keys})); err != nil {
		return err
	}
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		e, err := tx.Get(ctx, acct, t.kind, name)
		if err != nil {
			return nil, t.missing(name)
		}
		v, cur, err := t.tags(e)
		if err != nil {
			return nil, err
		}
		*cur = iam.RemoveTags(*cur, keys)
		return &struct{}{}, save(ctx, tx, e, v)
	})
	return err
}

// listTags lists t's entity name's tags; cur is the entity's current tags, as for tag.
func (s *Service) listTags(ctx context.Context, c *authn.Caller, t tagged, action, name, arn string, cur []iam.Tag, marker *string, maxItems *int32) ([]types.Tag, *string, error) {
	if err := t.checkName(name); err != nil {
		return nil, nil, err
	}
	if err := checkPaging(marker, maxItems); err != nil {
		return nil, nil, err
	}
	acct := account(c)
	if err := s.authorize(ctx, c, action, arn, resourceTagContextOf(t.kind, cur, nil)); err != nil {
		return nil, nil, err
	}
	var tags []iam.Tag
	_, err := view(ctx, s, func(r store.Reader) (*struct{}, error) {
		e, err := r.Get(ctx, acct, t.kind, name)
		if err != nil {
			return nil, t.missing(name)
		}
		_, cur, err := t.tags(e)
		if err != nil {
			return nil, err
		}
		tags = *cur
		return nil, nil
	})
	if err != nil {
		return nil, nil, err
	}
	start, end, next, err := slicePage(len(tags), marker, maxItems)
	if err != nil {
		return nil, nil, err
	}
	out := tagsOut(tags[start:end])
	if out == nil {
		out = []types.Tag{}
	}
	return out, next, nil
}

// userTags is the tags of a user userResource read: none when it does not exist (u nil).
func userTags(u *iam.User) []iam.Tag {
	if u == nil {
		return nil
	}
	return u.Tags
}

// TagUser adds or replaces tags on a user.
func (s *Service) TagUser(ctx context.Context, c *authn.Caller, in *sdk.TagUserInput) (*sdk.TagUserOutput, error) {
	name := str(in.UserName)
	res, u := s.userResource(ctx, account(c), name)
	return &sdk.TagUserOutput{}, s.tag(ctx, c, taggedUser, "iam:TagUser", name, res, userTags(u), tagsIn(in.Tags))
}

// UntagUser removes tags from a user.
func (s *Service) UntagUser(ctx context.Context, c *authn.Caller, in *sdk.UntagUserInput) (*sdk.UntagUserOutput, error) {
	name := str(in.UserName)
	res, u := s.userResource(ctx, account(c), name)
	return &sdk.UntagUserOutput{}, s.untag(ctx, c, taggedUser, "iam:UntagUser", name, res, userTags(u), in.TagKeys)
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, c *authn.Caller, in *sdk.ListUserTagsInput) (*sdk.ListUserTagsOutput, error) {
	name := str(in.UserName)
	res, u := s.userResource(ctx, account(c), name)
	tags, next, err := s.listTags(ctx, c, taggedUser, "iam:ListUserTags", name, res, userTags(u), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListUserTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}

var taggedRole = tagged{store.KindRole, "Role", "roleName", iam.MaxRoleName, noSuchRole, func(e *store.Entity) (any, *[]iam.Tag, error) {
	r, err := decode[iam.Role](e)
	if err != nil {
		return nil, nil, err
	}
	return r, &r.Tags, nil
}}

var taggedPolicy = tagged{store.KindPolicy, "Policy", "policyName", iam.MaxPolicyName, nil, func(e *store.Entity) (any, *[]iam.Tag, error) {
	p, err := decode[iam.ManagedPolicy](e)
	if err != nil {
		return nil, nil, err
	}
	return p, &p.Tags, nil
}}

var taggedProfile = tagged{store.KindInstanceProfile, "InstanceProfile", "instanceProfileName", iam.MaxInstanceProfileName, noSuchProfile, func(e *store.Entity) (any, *[]iam.Tag, error) {
	p, err := decode[iam.InstanceProfile](e)
	if err != nil {
		return nil, nil, err
	}
	return p, &p.Tags, nil
}}
