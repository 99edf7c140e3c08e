package iamsvc

import (
	"context"
	"errors"
	"slices"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/store"
)

func noSuchOIDCProvider(arn string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "OpenIDConnect Provider not found for arn %s", arn)
}

// oidcTarget is the provider an operation names by ARN.
type oidcTarget struct {
	acct, name, arn string
}

// oidcArg checks an OpenIDConnectProviderArn and authorizes action on it. A provider ARN of
// another account names no provider of the caller's. With tagOp the authorization is left to the
// shared tag code (which also loads the provider).
func (s *Service) oidcArg(ctx context.Context, c *authn.Caller, action string, arnIn *string, tagOp bool) (oidcTarget, error) {
	arn := str(arnIn)
	if len(arn) < 20 {
		return oidcTarget{}, &iam.FieldError{Field: "openIDConnectProviderArn", Value: arn, Constraint: "Member must have length greater than or equal to 20"}
	}
	if len(arn) > 2048 {
		return oidcTarget{}, &iam.FieldError{Field: "openIDConnectProviderArn", Value: arn, Constraint: "Member must have length less than or equal to 2048"}
	}
	acct, name, ok := oidc.NameFromARN(arn)
	if !tagOp || !ok || acct != account(c) {
		var tags map[string][]string
		if ok && acct == account(c) {
			tags = s.entityTagContext(ctx, acct, taggedOIDC(arn), name, nil)
		}
		if err := s.authorize(ctx, c, action, arn, tags); err != nil {
			return oidcTarget{}, err
		}
	}
	if !ok {
		return oidcTarget{}, iam.Errorf(iam.CodeInvalidInput, "ARN %s is not valid.", arn)
	}
	if acct != account(c) {
		return oidcTarget{}, noSuchOIDCProvider(arn)
	}
	return oidcTarget{acct: acct, name: name, arn: arn}, nil
}

// updateOIDC loads the provider, lets fn change it, and saves it, all in one mutation.
func updateOIDC[T any](ctx context.Context, s *Service, t oidcTarget, out *T, fn func(p *oidc.Provider) error) (*T, error) {
	return mutate(ctx, s, func(tx store.Tx) (*T, error) {
		p, e, err := load[oidc.Provider](ctx, tx, t.acct, store.KindOIDCProvider, t.name, noSuchOIDCProvider(t.arn))
		if err != nil {
			return nil, err
		}
		if err := fn(p); err != nil {
			return nil, err
		}
		return out, save(ctx, tx, e, p)
	})
}

// CreateOpenIDConnectProvider registers an OpenID Connect identity provider.
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.CreateOpenIDConnectProviderInput) (*sdk.CreateOpenIDConnectProviderOutput, error) {
	raw := str(in.Url)
	name, err := oidc.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	if err := oidc.CheckThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	if err := oidc.CheckClientIDs(in.ClientIDList); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("OpenIDConnectProvider", tags, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := oidc.ARN(acct, name)
	if err := s.authorize(ctx, c, "iam:CreateOpenIDConnectProvider", arn, tagContext(tags)); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.authorize(ctx, c, "iam:TagOpenIDConnectProvider", arn, tagContext(tags)); err != nil {
			return nil, err
		}
	}
	p := &oidc.Provider{Name: name, ClientIDs: dedupe(in.ClientIDList), Thumbprints: dedupe(in.ThumbprintList), Created: s.nowUTC(), Tags: tags}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateOpenIDConnectProviderOutput, error) {
		n, err := tx.Count(ctx, acct, store.KindOIDCProvider)
		if err != nil {
			return nil, err
		}
		if s.limits.Reached(iam.QuotaOIDCProviders, n) {
			return nil, s.limits.Exceeded(iam.QuotaOIDCProviders)
		}
		e := &store.Entity{Account: acct, Kind: store.KindOIDCProvider, Name: name, Path: "/", Created: p.Created}
		if err := create(ctx, tx, e, p, iam.Errorf(iam.CodeEntityAlreadyExists, "Provider with url %s already exists.", raw)); err != nil {
			return nil, err
		}
		return &sdk.CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: ptr(arn), Tags: tagsOut(tags)}, nil
	})
}

