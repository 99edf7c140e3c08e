package findings

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/iamd-dev/iamd/internal/policy"
)

// Checks of the identity policies: managed policies' default versions and inline policies.

// source is one policy document a check reads.
type source struct {
	resource string // the ARN findings are about
	policy   string // Evidence.Policy
	label    string // for messages: "policy X", "inline policy P of user U"
	text     string
	kind     policy.Kind
}

func (s *source) key() string { return s.resource + "\x00" + s.policy }

func (s *source) evidence(st *policy.Statement) Evidence {
	return Evidence{Policy: s.policy, Statement: intPtr(st.Index), Sid: st.Sid}
}

func inlineSources(kind, name, arn string, inline []InlinePolicy) []source {
	out := make([]source, 0, len(inline))
	for _, p := range inline {
		out = append(out, source{resource: arn, policy: "inline:" + p.Name, text: p.Document, kind: policy.Identity,
			label: fmt.Sprintf("inline policy %s of %s %s", p.Name, kind, name)})
	}
	return out
}

// identitySources are every managed policy and every inline policy.
func (a *auditor) identitySources() []source {
	var out []source
	for _, p := range a.s.Policies {
		out = append(out, source{resource: p.ARN, policy: p.ARN, text: p.Document, kind: policy.Identity, label: "policy " + p.Name})
	}
	for _, u := range a.s.Users {
		out = append(out, inlineSources("user", u.Name, u.ARN, u.Inline)...)
	}
	for _, g := range a.s.Groups {
		out = append(out, inlineSources("group", g.Name, g.ARN, g.Inline)...)
	}
	for _, r := range a.s.Roles {
		out = append(out, inlineSources("role", r.Name, r.ARN, r.Inline)...)
	}
	return out
}

// trustSources are the roles' trust policies.
func (a *auditor) trustSources() []source {
	out := make([]source, 0, len(a.s.Roles))
	for _, r := range a.s.Roles {
		if r.TrustPolicy != "" {
			out = append(out, source{resource: r.ARN, policy: "trust", text: r.TrustPolicy, kind: policy.Trust, label: "the trust policy of role " + r.Name})
		}
	}
	return out
}

// parse returns the source's parsed document, or nil when it does not parse.
func (a *auditor) parse(s *source) *policy.Document {
	k := strconv.Itoa(int(s.kind)) + "\x00" + s.text
	if d, ok := a.docs[k]; ok {
		return d
	}
	d, err := policy.Parse(s.text, s.kind)
	if err != nil {
		d = nil
	}
	a.docs[k] = d
	return d
}

func allowStatements(d *policy.Document) []*policy.Statement {
	if d == nil {
		return nil
	}
	var out []*policy.Statement
	for i := range d.Statements {
		if d.Statements[i].Effect == policy.Allow {
			out = append(out, &d.Statements[i])
		}
	}
	return out
}

