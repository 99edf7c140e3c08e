package iamsvc

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
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

// Managed policy quotas.
const (
	MaxManagedPolicySize = 6144 // policy.SizeLimit(policy.Identity)
	MaxPolicyVersions    = 5
)

func noSuchPolicy(arn string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
}

// policyUse is how many entities of an account use a managed policy: attached to users, groups
// and roles, and as the permissions boundary of users and roles.
type policyUse struct{ attached, bounds int }

func policyOut(acct string, p *iam.ManagedPolicy, use policyUse) *types.Policy {
	out := &types.Policy{
		PolicyName:                    ptr(p.Name),
		PolicyId:                      ptr(p.ID),
		Arn:                           ptr(iam.PolicyARN(acct, p.Path, p.Name)),
		Path:                          ptr(p.Path),
		DefaultVersionId:              ptr(p.DefaultVersion),
		AttachmentCount:               ptr(int32(use.attached)),
		PermissionsBoundaryUsageCount: ptr(int32(use.bounds)),
		IsAttachable:                  true,
		CreateDate:                    ptr(p.Created),
		UpdateDate:                    ptr(p.Updated),
		Tags:                          tagsOut(p.Tags),
	}
	if p.Description != "" {
		out.Description = ptr(p.Description)
	}
	return out
}

func checkManagedDoc(doc string) error {
	if err := checkDocumentField(doc); err != nil {
		return err
	}
	d, err := parsePolicy(doc, policy.Identity)
	if err != nil {
		return err
	}
	if err := policy.RequireCurrentVersion(d); err != nil {
		return iam.Errorf(iam.CodeMalformedPolicyDocument, "Policy document must be version 2012-10-17 or greater.")
	}
	if policy.Size(doc) > MaxManagedPolicySize {
		return &iam.LimitError{Message: "Cannot exceed quota for PolicySize: 6144", Quota: "PolicySize"}
	}
	return nil
}

// policyByARN loads a managed policy of the caller's account (or an AWS managed one).
func policyByARN(ctx context.Context, r store.Reader, arn string) (*iam.ManagedPolicy, *store.Entity, error) {
	acct, name, ok := authz.PolicyARNParts(arn)
	if !ok {
		return nil, nil, iam.Errorf(iam.CodeInvalidInput, "ARN %s is not valid.", arn)
	}
	p, e, err := load[iam.ManagedPolicy](ctx, r, acct, store.KindPolicy, name, noSuchPolicy(arn))
	if err != nil {
		return nil, nil, err
	}
	if iam.PolicyARN(acct, p.Path, p.Name) != arn {
		return nil, nil, noSuchPolicy(arn)
	}
	return p, e, nil
}

func attachmentCount(ctx context.Context, r store.Reader, acct, arn string) (int, error) {
	n := 0
	for _, k := range []store.LinkKind{store.LinkUserPolicy, store.LinkGroupPolicy, store.LinkRolePolicy} {
		l, err := r.LinksTo(ctx, acct, k, arn)
		if err != nil {
			return 0, err
		}
		n += len(l)
	}
	return n, nil
}

// boundaryCount is the number of acct's users and roles whose permissions boundary is arn.
func boundaryCount(ctx context.Context, r store.Reader, acct, arn string) (int, error) {
	ids, err := r.LinksTo(ctx, acct, store.LinkBoundary, arn)
	return len(ids), err
}

// policyUsage counts the entities of acct that use the policy arn.
func policyUsage(ctx context.Context, r store.Reader, acct, arn string) (policyUse, error) {
	n, err := attachmentCount(ctx, r, acct, arn)
	if err != nil {
		return policyUse{}, err
	}
	b, err := boundaryCount(ctx, r, acct, arn)
	if err != nil {
		return policyUse{}, err
	}
	return policyUse{attached: n, bounds: b}, nil
}

