package iamsvc

import (
	"context"
	"maps"
	"sort"
	"strconv"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// ownerResource is the ARN an action on the owner is authorized against (the stored entity's
// path when it exists) and its tags.
func (s *Service) ownerResource(ctx context.Context, o owner, acct, name string) (string, []iam.Tag) {
	t := s.ownerTarget(ctx, o, acct, name)
	return t.arn, t.tags
}

// target is what authorizing an action on a user, group or role needs to know of it.
type target struct {
	arn      string
	tags     []iam.Tag
	boundary string // the user's or role's permissions boundary ARN; "" when it has none
}

// ownerTarget reads the owner for authorization: its ARN (the stored entity's path when it
// exists, else the default path), tags and permissions boundary.
func (s *Service) ownerTarget(ctx context.Context, o owner, acct, name string) target {
	r, err := view(ctx, s, func(r store.Reader) (*target, error) {
		e, err := r.Get(ctx, acct, o.kind, name)
		if err != nil {
			return nil, err
		}
		v, _, arn, err := o.open(acct, e)
		if err != nil {
			return nil, err
		}
		out := &target{arn: arn}
		switch x := v.(type) {
		case *iam.User:
			out.tags, out.boundary = x.Tags, x.Boundary
		case *iam.Role:
			out.tags, out.boundary = x.Tags, x.Boundary
		}
		return out, nil
	})
	if err != nil {
		switch o.kind {
		case store.KindGroup:
			return target{arn: iam.GroupARN(acct, "/", name)}
		case store.KindRole:
			return target{arn: iam.RoleARN(acct, "/", name)}
		}
		return target{arn: iam.UserARN(acct, "/", name)}
	}
	return *r
}

// boundaryKeyed are the actions on an existing user or role whose request context carries
// iam:PermissionsBoundary, the ARN of the boundary the user or role has (Service Authorization
// Reference, actions defined by IAM: the actions that list the key, less CreateUser, CreateRole
// and Put{User,Role}PermissionsBoundary, which set it to the boundary in the request). It is
// what AWS's delegated-administrator pattern keys on ("Permissions boundaries for IAM
// entities": deny changing a user's or role's policies unless it has a given boundary).
var boundaryKeyed = map[string]bool{
	"iam:AttachRolePolicy":              true,
	"iam:AttachUserPolicy":              true,
	"iam:DeleteRole":                    true,
	"iam:DeleteRolePermissionsBoundary": true,
	"iam:DeleteRolePolicy":              true,
	"iam:DeleteUserPermissionsBoundary": true,
	"iam:DeleteUserPolicy":              true,
	"iam:DetachRolePolicy":              true,
	"iam:DetachUserPolicy":              true,
	"iam:GetRole":                       true,
	"iam:PutRolePolicy":                 true,
	"iam:PutUserPolicy":                 true,
	"iam:UpdateAssumeRolePolicy":        true,
	"iam:UpdateRole":                    true,
	"iam:UpdateRoleDescription":         true,
}

// authorizeOwner authorizes action on the owner, with its tags as aws:ResourceTag and, for the
// boundaryKeyed actions, its permissions boundary (when it has one) as iam:PermissionsBoundary,
// unless extra sets that key already.
func (s *Service) authorizeOwner(ctx context.Context, c *authn.Caller, o owner, action, name string, extra map[string][]string) error {
	t := s.ownerTarget(ctx, o, account(c), name)
	if _, set := extra["iam:PermissionsBoundary"]; !set && t.boundary != "" && boundaryKeyed[action] {
		extra = withKey(maps.Clone(extra), "iam:PermissionsBoundary", t.boundary)
	}
	return s.authorize(ctx, c, action, t.arn, authz.ResourceTagContext(t.tags, true, extra))
}

func checkPolicyName(name string) error {
	return iam.CheckName("policyName", name, iam.MaxPolicyName)
}

func (s *Service) putInline(ctx context.Context, c *authn.Caller, o owner, action, name, policyName, doc string) error {
	if err := iam.CheckName(o.field, name, o.maxName); err != nil {
		return err
	}
	if err := checkPolicyName(policyName); err != nil {
		return err
	}
	if err := checkDocumentField(doc); err != nil {
		return err
	}
	if _, err := parsePolicy(doc, policy.Identity); err != nil {
		return err
	}
	return s.editInline(ctx, c, o, action, name, func(inline *[]iam.InlinePolicy) error {
		next := []iam.InlinePolicy{}
		total := policy.Size(doc)
		for _, p := range *inline {
			if p.Name != policyName {
				next = append(next, p)
				total += policy.Size(p.Document)
			}
		}
		if limit := s.limits.Get(o.maxInline); int64(total) > limit {
			return &iam.LimitError{Message: "Maximum policy size of " + strconv.FormatInt(limit, 10) + " bytes exceeded for " + o.noun + " " + name, Quota: "InlinePolicySize"}
		}
		next = append(next, iam.InlinePolicy{Name: policyName, Document: doc})
		sort.Slice(next, func(i, j int) bool { return next[i].Name < next[j].Name })
		*inline = next
		return nil
	})
}

// editInline authorizes action on the owner and runs fn on its inline policies in a write
// transaction.
func (s *Service) editInline(ctx context.Context, c *authn.Caller, o owner, action, name string, fn func(inline *[]iam.InlinePolicy) error) error {
	if err := s.authorizeOwner(ctx, c, o, action, name, nil); err != nil {
		return err
	}
	acct := account(c)
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		e, err := tx.Get(ctx, acct, o.kind, name)
		if err != nil {
			return nil, o.missing(name)
		}
		v, inline, _, err := o.open(acct, e)
		if err != nil {
			return nil, err
		}
		if err := protected(v); err != nil {
			return nil, err
		}
		if err := fn(inline); err != nil {
			return nil, err
		}
		return &struct{}{}, save(ctx, tx, e, v)
	})
	return err
}

