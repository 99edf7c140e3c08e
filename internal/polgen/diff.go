package polgen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// diff compares the usage with the principal's current policies.
func (g *Generator) diff(denied []Use) (*Diff, []string) {
	var notes []string
	var compiled []*policy.Compiled
	var docs []*policy.Document
	for _, p := range g.o.Current.Policies {
		doc, err := policy.Parse(p.Document, policy.Identity)
		if err != nil {
			notes = append(notes, fmt.Sprintf("Current policy %s does not parse and is left out of the comparison: %v", p.Name, err))
			continue
		}
		c, err := policy.Compile(doc, policy.Identity, policy.PolicyRef{Name: p.Name})
		if err != nil {
			notes = append(notes, fmt.Sprintf("Current policy %s does not compile and is left out of the comparison: %v", p.Name, err))
			continue
		}
		compiled, docs = append(compiled, c), append(docs, doc)
	}
	var boundary *policy.Compiled
	if b := g.o.Current.Boundary; b != "" {
		if doc, err := policy.Parse(b, policy.Boundary); err == nil {
			boundary, _ = policy.Compile(doc, policy.Boundary, policy.PolicyRef{Name: "permissions boundary"})
		}
	}
	in := policy.Input{Principal: g.principalInfo(), Identity: compiled, Boundary: boundary}
	allowed := func(action, resource string, ctx map[string][]string) bool {
		in.Action, in.Resource, in.Context = action, resource, nil
		if ctx != nil {
			in.Context = condition.NewMap(ctx)
		}
		return policy.Evaluate(&in).Allowed()
	}

	d := &Diff{GrantedUsed: []string{}, GrantedUnused: []ServiceActions{}, UsedDenied: []string{}, UsedNotGranted: []string{}}
	used := map[string]bool{}
	for name, u := range g.used {
		used[strings.ToLower(name)] = true
		if u.calls == 0 {
			continue // a dependent action only: not used itself
		}
		var ctx map[string][]string
		if len(u.passedTo) > 0 {
			ctx = map[string][]string{"iam:PassedToService": {sortedKeys(u.passedTo)[0]}}
		}
		ok := true
		for _, r := range g.resourceList(u) {
			ok = ok && allowed(name, r, ctx)
		}
		if ok {
			d.GrantedUsed = append(d.GrantedUsed, name)
		} else {
			d.UsedNotGranted = append(d.UsedNotGranted, name)
		}
	}
	// Actions that need no permission are allowed whatever the policies say.
	for name := range g.free {
		d.GrantedUsed = append(d.GrantedUsed, name)
	}
	for _, u := range denied {
		d.UsedDenied = append(d.UsedDenied, u.Action)
	}
	sort.Strings(d.GrantedUsed)
	sort.Strings(d.UsedNotGranted)

	// Granted: the actions the Allow statements name, expanded through the catalog, less those
	// an unconditional Deny on every resource takes away.
	granted := map[string]bool{}
	for _, doc := range docs {
		for _, st := range doc.Statements {
			if st.Effect != policy.Allow {
				continue
			}
			for _, name := range g.expand(st.Action, st.NotAction) {
				granted[name] = true
			}
		}
	}
	for _, doc := range docs {
		for _, st := range doc.Statements {
			if st.Effect != policy.Deny || len(st.Conditions) > 0 || !everyResource(&st) {
				continue
			}
			for _, name := range g.expand(st.Action, st.NotAction) {
				delete(granted, name)
			}
		}
	}
	bySvc := map[string][]string{}
	for name := range granted {
		if used[strings.ToLower(name)] || noPermission[name] {
			continue
		}
		svc, _, _ := strings.Cut(name, ":")
		bySvc[svc] = append(bySvc[svc], name)
	}
	for svc, names := range bySvc {
		sort.Strings(names)
		d.GrantedUnused = append(d.GrantedUnused, ServiceActions{Service: svc, Actions: names})
	}
	sort.Slice(d.GrantedUnused, func(i, j int) bool { return d.GrantedUnused[i].Service < d.GrantedUnused[j].Service })
	if len(g.o.Current.Policies) == 0 {
		notes = append(notes, "The principal has no identity-based policies today.")
	}
	return d, notes
}

// expand lists the catalog actions an Action (or NotAction) element covers.
func (g *Generator) expand(actions, notActions []string) []string {
	var out []string
	if notActions == nil {
		for _, p := range actions {
			out = append(out, actionNamesOf(g.cat.Match(p))...)
		}
		return out
	}
	excluded := map[string]bool{}
	for _, p := range notActions {
		for _, a := range g.cat.Match(p) {
			excluded[a.String()] = true
		}
	}
	for _, a := range g.cat.Match("*") {
		if !excluded[a.String()] {
			out = append(out, a.String())
		}
	}
	return out
}

// everyResource reports whether a statement applies to every resource.
func everyResource(st *policy.Statement) bool {
	if st.NotResource != nil {
		return false
	}
	for _, r := range st.Resource {
		if r == "*" {
			return true
		}
	}
	return false
}

// principalInfo describes the principal as the evaluator sees its calls.
func (g *Generator) principalInfo() policy.PrincipalInfo {
	if !g.isRole {
		return policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: g.o.Principal, Account: g.account}
	}
	a, _ := arn.Parse(g.o.Principal)
	name := a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
	return policy.PrincipalInfo{Type: policy.PrincipalRoleSession, Account: g.account, SourceARN: g.o.Principal,
		ARN: "arn:" + a.Partition + ":sts::" + a.Account + ":assumed-role/" + name + "/polgen"}
}