// linkBoundary records in tx that the user or role with unique ID id has the permissions
// boundary arn instead of old ("" for none). A missing link to old is no error: data stored
// before the links were kept has none until LinkBoundaries adds it.
func linkBoundary(ctx context.Context, tx store.Tx, acct, id, old, arn string) error {
	if old != "" && old != arn {
		if err := tx.Unlink(ctx, acct, store.LinkBoundary, id, old); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("unlink boundary %s of %s: %w", old, id, err)
		}
	}
	if arn == "" {
		return nil
	}
	if err := tx.Link(ctx, acct, store.LinkBoundary, id, arn); err != nil {
		return fmt.Errorf("link boundary %s of %s: %w", arn, id, err)
	}
	return nil
}

// boundaryLinksSetting marks an account whose boundary links LinkBoundaries has added.
const boundaryLinksSetting = "boundary-links"

// LinkBoundaries adds the store.LinkBoundary link of every user and role of acct whose
// permissions boundary has none: data stored before iamd kept these links (GetPolicy's
// PermissionsBoundaryUsageCount and DeletePolicy's DeleteConflict read them). The pass runs once
// per account and marks it done, so a start (which calls it every time) reads no user or role
// afterwards; it returns how many links it added.
func (s *Service) LinkBoundaries(ctx context.Context, acct string) (int, error) {
	type missing struct{ id, arn string }
	find := func(r store.Reader) ([]missing, error) {
		var out []missing
		for _, kind := range []store.Kind{store.KindUser, store.KindRole} {
			es, _, err := r.List(ctx, acct, kind, store.Page{})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				// Users and roles both store their boundary as "boundary".
				b, err := decode[struct {
					Boundary string `json:"boundary"`
				}](e)
				if err != nil {
					return nil, err
				}
				if b.Boundary == "" || e.ID == "" {
					continue
				}
				arns, err := r.Links(ctx, acct, store.LinkBoundary, e.ID)
				if err != nil {
					return nil, err
				}
				if !slices.Contains(arns, b.Boundary) {
					out = append(out, missing{e.ID, b.Boundary})
				}
			}
		}
		return out, nil
	}
	// The pass runs once per account (a start reads no user or role after it): its end is
	// marked by a setting written with the links.
	done, err := view(ctx, s, func(r store.Reader) (*bool, error) {
		_, err := r.Get(ctx, acct, store.KindSetting, boundaryLinksSetting)
		done := err == nil
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		return &done, err
	})
	if err != nil || *done {
		return 0, err
	}
	added, err := mutate(ctx, s, func(tx store.Tx) (*int, error) {
		m, err := find(tx)
		if err != nil {
			return nil, err
		}
		for _, l := range m {
			if err := tx.Link(ctx, acct, store.LinkBoundary, l.id, l.arn); err != nil {
				return nil, err
			}
		}
		mark := &store.Entity{Account: acct, Kind: store.KindSetting, Name: boundaryLinksSetting, Path: "/", Created: s.nowUTC(), Data: []byte("{}")}
		if err := tx.Create(ctx, mark); err != nil && !errors.Is(err, store.ErrExists) {
			return nil, err
		}
		n := len(m)
		return &n, nil
	})
	if err != nil {
		return 0, err
	}
	return *added, nil
}

