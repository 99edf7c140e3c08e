package exposure

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// Access says who outside the account a finding lets in.
type Access string

// The kinds of external access (see the package documentation).
const (
	Public       Access = "Public"
	CrossAccount Access = "CrossAccount"
	Organization Access = "Organization"
	Federated    Access = "Federated"
	Service      Access = "Service"
)

// Severity ranks findings.
type Severity string

// The severities, from the worst.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

// Condition is one (operator, key, values) of the statement that produced a finding.
type Condition struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
}

// Finding is one statement granting access to one party outside the account.
type Finding struct {
	// Statement is the statement's zero-based index; Sid its Sid.
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	Access    Access `json:"access"`
	// Severity follows Access and the conditions (see the package documentation).
	Severity Severity `json:"severity"`
	// Principal is the Principal entry that grants the access, as "TYPE:value" ("AWS:*",
	// "AWS:111122223333", "Federated:accounts.google.com", "Service:sns.amazonaws.com"), or
	// "NotPrincipal".
	Principal string `json:"principal"`
	// External names the outside party: "*" for Public, an account ID, an organization ID, an
	// identity provider, or a service (with " for any account" or " for ACCOUNT").
	External string `json:"external"`
	// Actions are the statement's Action (or, with NotAction set, NotAction) patterns as written.
	Actions   []string `json:"actions"`
	NotAction bool     `json:"notAction,omitempty"`
	// Conditions are the statement's conditions, which constrain the access.
	Conditions []Condition `json:"conditions,omitempty"`
	// Reason says what the finding means in one sentence.
	Reason string `json:"reason"`
	// Witness is a request the engine allows by this statement.
	Witness Witness `json:"witness"`
}

// Witness is a concrete request that the policy allows: feeding Input() to policy.Evaluate, with
// the analyzed policy compiled as the resource-based (or trust) policy, returns Allow.
type Witness struct {
	// PrincipalType is a policy.PrincipalType name: Anonymous, Root, User, RoleSession,
	// FederatedUser, Service or Federated.
	PrincipalType string `json:"principalType"`
	// Principal is the caller's ARN, service name or identity provider ("" when anonymous).
	Principal string `json:"principal,omitempty"`
	Account   string `json:"account,omitempty"`
	// SourceARN is the role (or user) behind a session.
	SourceARN string `json:"sourceArn,omitempty"`
	Action    string `json:"action"`
	Resource  string `json:"resource"`
	// ResourceAccount is the analyzed account, which owns the resource.
	ResourceAccount string `json:"resourceAccount"`
	// Context holds the request's condition keys, as the policy spells them.
	Context map[string][]string `json:"context,omitempty"`
	// CallerPolicy is set when the caller is an IAM user or role session of another account,
	// which its own account must also allow: the witness gives it an identity-based policy
	// allowing everything.
	CallerPolicy bool `json:"callerPolicy,omitempty"`
}

// Input returns the evaluation input of the witness with compiled (the analyzed policy) as the
// resource-based policy.
func (w *Witness) Input(compiled *policy.Compiled) *policy.Input {
	in := &policy.Input{
		Action:          w.Action,
		Resource:        w.Resource,
		Context:         condition.NewMap(w.Context),
		Principal:       policy.PrincipalInfo{Type: principalType(w.PrincipalType), ARN: w.Principal, Account: w.Account, SourceARN: w.SourceARN},
		ResourceAccount: w.ResourceAccount,
		ResourcePolicy:  compiled,
	}
	if w.CallerPolicy {
		in.Identity = []*policy.Compiled{allowAll}
	}
	return in
}

func principalType(name string) policy.PrincipalType {
	for t := policy.PrincipalAnonymous; t <= policy.PrincipalFederated; t++ {
		if t.String() == name {
			return t
		}
	}
	return policy.PrincipalAnonymous
}

// allowAll stands for the other account's own permissions: it lets its principals do anything.
var allowAll = func() *policy.Compiled {
	doc := &policy.Document{Version: "2012-10-17", Statements: []policy.Statement{{
		Effect: policy.Allow, Action: []string{"*"}, Resource: []string{"*"},
	}}}
	c, err := policy.Compile(doc, policy.Identity, policy.PolicyRef{Name: "witness-caller"})
	if err != nil {
		panic(err) // a constant document: programmer error
	}
	return c
}()

