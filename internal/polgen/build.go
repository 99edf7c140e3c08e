package polgen

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/policy"
)

// entry is one Action element value with the resources it needs.
type entry struct {
	pattern   string // "iam:CreateUser", or a wildcard after merging
	service   string
	resources []string // sorted; ["*"] when star
	reason    string   // why the resource is "*"; "" for ARNs
	rtype     string   // the resource type of the ARNs
	passedTo  []string // iam:PassedToService values; nil for no condition
	depOnly   bool     // only needed as a dependent action
}

func (e *entry) star() bool { return len(e.resources) == 1 && e.resources[0] == "*" }

// label says what kind of statement an entry belongs to; it ends the statement's Sid.
func (e *entry) label() string {
	switch {
	case e.passedTo != nil:
		return "PassRoleToService"
	case e.depOnly:
		return "DependentActions"
	case e.star():
		return e.reason
	case e.rtype != "":
		return sidWord(e.rtype)
	}
	return "Resources"
}

// Result builds the policy from the records added so far. It may be called more than once.
func (g *Generator) Result() (*Result, error) {
	res := &Result{Principal: g.o.Principal, From: g.o.From, To: g.o.To, Limit: policy.SizeLimit(g.o.Kind), Stats: g.stats}
	if g.o.Lint == nil {
		c := lintcat.Adapt(g.cat)
		g.o.Lint = &c
	}
	cat := *g.o.Lint
	// Resources taken from records can be ARNs IAM refuses (an account ID that is not 12
	// digits, an unknown Region): validation names them, they are left out (the action falls
	// back to "*" when none is left) and the policy is made again.
	refused := map[string]string{}
	for attempt := 0; ; attempt++ {
		res.Notes = nil
		entries := g.entries(refused)
		services := map[string]bool{}
		for _, e := range entries {
			services[e.service] = true
		}
		res.Stats.ServicesUsed = len(services)
		text, err := g.fit(entries, res)
		if err != nil {
			return nil, err
		}
		res.Policy, res.Size, res.IsEmpty = text, policy.Size(text), len(entries) == 0
		if res.IsEmpty {
			break
		}
		findings, err := policy.Lint(text, g.o.Kind, cat)
		if err != nil {
			return nil, fmt.Errorf("polgen: lint: %w", err)
		}
		var errs []policy.Finding
		more := false
		for _, f := range findings {
			switch f.Type {
			case policy.FindingError:
				errs = append(errs, f)
				if r := resourceAt(text, f.Steps); r != "" && r != "*" && refused[r] == "" && attempt < 8 {
					refused[r], more = f.Message, true
				}
			case policy.FindingSecurityWarning:
				res.Notes = append(res.Notes, fmt.Sprintf("Validation: %s at %s: %s", f.Code, f.Path, f.Message))
			}
		}
		if more {
			continue
		}
		if len(errs) > 0 {
			return nil, fmt.Errorf("polgen: generated policy fails validation at %s: %s", errs[0].Path, errs[0].Message)
		}
		break
	}
	for _, r := range sortedKeys(boolKeys(refused)) {
		res.Notes = append(res.Notes, fmt.Sprintf("The resource %s from the records is left out: %s", r, refused[r]))
	}
	res.Used, res.Denied = g.uses()
	g.notes(res)
	if g.o.Current != nil {
		d, notes := g.diff(res.Denied)
		res.Diff = d
		res.Notes = append(res.Notes, notes...)
	} else {
		res.Notes = append(res.Notes, "The principal's current policies are unknown, so there is no comparison with what it is granted today.")
	}
	return res, nil
}