// CreatePolicy creates a customer managed policy with version v1 as its default.
func (s *Service) CreatePolicy(ctx context.Context, c *authn.Caller, in *sdk.CreatePolicyInput) (*sdk.CreatePolicyOutput, error) {
	name, path, doc := str(in.PolicyName), str(in.Path), str(in.PolicyDocument)
	if path == "" {
		path = "/"
	}
	if err := checkPolicyName(name); err != nil {
		return nil, err
	}
	if err := checkPolicyPath("path", path); err != nil {
		return nil, err
	}
	if err := iam.CheckDescription(str(in.Description)); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.CheckTags("Policy", tags, nil); err != nil {
		return nil, err
	}
	if err := checkManagedDoc(doc); err != nil {
		return nil, err
	}
	acct := account(c)
	arn := iam.PolicyARN(acct, path, name)
	if err := s.authorize(ctx, c, "iam:CreatePolicy", arn, tagContext(tags)); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		// Tags given at creation need the tagging permission too, as for CreateRole.
		if err := s.authorize(ctx, c, "iam:TagPolicy", arn, tagContext(tags)); err != nil {
			return nil, err
		}
	}
	id, err := s.newID("ANPA")
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	p := &iam.ManagedPolicy{Name: name, ID: id, Path: path, Created: now, Updated: now, Description: str(in.Description),
		DefaultVersion: "v1", Versions: []iam.PolicyVersion{{ID: "v1", Document: doc, Created: now}}, NextVersion: 2, Tags: tags}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreatePolicyOutput, error) {
		e := &store.Entity{Account: acct, Kind: store.KindPolicy, Name: name, ID: id, Path: path, Created: now}
		if err := s.createCounted(ctx, tx, iam.QuotaPolicies, e, p, iam.Errorf(iam.CodeEntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", name)); err != nil {
			return nil, err
		}
		out := policyOut(acct, p, policyUse{})
		out.Description = nil // CreatePolicy does not return the description
		return &sdk.CreatePolicyOutput{Policy: out}, nil
	})
}

// policyPathPattern is the model's policyPathType pattern: narrower than the pathType of users,
// groups and roles (any printable ASCII between the slashes), it allows only letters, digits and
// .,+@=_- in each non-empty segment.
const policyPathPattern = `((/[A-Za-z0-9\.,\+@=_-]+)*)/`

// checkPolicyPath checks a managed policy path (CreatePolicy's Path) or path filter (the
// PathPrefix of ListPolicies and ListAttached{User,Group,Role}Policies) against the model's
// policyPathType: 1–512 characters matching ((/[A-Za-z0-9\.,\+@=_-]+)*)/, so "/" or
// "/seg/…/seg/". A prefix must therefore end with a slash, as the API Reference says.
func checkPolicyPath(field, path string) error {
	if err := lengthErrField(field, path, 1, iam.MaxPath); err != nil {
		return err
	}
	ok := path[0] == '/' && path[len(path)-1] == '/'
	if ok && len(path) > 1 {
		for _, seg := range strings.Split(path[1:len(path)-1], "/") {
			ok = ok && seg != "" && !strings.ContainsFunc(seg, func(r rune) bool {
				return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(".,+@=_-", r))
			})
		}
	}
	if !ok {
		return &iam.FieldError{Field: field, Value: path, Constraint: "Member must satisfy regular expression pattern: " + policyPathPattern}
	}
	return nil
}

func checkPolicyARN(field, arn string) error {
	if len(arn) < 20 {
		return &iam.FieldError{Field: field, Value: arn, Constraint: "Member must have length greater than or equal to 20"}
	}
	if len(arn) > 2048 {
		return &iam.FieldError{Field: field, Value: arn, Constraint: "Member must have length less than or equal to 2048"}
	}
	if _, _, ok := authz.PolicyARNParts(arn); !ok {
		return iam.Errorf(iam.CodeInvalidInput, "ARN %s is not valid.", arn)
	}
	return nil
}

// GetPolicy returns a managed policy's metadata.
func (s *Service) GetPolicy(ctx context.Context, c *authn.Caller, in *sdk.GetPolicyInput) (*sdk.GetPolicyOutput, error) {
	arn := str(in.PolicyArn)
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GetPolicy", arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.GetPolicyOutput, error) {
		p, _, err := policyByARN(ctx, r, arn)
		if err != nil {
			return nil, iam.Errorf(iam.CodeNoSuchEntity, "Policy %s was not found.", arn)
		}
		use, err := policyUsage(ctx, r, acct, arn)
		if err != nil {
			return nil, err
		}
		pacct, _, _ := authz.PolicyARNParts(arn)
		return &sdk.GetPolicyOutput{Policy: policyOut(pacct, p, use)}, nil
	})
}