// dedupe drops repeated values, keeping the first occurrence's order (AWS keeps each client ID
// and thumbprint once).
func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// GetOpenIDConnectProvider returns a provider's URL (without its scheme, as AWS returns it),
// client IDs, thumbprints and tags.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.GetOpenIDConnectProviderInput) (*sdk.GetOpenIDConnectProviderOutput, error) {
	t, err := s.oidcArg(ctx, c, "iam:GetOpenIDConnectProvider", in.OpenIDConnectProviderArn, false)
	if err != nil {
		return nil, err
	}
	return view(ctx, s, func(r store.Reader) (*sdk.GetOpenIDConnectProviderOutput, error) {
		p, _, err := load[oidc.Provider](ctx, r, t.acct, store.KindOIDCProvider, t.name, noSuchOIDCProvider(t.arn))
		if err != nil {
			return nil, err
		}
		return &sdk.GetOpenIDConnectProviderOutput{Url: ptr(p.Name), ClientIDList: nonNil(p.ClientIDs), ThumbprintList: nonNil(p.Thumbprints),
			CreateDate: ptr(p.Created), Tags: tagsOut(p.Tags)}, nil
	})
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

// ListOpenIDConnectProviders lists the account's providers' ARNs (the API has no paging).
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, c *authn.Caller, in *sdk.ListOpenIDConnectProvidersInput) (*sdk.ListOpenIDConnectProvidersOutput, error) {
	if err := s.authorize(ctx, c, "iam:ListOpenIDConnectProviders", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.ListOpenIDConnectProvidersOutput, error) {
		out := &sdk.ListOpenIDConnectProvidersOutput{OpenIDConnectProviderList: []types.OpenIDConnectProviderListEntry{}}
		p := store.Page{Limit: 1000}
		for {
			es, next, err := r.List(ctx, acct, store.KindOIDCProvider, p)
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, types.OpenIDConnectProviderListEntry{Arn: ptr(oidc.ARN(acct, e.Name))})
			}
			if next == "" {
				return out, nil
			}
			p.Marker = next
		}
	})
}

// DeleteOpenIDConnectProvider deletes a provider. As in AWS, deleting one that does not exist
// succeeds.
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.DeleteOpenIDConnectProviderInput) (*sdk.DeleteOpenIDConnectProviderOutput, error) {
	t, err := s.oidcArg(ctx, c, "iam:DeleteOpenIDConnectProvider", in.OpenIDConnectProviderArn, false)
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Code == iam.CodeNoSuchEntity {
		return &sdk.DeleteOpenIDConnectProviderOutput{}, nil
	}
	if err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteOpenIDConnectProviderOutput, error) {
		err := tx.Delete(ctx, t.acct, store.KindOIDCProvider, t.name)
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		return &sdk.DeleteOpenIDConnectProviderOutput{}, err
	})
}

// AddClientIDToOpenIDConnectProvider adds a client ID (audience); adding one already there
// changes nothing.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.AddClientIDToOpenIDConnectProviderInput) (*sdk.AddClientIDToOpenIDConnectProviderOutput, error) {
	id := str(in.ClientID)
	if err := oidc.CheckClientID(id); err != nil {
		return nil, err
	}
	t, err := s.oidcArg(ctx, c, "iam:AddClientIDToOpenIDConnectProvider", in.OpenIDConnectProviderArn, false)
	if err != nil {
		return nil, err
	}
	return updateOIDC(ctx, s, t, &sdk.AddClientIDToOpenIDConnectProviderOutput{}, func(p *oidc.Provider) error {
		if slices.Contains(p.ClientIDs, id) {
			return nil
		}
		if err := oidc.CheckClientIDs(append(slices.Clone(p.ClientIDs), id)); err != nil {
			return err
		}
		p.ClientIDs = append(p.ClientIDs, id)
		return nil
	})
}

