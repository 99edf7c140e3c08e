package policy

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// withIndex returns a copy of in whose policies of up to indexMax statements all have a
// stmtIndex, however few statements they have; policies that already have one keep it.
func withIndex(in *Input) *Input {
	idx := func(c *Compiled) *Compiled {
		if c == nil || c.idx != nil || len(c.stmts) > indexMax {
			return c
		}
		cp := *c
		cp.idx = buildIndex(&cp, nil)
		return &cp
	}
	list := func(cs []*Compiled) []*Compiled {
		if cs == nil {
			return nil
		}
		out := make([]*Compiled, len(cs))
		for i, c := range cs {
			out[i] = idx(c)
		}
		return out
	}
	levels := func(ls [][]*Compiled) [][]*Compiled {
		if ls == nil {
			return nil
		}
		out := make([][]*Compiled, len(ls))
		for i, l := range ls {
			out[i] = list(l)
		}
		return out
	}
	out := *in
	out.Identity, out.Session = list(in.Identity), list(in.Session)
	out.ResourcePolicy, out.Boundary = idx(in.ResourcePolicy), idx(in.Boundary)
	out.SCPs, out.RCPs = levels(in.SCPs), levels(in.RCPs)
	return &out
}

// withoutIndex returns a copy of in whose policies have no stmtIndex.
func withoutIndex(in *Input) *Input {
	strip := func(c *Compiled) *Compiled {
		if c == nil || c.idx == nil {
			return c
		}
		cp := *c
		cp.idx = nil
		return &cp
	}
	out := *in
	out.Identity, out.Session = nil, nil
	for _, c := range in.Identity {
		out.Identity = append(out.Identity, strip(c))
	}
	for _, c := range in.Session {
		out.Session = append(out.Session, strip(c))
	}
	out.ResourcePolicy, out.Boundary = strip(in.ResourcePolicy), strip(in.Boundary)
	out.SCPs, out.RCPs = nil, nil
	for _, l := range in.SCPs {
		var cs []*Compiled
		for _, c := range l {
			cs = append(cs, strip(c))
		}
		out.SCPs = append(out.SCPs, cs)
	}
	for _, l := range in.RCPs {
		var cs []*Compiled
		for _, c := range l {
			cs = append(cs, strip(c))
		}
		out.RCPs = append(out.RCPs, cs)
	}
	return &out
}

// checkIndexed fails if evaluating in with every policy indexed gives another decision or
// trace than evaluating it without the index.
func checkIndexed(t *testing.T, name string, in *Input) {
	t.Helper()
	plain, indexed := withoutIndex(in), withIndex(in)
	if got, want := Evaluate(indexed), Evaluate(plain); got != want {
		t.Errorf("%s: with the statement index Evaluate = %+v, without %+v", name, got, want)
	}
	if diff := cmp.Diff(Explain(plain), Explain(indexed)); diff != "" {
		t.Errorf("%s: trace with the statement index differs (-without +with):\n%s", name, diff)
	}
}

// TestIndexSameDecisions checks that the statement index changes no decision or trace, on
// every scenario and benchmarked request.
func TestIndexSameDecisions(t *testing.T) {
	for _, f := range scenarioFiles(t) {
		_, w := loadScenario(t, f)
		checkIndexed(t, f, w.input(t))
		checkIndexed(t, f+" reversed", w.reversed().input(t))
	}
	for _, bc := range benchCases(t) {
		checkIndexed(t, bc.name, bc.in)
	}
}

