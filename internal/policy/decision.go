package policy

import "strings"

// DecisionEffect is the outcome of an authorization decision.
type DecisionEffect uint8

// The three outcomes AWS distinguishes. The zero value is an implicit deny, so a Decision that
// was never filled in denies.
const (
	// DecisionImplicitDeny: no explicit deny, but some required policy type had no Allow.
	DecisionImplicitDeny DecisionEffect = iota
	// DecisionAllow: the request is allowed.
	DecisionAllow
	// DecisionExplicitDeny: a Deny statement in an applicable policy matched.
	DecisionExplicitDeny
)

// String returns "Allow", "ExplicitDeny" or "ImplicitDeny".
func (e DecisionEffect) String() string {
	switch e {
	case DecisionAllow:
		return "Allow"
	case DecisionExplicitDeny:
		return "ExplicitDeny"
	case DecisionImplicitDeny:
		return "ImplicitDeny"
	}
	return "Invalid"
}

// DecisionStatement identifies one statement of one policy.
type DecisionStatement struct {
	// Policy is the PolicyRef given to Compile.
	Policy PolicyRef
	// Level is the position in the organization path (0 = root) for SCPs and RCPs, else 0.
	Level int
	// Index is the statement's zero-based position in its document; Sid its Sid ("" if none).
	Index int
	Sid   string
	// Effect is the statement's Effect.
	Effect Effect
}

// IsZero reports whether s identifies no statement.
func (s DecisionStatement) IsZero() bool { return s.Policy.Kind == 0 }

// DecisionKinds is a set of policy kinds.
type DecisionKinds uint16

// Has reports whether k is in the set.
func (s DecisionKinds) Has(k Kind) bool { return s&kindBit(k) != 0 }

// Kinds returns the members of the set in the order AWS's evaluation logic considers them.
func (s DecisionKinds) Kinds() []Kind {
	var out []Kind
	for _, k := range kindOrder {
		if s.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

func kindBit(k Kind) DecisionKinds { return 1 << k }

// kindOrder is the order in which the deny reason names policy kinds: AWS's evaluation order
// (organization policies, then the caller's own policies, then the resource's).
var kindOrder = [...]Kind{RCP, SCP, Identity, Boundary, Session, Resource, Trust}

// kindRank gives each kind its position in kindOrder; it orders statements deterministically.
func kindRank(k Kind) int {
	for i, o := range kindOrder {
		if o == k {
			return i
		}
	}
	return len(kindOrder)
}

// Decision is the result of Evaluate. It is a small value; it never allocates.
type Decision struct {
	Effect DecisionEffect
	// By is the deciding statement: for an explicit deny, the first (in the deterministic order
	// of Trace) matching Deny; for an allow, the first Allow of the policy type that granted it;
	// zero for an implicit deny and for the root user's own-account allow, which needs no
	// statement.
	By DecisionStatement
	// Missing holds the policy kinds that were required and had no applicable Allow; set only
	// for an implicit deny.
	Missing DecisionKinds
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Effect == DecisionAllow }

// Reason returns the clause AWS appends to an AccessDenied message ("User: ARN is not authorized
// to perform: ACTION on resource: RESOURCE " + Reason), following the IAM User Guide's
// "Troubleshoot access denied error messages": "with an explicit deny in an identity-based
// policy" or "because no identity-based policy allows the iam:CreateUser action", naming the
// service control policy, resource control policy, permissions boundary, session policy or
// resource-based policy as the case may be. It returns "" for an allow.
func (d Decision) Reason(action string) string {
	switch d.Effect {
	case DecisionExplicitDeny:
		return "with an explicit deny in " + article(d.By.Policy.Kind)
	case DecisionImplicitDeny:
		k := Identity // nothing applied at all: no identity-based policy allows the action
		for _, o := range kindOrder {
			if d.Missing.Has(o) {
				k = o
				break
			}
		}
		return "because no " + kindPhrase(k) + " allows the " + action + " action"
	}
	return ""
}

// kindPhrase names a policy kind as AWS's access denied messages do.
func kindPhrase(k Kind) string {
	switch k {
	case SCP:
		return "service control policy"
	case RCP:
		return "resource control policy"
	case Boundary:
		return "permissions boundary"
	case Session:
		return "session policy"
	case Resource, Trust:
		return "resource-based policy"
	}
	return "identity-based policy"
}

func article(k Kind) string {
	p := kindPhrase(k)
	if strings.IndexByte("aeiou", p[0]) >= 0 {
		return "an " + p
	}
	return "a " + p
}
