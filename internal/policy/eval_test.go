package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// This file runs the data-driven scenarios in testdata/eval: one JSON file per scenario, each
// naming the IAM User Guide page it checks, with the policies (kind and document), the request,
// and the expected decision and matched statements. Every scenario is also checked against the
// reference evaluator and with the policies and statements in reverse order.

// scenarioFile is the format of a testdata/eval/*.json file.
type scenarioFile struct {
	// Doc is the IAM User Guide page (URL) the scenario follows; Description says what it checks.
	Doc         string `json:"doc"`
	Description string `json:"description"`
	Policies    []struct {
		// Name identifies the policy in expectations ("name/Sid", or "name/#index" without Sid).
		Name string `json:"name"`
		// Kind is one of Identity, Resource, Trust, Boundary, Session, SCP, RCP.
		Kind string `json:"kind"`
		ARN  string `json:"arn"`
		// Level is the organization level (0 = root) of an SCP or RCP.
		Level int `json:"level"`
		// Document is the policy document.
		Document json.RawMessage `json:"document"`
	} `json:"policies"`
	// SCPLevels and RCPLevels give the number of organization levels when some level has no
	// policy at all (default: one more than the highest level used).
	SCPLevels int `json:"scpLevels"`
	RCPLevels int `json:"rcpLevels"`
	Request   struct {
		Action    string `json:"action"`
		Resource  string `json:"resource"`
		Principal struct {
			Type      string `json:"type"`
			ARN       string `json:"arn"`
			Account   string `json:"account"`
			SourceARN string `json:"sourceArn"`
		} `json:"principal"`
		ResourceAccount string              `json:"resourceAccount"`
		Context         map[string][]string `json:"context"`
	} `json:"request"`
	Expect struct {
		Effect      string   `json:"effect"`
		By          string   `json:"by"`
		Missing     []string `json:"missing"`
		Reason      string   `json:"reason"`
		Matched     []string `json:"matched"`
		Failed      []string `json:"failed"`
		NoAllow     []string `json:"noAllow"`
		MissingKeys []string `json:"missingKeys"`
	} `json:"expect"`
}

var kindNames = map[string]Kind{
	"Identity": Identity, "Resource": Resource, "Trust": Trust, "Boundary": Boundary,
	"Session": Session, "SCP": SCP, "RCP": RCP,
}

var principalTypes = map[string]PrincipalType{
	"Anonymous": PrincipalAnonymous, "Root": PrincipalRoot, "User": PrincipalUser,
	"RoleSession": PrincipalRoleSession, "FederatedUser": PrincipalFederatedUser,
	"Service": PrincipalService, "Federated": PrincipalFederated,
}

// world is a scenario with parsed documents: the input of both evaluators.
type world struct {
	action, resource string
	ctx              condition.Context
	principal        PrincipalInfo
	resourceAccount  string
	identity         []refPolicy
	resourcePolicy   *refPolicy
	boundary         *refPolicy
	session          []refPolicy
	scps, rcps       [][]refPolicy
}

type refPolicy struct {
	doc   *Document
	ref   PolicyRef
	level int
}

func loadScenario(t *testing.T, path string) (*scenarioFile, *world) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sf scenarioFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !strings.HasPrefix(sf.Doc, "https://docs.aws.amazon.com/") {
		t.Fatalf("%s: doc must name the AWS documentation page the scenario follows", path)
	}
	r := sf.Request
	pt, ok := principalTypes[r.Principal.Type]
	if !ok {
		t.Fatalf("%s: unknown principal type %q", path, r.Principal.Type)
	}
	w := &world{
		action: r.Action, resource: r.Resource, ctx: condition.NewMap(r.Context),
		principal:       PrincipalInfo{Type: pt, ARN: r.Principal.ARN, Account: r.Principal.Account, SourceARN: r.Principal.SourceARN},
		resourceAccount: r.ResourceAccount,
	}
	if sf.SCPLevels > 0 {
		w.scps = make([][]refPolicy, sf.SCPLevels)
	}
	if sf.RCPLevels > 0 {
		w.rcps = make([][]refPolicy, sf.RCPLevels)
	}
	for _, p := range sf.Policies {
		k, ok := kindNames[p.Kind]
		if !ok {
			t.Fatalf("%s: unknown kind %q", path, p.Kind)
		}
		doc, err := testDocument(string(p.Document))
		if err != nil {
			t.Fatalf("%s: policy %s: %v", path, p.Name, err)
		}
		rp := refPolicy{doc: doc, ref: PolicyRef{Kind: k, ARN: p.ARN, Name: p.Name}, level: p.Level}
		switch k {
		case Identity:
			w.identity = append(w.identity, rp)
		case Resource, Trust:
			w.resourcePolicy = &rp
		case Boundary:
			w.boundary = &rp
		case Session:
			w.session = append(w.session, rp)
		case SCP:
			for len(w.scps) <= p.Level {
				w.scps = append(w.scps, nil)
			}
			w.scps[p.Level] = append(w.scps[p.Level], rp)
		case RCP:
			for len(w.rcps) <= p.Level {
				w.rcps = append(w.rcps, nil)
			}
			w.rcps[p.Level] = append(w.rcps[p.Level], rp)
		}
	}
	return &sf, w
}