// Analyze returns the external and public access findings of a role trust policy (kind
// policy.Trust) or resource-based policy (policy.Resource) owned by account, sorted by
// statement and principal entry. A policy that grants nothing outside the account yields none.
func Analyze(doc string, kind policy.Kind, account string) ([]Finding, error) {
	if kind != policy.Trust && kind != policy.Resource {
		return nil, fmt.Errorf("exposure: %v policies name no principals; want a trust or resource policy", kind)
	}
	if !arn.IsAccountID(account) {
		return nil, fmt.Errorf("exposure: account %q is not a 12-digit account ID", account)
	}
	d, err := policy.Parse(doc, kind)
	if err != nil {
		return nil, fmt.Errorf("exposure: %w", err)
	}
	compiled, err := policy.Compile(d, kind, policy.PolicyRef{Name: "analyzed"})
	if err != nil {
		return nil, fmt.Errorf("exposure: %w", err)
	}
	a := &analysis{doc: d, kind: kind, account: account, compiled: compiled, text: strings.ToLower(doc)}
	a.mentioned = mentionedAccounts(d)
	a.fresh = freshAccount(account, a.mentioned)
	var out []Finding
	for i := range d.Statements {
		st := &d.Statements[i]
		if st.Effect != policy.Allow {
			continue
		}
		for _, p := range a.parties(st) {
			if f, ok := a.search(st, p); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// analysis is the state of one Analyze call.
type analysis struct {
	doc       *policy.Document
	kind      policy.Kind
	account   string
	compiled  *policy.Compiled
	text      string          // the document, lower-cased, to see which derived keys it uses
	mentioned map[string]bool // accounts written anywhere in the policy
	fresh     string          // an account the policy does not mention: "any account"
}

// party is one Principal entry of a statement and the callers that may witness it.
type party struct {
	label string
	any   bool // "*" or NotPrincipal: any account
	cands []policy.PrincipalInfo
}

func (a *analysis) parties(st *policy.Statement) []party {
	var out []party
	switch {
	case st.NotPrincipal != nil:
		out = append(out, party{label: "NotPrincipal", any: true, cands: a.anyCallers(st)})
	case st.Principal == nil:
		return nil
	default:
		p := st.Principal
		if p.Wildcard {
			out = append(out, party{label: "*", any: true, cands: a.anyCallers(st)})
		}
		for _, v := range p.AWS {
			if v == "*" {
				out = append(out, party{label: "AWS:*", any: true, cands: a.anyCallers(st)})
				continue
			}
			if c, ok := a.awsPrincipal(v); ok && c.Account != a.account {
				out = append(out, party{label: "AWS:" + v, cands: []policy.PrincipalInfo{c}})
			}
		}
		for _, v := range p.Service {
			out = append(out, party{label: "Service:" + v, cands: []policy.PrincipalInfo{{Type: policy.PrincipalService, ARN: v}}})
		}
		for _, v := range p.Federated {
			out = append(out, party{label: "Federated:" + v, cands: []policy.PrincipalInfo{{Type: policy.PrincipalFederated, ARN: v}}})
		}
	}
	return out
}

// anyCallers are the candidates for "*" and NotPrincipal: anonymous (resource policies only), a
// principal of an account the policy never names, then the accounts and ARNs written in the
// statement's conditions on the caller.
func (a *analysis) anyCallers(st *policy.Statement) []policy.PrincipalInfo {
	var out []policy.PrincipalInfo
	if a.kind == policy.Resource {
		out = append(out, policy.PrincipalInfo{Type: policy.PrincipalAnonymous})
	}
	out = append(out, a.accountCaller(a.fresh))
	seen := map[string]bool{}
	for _, c := range st.Conditions {
		switch strings.ToLower(c.Key) {
		case "aws:principalaccount":
			for _, v := range c.Values {
				if arn.IsAccountID(v) && v != a.account && !seen[v] {
					seen[v] = true
					out = append(out, a.accountCaller(v))
				}
			}
		case "aws:principalarn":
			for _, v := range c.Values {
				if p, ok := a.awsPrincipal(concreteARN(v, a.fresh)); ok && p.Account != a.account && !seen[p.ARN] {
					seen[p.ARN] = true
					out = append(out, p)
				}
			}
		}
	}
	for _, acct := range sortedKeys(a.mentioned) {
		if acct != a.account && !seen[acct] {
			out = append(out, a.accountCaller(acct))
		}
	}
	return out
}

// accountCaller is the witness for "any principal of account acct": its root user, or for a
// trust policy an IAM user (AWS does not let the root user call sts:AssumeRole).
func (a *analysis) accountCaller(acct string) policy.PrincipalInfo {
	if a.kind == policy.Trust {
		return policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: "arn:aws:iam::" + acct + ":user/witness", Account: acct}
	}
	return policy.PrincipalInfo{Type: policy.PrincipalRoot, ARN: "arn:aws:iam::" + acct + ":root", Account: acct}
}

// awsPrincipal turns an AWS Principal value (account ID, root, user, role, assumed-role or
// federated-user ARN) into a caller.
func (a *analysis) awsPrincipal(v string) (policy.PrincipalInfo, bool) {
	if arn.IsAccountID(v) {
		return a.accountCaller(v), true
	}
	r, err := arn.Parse(v)
	if err != nil || !arn.IsAccountID(r.Account) {
		return policy.PrincipalInfo{}, false
	}
	typ, rest, _ := strings.Cut(r.Resource, "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	switch {
	case r.Resource == "root":
		return a.accountCaller(r.Account), true
	case r.Service == "iam" && typ == "user":
		return policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: v, Account: r.Account}, true
	case r.Service == "iam" && typ == "role":
		session := "arn:" + r.Partition + ":sts::" + r.Account + ":assumed-role/" + name + "/witness"
		return policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: session, Account: r.Account, SourceARN: v}, true
	case r.Service == "sts" && typ == "assumed-role":
		role, _, _ := strings.Cut(rest, "/")
		return policy.PrincipalInfo{Type: policy.PrincipalRoleSession, ARN: v, Account: r.Account,
			SourceARN: "arn:" + r.Partition + ":iam::" + r.Account + ":role/" + role}, true
	case r.Service == "sts" && typ == "federated-user":
		return policy.PrincipalInfo{Type: policy.PrincipalFederatedUser, ARN: v, Account: r.Account,
			SourceARN: "arn:" + r.Partition + ":iam::" + r.Account + ":user/witness"}, true
	}
	return policy.PrincipalInfo{}, false
}