// checkDocumentField enforces the PolicyDocument member's length (1–131072) and character set.
func checkDocumentField(doc string) error {
	if len(doc) == 0 {
		return &iam.FieldError{Field: "policyDocument", Value: doc, Constraint: "Member must have length greater than or equal to 1"}
	}
	if len(doc) > 131072 {
		return &iam.FieldError{Field: "policyDocument", Value: doc, Constraint: "Member must have length less than or equal to 131072"}
	}
	return nil
}

func (s *Service) getInline(ctx context.Context, c *authn.Caller, o owner, action, name, policyName string) (string, error) {
	if err := iam.CheckName(o.field, name, o.maxName); err != nil {
		return "", err
	}
	if err := checkPolicyName(policyName); err != nil {
		return "", err
	}
	if err := s.authorizeOwner(ctx, c, o, action, name, nil); err != nil {
		return "", err
	}
	acct := account(c)
	doc, err := view(ctx, s, func(r store.Reader) (*string, error) {
		e, err := r.Get(ctx, acct, o.kind, name)
		if err != nil {
			return nil, o.missing(name)
		}
		_, inline, _, err := o.open(acct, e)
		if err != nil {
			return nil, err
		}
		for _, p := range *inline {
			if p.Name == policyName {
				return &p.Document, nil
			}
		}
		return nil, iam.Errorf(iam.CodeNoSuchEntity, "The %s policy with name %s cannot be found.", o.noun, policyName)
	})
	if err != nil {
		return "", err
	}
	return *doc, nil
}

func (s *Service) deleteInline(ctx context.Context, c *authn.Caller, o owner, action, name, policyName string) error {
	if err := iam.CheckName(o.field, name, o.maxName); err != nil {
		return err
	}
	if err := checkPolicyName(policyName); err != nil {
		return err
	}
	return s.editInline(ctx, c, o, action, name, func(inline *[]iam.InlinePolicy) error {
		for i, p := range *inline {
			if p.Name == policyName {
				*inline = append((*inline)[:i], (*inline)[i+1:]...)
				return nil
			}
		}
		return iam.Errorf(iam.CodeNoSuchEntity, "The %s policy with name %s cannot be found.", o.noun, policyName)
	})
}

func (s *Service) listInline(ctx context.Context, c *authn.Caller, o owner, action, name string, marker *string, maxItems *int32) ([]string, *string, error) {
	if err := iam.CheckName(o.field, name, o.maxName); err != nil {
		return nil, nil, err
	}
	if err := checkPaging(marker, maxItems); err != nil {
		return nil, nil, err
	}
	if err := s.authorizeOwner(ctx, c, o, action, name, nil); err != nil {
		return nil, nil, err
	}
	acct := account(c)
	names, err := view(ctx, s, func(r store.Reader) (*[]string, error) {
		e, err := r.Get(ctx, acct, o.kind, name)
		if err != nil {
			return nil, o.missing(name)
		}
		_, inline, _, err := o.open(acct, e)
		if err != nil {
			return nil, err
		}
		out := []string{}
		for _, p := range *inline {
			out = append(out, p.Name)
		}
		return &out, nil
	})
	if err != nil {
		return nil, nil, err
	}
	start, end, next, err := slicePage(len(*names), marker, maxItems)
	if err != nil {
		return nil, nil, err
	}
	return (*names)[start:end], next, nil
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.PutUserPolicyInput) (*sdk.PutUserPolicyOutput, error) {
	return &sdk.PutUserPolicyOutput{}, s.putInline(ctx, c, inlineUserOwner, "iam:PutUserPolicy", str(in.UserName), str(in.PolicyName), str(in.PolicyDocument))
}

// GetUserPolicy returns an inline policy of a user.
func (s *Service) GetUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetUserPolicyInput) (*sdk.GetUserPolicyOutput, error) {
	doc, err := s.getInline(ctx, c, inlineUserOwner, "iam:GetUserPolicy", str(in.UserName), str(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &sdk.GetUserPolicyOutput{UserName: in.UserName, PolicyName: in.PolicyName, PolicyDocument: &doc}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.DeleteUserPolicyInput) (*sdk.DeleteUserPolicyOutput, error) {
	return &sdk.DeleteUserPolicyOutput{}, s.deleteInline(ctx, c, inlineUserOwner, "iam:DeleteUserPolicy", str(in.UserName), str(in.PolicyName))
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, c *authn.Caller, in *sdk.ListUserPoliciesInput) (*sdk.ListUserPoliciesOutput, error) {
	names, next, err := s.listInline(ctx, c, inlineUserOwner, "iam:ListUserPolicies", str(in.UserName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListUserPoliciesOutput{PolicyNames: names, Marker: next, IsTruncated: next != nil}, nil
}

// protected refuses changes to a service-linked role's policies.
func protected(v any) error {
	if r, ok := v.(*iam.Role); ok && IsServiceLinkedRole(r.Path) {
		return ProtectedRoleError(r.Name)
	}
	return nil
}