// listed applies ListPolicies' usage filters: OnlyAttached keeps policies attached to a user,
// group or role; PolicyUsageFilter keeps those used that way (PermissionsPolicy: attached;
// PermissionsBoundary: some user's or role's permissions boundary), with or without OnlyAttached.
func listed(in *sdk.ListPoliciesInput, use policyUse) bool {
	switch in.PolicyUsageFilter {
	case types.PolicyUsageTypePermissionsBoundary:
		return use.bounds > 0
	case types.PolicyUsageTypePermissionsPolicy:
		return use.attached > 0
	}
	return !in.OnlyAttached || use.attached > 0
}

// ListPolicies lists managed policies: the account's (Scope Local), AWS's (AWS) or both (All,
// the default: the account's first). With OnlyAttached a page may hold fewer than MaxItems
// policies while IsTruncated is true, which AWS allows and clients handle.
func (s *Service) ListPolicies(ctx context.Context, c *authn.Caller, in *sdk.ListPoliciesInput) (*sdk.ListPoliciesOutput, error) {
	if pp := str(in.PathPrefix); pp != "" {
		if err := checkPolicyPath("pathPrefix", pp); err != nil {
			return nil, err
		}
	}
	if err := checkMarker(in.Marker); err != nil {
		return nil, err
	}
	p, err := page(in.PathPrefix, nil, in.MaxItems)
	if err != nil {
		return nil, err
	}
	acct := account(c)
	if err := s.authorize(ctx, c, "iam:ListPolicies", iam.PolicyARN(acct, "/", "*"), nil); err != nil {
		return nil, err
	}
	owners := []string{acct, "aws"}
	switch in.Scope {
	case types.PolicyScopeTypeLocal:
		owners = owners[:1]
	case types.PolicyScopeTypeAws:
		owners = owners[1:]
	}
	// The marker names the owner (its index) and the last key listed of it.
	idx, key := 0, ""
	if m := str(in.Marker); m != "" {
		b, err := base64.RawURLEncoding.DecodeString(m)
		if err != nil || len(b) < 1 || int(b[0]) >= len(owners) {
			return nil, iam.Errorf(iam.CodeInvalidInput, "Invalid Marker.")
		}
		idx, key = int(b[0]), string(b[1:])
	}
	limit := p.Limit
	return view(ctx, s, func(r store.Reader) (*sdk.ListPoliciesOutput, error) {
		out := &sdk.ListPoliciesOutput{Policies: []types.Policy{}}
		for idx < len(owners) && len(out.Policies) < limit {
			owner := owners[idx]
			es, next, err := r.List(ctx, owner, store.KindPolicy, store.Page{PathPrefix: p.PathPrefix, Marker: key, Limit: limit - len(out.Policies)})
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				mp, err := decode[iam.ManagedPolicy](e)
				if err != nil {
					return nil, err
				}
				arn := iam.PolicyARN(owner, mp.Path, mp.Name)
				use, err := policyUsage(ctx, r, acct, arn)
				if err != nil {
					return nil, err
				}
				if !listed(in, use) {
					continue
				}
				po := policyOut(owner, mp, use)
				po.Description, po.Tags = nil, nil
				out.Policies = append(out.Policies, *po)
			}
			if next == "" {
				idx, key = idx+1, ""
			} else {
				key = next
			}
		}
		if idx < len(owners) {
			out.Marker = ptr(base64.RawURLEncoding.EncodeToString(append([]byte{byte(idx)}, key...)))
			out.IsTruncated = true
		}
		return out, nil
	})
}

// checkOwned refuses changes to a managed policy of another account (AWS managed policies).
func checkOwned(c *authn.Caller, arn string) error {
	if pacct, _, _ := authz.PolicyARNParts(arn); pacct != account(c) {
		return iam.Errorf(iam.CodeUnmodifiableEntity, "Cannot modify a policy that is not owned by the account.")
	}
	return nil
}

