package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Outcome is an engine's decision for one request.
type Outcome uint8

// The three outcomes of AWS policy evaluation. Engines that cannot tell an explicit deny from
// an implicit one report Denied.
const (
	Allowed Outcome = iota + 1
	ExplicitDeny
	ImplicitDeny
	Denied
)

func (o Outcome) String() string {
	switch o {
	case Allowed:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	case ImplicitDeny:
		return "ImplicitDeny"
	case Denied:
		return "Deny"
	}
	return "Invalid(" + strconv.Itoa(int(o)) + ")"
}

// agrees reports whether got is an acceptable answer when want is expected.
func agrees(got, want Outcome) bool {
	if got == Denied {
		return want == ExplicitDeny || want == ImplicitDeny
	}
	return got == want
}

// Principal is one caller of a workload: its name, its principal tags, and the AWS JSON text
// of its identity-based policies.
type Principal struct {
	Name     string
	Tags     map[string]string
	Policies []string
}

// Request is one authorization request, in engine-neutral form.
type Request struct {
	Principal int    // index of the caller (see Workload.Principal)
	Action    string // "s3:GetObject"
	Resource  string // "arn:aws:s3:::bucket/key"
	// Context keys of the request other than principal tags, as AWS names them
	// ("aws:SourceIp", "aws:SecureTransport", "s3:prefix").
	Context map[string]string
	Want    Outcome
}

// Workload is a set of principals with their policies and a list of requests. Principals are
// generated on demand so that W4's policy texts are not kept alive while engine state is
// measured.
type Workload struct {
	Name          string
	NumPrincipals int
	Principal     func(i int) Principal
	Requests      []Request
}

func stmt(effect, actions, resources string, conds ...string) string {
	var b strings.Builder
	b.WriteString(`{"Effect":"` + effect + `","Action":` + list(actions) + `,"Resource":` + list(resources))
	if len(conds) > 0 {
		b.WriteString(`,"Condition":{` + strings.Join(conds, ",") + `}`)
	}
	b.WriteString("}")
	return b.String()
}