// concreteARN fills the wildcards of an ARN pattern: a wildcard account becomes acct, other
// wildcards the text "witness".
func concreteARN(v, acct string) string {
	r, err := arn.Parse(v)
	if err != nil {
		return fill(v)
	}
	if arn.HasWildcard(r.Account) {
		r.Account = acct
	}
	return "arn:" + fill(r.Partition) + ":" + fill(r.Service) + ":" + fill(r.Region) + ":" + r.Account + ":" + fill(r.Resource)
}

// fill replaces the wildcards and policy variables of a pattern with literal text.
func fill(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*':
			b.WriteString("witness")
		case c == '?':
			b.WriteByte('x')
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			if j := strings.IndexByte(s[i:], '}'); j > 0 {
				b.WriteString("witness")
				i += j
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mentionedAccounts collects the account IDs written in Principal elements and condition values.
func mentionedAccounts(d *policy.Document) map[string]bool {
	m := map[string]bool{}
	add := func(v string) {
		if arn.IsAccountID(v) {
			m[v] = true
		} else if r, err := arn.Parse(v); err == nil && arn.IsAccountID(r.Account) {
			m[r.Account] = true
		}
	}
	for _, st := range d.Statements {
		for _, p := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			if p != nil {
				for _, v := range p.AWS {
					add(v)
				}
			}
		}
		for _, c := range st.Conditions {
			for _, v := range c.Values {
				add(v)
			}
		}
	}
	return m
}

// freshAccount picks the witness account for "any account": one the policy never mentions.
func freshAccount(own string, mentioned map[string]bool) string {
	for _, a := range []string{"999988887777", "111122223333", "444455556666", "777766665555"} {
		if a != own && !mentioned[a] {
			return a
		}
	}
	return "555544443333"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// errNotExternal rejects a confirmed request whose caller is inside the account after all.
var errNotExternal = errors.New("not external")