// DeletePolicy deletes a managed policy that is attached nowhere and has only its default version.
func (s *Service) DeletePolicy(ctx context.Context, c *authn.Caller, in *sdk.DeletePolicyInput) (*sdk.DeletePolicyOutput, error) {
	arn := str(in.PolicyArn)
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:DeletePolicy", arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeletePolicyOutput, error) {
		p, _, err := policyByARN(ctx, tx, arn)
		if err != nil {
			return nil, err
		}
		if pacct, _, _ := authz.PolicyARNParts(arn); pacct != acct {
			return nil, iam.Errorf(iam.CodeUnmodifiableEntity, "Cannot delete a policy that is not owned by the account.")
		}
		// A policy in use as a permissions boundary is attached too, as AWS counts it.
		if use, err := policyUsage(ctx, tx, acct, arn); err != nil {
			return nil, err
		} else if use.attached > 0 || use.bounds > 0 {
			return nil, iam.Errorf(iam.CodeDeleteConflict, "Cannot delete a policy attached to entities.")
		}
		if len(p.Versions) > 1 {
			return nil, iam.Errorf(iam.CodeDeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return &sdk.DeletePolicyOutput{}, tx.Delete(ctx, acct, store.KindPolicy, p.Name)
	})
}

func versionOut(v *iam.PolicyVersion, isDefault bool, withDoc bool) *types.PolicyVersion {
	out := &types.PolicyVersion{VersionId: ptr(v.ID), IsDefaultVersion: isDefault, CreateDate: ptr(v.Created)}
	if withDoc {
		out.Document = ptr(v.Document)
	}
	return out
}

// CreatePolicyVersion adds a version (at most 5), optionally making it the default.
func (s *Service) CreatePolicyVersion(ctx context.Context, c *authn.Caller, in *sdk.CreatePolicyVersionInput) (*sdk.CreatePolicyVersionOutput, error) {
	arn, doc := str(in.PolicyArn), str(in.PolicyDocument)
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return nil, err
	}
	if err := checkManagedDoc(doc); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:CreatePolicyVersion", arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreatePolicyVersionOutput, error) {
		p, e, err := policyByARN(ctx, tx, arn)
		if err != nil {
			return nil, err
		}
		if err := checkOwned(c, arn); err != nil {
			return nil, err
		}
		if len(p.Versions) >= MaxPolicyVersions {
			return nil, &iam.LimitError{Message: "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", Quota: "PolicyVersionsInUse"}
		}
		v := iam.PolicyVersion{ID: "v" + strconv.Itoa(p.NextVersion), Document: doc, Created: s.nowUTC()}
		p.NextVersion++
		p.Versions = append(p.Versions, v)
		if in.SetAsDefault {
			p.DefaultVersion = v.ID
		}
		p.Updated = v.Created
		if err := save(ctx, tx, e, p); err != nil {
			return nil, err
		}
		return &sdk.CreatePolicyVersionOutput{PolicyVersion: versionOut(&v, in.SetAsDefault, false)}, nil
	})
}

func checkVersionID(id string) error {
	ok := strings.HasPrefix(id, "v") && len(id) > 1
	for _, r := range strings.TrimPrefix(id, "v") {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		return &iam.FieldError{Field: "versionId", Value: id, Constraint: `Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`}
	}
	return nil
}

func noSuchVersion(arn, id string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, id)
}

// GetPolicyVersion returns one version with its document.
func (s *Service) GetPolicyVersion(ctx context.Context, c *authn.Caller, in *sdk.GetPolicyVersionInput) (*sdk.GetPolicyVersionOutput, error) {
	arn, id := str(in.PolicyArn), str(in.VersionId)
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return nil, err
	}
	if err := checkVersionID(id); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GetPolicyVersion", arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return nil, err
	}
	return view(ctx, s, func(r store.Reader) (*sdk.GetPolicyVersionOutput, error) {
		p, _, err := policyByARN(ctx, r, arn)
		if err != nil {
			return nil, err
		}
		v := p.Version(id)
		if v == nil {
			return nil, noSuchVersion(arn, id)
		}
		return &sdk.GetPolicyVersionOutput{PolicyVersion: versionOut(v, v.ID == p.DefaultVersion, true)}, nil
	})
}

