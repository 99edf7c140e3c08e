package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
)

// cedarEngine is cedar-go. Each AWS statement becomes one Cedar policy (Allow → permit, Deny →
// forbid), and each principal gets its own PolicySet (cedar-go evaluates every policy of a set,
// so one shared set of all principals' policies would be a strawman):
//
//   - Action wildcards become action groups: the policy says `action in [Action::"s3:Get*"]`
//     and the entity Action::"s3:GetObject" lists every group it belongs to as a parent, as a
//     Cedar schema with action groups would.
//   - The resource ARN is in the context (Cedar cannot `like` an entity UID), matched with
//     `like`.
//   - Principal tags are entity attributes (principal.tags["team"]); request keys are context
//     attributes named like the AWS key in lower case, typed (aws:SourceIp is an ipaddr,
//     aws:SecureTransport a Boolean), and guarded with `has` because a missing key makes an
//     AWS condition false, not an error.
type cedarEngine struct{}

func (cedarEngine) Name() string { return "cedar" }

type cedarState struct {
	sets     []*cedar.PolicySet
	users    []types.EntityUID
	entities types.EntityMap
	groups   []string // lower-case action patterns used by any policy
}

func (cedarEngine) Load(w *Workload) (State, error) {
	st := &cedarState{
		sets:     make([]*cedar.PolicySet, w.NumPrincipals),
		users:    make([]types.EntityUID, w.NumPrincipals),
		entities: types.EntityMap{},
	}
	groups := map[string]bool{}
	var b strings.Builder
	for i := range w.NumPrincipals {
		p := w.Principal(i)
		b.Reset()
		for j, text := range p.Policies {
			d, err := parseAWS(text)
			if err != nil {
				return nil, fmt.Errorf("cedar: principal %s policy %d: %w", p.Name, j, err)
			}
			for k := range d.Statement {
				if err := cedarStatement(&b, &d.Statement[k], groups); err != nil {
					return nil, fmt.Errorf("cedar: principal %s policy %d statement %d: %w", p.Name, j, k, err)
				}
			}
		}
		ps, err := cedar.NewPolicySetFromBytes(p.Name+".cedar", []byte(b.String()))
		if err != nil {
			return nil, fmt.Errorf("cedar: principal %s: %w\n%s", p.Name, err, b.String())
		}
		st.sets[i] = ps
		uid := types.NewEntityUID("User", types.String(p.Name))
		tags := types.RecordMap{}
		for k, v := range p.Tags {
			tags[types.String(k)] = types.String(v)
		}
		st.users[i] = uid
		st.entities[uid] = types.Entity{
			UID:        uid,
			Attributes: types.NewRecord(types.RecordMap{"tags": types.NewRecord(tags)}),
		}
	}
	for g := range groups {
		st.groups = append(st.groups, g)
	}
	return st, nil
}

func cedarStatement(b *strings.Builder, s *awsStatement, groups map[string]bool) error {
	if s.Effect == "Allow" {
		b.WriteString("permit (principal, action in [")
	} else {
		b.WriteString("forbid (principal, action in [")
	}
	for i, a := range s.Action {
		if i > 0 {
			b.WriteString(", ")
		}
		a = strings.ToLower(a)
		if strings.ContainsAny(a, "*?") {
			groups[a] = true
		}
		b.WriteString("Action::" + strconv.Quote(a))
	}
	b.WriteString("], resource)\nwhen { true")
	if !contains(s.Resource, "*") {
		b.WriteString(" && (")
		for i, r := range s.Resource {
			if i > 0 {
				b.WriteString(" || ")
			}
			pat, err := cedarPattern(r)
			if err != nil {
				return err
			}
			b.WriteString("context.arn like " + pat)
		}
		b.WriteString(")")
	}
	for _, c := range s.conditions() {
		e, err := cedarCondition(c)
		if err != nil {
			return err
		}
		b.WriteString(" && " + e)
	}
	b.WriteString(" };\n")
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// cedarPattern turns an IAM wildcard into a Cedar `like` pattern literal.
func cedarPattern(s string) (string, error) {
	if strings.Contains(s, "?") {
		return "", fmt.Errorf("cedar has no single-character wildcard: %q", s)
	}
	q := strconv.Quote(s)
	return q, nil
}

// cedarKey returns the expression for a condition key and the guard that it exists.
func cedarKey(key string) (guard, expr string) {
	lk := strings.ToLower(key)
	if tag, ok := strings.CutPrefix(lk, "aws:principaltag/"); ok {
		// Tag keys keep their case in AWS but match case-insensitively; the workloads use
		// lower-case tag keys.
		t := strconv.Quote(tag)
		return "principal.tags has " + t, "principal.tags[" + t + "]"
	}
	k := strconv.Quote(lk)
	return "context has " + k, "context[" + k + "]"
}

func cedarCondition(c awsCond) (string, error) {
	guard, x := cedarKey(c.Key)
	var alts []string
	for _, v := range c.Values {
		switch c.Op {
		case "StringEquals":
			alts = append(alts, x+" == "+strconv.Quote(v))
		case "StringLike":
			pat, err := cedarPattern(v)
			if err != nil {
				return "", err
			}
			alts = append(alts, x+" like "+pat)
		case "IpAddress":
			alts = append(alts, x+".isInRange(ip("+strconv.Quote(v)+"))")
		case "Bool":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return "", fmt.Errorf("Bool value %q: %w", v, err)
			}
			alts = append(alts, x+" == "+strconv.FormatBool(b))
		default:
			return "", fmt.Errorf("operator %s not translated", c.Op)
		}
	}
	return "(" + guard + " && (" + strings.Join(alts, " || ") + "))", nil
}

// action returns the entity for a concrete action, creating it (with its groups as parents)
// on first use.
func (st *cedarState) action(a string) types.EntityUID {
	la := strings.ToLower(a)
	uid := types.NewEntityUID("Action", types.String(la))
	if _, ok := st.entities[uid]; ok {
		return uid
	}
	var parents []types.EntityUID
	for _, g := range st.groups {
		if globMatch(g, la) {
			parents = append(parents, types.NewEntityUID("Action", types.String(g)))
		}
	}
	st.entities[uid] = types.Entity{UID: uid, Parents: types.NewEntityUIDSet(parents...)}
	return uid
}

func (st *cedarState) Prepare(r *Request) (func() Outcome, error) {
	ctx := types.RecordMap{"arn": types.String(r.Resource)}
	for k, v := range r.Context {
		lk := strings.ToLower(k)
		switch lk {
		case "aws:sourceip":
			ip, err := types.ParseIPAddr(v)
			if err != nil {
				return nil, fmt.Errorf("cedar: %w", err)
			}
			ctx[types.String(lk)] = ip
		case "aws:securetransport":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("cedar: %w", err)
			}
			ctx[types.String(lk)] = types.Boolean(b)
		default:
			ctx[types.String(lk)] = types.String(v)
		}
	}
	req := cedar.Request{
		Principal: st.users[r.Principal],
		Action:    st.action(r.Action),
		Resource:  types.NewEntityUID("S3::Object", types.String(r.Resource)),
		Context:   types.NewRecord(ctx),
	}
	ps := st.sets[r.Principal]
	return func() Outcome {
		d, diag := ps.IsAuthorized(st.entities, req)
		switch {
		case len(diag.Errors) > 0:
			return 0
		case d == cedar.Allow:
			return Allowed
		case len(diag.Reasons) > 0:
			return ExplicitDeny
		}
		return ImplicitDeny
	}, nil
}
