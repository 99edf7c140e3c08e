package iamsvc

import (
	"context"
	"fmt"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// ListPoliciesGrantingServiceAccess lists, per service namespace, the policies of a user, group
// or role (a user's include its groups') that allow some action of the service.
func (s *Service) ListPoliciesGrantingServiceAccess(ctx context.Context, c *authn.Caller, in *sdk.ListPoliciesGrantingServiceAccessInput) (*sdk.ListPoliciesGrantingServiceAccessOutput, error) {
	target := str(in.Arn)
	if err := lengthErrField("arn", target, 20, 2048); err != nil {
		return nil, err
	}
	if n := len(in.ServiceNamespaces); n < 1 || n > 200 {
		return nil, &iam.FieldError{Field: "serviceNamespaces", Value: fmt.Sprint(in.ServiceNamespaces), Constraint: "Member must have length between 1 and 200"}
	}
	for _, ns := range in.ServiceNamespaces {
		// serviceNamespaceType: 1–64 characters of [\w-]*.
		if err := lengthErrField("serviceNamespaces.member", ns, 1, 64); err != nil {
			return nil, err
		}
		if strings.IndexFunc(ns, func(r rune) bool {
			return r != '-' && r != '_' && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}) >= 0 {
			return nil, &iam.FieldError{Field: "serviceNamespaces.member", Value: ns, Constraint: `Member must satisfy regular expression pattern: [\w-]*`}
		}
	}
	// The answer is never paged, but a Marker given is checked as the model says.
	if err := checkMarker(in.Marker); err != nil {
		return nil, err
	}
	a, err := arn.Parse(target)
	typ, _, _ := strings.Cut(a.Resource, "/")
	if err != nil || a.Service != "iam" || (typ != "user" && typ != "group" && typ != "role") {
		return nil, iam.Errorf(iam.CodeInvalidInput, "Invalid ARN %s.", target)
	}
	if err := s.authorize(ctx, c, "iam:ListPoliciesGrantingServiceAccess", target, nil); err != nil {
		return nil, err
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, fmt.Errorf("load action catalog: %w", err)
	}
	acct := account(c)
	sim, err := view(ctx, s, func(r store.Reader) (*simulation, error) { return s.principalSimulation(ctx, r, acct, target) })
	if err != nil {
		return nil, err
	}
	// The services each policy allows, worked out once per policy.
	granted := make([]map[string]bool, len(sim.identity))
	for i, sp := range sim.identity {
		granted[i] = allowedServices(cat, []string{sp.text})
	}
	out := &sdk.ListPoliciesGrantingServiceAccessOutput{PoliciesGrantingServiceAccess: []types.ListPoliciesGrantingServiceAccessEntry{}}
	for _, ns := range in.ServiceNamespaces {
		entry := types.ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: ptr(ns), Policies: []types.PolicyGrantingServiceAccess{}}
		for i, sp := range sim.identity {
			if !granted[i][strings.ToLower(ns)] {
				continue
			}
			ref := sp.c.Ref()
			if _, _, managed := authz.PolicyARNParts(ref.ARN); managed {
				entry.Policies = append(entry.Policies, types.PolicyGrantingServiceAccess{PolicyName: ptr(ref.Name), PolicyType: types.PolicyTypeManaged, PolicyArn: ptr(ref.ARN)})
				continue
			}
			owner, _ := arn.Parse(ref.ARN)
			otyp, rest, _ := strings.Cut(owner.Resource, "/")
			g := types.PolicyGrantingServiceAccess{PolicyName: ptr(ref.Name), PolicyType: types.PolicyTypeInline, EntityName: ptr(rest[strings.LastIndexByte(rest, '/')+1:])}
			g.EntityType = map[string]types.PolicyOwnerEntityType{"user": types.PolicyOwnerEntityTypeUser, "group": types.PolicyOwnerEntityTypeGroup, "role": types.PolicyOwnerEntityTypeRole}[otyp]
			entry.Policies = append(entry.Policies, g)
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, entry)
	}
	return out, nil
}