// ListPolicyVersions lists a policy's versions, newest first.
func (s *Service) ListPolicyVersions(ctx context.Context, c *authn.Caller, in *sdk.ListPolicyVersionsInput) (*sdk.ListPolicyVersionsOutput, error) {
	arn := str(in.PolicyArn)
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return nil, err
	}
	if err := checkPaging(in.Marker, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:ListPolicyVersions", arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return nil, err
	}
	p, err := view(ctx, s, func(r store.Reader) (*iam.ManagedPolicy, error) {
		p, _, err := policyByARN(ctx, r, arn)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	var all []types.PolicyVersion
	for i := len(p.Versions) - 1; i >= 0; i-- {
		v := &p.Versions[i]
		all = append(all, *versionOut(v, v.ID == p.DefaultVersion, false))
	}
	start, end, next, err := slicePage(len(all), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListPolicyVersionsOutput{Versions: append([]types.PolicyVersion{}, all[start:end]...), Marker: next, IsTruncated: next != nil}, nil
}

// changeVersion validates, authorizes and runs fn on a policy and one of its versions in a
// write transaction (DeletePolicyVersion, SetDefaultPolicyVersion).
func (s *Service) changeVersion(ctx context.Context, c *authn.Caller, action, arn, id string, fn func(p *iam.ManagedPolicy) error) error {
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return err
	}
	if err := checkVersionID(id); err != nil {
		return err
	}
	if err := s.authorize(ctx, c, action, arn, s.policyTagContext(ctx, arn, nil)); err != nil {
		return err
	}
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		p, e, err := policyByARN(ctx, tx, arn)
		if err != nil {
			return nil, err
		}
		if err := checkOwned(c, arn); err != nil {
			return nil, err
		}
		if p.Version(id) == nil {
			return nil, noSuchVersion(arn, id)
		}
		if err := fn(p); err != nil {
			return nil, err
		}
		return &struct{}{}, save(ctx, tx, e, p)
	})
	return err
}

// DeletePolicyVersion deletes a non-default version.
func (s *Service) DeletePolicyVersion(ctx context.Context, c *authn.Caller, in *sdk.DeletePolicyVersionInput) (*sdk.DeletePolicyVersionOutput, error) {
	id := str(in.VersionId)
	return &sdk.DeletePolicyVersionOutput{}, s.changeVersion(ctx, c, "iam:DeletePolicyVersion", str(in.PolicyArn), id, func(p *iam.ManagedPolicy) error {
		if id == p.DefaultVersion {
			return iam.Errorf(iam.CodeDeleteConflict, "Cannot delete the default version of a policy.")
		}
		for i := range p.Versions {
			if p.Versions[i].ID == id {
				p.Versions = append(p.Versions[:i], p.Versions[i+1:]...)
				break
			}
		}
		return nil
	})
}

// SetDefaultPolicyVersion makes a version the default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, c *authn.Caller, in *sdk.SetDefaultPolicyVersionInput) (*sdk.SetDefaultPolicyVersionOutput, error) {
	id := str(in.VersionId)
	return &sdk.SetDefaultPolicyVersionOutput{}, s.changeVersion(ctx, c, "iam:SetDefaultPolicyVersion", str(in.PolicyArn), id, func(p *iam.ManagedPolicy) error {
		p.DefaultVersion = id
		p.Updated = s.nowUTC()
		return nil
	})
}

// notAttachableTo is how AWS's PolicyNotAttachable message names each kind of owner.
var notAttachableTo = map[store.Kind]string{store.KindUser: "User", store.KindGroup: "Group", store.KindRole: "Customer Role"}

