package main

import (
	"fmt"

	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// iamdEngine is iamd's own evaluator: each policy is parsed (policy.Parse, with all of IAM's
// validation) and compiled once at load time (as iamd's authz layer caches compiled policies),
// and a decision is one policy.Evaluate call on an Input holding the principal's compiled
// identity-based policies. Principal tags are
// condition keys (aws:PrincipalTag/team) in the request context, as in AWS.
type iamdEngine struct{}

func (iamdEngine) Name() string { return "iamd" }

type iamdState struct {
	w        *Workload
	compiled [][]*policy.Compiled
}

func (iamdEngine) Load(w *Workload) (State, error) {
	st := &iamdState{w: w, compiled: make([][]*policy.Compiled, w.NumPrincipals)}
	// One Interner for every policy, as a long-running server's policy cache would use.
	opts := policy.CompileOptions{Interner: &policy.Interner{}}
	for i := range w.NumPrincipals {
		p := w.Principal(i)
		cs := make([]*policy.Compiled, len(p.Policies))
		for j, text := range p.Policies {
			doc, err := policy.Parse(text, policy.Identity)
			if err != nil {
				return nil, fmt.Errorf("iamd: principal %s policy %d: %w", p.Name, j, err)
			}
			c, err := policy.CompileWith(doc, policy.Identity, policy.PolicyRef{Name: fmt.Sprintf("%s-%d", p.Name, j)}, opts)
			if err != nil {
				return nil, fmt.Errorf("iamd: principal %s policy %d: %w", p.Name, j, err)
			}
			cs[j] = c
		}
		st.compiled[i] = cs
	}
	return st, nil
}

const iamdAccount = "123456789012"

func (st *iamdState) Prepare(r *Request) (func() Outcome, error) {
	p := st.w.Principal(r.Principal)
	ctx := map[string][]string{}
	for k, v := range r.Context {
		ctx[k] = []string{v}
	}
	for k, v := range p.Tags {
		ctx["aws:PrincipalTag/"+k] = []string{v}
	}
	in := &policy.Input{
		Action:   r.Action,
		Resource: r.Resource,
		Context:  condition.NewMap(ctx),
		Principal: policy.PrincipalInfo{
			Type:    policy.PrincipalUser,
			ARN:     "arn:aws:iam::" + iamdAccount + ":user/" + p.Name,
			Account: iamdAccount,
		},
		Identity: st.compiled[r.Principal],
	}
	return func() Outcome {
		switch policy.Evaluate(in).Effect {
		case policy.DecisionAllow:
			return Allowed
		case policy.DecisionExplicitDeny:
			return ExplicitDeny
		case policy.DecisionImplicitDeny:
			return ImplicitDeny
		}
		return 0
	}, nil
}
