package iamsvc

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
)

// GetHumanReadableSummary: AWS has a language model describe a delegation request (the only
// entity type it supports). iamd writes the summary itself, in English, from the request and
// its permission policy expanded through the action catalog (services, access levels,
// resources, conditions), so the same request always gets the same text.

// GetHumanReadableSummary summarizes the delegation request EntityArn names, under the rules of
// GetDelegationRequest (AWS applies the same ones): the request must be visible to the caller's
// account, and the caller needs iam:GetHumanReadableSummary on it unless it is the request's
// owner.
func (s *Service) GetHumanReadableSummary(ctx context.Context, c *authn.Caller, in *sdk.GetHumanReadableSummaryInput) (*sdk.GetHumanReadableSummaryOutput, error) {
	entity := str(in.EntityArn)
	if len(entity) < 20 {
		return nil, &iam.FieldError{Field: "entityArn", Value: entity, Constraint: "Member must have length greater than or equal to 20"}
	}
	if len(entity) > 2048 {
		return nil, &iam.FieldError{Field: "entityArn", Value: entity, Constraint: "Member must have length less than or equal to 2048"}
	}
	locale := str(in.Locale)
	if locale == "" {
		locale = "en"
	}
	a, err := arn.Parse(entity)
	id, ok := strings.CutPrefix(a.Resource, "delegation-request/")
	if err != nil || a.Service != "iam" || !ok || id == "" {
		return nil, iam.Errorf(iam.CodeInvalidInput, "Entity type of %s is not supported. The only supported entity type is delegation-request.", entity)
	}
	d, err := s.readDelegation(ctx, c, id, "iam:GetHumanReadableSummary")
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog()
	if err != nil {
		return nil, err
	}
	text, err := delegationSummary(d.out(s.now().UTC()), cat)
	if err != nil {
		return &sdk.GetHumanReadableSummaryOutput{Locale: &locale, SummaryState: types.SummaryStateTypeFailed}, nil //nolint:nilerr // a request whose policy iamd cannot parse has no summary, as AWS answers FAILED
	}
	return &sdk.GetHumanReadableSummaryOutput{Locale: &locale, SummaryContent: &text, SummaryState: types.SummaryStateTypeAvailable}, nil
}

// delegationSummary describes a delegation request: who asks whom for what, for how long, and
// what its permission policy allows and denies.
func delegationSummary(r *types.DelegationRequest, cat *catalog.Catalog) (string, error) {
	if r == nil {
		return "", fmt.Errorf("no delegation request")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Delegation request %s", str(r.DelegationRequestId))
	if who := str(r.RequestorName); who != "" {
		fmt.Fprintf(&b, " from %s", who)
	}
	if acct := str(r.OwnerAccountId); acct != "" {
		fmt.Fprintf(&b, " for account %s", acct)
	}
	b.WriteString(".\n")
	if d := str(r.Description); d != "" {
		fmt.Fprintf(&b, "Description: %s\n", d)
	}
	if m := str(r.RequestMessage); m != "" {
		fmt.Fprintf(&b, "Message: %s\n", m)
	}
	if r.SessionDuration != nil {
		fmt.Fprintf(&b, "Access is requested for sessions of up to %s.\n", duration(*r.SessionDuration))
	}
	if p := str(r.PermissionPolicy); p != "" {
		lines, err := policySummary(p, cat)
		if err != nil {
			return "", err
		}
		b.WriteString("Requested permissions:\n")
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
	} else if r.Permissions != nil {
		fmt.Fprintf(&b, "Requested permissions: the policy template %s", str(r.Permissions.PolicyTemplateArn))
		for _, p := range r.Permissions.Parameters {
			fmt.Fprintf(&b, "; %s = %s", str(p.Name), strings.Join(p.Values, ", "))
		}
		b.WriteString(".\n")
	}
	if len(r.RolePermissionRestrictionArns) > 0 {
		fmt.Fprintf(&b, "The permissions are limited by %s.\n", strings.Join(r.RolePermissionRestrictionArns, ", "))
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// duration writes seconds as hours and minutes ("1 hour", "1 hour 30 minutes", "15 minutes").
func duration(sec int32) string {
	h, m := sec/3600, sec%3600/60
	var parts []string
	if h > 0 {
		parts = append(parts, plural(int(h), "hour"))
	}
	if m > 0 || h == 0 {
		parts = append(parts, plural(int(m), "minute"))
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// policySummary describes an identity policy one line per statement: "Allows" or "Denies", the
// services its actions cover with their access levels (all actions of a level, or how many),
// the resources, and the conditions.
func policySummary(doc string, cat *catalog.Catalog) ([]string, error) {
	d, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		return nil, err
	}
	sums := policy.Summarize(d, lintcat.Adapt(cat))
	var lines []string
	for i, st := range d.Statements {
		verb := "Allows"
		if st.Effect == policy.Deny {
			verb = "Denies"
		}
		line := verb + " " + servicesPhrase(sums[i].Actions, cat)
		switch {
		case st.NotResource != nil:
			line += " on every resource except " + strings.Join(st.NotResource, ", ")
		case len(st.Resource) == 1 && st.Resource[0] == "*":
			line += " on all resources"
		case len(st.Resource) > 0:
			line += " on " + strings.Join(st.Resource, ", ")
		}
		if len(st.Conditions) > 0 {
			var conds []string
			for _, c := range st.Conditions {
				conds = append(conds, fmt.Sprintf("%s %s %s", c.Key, c.Operator, strings.Join(c.Values, " or ")))
			}
			line += ", when " + strings.Join(conds, " and ")
		}
		lines = append(lines, line+".")
	}
	return lines, nil
}

// servicesPhrase names the services of actions with their access levels: "Amazon S3 (Read:
// GetObject; List: ListBucket)", with counts instead of names past three actions per level.
func servicesPhrase(actions []string, cat *catalog.Catalog) string {
	if len(actions) == 0 {
		return "no known actions"
	}
	byService := map[string]map[string][]string{} // prefix → level → action names
	for _, a := range actions {
		prefix, name, _ := strings.Cut(a, ":")
		level := ""
		if act, ok := cat.Action(a); ok && act.AccessLevel != 0 {
			level = act.AccessLevel.String()
		}
		if byService[prefix] == nil {
			byService[prefix] = map[string][]string{}
		}
		byService[prefix][level] = append(byService[prefix][level], name)
	}
	prefixes := make([]string, 0, len(byService))
	for p := range byService {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	var parts []string
	for _, p := range prefixes {
		name := p
		if svc, ok := cat.Service(p); ok {
			name = svc.Name
		}
		var levels []string
		// Levels in the order of the IAM console's policy summary.
		for _, l := range []string{"List", "Read", "Write", "Permissions management", "Tagging", ""} {
			names := byService[p][l]
			if len(names) == 0 {
				continue
			}
			label := l
			if label == "" {
				label = "Other"
			}
			total := 0
			if svc, ok := cat.Service(p); ok {
				for _, a := range svc.Actions {
					if a.AccessLevel.String() == l {
						total++
					}
				}
			}
			switch {
			case total > 0 && len(names) == total:
				levels = append(levels, label+": all")
			case len(names) > 3:
				levels = append(levels, fmt.Sprintf("%s: %d actions", label, len(names)))
			default:
				levels = append(levels, label+": "+strings.Join(names, ", "))
			}
		}
		parts = append(parts, name+" ("+strings.Join(levels, "; ")+")")
	}
	return strings.Join(parts, ", ")
}
