package iamsvc

import (
	"context"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// authDetails is the whole answer of GetAccountAuthorizationDetails before paging.
type authDetails struct {
	users    []types.UserDetail
	groups   []types.GroupDetail
	roles    []types.RoleDetail
	policies []types.ManagedPolicyDetail
}

// GetAccountAuthorizationDetails returns the account's users, groups, roles and managed policies
// with their policies and relationships. Pages run over the four lists in that order; AWS
// managed policies are included only when attached to something, as AWS does.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, c *authn.Caller, in *sdk.GetAccountAuthorizationDetailsInput) (*sdk.GetAccountAuthorizationDetailsOutput, error) {
	// The Query decoder has checked Filter's values against the enum.
	want := map[types.EntityType]bool{}
	for _, f := range in.Filter {
		want[f] = true
	}
	if len(want) == 0 {
		for _, f := range types.EntityType("").Values() {
			want[f] = true
		}
	}
	if _, err := page(nil, nil, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:GetAccountAuthorizationDetails", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	d, err := view(ctx, s, func(r store.Reader) (*authDetails, error) {
		d := &authDetails{}
		var err error
		if want[types.EntityTypeUser] {
			if d.users, err = userDetails(ctx, r, acct); err != nil {
				return nil, err
			}
		}
		if want[types.EntityTypeGroup] {
			if d.groups, err = groupDetails(ctx, r, acct); err != nil {
				return nil, err
			}
		}
		if want[types.EntityTypeRole] {
			if d.roles, err = roleDetails(ctx, r, acct); err != nil {
				return nil, err
			}
		}
		for _, scope := range []struct {
			kind  types.EntityType
			owner string
		}{{types.EntityTypeLocalManagedPolicy, acct}, {types.EntityTypeAWSManagedPolicy, "aws"}} {
			if !want[scope.kind] {
				continue
			}
			ps, err := policyDetails(ctx, r, acct, scope.owner)
			if err != nil {
				return nil, err
			}
			d.policies = append(d.policies, ps...)
		}
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	nu, ng, nr := len(d.users), len(d.groups), len(d.roles)
	start, end, next, err := slicePage(nu+ng+nr+len(d.policies), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	// part returns the items of one list that fall in [start, end), the list starting at off.
	part := func(n, off int) (int, int) {
		return min(max(start-off, 0), n), min(max(end-off, 0), n)
	}
	out := &sdk.GetAccountAuthorizationDetailsOutput{Marker: next, IsTruncated: next != nil}
	i, j := part(nu, 0)
	out.UserDetailList = d.users[i:j]
	i, j = part(ng, nu)
	out.GroupDetailList = d.groups[i:j]
	i, j = part(nr, nu+ng)
	out.RoleDetailList = d.roles[i:j]
	i, j = part(len(d.policies), nu+ng+nr)
	out.Policies = d.policies[i:j]
	return out, nil
}

// listAll lists every entity of a kind in the account.
func listAll(ctx context.Context, r store.Reader, acct string, kind store.Kind) ([]*store.Entity, error) {
	es, _, err := r.List(ctx, acct, kind, store.Page{})
	return es, err
}

func inlineDetails(ps []iam.InlinePolicy) []types.PolicyDetail {
	out := []types.PolicyDetail{}
	for _, p := range ps {
		out = append(out, types.PolicyDetail{PolicyName: ptr(p.Name), PolicyDocument: ptr(p.Document)})
	}
	return out
}

// attachedDetails lists the managed policies attached to an entity (those that still exist).
func attachedDetails(ctx context.Context, r store.Reader, acct string, link store.LinkKind, name string) ([]types.AttachedPolicy, error) {
	arns, err := r.Links(ctx, acct, link, name)
	if err != nil {
		return nil, err
	}
	out := []types.AttachedPolicy{}
	for _, a := range arns {
		if p, _, err := policyByARN(ctx, r, a); err == nil {
			out = append(out, types.AttachedPolicy{PolicyArn: ptr(a), PolicyName: ptr(p.Name)})
		}
	}
	return out, nil
}

func userDetails(ctx context.Context, r store.Reader, acct string) ([]types.UserDetail, error) {
	es, err := listAll(ctx, r, acct, store.KindUser)
	if err != nil {
		return nil, err
	}
	out := []types.UserDetail{}
	for _, e := range es {
		u, err := decode[iam.User](e)
		if err != nil {
			return nil, err
		}
		groups, err := r.LinksTo(ctx, acct, store.LinkMember, u.Name)
		if err != nil {
			return nil, err
		}
		attached, err := attachedDetails(ctx, r, acct, store.LinkUserPolicy, u.Name)
		if err != nil {
			return nil, err
		}
		uo := userOut(acct, u)
		out = append(out, types.UserDetail{Arn: uo.Arn, UserName: uo.UserName, UserId: uo.UserId, Path: uo.Path, CreateDate: uo.CreateDate,
			Tags: uo.Tags, PermissionsBoundary: uo.PermissionsBoundary, GroupList: append([]string{}, groups...),
			UserPolicyList: inlineDetails(u.Inline), AttachedManagedPolicies: attached})
	}
	return out, nil
}

func groupDetails(ctx context.Context, r store.Reader, acct string) ([]types.GroupDetail, error) {
	es, err := listAll(ctx, r, acct, store.KindGroup)
	if err != nil {
		return nil, err
	}
	out := []types.GroupDetail{}
	for _, e := range es {
		g, err := decode[iam.Group](e)
		if err != nil {
			return nil, err
		}
		attached, err := attachedDetails(ctx, r, acct, store.LinkGroupPolicy, g.Name)
		if err != nil {
			return nil, err
		}
		gout := groupOut(acct, g)
		out = append(out, types.GroupDetail{Arn: gout.Arn, GroupName: gout.GroupName, GroupId: gout.GroupId, Path: gout.Path,
			CreateDate: gout.CreateDate, GroupPolicyList: inlineDetails(g.Inline), AttachedManagedPolicies: attached})
	}
	return out, nil
}

func roleDetails(ctx context.Context, r store.Reader, acct string) ([]types.RoleDetail, error) {
	es, err := listAll(ctx, r, acct, store.KindRole)
	if err != nil {
		return nil, err
	}
	out := []types.RoleDetail{}
	for _, e := range es {
		role, err := decode[iam.Role](e)
		if err != nil {
			return nil, err
		}
		attached, err := attachedDetails(ctx, r, acct, store.LinkRolePolicy, role.Name)
		if err != nil {
			return nil, err
		}
		ro := roleOut(acct, role)
		rd := types.RoleDetail{Arn: ro.Arn, RoleName: ro.RoleName, RoleId: ro.RoleId, Path: ro.Path, CreateDate: ro.CreateDate,
			AssumeRolePolicyDocument: ro.AssumeRolePolicyDocument, PermissionsBoundary: ro.PermissionsBoundary, Tags: ro.Tags, RoleLastUsed: ro.RoleLastUsed,
			RolePolicyList: inlineDetails(role.Inline), AttachedManagedPolicies: attached, InstanceProfileList: []types.InstanceProfile{}}
		profiles, err := r.LinksTo(ctx, acct, store.LinkProfileRole, role.Name)
		if err != nil {
			return nil, err
		}
		for _, pn := range profiles {
			p, _, err := load[iam.InstanceProfile](ctx, r, acct, store.KindInstanceProfile, pn, noSuchProfile(pn))
			if err != nil {
				return nil, err
			}
			po, err := profileOut(ctx, r, acct, p)
			if err != nil {
				return nil, err
			}
			rd.InstanceProfileList = append(rd.InstanceProfileList, *po)
		}
		out = append(out, rd)
	}
	return out, nil
}

// policyDetails lists the managed policies stored under owner (the account, or "aws" for AWS
// managed policies, which are listed only when attached in acct), with every version.
func policyDetails(ctx context.Context, r store.Reader, acct, owner string) ([]types.ManagedPolicyDetail, error) {
	es, err := listAll(ctx, r, owner, store.KindPolicy)
	if err != nil {
		return nil, err
	}
	out := []types.ManagedPolicyDetail{}
	for _, e := range es {
		p, err := decode[iam.ManagedPolicy](e)
		if err != nil {
			return nil, err
		}
		arn := iam.PolicyARN(owner, p.Path, p.Name)
		// AWS managed policies not attached here are left out: count their attachments first,
		// and their boundary uses only for those that stay.
		n, err := attachmentCount(ctx, r, acct, arn)
		if err != nil {
			return nil, err
		}
		if owner != acct && n == 0 {
			continue
		}
		b, err := boundaryCount(ctx, r, acct, arn)
		if err != nil {
			return nil, err
		}
		po := policyOut(owner, p, policyUse{attached: n, bounds: b})
		versions := []types.PolicyVersion{}
		for i := range p.Versions {
			v := &p.Versions[i]
			versions = append(versions, *versionOut(v, v.ID == p.DefaultVersion, true))
		}
		out = append(out, types.ManagedPolicyDetail{Arn: po.Arn, PolicyName: po.PolicyName, PolicyId: po.PolicyId, Path: po.Path,
			DefaultVersionId: po.DefaultVersionId, AttachmentCount: po.AttachmentCount, PermissionsBoundaryUsageCount: po.PermissionsBoundaryUsageCount,
			IsAttachable: po.IsAttachable, Description: po.Description, CreateDate: po.CreateDate, UpdateDate: po.UpdateDate, PolicyVersionList: versions})
	}
	return out, nil
}