// allResources reports whether a statement applies to every resource: Resource "*" or
// NotResource.
func allResources(st *policy.Statement) bool {
	return st.NotResource != nil || containsFold(st.Resource, "*")
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func isStarStar(st *policy.Statement) bool {
	return st.Effect == policy.Allow && (containsFold(st.Action, "*") || containsFold(st.Action, "*:*")) && allResources(st)
}

// markStarStar records the statements STAR_STAR_GRANT reports, so that the narrower checks
// leave them out.
func (a *auditor) markStarStar() {
	a.starStmts = map[string]bool{}
	for _, s := range a.identitySources() {
		for _, st := range allowStatements(a.parse(&s)) {
			if isStarStar(st) {
				a.starStmts[s.key()+"\x00"+strconv.Itoa(st.Index)] = true
			}
		}
	}
}

func (a *auditor) isMarked(s *source, index int) bool {
	return a.starStmts[s.key()+"\x00"+strconv.Itoa(index)]
}

func (a *auditor) starStar() {
	for _, s := range a.identitySources() {
		for _, st := range allowStatements(a.parse(&s)) {
			if a.isMarked(&s, st.Index) {
				a.add(s.resource, fmt.Sprintf("Statement %d of %s allows every action on every resource.", st.Index, s.label), s.evidence(st))
			}
		}
	}
}

// lint runs Access Analyzer's checks (policy.Lint) and keeps the findings with the codes.
// Results are cached by document, as many entities share the same policies.
func (a *auditor) lint(s *source, keep func(code string) bool) []policy.Finding {
	k := strconv.Itoa(int(s.kind)) + "\x00" + s.text
	fs, ok := a.lints[k]
	if !ok {
		fs, _ = policy.Lint(s.text, s.kind, a.o.Catalog) // the error is only for an invalid kind
		a.lints[k] = fs
	}
	var out []policy.Finding
	for _, f := range fs {
		if keep(f.Code) && f.Statement >= 0 {
			out = append(out, f)
		}
	}
	return out
}

func (a *auditor) passRoleStar() {
	for _, s := range a.identitySources() {
		for _, f := range a.lint(&s, func(c string) bool { return strings.HasPrefix(c, "PASS_ROLE_WITH_") }) {
			if a.isMarked(&s, f.Statement) {
				continue
			}
			a.add(s.resource, fmt.Sprintf("Statement %d of %s: %s", f.Statement, s.label, f.Message),
				Evidence{Policy: s.policy, Statement: intPtr(f.Statement), Detail: f.Code, Actions: []string{"iam:PassRole"}})
		}
	}
}

const levelPermissionsManagement = "Permissions management"

// maxListedActions caps the actions a finding lists.
const maxListedActions = 20

func (a *auditor) permissionsManagement() {
	cat := a.o.Catalog
	if cat.AccessLevel == nil || cat.MatchActions == nil {
		return
	}
	for _, s := range a.identitySources() {
		d := a.parse(&s)
		if d == nil {
			continue
		}
		for _, sum := range policy.Summarize(d, cat) {
			st := &d.Statements[sum.Statement]
			if st.Effect != policy.Allow || !allResources(st) || sum.Levels[levelPermissionsManagement] == 0 || a.isMarked(&s, st.Index) {
				continue
			}
			var acts []string
			for _, act := range sum.Actions {
				if l, _ := cat.AccessLevel(act); l == levelPermissionsManagement {
					acts = append(acts, act)
				}
			}
			ev := s.evidence(st)
			ev.Detail = fmt.Sprintf("%d Permissions management action(s) on every resource", len(acts))
			ev.Actions = acts[:min(len(acts), maxListedActions)]
			a.add(s.resource, fmt.Sprintf("Statement %d of %s allows %d \"Permissions management\" action(s) on every resource, such as %s.",
				st.Index, s.label, len(acts), acts[0]), ev)
		}
	}
}

func (a *auditor) allSources() []source { return append(a.identitySources(), a.trustSources()...) }

const forAllValues = "forallvalues:"

// forAllValuesAbsent reports ForAllValues conditions of Allow statements whose key is not also
// required to be present with Null "false".
func (a *auditor) forAllValuesAbsent() {
	for _, s := range a.allSources() {
		for _, st := range allowStatements(a.parse(&s)) {
			for _, c := range st.Conditions {
				if !strings.HasPrefix(strings.ToLower(c.Operator), forAllValues) || requiresPresent(st, c.Key) {
					continue
				}
				ev := s.evidence(st)
				ev.Detail = c.Operator + " " + c.Key
				a.add(s.resource, fmt.Sprintf("Statement %d of %s allows with %s on %s, which is true when the request has no %s; add a Null condition (%s: false) or use ForAnyValue.",
					st.Index, s.label, c.Operator, c.Key, c.Key, c.Key), ev)
			}
		}
	}
}

// requiresPresent reports whether the statement has Null: {key: false}.
func requiresPresent(st *policy.Statement, key string) bool {
	for _, c := range st.Conditions {
		if strings.EqualFold(c.Operator, "Null") && strings.EqualFold(c.Key, key) && containsFold(c.Values, "false") {
			return true
		}
	}
	return false
}

func (a *auditor) forAllValuesSingle() {
	for _, s := range a.allSources() {
		for _, f := range a.lint(&s, func(c string) bool { return c == policy.CodeForAllValuesSingle }) {
			a.add(s.resource, fmt.Sprintf("Statement %d of %s: %s", f.Statement, s.label, f.Message),
				Evidence{Policy: s.policy, Statement: intPtr(f.Statement), Detail: f.Path})
		}
	}
}

func (a *auditor) directPolicies() {
	for _, u := range a.s.Users {
		if len(u.Attached)+len(u.Inline) == 0 {
			continue
		}
		var ev []Evidence
		for _, p := range u.Attached {
			ev = append(ev, Evidence{Policy: p})
		}
		for _, p := range u.Inline {
			ev = append(ev, Evidence{Policy: "inline:" + p.Name})
		}
		a.add(u.ARN, fmt.Sprintf("User %s has %d policy(ies) of its own; grant permissions through groups.", u.Name, len(ev)), ev...)
	}
}

// inlineOnly reports users, groups and roles with inline policies and no managed policy. A
// user's managed policies include those attached to her groups: her permissions are not only
// inline when a group of hers attaches one.
func (a *auditor) inlineOnly() {
	groupManaged := map[string]bool{}
	for _, g := range a.s.Groups {
		if len(g.Attached) > 0 {
			groupManaged[g.Name] = true
		}
	}
	report := func(kind, name, arn string, inline []InlinePolicy, managed bool) {
		if len(inline) == 0 || managed {
			return
		}
		ev := make([]Evidence, len(inline))
		for i, p := range inline {
			ev[i] = Evidence{Policy: "inline:" + p.Name}
		}
		a.add(arn, fmt.Sprintf("The permissions of %s %s are only in inline policies; use managed policies, which can be versioned, reused and reviewed.", kind, name), ev...)
	}
	for _, u := range a.s.Users {
		managed := len(u.Attached) > 0
		for _, g := range u.Groups {
			managed = managed || groupManaged[g]
		}
		report("user", u.Name, u.ARN, u.Inline, managed)
	}
	for _, g := range a.s.Groups {
		report("group", g.Name, g.ARN, g.Inline, len(g.Attached) > 0)
	}
	for _, r := range a.s.Roles {
		if !r.ServiceLinked() {
			report("role", r.Name, r.ARN, r.Inline, len(r.Attached) > 0)
		}
	}
}