// input compiles the world's documents into an Input.
func (w *world) input(t testing.TB) *Input {
	t.Helper()
	comp := func(p refPolicy) *Compiled {
		c, err := Compile(p.doc, p.ref.Kind, p.ref)
		if err != nil {
			t.Fatalf("Compile(%s): %v", p.ref.Name, err)
		}
		return c
	}
	in := &Input{Action: w.action, Resource: w.resource, Context: w.ctx, Principal: w.principal, ResourceAccount: w.resourceAccount}
	for _, p := range w.identity {
		in.Identity = append(in.Identity, comp(p))
	}
	if w.resourcePolicy != nil {
		in.ResourcePolicy = comp(*w.resourcePolicy)
	}
	if w.boundary != nil {
		in.Boundary = comp(*w.boundary)
	}
	for _, p := range w.session {
		in.Session = append(in.Session, comp(p))
	}
	org := func(levels [][]refPolicy) [][]*Compiled {
		if levels == nil {
			return nil
		}
		out := make([][]*Compiled, len(levels))
		for i, l := range levels {
			out[i] = []*Compiled{}
			for _, p := range l {
				out[i] = append(out[i], comp(p))
			}
		}
		return out
	}
	in.SCPs, in.RCPs = org(w.scps), org(w.rcps)
	return in
}

// reversed returns a copy of the world with every list of policies and every document's
// statements in reverse order (statement indexes keep their original values).
func (w *world) reversed() *world {
	r := *w
	rev := func(ps []refPolicy) []refPolicy {
		if ps == nil {
			return nil
		}
		out := make([]refPolicy, len(ps))
		for i, p := range ps {
			out[len(ps)-1-i] = revDoc(p)
		}
		return out
	}
	r.identity, r.session = rev(w.identity), rev(w.session)
	if w.resourcePolicy != nil {
		p := revDoc(*w.resourcePolicy)
		r.resourcePolicy = &p
	}
	if w.boundary != nil {
		p := revDoc(*w.boundary)
		r.boundary = &p
	}
	revOrg := func(levels [][]refPolicy) [][]refPolicy {
		if levels == nil {
			return nil
		}
		out := make([][]refPolicy, len(levels))
		for i, l := range levels {
			out[i] = rev(l)
		}
		return out
	}
	r.scps, r.rcps = revOrg(w.scps), revOrg(w.rcps)
	return &r
}

func revDoc(p refPolicy) refPolicy {
	d := *p.doc
	d.Statements = make([]Statement, len(p.doc.Statements))
	for i, s := range p.doc.Statements {
		d.Statements[len(d.Statements)-1-i] = s
	}
	p.doc = &d
	return p
}

// stmtName formats a statement reference as scenarios write it.
func stmtName(s DecisionStatement) string {
	if s.IsZero() {
		return ""
	}
	if s.Sid != "" {
		return s.Policy.Name + "/" + s.Sid
	}
	return fmt.Sprintf("%s/#%d", s.Policy.Name, s.Index)
}

