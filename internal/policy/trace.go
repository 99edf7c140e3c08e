package policy

import (
	"slices"
	"strings"
)

// Trace explains a decision: everything Evaluate looked at that mattered. All lists are sorted
// deterministically (by policy kind in evaluation order, organization level, policy ARN, name,
// version and statement index) and do not depend on the order of policies or statements.
type Trace struct {
	// Decision is what Evaluate returns for the same Input.
	Decision Decision
	// Matched lists every statement that applies to the request: its action, resource,
	// principal and conditions all match. It includes Denies and Allows of every policy type.
	Matched []DecisionStatement
	// Failed lists statements that matched the action but could not be evaluated, and why.
	Failed []TraceFailure
	// NoAllow lists the policy types present in the Input that had no applicable Allow (an SCP
	// or RCP type when some level had none), in evaluation order.
	NoAllow []Kind
	// MissingKeys lists, lower-cased, the condition keys that applicable statements looked up
	// and the request context did not have.
	MissingKeys []string
}

// TraceFailure is a statement that could not be evaluated.
type TraceFailure struct {
	Statement DecisionStatement
	Reason    string
}

// Explain evaluates in as Evaluate does and returns the full trace. It allocates; use it for
// the policy simulator, audit detail and error diagnostics, not on the hot path.
func Explain(in *Input) Trace {
	tr := &tracer{keys: map[string]bool{}}
	d := evaluate(in, tr)
	t := Trace{Decision: d, NoAllow: tr.kinds.Kinds()}
	for _, c := range sortCands(tr.match) {
		t.Matched = append(t.Matched, c.statement())
	}
	for _, c := range sortCands(tr.fail) {
		t.Failed = append(t.Failed, TraceFailure{Statement: c.statement(), Reason: c.s.brokenWhy()})
	}
	for k := range tr.keys {
		t.MissingKeys = append(t.MissingKeys, k)
	}
	slices.Sort(t.MissingKeys)
	return t
}

// tracer collects what Explain reports.
type tracer struct {
	match, fail []cand
	keys        map[string]bool
	kinds       DecisionKinds
}

func (t *tracer) matched(c cand)        { t.match = append(t.match, c) }
func (t *tracer) failed(c cand)         { t.fail = append(t.fail, c) }
func (t *tracer) missingKey(key string) { t.keys[strings.ToLower(key)] = true }

// noAllow records the policy types present in the input without an applicable Allow.
func (t *tracer) noAllow(in *Input, id, bd, ss, rb *acc) {
	if len(in.Identity) > 0 && !id.allow {
		t.kinds |= kindBit(Identity)
	}
	if in.Boundary != nil && !bd.allow {
		t.kinds |= kindBit(Boundary)
	}
	if (len(in.Session) > 0 || in.Principal.Type == PrincipalFederatedUser) && !ss.allow {
		t.kinds |= kindBit(Session)
	}
	if in.ResourcePolicy != nil && !rb.allow {
		t.kinds |= kindBit(in.ResourcePolicy.ref.Kind)
	}
	for _, org := range []struct {
		levels [][]*Compiled
		kind   Kind
	}{{in.SCPs, SCP}, {in.RCPs, RCP}} {
		for lvl, pols := range org.levels {
			found := false
			for _, c := range t.match {
				if c.level == lvl && c.s.effect == Allow && slices.Contains(pols, c.c) {
					found = true
				}
			}
			if !found {
				t.kinds |= kindBit(org.kind)
			}
		}
	}
}

// sortCands sorts statements deterministically and drops duplicates (a statement reached
// through two of its actions, or a policy passed twice).
func sortCands(cs []cand) []cand {
	slices.SortFunc(cs, func(a, b cand) int {
		switch {
		case a.less(b):
			return -1
		case b.less(a):
			return 1
		}
		return 0
	})
	return slices.CompactFunc(cs, func(a, b cand) bool { return !a.less(b) && !b.less(a) })
}