// checkAttachment validates and authorizes attaching (attach true) or detaching a policy. A
// service-linked role policy is attached only by AWS, to its service's role: attaching one
// answers PolicyNotAttachable, as AWS does.
func (s *Service) checkAttachment(ctx context.Context, c *authn.Caller, o owner, action, name, arn string, attach bool) error {
	if err := iam.CheckName(o.field, name, o.maxName); err != nil {
		return err
	}
	if err := checkPolicyARN("policyArn", arn); err != nil {
		return err
	}
	if err := s.authorizeOwner(ctx, c, o, action, name, map[string][]string{"iam:PolicyARN": {arn}}); err != nil {
		return err
	}
	if attach && IsServiceRolePolicy(arn) {
		return iam.Errorf(iam.CodePolicyNotAttachable, "Cannot attach a Service Role Policy to a %s.", notAttachableTo[o.kind])
	}
	return nil
}

// ownerChangeable checks that the owner exists and that its policies may be changed.
func ownerChangeable(ctx context.Context, tx store.Tx, o owner, acct, name string) error {
	e, err := tx.Get(ctx, acct, o.kind, name)
	if err != nil {
		return o.missing(name)
	}
	v, _, _, err := o.open(acct, e)
	if err != nil {
		return err
	}
	return protected(v)
}

// attach attaches a managed policy to a user, group or role.
func (s *Service) attach(ctx context.Context, c *authn.Caller, o owner, action, name, arn string) error {
	if err := s.checkAttachment(ctx, c, o, action, name, arn, true); err != nil {
		return err
	}
	acct := account(c)
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		if err := ownerChangeable(ctx, tx, o, acct, name); err != nil {
			return nil, err
		}
		if _, _, err := policyByARN(ctx, tx, arn); err != nil {
			return nil, err
		}
		cur, err := tx.Links(ctx, acct, o.link, name)
		if err != nil {
			return nil, err
		}
		for _, a := range cur {
			if a == arn {
				return &struct{}{}, nil
			}
		}
		if s.limits.Reached(o.maxAttach, len(cur)) {
			return nil, s.limits.Exceeded(o.maxAttach)
		}
		e, _ := tx.Get(ctx, acct, o.kind, name)
		return &struct{}{}, tx.Link(ctx, acct, o.link, e.Name, arn)
	})
	return err
}

func (s *Service) detach(ctx context.Context, c *authn.Caller, o owner, action, name, arn string) error {
	if err := s.checkAttachment(ctx, c, o, action, name, arn, false); err != nil {
		return err
	}
	acct := account(c)
	_, err := mutate(ctx, s, func(tx store.Tx) (*struct{}, error) {
		if err := ownerChangeable(ctx, tx, o, acct, name); err != nil {
			return nil, err
		}
		if err := tx.Unlink(ctx, acct, o.link, name, arn); errors.Is(err, store.ErrNotFound) {
			return nil, iam.Errorf(iam.CodeNoSuchEntity, "Policy %s was not found.", arn)
		} else if err != nil {
			return nil, err
		}
		return &struct{}{}, nil
	})
	return err
}

