package iamsvc

import (
	"context"
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
	type res struct {
		arn  string
		tags []iam.Tag
	}
	r, err := view(ctx, s, func(r store.Reader) (*res, error) {
		e, err := r.Get(ctx, acct, o.kind, name)
		if err != nil {
			return nil, err
		}
		v, _, arn, err := o.open(acct, e)
		if err != nil {
			return nil, err
		}
		out := &res{arn: arn}
		switch x := v.(type) {
		case *iam.User:
			out.tags = x.Tags
		case *iam.Role:
			out.tags = x.Tags
		}
		return out, nil
	})
	if err != nil {
		switch o.kind {
		case store.KindGroup:
			return iam.GroupARN(acct, "/", name), nil
		case store.KindRole:
			return iam.RoleARN(acct, "/", name), nil
		}
		return iam.UserARN(acct, "/", name), nil
	}
	return r.arn, r.tags
}

func (s *Service) authorizeOwner(ctx context.Context, c *authn.Caller, o owner, action, name string, extra map[string][]string) error {
	arn, tags := s.ownerResource(ctx, o, account(c), name)
	return s.authorize(ctx, c, action, arn, authz.ResourceTagContext(tags, true, extra))
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
	return &sdk.PutUserPolicyOutput{}, s.putInline(ctx, c, userOwner, "iam:PutUserPolicy", str(in.UserName), str(in.PolicyName), str(in.PolicyDocument))
}

// GetUserPolicy returns an inline policy of a user.
func (s *Service) GetUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetUserPolicyInput) (*sdk.GetUserPolicyOutput, error) {
	doc, err := s.getInline(ctx, c, userOwner, "iam:GetUserPolicy", str(in.UserName), str(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &sdk.GetUserPolicyOutput{UserName: in.UserName, PolicyName: in.PolicyName, PolicyDocument: &doc}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.DeleteUserPolicyInput) (*sdk.DeleteUserPolicyOutput, error) {
	return &sdk.DeleteUserPolicyOutput{}, s.deleteInline(ctx, c, userOwner, "iam:DeleteUserPolicy", str(in.UserName), str(in.PolicyName))
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, c *authn.Caller, in *sdk.ListUserPoliciesInput) (*sdk.ListUserPoliciesOutput, error) {
	names, next, err := s.listInline(ctx, c, userOwner, "iam:ListUserPolicies", str(in.UserName), in.Marker, in.MaxItems)
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