// list turns "a,b" into a JSON array and "a" into a JSON string.
func list(s string) string {
	parts := strings.Split(s, ",")
	if len(parts) == 1 {
		return strconv.Quote(s)
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = strconv.Quote(p)
	}
	return "[" + strings.Join(q, ",") + "]"
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// w2Context is the request context of W2 and W3: it satisfies the last statement's conditions.
func w2Context() map[string]string {
	return map[string]string{"aws:SourceIp": "10.1.2.3", "aws:SecureTransport": "true"}
}

// W1: one principal, 3 policies, 10 statements; GetObject is allowed by the first statement.
func w1() *Workload {
	p := Principal{
		Name: "alice",
		Tags: map[string]string{"team": "web"},
		Policies: []string{
			doc(
				stmt("Allow", "s3:Get*", "arn:aws:s3:::bucket-a/*"),
				stmt("Allow", "s3:List*", "arn:aws:s3:::bucket-a"),
				stmt("Allow", "s3:Get*", "arn:aws:s3:::bucket-b/*"),
				stmt("Allow", "s3:List*", "arn:aws:s3:::bucket-b"),
			),
			doc(
				stmt("Allow", "s3:Get*", "arn:aws:s3:::bucket-c/*"),
				stmt("Allow", "s3:List*", "arn:aws:s3:::bucket-c"),
				stmt("Deny", "s3:DeleteObject", "arn:aws:s3:::bucket-a/*"),
			),
			doc(
				stmt("Allow", "s3:Get*", "arn:aws:s3:::bucket-d/*"),
				stmt("Allow", "s3:List*", "arn:aws:s3:::bucket-d"),
				stmt("Allow", "s3:Get*", "arn:aws:s3:::bucket-e/*"),
			),
		},
	}
	return &Workload{
		Name:          "W1",
		NumPrincipals: 1,
		Principal:     func(int) Principal { return p },
		Requests: []Request{{
			Action:   "s3:GetObject",
			Resource: "arn:aws:s3:::bucket-a/photos/cat.jpg",
			Context:  map[string]string{"aws:SourceIp": "192.0.2.10", "aws:SecureTransport": "true"},
			Want:     Allowed,
		}},
	}
}

// w2Principal: 10 managed policies of 20 statements each. Only the very last statement allows
// the W2 request; policy 3 holds a Deny on s3:DeleteObject in the target bucket (W3).
func w2Principal() Principal {
	var policies []string
	for i := range 10 {
		var stmts []string
		for j := range 20 {
			bucket := fmt.Sprintf("arn:aws:s3:::bucket-%d-%d", i, j)
			switch {
			case i == 9 && j == 19:
				stmts = append(stmts, stmt("Allow", "s3:*", "arn:aws:s3:::bucket-target/*",
					`"StringEquals":{"aws:PrincipalTag/team":"platform"}`,
					`"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}`,
					`"Bool":{"aws:SecureTransport":"true"}`))
			case i == 3 && j == 7:
				stmts = append(stmts, stmt("Deny", "s3:DeleteObject,s3:DeleteObjectVersion", "arn:aws:s3:::bucket-target/*"))
			case j%5 == 0:
				// Matches the action and resource of W2, but not the principal tag.
				stmts = append(stmts, stmt("Allow", "s3:GetObject,s3:PutObject", "arn:aws:s3:::bucket-target/*",
					fmt.Sprintf(`"StringEquals":{"aws:PrincipalTag/team":"team-%d-%d"}`, i, j)))
			case j%5 == 1:
				stmts = append(stmts, stmt("Deny", "s3:PutBucketPolicy,s3:DeleteBucket", bucket))
			case j%5 == 2:
				stmts = append(stmts, stmt("Allow", "s3:List*", bucket,
					fmt.Sprintf(`"StringLike":{"s3:prefix":"home/%d/*"}`, j)))
			case j%5 == 3:
				stmts = append(stmts, stmt("Allow", "s3:Get*,s3:Put*", bucket+"/*,"+bucket+"-logs/*"))
			default:
				stmts = append(stmts, stmt("Allow", "s3:GetObject", bucket+"/*",
					`"IpAddress":{"aws:SourceIp":"192.168.0.0/16"}`))
			}
		}
		policies = append(policies, doc(stmts...))
	}
	return Principal{Name: "bob", Tags: map[string]string{"team": "platform"}, Policies: policies}
}

// W2: the request is allowed only by the last of 200 statements.
func w2() *Workload {
	p := w2Principal()
	return &Workload{
		Name:          "W2",
		NumPrincipals: 1,
		Principal:     func(int) Principal { return p },
		Requests: []Request{{
			Action:   "s3:GetObject",
			Resource: "arn:aws:s3:::bucket-target/reports/2026.csv",
			Context:  w2Context(),
			Want:     Allowed,
		}},
	}
}

// W3: W2's principal; a DeleteObject that an earlier Deny matches.
func w3() *Workload {
	p := w2Principal()
	return &Workload{
		Name:          "W3",
		NumPrincipals: 1,
		Principal:     func(int) Principal { return p },
		Requests: []Request{{
			Action:   "s3:DeleteObject",
			Resource: "arn:aws:s3:::bucket-target/reports/2026.csv",
			Context:  w2Context(),
			Want:     ExplicitDeny,
		}},
	}
}

// w4Principal: user i has two inline policies of its own: its home prefix in a shared bucket
// (read/write, and listing under a StringLike condition on s3:prefix) and a Deny on deleting
// its locked/ folder plus read access to its team's folder.
func w4Principal(i int) Principal {
	u := "user" + strconv.Itoa(i)
	home := "arn:aws:s3:::home-bucket/home/" + u
	team := "team-" + strconv.Itoa(i%50)
	return Principal{
		Name: u,
		Tags: map[string]string{"team": team},
		Policies: []string{
			doc(
				stmt("Allow", "s3:GetObject,s3:PutObject,s3:DeleteObject", home+"/*"),
				stmt("Allow", "s3:ListBucket", "arn:aws:s3:::home-bucket",
					`"StringLike":{"s3:prefix":"home/`+u+`/*"}`),
			),
			doc(
				stmt("Deny", "s3:DeleteObject", home+"/locked/*"),
				stmt("Allow", "s3:GetObject", "arn:aws:s3:::shared-bucket/"+team+"/*",
					`"Bool":{"aws:SecureTransport":"true"}`),
			),
		},
	}
}

// W4: n principals with 2 policies each; nreq random requests (seeded, so every run and every
// engine sees the same list) with their expected outcomes.
func w4(n, nreq int) *Workload {
	rng := rand.New(rand.NewPCG(4, 4))
	reqs := make([]Request, nreq)
	for k := range reqs {
		i := rng.IntN(n)
		other := (i + 1 + rng.IntN(n-1)) % n
		u, ou := "user"+strconv.Itoa(i), "user"+strconv.Itoa(other)
		ctx := map[string]string{"aws:SourceIp": "203.0.113.7", "aws:SecureTransport": "true"}
		r := Request{Principal: i, Context: ctx}
		switch rng.IntN(9) {
		case 0:
			r.Action, r.Resource, r.Want = "s3:GetObject", "arn:aws:s3:::home-bucket/home/"+u+"/doc.txt", Allowed
		case 1:
			r.Action, r.Resource, r.Want = "s3:PutObject", "arn:aws:s3:::home-bucket/home/"+u+"/new.txt", Allowed
		case 2:
			r.Action, r.Resource, r.Want = "s3:GetObject", "arn:aws:s3:::home-bucket/home/"+ou+"/doc.txt", ImplicitDeny
		case 3:
			r.Action, r.Resource, r.Want = "s3:DeleteObject", "arn:aws:s3:::home-bucket/home/"+u+"/locked/a.txt", ExplicitDeny
		case 4:
			r.Action, r.Resource, r.Want = "s3:DeleteObject", "arn:aws:s3:::home-bucket/home/"+u+"/tmp/a.txt", Allowed
		case 5:
			r.Action, r.Resource, r.Want = "s3:GetObject", "arn:aws:s3:::shared-bucket/team-"+strconv.Itoa(i%50)+"/plan.md", Allowed
		case 6:
			r.Action, r.Resource, r.Want = "s3:GetObject", "arn:aws:s3:::shared-bucket/team-"+strconv.Itoa((i+1)%50)+"/plan.md", ImplicitDeny
		case 7:
			r.Action, r.Resource, r.Want = "s3:ListBucket", "arn:aws:s3:::home-bucket", Allowed
			ctx["s3:prefix"] = "home/" + u + "/docs/"
		default:
			r.Action, r.Resource, r.Want = "s3:ListBucket", "arn:aws:s3:::home-bucket", ImplicitDeny
			ctx["s3:prefix"] = "home/" + ou + "/"
		}
		reqs[k] = r
	}
	return &Workload{Name: "W4", NumPrincipals: n, Principal: w4Principal, Requests: reqs}
}