// scenarioFiles lists the scenario files.
func scenarioFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/eval/*.json")
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestScenarios(t *testing.T) {
	files := scenarioFiles(t)
	if len(files) < 40 {
		t.Errorf("found %d scenarios in testdata/eval, want at least 40", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			sf, w := loadScenario(t, f)
			in := w.input(t)
			d := Evaluate(in)
			tr := Explain(in)
			e := sf.Expect
			if got := d.Effect.String(); got != e.Effect {
				t.Errorf("%s\nEvaluate effect = %s, want %s (decision %+v)", sf.Description, got, e.Effect, d)
			}
			if got := stmtName(d.By); got != e.By {
				t.Errorf("decision By = %q, want %q", got, e.By)
			}
			var missing []string
			for _, k := range d.Missing.Kinds() {
				missing = append(missing, k.String())
			}
			if diff := cmp.Diff(e.Missing, missing); diff != "" {
				t.Errorf("decision Missing (-want +got):\n%s", diff)
			}
			if e.Reason != "" {
				if got := d.Reason(w.action); got != e.Reason {
					t.Errorf("Reason = %q, want %q", got, e.Reason)
				}
			}
			if diff := cmp.Diff(d, tr.Decision); diff != "" {
				t.Errorf("Explain decision differs from Evaluate (-evaluate +explain):\n%s", diff)
			}
			var matched, failed, noAllow []string
			for _, s := range tr.Matched {
				matched = append(matched, stmtName(s))
			}
			for _, f := range tr.Failed {
				failed = append(failed, stmtName(f.Statement))
			}
			for _, k := range tr.NoAllow {
				noAllow = append(noAllow, k.String())
			}
			sort.Strings(e.Matched)
			sort.Strings(matched)
			if diff := cmp.Diff(e.Matched, matched); diff != "" {
				t.Errorf("matched statements (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(e.Failed, failed); diff != "" {
				t.Errorf("failed statements (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(e.NoAllow, noAllow); diff != "" {
				t.Errorf("policy types without an Allow (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(e.MissingKeys, tr.MissingKeys); diff != "" {
				t.Errorf("missing context keys (-want +got):\n%s", diff)
			}
			if got := refEvaluate(w); got != d.Effect {
				t.Errorf("reference evaluator says %v, Evaluate says %v", got, d.Effect)
			}
			rw := w.reversed()
			rin := rw.input(t)
			if rd := Evaluate(rin); rd != d {
				t.Errorf("reversed order: decision %+v, want %+v", rd, d)
			}
			if diff := cmp.Diff(tr, Explain(rin)); diff != "" {
				t.Errorf("reversed order: trace differs (-original +reversed):\n%s", diff)
			}
		})
	}
}

// testDocument turns policy JSON into a Document for tests, independently of the parser: it
// accepts only well-formed documents and does no validation.
func testDocument(text string) (*Document, error) {
	var raw struct {
		Version   string
		ID        string `json:"Id"`
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, err
	}
	var stmts []map[string]json.RawMessage
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, err
		}
		stmts = append(stmts, one)
	} else if err := json.Unmarshal(raw.Statement, &stmts); err != nil {
		return nil, err
	}
	doc := &Document{Version: raw.Version, ID: raw.ID}
	for i, m := range stmts {
		st := Statement{Index: i}
		for k, v := range m {
			var err error
			switch k {
			case "Sid":
				err = json.Unmarshal(v, &st.Sid)
			case "Effect":
				var e string
				err = json.Unmarshal(v, &e)
				st.Effect = map[string]Effect{"Allow": Allow, "Deny": Deny}[e]
			case "Action":
				st.Action, err = stringList(v)
			case "NotAction":
				st.NotAction, err = stringList(v)
			case "Resource":
				st.Resource, err = stringList(v)
			case "NotResource":
				st.NotResource, err = stringList(v)
			case "Principal":
				st.Principal, err = principalValue(v)
			case "NotPrincipal":
				st.NotPrincipal, err = principalValue(v)
			case "Condition":
				st.Conditions, err = conditionBlock(v)
			default:
				err = fmt.Errorf("unknown element %s", k)
			}
			if err != nil {
				return nil, fmt.Errorf("statement %d %s: %w", i, k, err)
			}
		}
		doc.Statements = append(doc.Statements, st)
	}
	return doc, nil
}

func stringList(v json.RawMessage) ([]string, error) {
	var list []string
	if len(v) > 0 && v[0] == '[' {
		if err := json.Unmarshal(v, &list); err != nil {
			return nil, err
		}
		if list == nil {
			list = []string{}
		}
		return list, nil
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return nil, err
	}
	switch x := x.(type) {
	case string:
		return []string{x}, nil
	case bool, float64:
		return []string{strings.TrimSpace(string(v))}, nil
	}
	return nil, fmt.Errorf("not a string or list: %s", v)
}

func principalValue(v json.RawMessage) (*Principal, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		if s != "*" {
			return nil, fmt.Errorf("principal string %q", s)
		}
		return &Principal{Wildcard: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	p := &Principal{}
	for k, raw := range m {
		list, err := stringList(raw)
		if err != nil {
			return nil, err
		}
		switch k {
		case "AWS":
			p.AWS = list
		case "Service":
			p.Service = list
		case "Federated":
			p.Federated = list
		case "CanonicalUser":
			p.CanonicalUser = list
		default:
			return nil, fmt.Errorf("principal type %s", k)
		}
	}
	return p, nil
}

func conditionBlock(v json.RawMessage) ([]Condition, error) {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, err
	}
	var out []Condition
	for op, keys := range m {
		for k, raw := range keys {
			vals, err := stringList(raw)
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: k, Values: vals})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operator != out[j].Operator {
			return out[i].Operator < out[j].Operator
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}