// RemoveClientIDFromOpenIDConnectProvider removes a client ID; removing one that is not there
// changes nothing.
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.RemoveClientIDFromOpenIDConnectProviderInput) (*sdk.RemoveClientIDFromOpenIDConnectProviderOutput, error) {
	id := str(in.ClientID)
	if err := oidc.CheckClientID(id); err != nil {
		return nil, err
	}
	t, err := s.oidcArg(ctx, c, "iam:RemoveClientIDFromOpenIDConnectProvider", in.OpenIDConnectProviderArn, false)
	if err != nil {
		return nil, err
	}
	return updateOIDC(ctx, s, t, &sdk.RemoveClientIDFromOpenIDConnectProviderOutput{}, func(p *oidc.Provider) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(v string) bool { return v == id })
		return nil
	})
}

// UpdateOpenIDConnectProviderThumbprint replaces a provider's thumbprint list.
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, c *authn.Caller, in *sdk.UpdateOpenIDConnectProviderThumbprintInput) (*sdk.UpdateOpenIDConnectProviderThumbprintOutput, error) {
	if err := oidc.CheckThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	t, err := s.oidcArg(ctx, c, "iam:UpdateOpenIDConnectProviderThumbprint", in.OpenIDConnectProviderArn, false)
	if err != nil {
		return nil, err
	}
	return updateOIDC(ctx, s, t, &sdk.UpdateOpenIDConnectProviderThumbprintOutput{}, func(p *oidc.Provider) error {
		p.Thumbprints = dedupe(in.ThumbprintList)
		return nil
	})
}

// taggedOIDC reaches a provider's tags; its names are checked by oidcArg (max 0).
func taggedOIDC(arn string) tagged {
	return tagged{store.KindOIDCProvider, "OpenIDConnectProvider", "openIDConnectProviderArn", 0,
		func(string) error { return noSuchOIDCProvider(arn) },
		func(e *store.Entity) (any, *[]iam.Tag, error) {
			p, err := decode[oidc.Provider](e)
			if err != nil {
				return nil, nil, err
			}
			return p, &p.Tags, nil
		}}
}

// TagOpenIDConnectProvider adds or replaces tags on a provider.
func (s *Service) TagOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.TagOpenIDConnectProviderInput) (*sdk.TagOpenIDConnectProviderOutput, error) {
	t, err := s.oidcArg(ctx, c, "iam:TagOpenIDConnectProvider", in.OpenIDConnectProviderArn, true)
	if err != nil {
		return nil, err
	}
	return &sdk.TagOpenIDConnectProviderOutput{}, s.tag(ctx, c, taggedOIDC(t.arn), "iam:TagOpenIDConnectProvider", t.name, t.arn, s.entityTags(ctx, account(c), taggedOIDC(t.arn), t.name), tagsIn(in.Tags))
}

// UntagOpenIDConnectProvider removes tags from a provider.
func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, c *authn.Caller, in *sdk.UntagOpenIDConnectProviderInput) (*sdk.UntagOpenIDConnectProviderOutput, error) {
	t, err := s.oidcArg(ctx, c, "iam:UntagOpenIDConnectProvider", in.OpenIDConnectProviderArn, true)
	if err != nil {
		return nil, err
	}
	return &sdk.UntagOpenIDConnectProviderOutput{}, s.untag(ctx, c, taggedOIDC(t.arn), "iam:UntagOpenIDConnectProvider", t.name, t.arn, s.entityTags(ctx, account(c), taggedOIDC(t.arn), t.name), in.TagKeys)
}

// ListOpenIDConnectProviderTags lists a provider's tags.
func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, c *authn.Caller, in *sdk.ListOpenIDConnectProviderTagsInput) (*sdk.ListOpenIDConnectProviderTagsOutput, error) {
	t, err := s.oidcArg(ctx, c, "iam:ListOpenIDConnectProviderTags", in.OpenIDConnectProviderArn, true)
	if err != nil {
		return nil, err
	}
	tags, next, err := s.listTags(ctx, c, taggedOIDC(t.arn), "iam:ListOpenIDConnectProviderTags", t.name, t.arn, s.entityTags(ctx, account(c), taggedOIDC(t.arn), t.name), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListOpenIDConnectProviderTagsOutput{Tags: tags, Marker: next, IsTruncated: next != nil}, nil
}