// TestIndexResources checks the resource side of the index on its own: which statements a
// resource can reach through nested, sibling and wildcard-only literal prefixes.
func TestIndexResources(t *testing.T) {
	res := []string{
		`"*"`,                                     // 0: any resource
		`"arn:aws:s3:::a/*"`,                      // 1
		`"arn:aws:s3:::a/b/*"`,                    // 2: nested under 1
		`"arn:aws:s3:::ab"`,                       // 3: sorts between 1 and 2's children
		`"arn:aws:s3:::a/b/c"`,                    // 4: exact, nested under 2
		`"arn:aws:s3:::${aws:username}/*"`,        // 5: prefix up to the variable
		`"arn:aws:*:::a"`,                         // 6: prefix up to the wildcard
		`["arn:aws:s3:::z","arn:aws:s3:::a/b/d"]`, // 7: two prefixes
		`"arn:aws:s3:::a/"`,                       // 8: exact, a prefix of 1's resources
	}
	var stmts []string
	for _, r := range res {
		stmts = append(stmts, `{"Effect":"Allow","Action":"s3:GetObject","Resource":`+r+`}`)
	}
	stmts = append(stmts, `{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::q"}`) // 9
	c := benchCompile(t, Identity, "Index", benchDoc(stmts...))
	if c.idx == nil {
		t.Fatalf("policy of %d statements has no index", len(c.stmts))
	}
	tests := []struct {
		resource   string
		want, full []int
	}{
		{"arn:aws:s3:::a/b/c", []int{0, 1, 2, 4, 5, 6, 8, 9}, []int{1, 2}},
		{"arn:aws:s3:::a/b/d", []int{0, 1, 2, 5, 6, 7, 8, 9}, []int{1, 2}},
		{"arn:aws:s3:::a/x", []int{0, 1, 5, 6, 8, 9}, []int{1}},
		{"arn:aws:s3:::ab", []int{0, 3, 5, 6, 9}, nil},
		{"arn:aws:s3:::a", []int{0, 5, 6, 9}, nil},
		{"arn:aws:s3:::", []int{0, 5, 6, 9}, nil},
		{"arn:aws:iam::1:user/x", []int{0, 6, 9}, nil},
		{"*", []int{0, 9}, nil},
		{"", []int{0, 9}, nil},
		{"arn:aws:s3:::zz", []int{0, 5, 6, 7, 9}, nil},
	}
	set := func(m uint64) []int {
		var out []int
		for i := range 64 {
			if m&(1<<i) != 0 {
				out = append(out, i)
			}
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			m, full := c.idx.resources(tt.resource, &evalState{})
			if diff := cmp.Diff(tt.want, set(m)); diff != "" {
				t.Errorf("resources(%q) statements (-want +got):\n%s", tt.resource, diff)
			}
			if diff := cmp.Diff(tt.full, set(full)); diff != "" {
				t.Errorf("resources(%q) statements known to match (-want +got):\n%s", tt.resource, diff)
			}
		})
	}
}

// FuzzIndex checks on random worlds that the statement index changes no decision or trace.
func FuzzIndex(f *testing.F) {
	for _, name := range scenarioFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(strings.Repeat("\x01\x02\x03", 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkIndexed(t, "fuzz", fuzzWorld(data).input(t))
	})
}

// TestCompileWithInterner checks that policies compiled with one Interner share their action
// and condition-key strings, and decide as policies compiled apart.
func TestCompileWithInterner(t *testing.T) {
	var docs []string
	for i := range 3 {
		var stmts []string
		for j := range 10 {
			stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["s3:GetObject","s3:Put*"],"Resource":"arn:aws:s3:::b%d/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d-%d"},"Bool":{"aws:SecureTransport":"true"}}}`, j%3, i, j))
		}
		stmts = append(stmts, `{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b2/secret"}`)
		docs = append(docs, benchDoc(stmts...))
	}
	var n Interner
	var shared, apart []*Compiled
	for i, text := range docs {
		doc, err := testDocument(text)
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		c, err := CompileWith(doc, Identity, PolicyRef{Name: fmt.Sprint(i)}, CompileOptions{Interner: &n})
		if err != nil {
			t.Fatalf("CompileWith(%d): %v", i, err)
		}
		shared = append(shared, c)
		apart = append(apart, benchCompile(t, Identity, fmt.Sprint(i), text))
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	for i, c := range shared[1:] {
		if a, b := c.exact[0].key, shared[0].exact[0].key; a != b || !same(a, b) {
			t.Errorf("policy %d: exact key %q is not policy 0's string %q", i+1, a, b)
		}
		if a, b := c.stmts[0].conds[0].LowerKey(), shared[0].stmts[0].conds[0].LowerKey(); !same(a, b) {
			t.Errorf("policy %d: condition key %q is not policy 0's string %q", i+1, a, b)
		}
	}
	for _, r := range []struct{ res, team string }{
		{"arn:aws:s3:::b1/x", "t2-4"}, {"arn:aws:s3:::b1/x", "t2-5"}, {"arn:aws:s3:::b2/secret", "t0-2"}, {"arn:aws:s3:::b0/x", "none"},
	} {
		for _, action := range []string{"s3:GetObject", "S3:PutObject", "s3:DeleteObject"} {
			in := func(cs []*Compiled) *Input {
				return &Input{
					Action: action, Resource: r.res, Principal: benchUserPrincipal(), Identity: cs,
					Context: condition.Map{"aws:principaltag/team": {r.team}, "aws:securetransport": {"true"}},
				}
			}
			if got, want := Evaluate(in(shared)), Evaluate(in(apart)); got != want {
				t.Errorf("%s %s team %s: with an Interner Evaluate = %+v, without %+v", action, r.res, r.team, got, want)
			}
		}
	}
}
