package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// opaEngine is OPA: one Rego module that evaluates AWS-style policies given as data, through a
// prepared query. The AWS JSON is normalized once at load time, the way any careful
// integration would (iamd compiles its policies too):
//
//   - statements are split by effect, so the Deny pass and the Allow pass each scan only their
//     own statements;
//   - every Action/Resource pattern is classified as "*", exact (an object key, looked up in
//     O(1)), a prefix (one trailing '*', checked with startswith) or a general glob
//     (glob.match with no delimiters); actions are lower-cased, as matching ignores case;
//   - conditions are a list of {op, key, values, set} with lower-case keys, and the request's
//     condition keys are lower-cased the same way.
//
// The data lives in an in-memory store that keeps AST values, so reads need no conversion,
// and the request input is converted to an AST value once per request, outside the timed loop.
type opaEngine struct{}

func (opaEngine) Name() string { return "opa" }

const opaModule = `package iam

p := data.principals[input.principal]

decision := "ExplicitDeny" if {
	some s in p.deny
	action_ok(s)
	resource_ok(s)
	conds_ok(s)
} else := "Allow" if {
	some s in p.allow
	action_ok(s)
	resource_ok(s)
	conds_ok(s)
} else := "ImplicitDeny"

conds_ok(s) if not s.conds
conds_ok(s) if {
	every c in s.conds {
		cond_ok(c)
	}
}

action_ok(s) if s.act_any
action_ok(s) if s.act_exact[input.action]
action_ok(s) if {
	some x in s.act_prefix
	startswith(input.action, x)
}
action_ok(s) if {
	some g in s.act_glob
	glob.match(g, null, input.action)
}

resource_ok(s) if s.res_any
resource_ok(s) if s.res_exact[input.resource]
resource_ok(s) if {
	some x in s.res_prefix
	startswith(input.resource, x)
}
resource_ok(s) if {
	some g in s.res_glob
	glob.match(g, null, input.resource)
}

cond_ok(c) if {
	c.op == "StringEquals"
	some v in input.context[c.key]
	c.set[v]
}
cond_ok(c) if {
	c.op == "StringLike"
	some v in input.context[c.key]
	some g in c.values
	glob.match(g, null, v)
}
cond_ok(c) if {
	c.op == "IpAddress"
	some v in input.context[c.key]
	some cidr in c.values
	net.cidr_contains(cidr, v)
}
cond_ok(c) if {
	c.op == "Bool"
	some v in input.context[c.key]
	c.set[lower(v)]
}
`

type opaState struct {
	pq    rego.PreparedEvalQuery
	names []string
	tags  []map[string]string
}

func (opaEngine) Load(w *Workload) (State, error) {
	principals := make(map[string]any, w.NumPrincipals)
	st := &opaState{names: make([]string, w.NumPrincipals), tags: make([]map[string]string, w.NumPrincipals)}
	for i := range w.NumPrincipals {
		p := w.Principal(i)
		var allow, deny []any
		for j, text := range p.Policies {
			d, err := parseAWS(text)
			if err != nil {
				return nil, fmt.Errorf("opa: principal %s policy %d: %w", p.Name, j, err)
			}
			for k := range d.Statement {
				s := &d.Statement[k]
				o, err := opaStatement(s)
				if err != nil {
					return nil, fmt.Errorf("opa: principal %s policy %d statement %d: %w", p.Name, j, k, err)
				}
				if s.Effect == "Deny" {
					deny = append(deny, o)
				} else {
					allow = append(allow, o)
				}
			}
		}
		entry := map[string]any{}
		if deny != nil {
			entry["deny"] = deny
		}
		if allow != nil {
			entry["allow"] = allow
		}
		principals[p.Name] = entry
		st.names[i] = p.Name
		st.tags[i] = p.Tags
	}
	store := inmem.NewFromObjectWithOpts(map[string]any{"principals": principals},
		inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	pq, err := rego.New(
		rego.Query("data.iam.decision"),
		rego.Module("iam.rego", opaModule),
		rego.Store(store),
	).PrepareForEval(context.Background())
	if err != nil {
		return nil, fmt.Errorf("opa: prepare: %w", err)
	}
	st.pq = pq
	return st, nil
}

// opaPatterns classifies patterns into the statement object o under prefix ("act" or "res").
func opaPatterns(o map[string]any, prefix string, pats []string, lower bool) error {
	exact := map[string]any{}
	var pre, glob []any
	for _, p := range pats {
		if lower {
			p = strings.ToLower(p)
		}
		if strings.ContainsAny(p, `[]{}\`) {
			return fmt.Errorf("pattern %q has glob metacharacters OPA's glob.match would misread", p)
		}
		star := strings.IndexByte(p, '*')
		switch {
		case p == "*":
			o[prefix+"_any"] = true
		case star < 0 && !strings.Contains(p, "?"):
			exact[p] = true
		case star == len(p)-1 && !strings.Contains(p, "?"):
			pre = append(pre, p[:star])
		default:
			glob = append(glob, p)
		}
	}
	if len(exact) > 0 {
		o[prefix+"_exact"] = exact
	}
	if pre != nil {
		o[prefix+"_prefix"] = pre
	}
	if glob != nil {
		o[prefix+"_glob"] = glob
	}
	return nil
}

func opaStatement(s *awsStatement) (map[string]any, error) {
	o := map[string]any{}
	if err := opaPatterns(o, "act", s.Action, true); err != nil {
		return nil, err
	}
	if err := opaPatterns(o, "res", s.Resource, false); err != nil {
		return nil, err
	}
	var conds []any
	for _, c := range s.conditions() {
		vals := make([]any, len(c.Values))
		set := map[string]any{}
		for i, v := range c.Values {
			vals[i] = v
			switch c.Op {
			case "Bool":
				set[strings.ToLower(v)] = true
			case "StringEquals":
				set[v] = true
			case "StringLike", "IpAddress":
			default:
				return nil, fmt.Errorf("operator %s not translated", c.Op)
			}
		}
		cond := map[string]any{"op": c.Op, "key": strings.ToLower(c.Key), "values": vals}
		if len(set) > 0 {
			cond["set"] = set
		}
		conds = append(conds, cond)
	}
	if conds != nil {
		o["conds"] = conds
	}
	return o, nil
}

func (st *opaState) Prepare(r *Request) (func() Outcome, error) {
	ctx := map[string]any{}
	for k, v := range r.Context {
		ctx[strings.ToLower(k)] = []any{v}
	}
	for k, v := range st.tags[r.Principal] {
		ctx["aws:principaltag/"+strings.ToLower(k)] = []any{v}
	}
	in, err := ast.InterfaceToValue(map[string]any{
		"principal": st.names[r.Principal],
		"action":    strings.ToLower(r.Action),
		"resource":  r.Resource,
		"context":   ctx,
	})
	if err != nil {
		return nil, fmt.Errorf("opa: input: %w", err)
	}
	bg := context.Background()
	return func() Outcome {
		rs, err := st.pq.Eval(bg, rego.EvalParsedInput(in))
		if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
			return 0
		}
		switch rs[0].Expressions[0].Value {
		case "Allow":
			return Allowed
		case "ExplicitDeny":
			return ExplicitDeny
		case "ImplicitDeny":
			return ImplicitDeny
		}
		return 0
	}, nil
}