func (s *Service) listAttached(ctx context.Context, c *authn.Caller, o owner, action, name string, pathPrefix, marker *string, maxItems *int32) ([]types.AttachedPolicy, *string, error) {
	if err := iam.CheckName(o.field, name, o.maxName); err != nil {
		return nil, nil, err
	}
	if pp := str(pathPrefix); pp != "" {
		if err := checkPolicyPath("pathPrefix", pp); err != nil {
			return nil, nil, err
		}
	}
	if err := checkPaging(marker, maxItems); err != nil {
		return nil, nil, err
	}
	if err := s.authorizeOwner(ctx, c, o, action, name, nil); err != nil {
		return nil, nil, err
	}
	acct := account(c)
	all, err := view(ctx, s, func(r store.Reader) (*[]types.AttachedPolicy, error) {
		if _, err := r.Get(ctx, acct, o.kind, name); err != nil {
			return nil, o.missing(name)
		}
		arns, err := r.Links(ctx, acct, o.link, name)
		if err != nil {
			return nil, err
		}
		out := []types.AttachedPolicy{}
		for _, arn := range arns {
			p, _, err := policyByARN(ctx, r, arn)
			if err != nil {
				continue
			}
			if pp := str(pathPrefix); pp != "" && !strings.HasPrefix(p.Path, pp) {
				continue
			}
			out = append(out, types.AttachedPolicy{PolicyArn: ptr(arn), PolicyName: ptr(p.Name)})
		}
		return &out, nil
	})
	if err != nil {
		return nil, nil, err
	}
	start, end, next, err := slicePage(len(*all), marker, maxItems)
	if err != nil {
		return nil, nil, err
	}
	return (*all)[start:end], next, nil
}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.AttachUserPolicyInput) (*sdk.AttachUserPolicyOutput, error) {
	return &sdk.AttachUserPolicyOutput{}, s.attach(ctx, c, userOwner, "iam:AttachUserPolicy", str(in.UserName), str(in.PolicyArn))
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, c *authn.Caller, in *sdk.DetachUserPolicyInput) (*sdk.DetachUserPolicyOutput, error) {
	return &sdk.DetachUserPolicyOutput{}, s.detach(ctx, c, userOwner, "iam:DetachUserPolicy", str(in.UserName), str(in.PolicyArn))
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, c *authn.Caller, in *sdk.ListAttachedUserPoliciesInput) (*sdk.ListAttachedUserPoliciesOutput, error) {
	ps, next, err := s.listAttached(ctx, c, userOwner, "iam:ListAttachedUserPolicies", str(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListAttachedUserPoliciesOutput{AttachedPolicies: ps, Marker: next, IsTruncated: next != nil}, nil
}

// checkBoundary checks that a permissions boundary ARN names an existing managed policy.
func (s *Service) checkBoundary(ctx context.Context, r store.Reader, arn string) error {
	if err := checkPolicyARN("permissionsBoundary", arn); err != nil {
		return err
	}
	if _, _, err := policyByARN(ctx, r, arn); err != nil {
		return iam.Errorf(iam.CodeNoSuchEntity, "Scope ARN: %s does not exist or is not attachable.", arn)
	}
	return nil
}

// PutUserPermissionsBoundary sets a user's permissions boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, c *authn.Caller, in *sdk.PutUserPermissionsBoundaryInput) (*sdk.PutUserPermissionsBoundaryOutput, error) {
	name, arn := str(in.UserName), str(in.PermissionsBoundary)
	if err := iam.CheckName("userName", name, iam.MaxUserName); err != nil {
		return nil, err
	}
	if err := checkPolicyARN("permissionsBoundary", arn); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:PutUserPermissionsBoundary", name, map[string][]string{"iam:PermissionsBoundary": {arn}}); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.PutUserPermissionsBoundaryOutput, error) {
		u, e, err := load[iam.User](ctx, tx, acct, store.KindUser, name, noSuchUser(name))
		if err != nil {
			return nil, err
		}
		if err := s.checkBoundary(ctx, tx, arn); err != nil {
			return nil, err
		}
		if err := linkBoundary(ctx, tx, acct, u.ID, u.Boundary, arn); err != nil {
			return nil, err
		}
		u.Boundary = arn
		return &sdk.PutUserPermissionsBoundaryOutput{}, save(ctx, tx, e, u)
	})
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, c *authn.Caller, in *sdk.DeleteUserPermissionsBoundaryInput) (*sdk.DeleteUserPermissionsBoundaryOutput, error) {
	name := str(in.UserName)
	if err := iam.CheckName("userName", name, iam.MaxUserName); err != nil {
		return nil, err
	}
	// The request context carries the boundary being removed (authorizeOwner).
	if err := s.authorizeOwner(ctx, c, userOwner, "iam:DeleteUserPermissionsBoundary", name, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteUserPermissionsBoundaryOutput, error) {
		u, e, err := load[iam.User](ctx, tx, acct, store.KindUser, name, noSuchUser(name))
		if err != nil {
			return nil, err
		}
		if err := linkBoundary(ctx, tx, acct, u.ID, u.Boundary, ""); err != nil {
			return nil, err
		}
		u.Boundary = ""
		return &sdk.DeleteUserPermissionsBoundaryOutput{}, save(ctx, tx, e, u)
	})
}
