package main

import (
	"fmt"
	"strings"

	"github.com/minio/pkg/v3/policy"
)

// minioEngine is MinIO's IAM policy package. It reads AWS JSON natively, but only S3 (and
// MinIO admin/KMS/STS) actions and a fixed list of condition keys: it has no
// aws:PrincipalTag/*. The bench therefore rewrites aws:PrincipalTag/team to jwt:groups (a
// string key MinIO accepts, compared the same way) and puts the tag value in the request
// under that key. Like MinIO's own IAM store, a principal's policies are merged into one
// policy at load time. MinIO returns a bool, so explicit and implicit deny look alike.
type minioEngine struct{}

func (minioEngine) Name() string { return "minio" }

type minioState struct {
	w        *Workload
	policies []policy.Policy
}

func (minioEngine) Load(w *Workload) (State, error) {
	st := &minioState{w: w, policies: make([]policy.Policy, w.NumPrincipals)}
	for i := range w.NumPrincipals {
		p := w.Principal(i)
		parsed := make([]policy.Policy, len(p.Policies))
		for j, text := range p.Policies {
			text = strings.ReplaceAll(text, "aws:PrincipalTag/team", "jwt:groups")
			pol, err := policy.ParseConfig(strings.NewReader(text))
			if err != nil {
				return nil, fmt.Errorf("minio: principal %s policy %d: %w", p.Name, j, err)
			}
			parsed[j] = *pol
		}
		st.policies[i] = policy.MergePolicies(parsed...)
	}
	return st, nil
}

func (st *minioState) Prepare(r *Request) (func() Outcome, error) {
	rest, ok := strings.CutPrefix(r.Resource, "arn:aws:s3:::")
	if !ok {
		return nil, fmt.Errorf("minio: not an S3 ARN: %s", r.Resource)
	}
	bucket, object, _ := strings.Cut(rest, "/")
	p := st.w.Principal(r.Principal)
	// MinIO looks condition values up by key name without its "aws:"/"s3:"/"jwt:" prefix.
	cv := map[string][]string{}
	for k, v := range r.Context {
		_, name, _ := strings.Cut(k, ":")
		cv[name] = []string{v}
	}
	if t, ok := p.Tags["team"]; ok {
		cv["groups"] = []string{t}
	}
	args := policy.Args{
		AccountName:     p.Name,
		Action:          policy.Action(r.Action),
		BucketName:      bucket,
		ObjectName:      object,
		ConditionValues: cv,
	}
	pol := &st.policies[r.Principal]
	return func() Outcome {
		if pol.IsAllowed(args) {
			return Allowed
		}
		return Denied
	}, nil
}