func boolKeys(m map[string]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// resourceAt returns the Resource entry of a rendered document at a finding's path
// (Statement[i].Resource[j]), or "" when the path is elsewhere.
func resourceAt(text string, steps []policy.PathStep) string {
	if len(steps) != 4 || steps[0].Name != "Statement" || steps[1].Name != "" || steps[2].Name != "Resource" || steps[3].Name != "" {
		return ""
	}
	var doc docJSON
	if json.Unmarshal([]byte(text), &doc) != nil {
		return ""
	}
	i, j := steps[1].Index, steps[3].Index
	if i < 0 || i >= len(doc.Statement) || j < 0 || j >= len(doc.Statement[i].Resource) {
		return ""
	}
	return doc.Statement[i].Resource[j]
}

// entries turns the usage into one entry per action, sorted by action, without the refused
// resources.
func (g *Generator) entries(refused map[string]string) []*entry {
	out := make([]*entry, 0, len(g.used))
	for name, u := range g.used {
		e := &entry{pattern: name, service: u.action.Service, resources: g.resourceList(u), reason: u.star, rtype: u.rtype, depOnly: u.calls == 0}
		if len(refused) > 0 && !e.star() {
			kept := e.resources[:0:0]
			for _, r := range e.resources {
				if refused[r] == "" {
					kept = append(kept, r)
				}
			}
			if e.resources = kept; len(kept) == 0 {
				e.resources, e.reason, e.rtype = []string{"*"}, reasonRefused, ""
			}
		}
		if len(u.passedTo) > 0 && !u.anyTarget {
			e.passedTo = sortedKeys(u.passedTo)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pattern < out[j].pattern })
	return out
}

// fit renders the entries as a document, merging wildcards until it fits the quota.
func (g *Generator) fit(entries []*entry, res *Result) (string, error) {
	limit := policy.SizeLimit(g.o.Kind)
	text, err := render(entries)
	if err != nil || policy.Size(text) <= limit {
		return text, err
	}
	before := policy.Size(text)
	// 1. Within each service, biggest first: actions sharing a verb prefix become Verb*.
	for _, svc := range bySize(entries) {
		merged, names := mergeService(entries, svc, verbPrefix)
		if len(names) == 0 {
			continue
		}
		entries = merged
		if text, err = render(entries); err != nil {
			return "", err
		}
		res.Notes = append(res.Notes, fmt.Sprintf("To fit the %d-character quota, %s actions were merged by prefix: %s.", limit, svc, strings.Join(names, ", ")))
		if policy.Size(text) <= limit {
			return text, nil
		}
	}
	// 2. Then whole services become service:*.
	for _, svc := range bySize(entries) {
		merged, names := mergeService(entries, svc, func(string) string { return "" })
		if len(names) == 0 {
			continue
		}
		entries = merged
		if text, err = render(entries); err != nil {
			return "", err
		}
		res.Notes = append(res.Notes, fmt.Sprintf("To fit the %d-character quota, all %s actions were merged into %s.", limit, svc, names[0]))
		if policy.Size(text) <= limit {
			return text, nil
		}
	}
	// 3. Then resources: first the last path element of each ARN, then "*".
	for _, whole := range []bool{false, true} {
		for _, e := range entries {
			if !e.star() {
				e.resources = widen(e.resources, whole)
				if e.star() {
					e.reason = "ResourcesMergedToFit"
				}
			}
		}
		if text, err = render(entries); err != nil {
			return "", err
		}
		what := "ARNs were widened to their parent path with a wildcard"
		if whole {
			what = "every resource was replaced with *"
		}
		res.Notes = append(res.Notes, fmt.Sprintf("To fit the %d-character quota, %s.", limit, what))
		if policy.Size(text) <= limit {
			return text, nil
		}
	}
	return "", fmt.Errorf("polgen: the policy does not fit the %d-character quota even with wildcards (%d characters before merging, %d after)", limit, before, policy.Size(text))
}

// bySize returns the services of the entries, those with the longest entries first.
func bySize(entries []*entry) []string {
	size := map[string]int{}
	for _, e := range entries {
		n := len(e.pattern)
		for _, r := range e.resources {
			n += len(r)
		}
		size[e.service] += n
	}
	out := make([]string, 0, len(size))
	for s := range size {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if size[out[i]] != size[out[j]] {
			return size[out[i]] > size[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// verbPrefix is the leading word of an action name: "Get" of "GetUser".
func verbPrefix(name string) string {
	for i := 1; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' {
			return name[:i]
		}
	}
	return name
}

// mergeService merges the service's entries whose action names share key(name) into one
// entry "service:KEY*"; it returns the new entries and the wildcards made.
func mergeService(entries []*entry, svc string, key func(string) string) ([]*entry, []string) {
	groups := map[string][]*entry{}
	var out []*entry
	for _, e := range entries {
		name := e.pattern[len(e.service)+1:]
		if e.service != svc || strings.ContainsAny(name, "*?") && key(name) != "" {
			out = append(out, e)
			continue
		}
		k := key(strings.TrimSuffix(name, "*"))
		groups[k] = append(groups[k], e)
	}
	var names []string
	for k, es := range groups {
		if len(es) < 2 {
			out = append(out, es...)
			continue
		}
		m := merge(es, svc+":"+k+"*")
		out = append(out, m)
		names = append(names, m.pattern)
	}
	sort.Strings(names)
	sort.Slice(out, func(i, j int) bool { return out[i].pattern < out[j].pattern })
	return out, names
}

// merge combines entries into one with the union of their resources (and no condition unless
// all have one).
func merge(es []*entry, pattern string) *entry {
	m := &entry{pattern: pattern, service: es[0].service, depOnly: true, rtype: es[0].rtype}
	rs := map[string]bool{}
	pass := map[string]bool{}
	cond := true
	for _, e := range es {
		m.depOnly = m.depOnly && e.depOnly
		if e.rtype != m.rtype {
			m.rtype = ""
		}
		if e.star() && m.reason == "" || e.reason == reasonNotInRecords {
			m.reason = e.reason
		}
		for _, r := range e.resources {
			rs[r] = true
		}
		if e.passedTo == nil {
			cond = false
		}
		for _, s := range e.passedTo {
			pass[s] = true
		}
	}
	if rs["*"] {
		m.resources = []string{"*"}
	} else {
		m.resources, m.reason = sortedKeys(rs), ""
	}
	if cond {
		m.passedTo = sortedKeys(pass)
	}
	return m
}

// widen replaces each ARN's last path element with * (or, with whole, everything with *).
func widen(rs []string, whole bool) []string {
	if whole {
		return []string{"*"}
	}
	set := map[string]bool{}
	for _, r := range rs {
		i := strings.LastIndexAny(r, "/:")
		if i < 0 || strings.Count(r[:i+1], ":") < 5 {
			set[r] = true
			continue
		}
		set[r[:i+1]+"*"] = true
	}
	return sortedKeys(set)
}

// The document as written: fields in AWS's order.
type (
	docJSON struct {
		Version   string     `json:"Version"`
		Statement []stmtJSON `json:"Statement"`
	}
	stmtJSON struct {
		Sid       string                         `json:"Sid"`
		Effect    string                         `json:"Effect"`
		Action    []string                       `json:"Action"`
		Resource  []string                       `json:"Resource"`
		Condition map[string]map[string][]string `json:"Condition,omitempty"`
	}
)

// render groups entries into statements (per service, resources, condition and kind of
// statement) and writes the document.
func render(entries []*entry) (string, error) {
	type group struct {
		svc, label string
		e          *entry
		actions    []string
	}
	byKey := map[string]*group{}
	var groups []*group
	for _, e := range entries {
		k := e.service + "\x00" + e.label() + "\x00" + strings.Join(e.resources, "\x01") + "\x00" + strings.Join(e.passedTo, "\x01")
		gr := byKey[k]
		if gr == nil {
			gr = &group{svc: e.service, label: e.label(), e: e}
			byKey[k] = gr
			groups = append(groups, gr)
		}
		gr.actions = append(gr.actions, e.pattern)
	}
	for _, gr := range groups {
		sort.Strings(gr.actions)
	}
	sort.Slice(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if a.svc != b.svc {
			return a.svc < b.svc
		}
		if a.label != b.label {
			return a.label < b.label
		}
		return a.actions[0] < b.actions[0]
	})
	doc := docJSON{Version: "2012-10-17", Statement: []stmtJSON{}}
	sids := map[string]int{}
	for _, gr := range groups {
		sid := sidWord(gr.svc) + gr.label
		sids[sid]++
		if n := sids[sid]; n > 1 {
			sid = fmt.Sprintf("%s%d", sid, n)
		}
		st := stmtJSON{Sid: sid, Effect: "Allow", Action: gr.actions, Resource: gr.e.resources}
		if gr.e.passedTo != nil {
			st.Condition = map[string]map[string][]string{"StringEquals": {"iam:PassedToService": gr.e.passedTo}}
		}
		doc.Statement = append(doc.Statement, st)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", fmt.Errorf("polgen: render: %w", err)
	}
	return string(b) + "\n", nil
}

// sidWord turns a service prefix into a Sid word: "access-analyzer" → "AccessAnalyzer".
func sidWord(prefix string) string {
	var b strings.Builder
	up := true
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		switch {
		case c >= 'a' && c <= 'z':
			if up {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
			up = false
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b.WriteByte(c)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// uses lists the granted and the denied actions.
func (g *Generator) uses() (used, denied []Use) {
	for name, u := range g.used {
		used = append(used, Use{Action: name, Calls: u.calls, Resources: g.resourceList(u), DependentOf: sortedKeys(u.depOf)})
	}
	for name, d := range g.denied {
		denied = append(denied, Use{Action: name, Calls: d.calls, Resources: g.canonicalSet(d.resources)})
	}
	sort.Slice(used, func(i, j int) bool { return used[i].Action < used[j].Action })
	sort.Slice(denied, func(i, j int) bool { return denied[i].Action < denied[j].Action })
	for i := range used {
		if len(used[i].DependentOf) == 0 {
			used[i].DependentOf = nil
		}
	}
	return used, denied
}

// notes explains what the records did not support.
func (g *Generator) notes(res *Result) {
	if g.stats.Matched == 0 {
		res.Notes = append(res.Notes, "No record of the principal falls in the window: the policy grants nothing.")
	}
	if len(g.unmapped) > 0 {
		keys := make([]string, 0, len(g.unmapped))
		for k := range g.unmapped {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for i, k := range keys {
			if i == 10 {
				parts = append(parts, fmt.Sprintf("and %d more", len(keys)-10))
				break
			}
			parts = append(parts, fmt.Sprintf("%s (%d)", k, g.unmapped[k]))
		}
		res.Notes = append(res.Notes, fmt.Sprintf("Records naming an event the action catalog has no IAM action for, left out: %d (%s).",
			g.stats.Unmapped, strings.Join(parts, ", ")))
	}
	if len(g.free) > 0 {
		names := make([]string, 0, len(g.free))
		for name := range g.free {
			names = append(names, fmt.Sprintf("%s (%d)", name, g.free[name]))
		}
		sort.Strings(names)
		res.Notes = append(res.Notes, fmt.Sprintf("Calls that need no permission (AWS checks no policy for them), left out of the policy: %s.",
			strings.Join(names, ", ")))
	}
	if g.stats.Denied > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("Calls denied in the window: %d; their actions are not granted (they are listed as used but denied).", g.stats.Denied))
	}
	for _, u := range res.Used {
		if len(u.DependentOf) > 0 && u.Calls == 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%s is granted as a dependent action of %s (from the action catalog).", u.Action, strings.Join(u.DependentOf, ", ")))
		}
	}
}

func actionNamesOf(as []*catalog.Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}
