package policy

import (
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// refEvaluate is a second evaluator, written straight from the IAM User Guide ("How AWS
// enforcement code logic evaluates requests to allow or deny access", "Policy evaluation for
// requests within a single account", "Cross-account policy evaluation logic"). It is deliberately
// simple: no compilation, no indexing; it loops over the documents and compiles every condition
// and resource pattern on each call. Tests and the fuzzer check Evaluate against it.
func refEvaluate(w *world) DecisionEffect {
	type verdict struct{ allow, deny bool }
	// all applicable statements of one document; grants collects the Principal-match kinds of
	// applicable Allows (used for resource-based policies).
	eval := func(p refPolicy, grants *uint8) verdict {
		var v verdict
		for _, st := range p.doc.Statements {
			ok, g := refStatement(&st, p.ref.Kind, p.doc.Version, w)
			if !ok {
				continue
			}
			if st.Effect == Deny {
				v.deny = true
			} else if st.Effect == Allow {
				v.allow = true
				if grants != nil {
					*grants |= g
				}
			}
		}
		return v
	}

	// Step 1: an explicit deny in any policy wins.
	anyDeny := false
	anyAllow := func(ps []refPolicy) bool {
		a := false
		for _, p := range ps {
			v := eval(p, nil)
			anyDeny = anyDeny || v.deny
			a = a || v.allow
		}
		return a
	}
	orgOK := func(levels [][]refPolicy) bool {
		ok := true
		for _, l := range levels {
			if !anyAllow(l) {
				ok = false
			}
		}
		return ok
	}
	rcpOK := orgOK(w.rcps)
	scpOK := orgOK(w.scps)
	identityAllows := anyAllow(w.identity)
	boundaryAllows := w.boundary == nil || anyAllow([]refPolicy{*w.boundary})
	// GetFederationToken: "if you do not pass any session policies, then the resulting
	// federated user session has no permissions".
	sessionAllows := anyAllow(w.session) || len(w.session) == 0 && w.principal.Type != PrincipalFederatedUser
	var grants uint8
	if w.resourcePolicy != nil {
		v := eval(*w.resourcePolicy, &grants)
		anyDeny = anyDeny || v.deny
	}
	if anyDeny {
		return DecisionExplicitDeny
	}
	// Steps 2 and 3: organization policies must allow at every level.
	if !rcpOK || !scpOK {
		return DecisionImplicitDeny
	}
	p := w.principal
	callerSide := identityAllows && boundaryAllows && sessionAllows
	sameAccount := p.Account != "" && (w.resourceAccount == "" || w.resourceAccount == p.Account)
	if sameAccount {
		// A role trust policy must allow even within the account: naming the caller, or naming
		// the account, which then delegates to the caller's identity-based policies.
		trustOK := w.resourcePolicy == nil || w.resourcePolicy.ref.Kind != Trust || grants&grantAccount != 0
		switch {
		case p.Type == PrincipalRoot && trustOK:
			return DecisionAllow
		case grants&grantDirect != 0:
			// The resource-based policy names the user or session itself.
			return DecisionAllow
		case grants&grantEntity != 0 && boundaryAllows && sessionAllows:
			// It names the role (or the user behind a federated session).
			return DecisionAllow
		case callerSide && trustOK:
			return DecisionAllow
		}
		return DecisionImplicitDeny
	}
	// Cross-account: both sides must allow.
	switch p.Type {
	case PrincipalRoot, PrincipalAnonymous, PrincipalService, PrincipalFederated:
		callerSide = true
	}
	if callerSide && grants != 0 {
		return DecisionAllow
	}
	return DecisionImplicitDeny
}

// refStatement reports whether a statement applies to the request and how it names the caller.
func refStatement(st *Statement, kind Kind, version string, w *world) (bool, uint8) {
	opts := condition.Options{Variables: version == "2012-10-17"}
	// Action / NotAction.
	actionMatch := false
	if st.Action != nil {
		for _, a := range st.Action {
			if arn.GlobFold(a, w.action) {
				actionMatch = true
			}
		}
	} else {
		actionMatch = true
		for _, a := range st.NotAction {
			if arn.GlobFold(a, w.action) {
				actionMatch = false
			}
		}
	}
	if !actionMatch {
		return false, 0
	}
	// A statement that cannot be compiled fails closed: a Deny applies, an Allow does not.
	var clauses []*condition.Clause
	var patterns []*condition.Pattern
	broken := st.Effect != Allow && st.Effect != Deny
	for _, c := range st.Conditions {
		cl, err := condition.Compile(c.Operator, c.Key, c.Values, opts)
		if err != nil {
			broken = true
			continue
		}
		clauses = append(clauses, cl)
	}
	resources, not := st.Resource, false
	if st.NotResource != nil {
		resources, not = st.NotResource, true
	}
	star := false
	for _, r := range resources {
		if r == "*" && !not {
			star = true
			continue
		}
		p, err := condition.CompileARN(r, opts)
		if err != nil {
			broken = true
			continue
		}
		patterns = append(patterns, p)
	}
	if broken {
		return st.Effect == Deny, grantDirect
	}
	// Principal / NotPrincipal.
	grant := grantDirect
	switch {
	case st.Principal != nil:
		grant = refPrincipal(st.Principal, w.principal)
		if grant == 0 {
			return false, 0
		}
	case st.NotPrincipal != nil:
		// A Deny with NotPrincipal exempts nobody who has a permissions boundary
		// ("Permissions boundaries for IAM entities").
		if refNotPrincipalExempts(st.NotPrincipal, w.principal) && (st.Effect == Allow || w.boundary == nil) {
			return false, 0
		}
	case kind == Resource || kind == Trust:
		return false, 0
	}
	// Resource / NotResource.
	if resources != nil && !star {
		m := false
		for _, p := range patterns {
			if p.Match(w.resource, w.ctx) {
				m = true
			}
		}
		if m == not {
			return false, 0
		}
	}
	// Conditions are ANDed.
	for _, cl := range clauses {
		if !cl.Eval(w.ctx).Match {
			return false, 0
		}
	}
	return true, grant
}

// refPrincipal returns the grant bits of a Principal element for the caller.
func refPrincipal(pr *Principal, who PrincipalInfo) uint8 {
	var g uint8
	if pr.Wildcard {
		g |= grantDirect
	}
	for _, v := range pr.AWS {
		switch {
		case v == "*":
			g |= grantDirect
		case who.Type == PrincipalService || who.Type == PrincipalFederated || who.Type == PrincipalAnonymous:
		case who.Account != "" && (v == who.Account || v == "arn:aws:iam::"+who.Account+":root" ||
			strings.HasPrefix(v, "arn:aws-") && strings.HasSuffix(v, ":iam::"+who.Account+":root")):
			g |= grantAccount
		case v == who.ARN:
			g |= grantDirect
		case who.SourceARN != "" && v == who.SourceARN:
			g |= grantEntity
		}
	}
	for _, v := range pr.Service {
		if who.Type == PrincipalService && strings.EqualFold(v, who.ARN) {
			g |= grantDirect
		}
	}
	for _, v := range pr.Federated {
		if who.Type == PrincipalFederated && v == who.ARN {
			g |= grantDirect
		}
	}
	return g
}

// refNotPrincipalExempts: a NotPrincipal element exempts a caller only if it lists the caller's
// account and the caller's own ARN (the account alone for the root user).
func refNotPrincipalExempts(pr *Principal, who PrincipalInfo) bool {
	if pr.Wildcard {
		return true
	}
	for _, v := range pr.AWS {
		if v == "*" {
			return true
		}
	}
	switch who.Type {
	case PrincipalAnonymous:
		return false
	case PrincipalService, PrincipalFederated:
		return refPrincipal(pr, who) != 0
	}
	hasAccount, hasSelf := false, who.Type == PrincipalRoot
	for _, v := range pr.AWS {
		if v == who.Account || v == "arn:aws:iam::"+who.Account+":root" {
			hasAccount = true
		}
		if v == who.ARN {
			hasSelf = true
		}
	}
	return hasAccount && hasSelf
}
