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
		// Scenario documents must be valid IAM policies: they go through Parse, and the
		// independent test reader must agree with it.
		doc, err := Parse(string(p.Document), k)
		if err != nil {
			t.Fatalf("%s: policy %s: Parse: %v", path, p.Name, err)
		}
		tdoc, err := testDocument(string(p.Document))
		if err != nil {
			t.Fatalf("%s: policy %s: %v", path, p.Name, err)
		}
		if diff := cmp.Diff(tdoc, doc); diff != "" {
			t.Fatalf("%s: policy %s: Parse and testDocument disagree (-testDocument +Parse):\n%s", path, p.Name, diff)
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

// evalCase is a hand-written request for behaviour that no AWS page spells out as a scenario:
// iamd's fail-closed handling of statements it cannot compile, long actions, principal forms.
type evalCase struct {
	name      string
	identity  []string // policy documents
	resource  string   // resource-based policy document
	boundary  string
	rcps      [][]string
	action    string
	res       string
	principal PrincipalInfo
	resAcct   string
	ctx       map[string][]string
	want      DecisionEffect
	failed    int // statements reported in Trace.Failed
}

func (c *evalCase) input(t *testing.T) *Input {
	t.Helper()
	comp := func(kind Kind, name, text string) *Compiled {
		doc, err := testDocument(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, err := Compile(doc, kind, PolicyRef{Name: name})
		if err != nil {
			t.Fatalf("Compile(%s): %v", name, err)
		}
		return p
	}
	in := &Input{Action: c.action, Resource: c.res, Principal: c.principal, ResourceAccount: c.resAcct}
	if c.ctx != nil {
		in.Context = condition.NewMap(c.ctx)
	}
	for i, d := range c.identity {
		in.Identity = append(in.Identity, comp(Identity, fmt.Sprintf("id%d", i), d))
	}
	if c.resource != "" {
		in.ResourcePolicy = comp(Resource, "resource", c.resource)
	}
	if c.boundary != "" {
		in.Boundary = comp(Boundary, "boundary", c.boundary)
	}
	for lvl, docs := range c.rcps {
		in.RCPs = append(in.RCPs, []*Compiled{})
		for i, d := range docs {
			in.RCPs[lvl] = append(in.RCPs[lvl], comp(RCP, fmt.Sprintf("rcp%d.%d", lvl, i), d))
		}
	}
	return in
}

func TestEvaluateCases(t *testing.T) {
	alice := PrincipalInfo{Type: PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"}
	doc := func(stmts ...string) string { return benchDoc(stmts...) }
	long := "svc:" + strings.Repeat("VeryLongActionName", 10)
	cases := []evalCase{
		{name: "broken deny applies", identity: []string{doc(
			`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`,
			`{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionExplicitDeny, failed: 1},
		{name: "broken allow never allows", identity: []string{doc(
			`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NoSuchOperator":{"aws:username":"x"}}}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionImplicitDeny, failed: 1},
		{name: "invalid effect fails closed", identity: []string{doc(`{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionImplicitDeny, failed: 1},
		{name: "statement without action matches nothing", identity: []string{doc(`{"Effect":"Allow","Resource":"*"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionImplicitDeny, failed: 1},
		{name: "action longer than the buffer", identity: []string{doc(`{"Effect":"Allow","Action":"SVC:verylong*","Resource":"*"}`)},
			action: long, res: "*", principal: alice, want: DecisionAllow},
		{name: "action without a colon", identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
			action: "s3", res: "*", principal: alice, want: DecisionImplicitDeny},
		{name: "statement reached through two patterns", identity: []string{doc(
			`{"Effect":"Allow","Action":["*:Get*","*:*Object","s3:G*","s3:Get*"],"Resource":"*"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionAllow},
		{name: "notaction exact and colon-less patterns", identity: []string{doc(`{"Effect":"Allow","NotAction":["s3:GetObject","s3"],"Resource":"*"}`)},
			action: "s3:PutObject", res: "*", principal: alice, want: DecisionAllow},
		{name: "notaction exact pattern excludes", identity: []string{doc(`{"Effect":"Allow","NotAction":["S3:GETOBJECT"],"Resource":"*"}`)},
			action: "s3:GetObject", res: "*", principal: alice, want: DecisionImplicitDeny},
		{name: "wildcard in the service part", identity: []string{doc(`{"Effect":"Allow","Action":"s?:GetObject","Resource":"*"}`)},
			action: "s3:GetObject", res: "*", principal: alice, want: DecisionAllow},
		{name: "resource parts: middle part differs", identity: []string{doc(`{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-*:111122223333:instance/*"}`)},
			action: "ec2:StartInstances", res: "arn:aws:ec2:us-east-1:444455556666:instance/i-1", principal: alice, want: DecisionImplicitDeny},
		{name: "condition without context", identity: []string{doc(
			`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:username":"alice"}}}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionAllow},
		{name: "resource parts: short ARN", identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-*:*:x"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:us-east", principal: alice, want: DecisionImplicitDeny},
		{name: "resource parts: glob in the last part", identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*-logs/2024-??-*.gz"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::app-logs/2024-05-01.gz", principal: alice, want: DecisionAllow},
		{name: "resource variable", identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::home/alice/notes", principal: alice, ctx: map[string][]string{"aws:username": {"alice"}}, want: DecisionAllow},
		{name: "short resource pattern ending in star", identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:*"}`)},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionAllow},
		{name: "rcp level without allow", identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
			rcps:   [][]string{{doc(`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}`)}},
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionImplicitDeny},
		{name: "federated web identity in trust policy", resource: doc(
			`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`),
			action: "sts:AssumeRoleWithWebIdentity", res: "arn:aws:iam::111122223333:role/web", principal: PrincipalInfo{Type: PrincipalFederated, ARN: "accounts.google.com"},
			resAcct: "111122223333", want: DecisionAllow},
		{name: "other federated provider", resource: doc(
			`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`),
			action: "sts:AssumeRoleWithWebIdentity", res: "arn:aws:iam::111122223333:role/web", principal: PrincipalInfo{Type: PrincipalFederated, ARN: "cognito-identity.amazonaws.com"},
			resAcct: "111122223333", want: DecisionImplicitDeny},
		{name: "unique ID of a deleted principal never matches", resource: doc(
			`{"Effect":"Allow","Principal":{"AWS":"AIDAJQABLZS4A3QDU576Q"},"Action":"s3:GetObject","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, resAcct: "111122223333", want: DecisionImplicitDeny},
		{name: "the same grant by ARN matches", resource: doc(
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, resAcct: "111122223333", want: DecisionAllow},
		{name: "canonical user never matches", resource: doc(
			`{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionImplicitDeny},
		{name: "principal arn in another partition names the account", identity: []string{doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`)},
			resource: doc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws-cn:iam::111122223333:root","arn:aws:iam::111122223333:rootx","arn:aws:iam::1111:root","notanarn","arn:aws"]},"Action":"s3:GetObject","Resource":"*"}`),
			action:   "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionAllow},
		{name: "resource policy statement without principal names nobody", resource: doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: PrincipalInfo{Type: PrincipalAnonymous}, want: DecisionImplicitDeny},
		{name: "notprincipal wildcard exempts everyone", identity: []string{doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
			resource: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}`),
			action:   "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionAllow},
		{name: "notprincipal deny applies to anonymous", resource: doc(
			`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`,
			`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: PrincipalInfo{Type: PrincipalAnonymous}, want: DecisionExplicitDeny},
		{name: "notprincipal exempts a listed service", resource: doc(
			`{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}`,
			`{"Effect":"Deny","NotPrincipal":{"Service":"logs.amazonaws.com"},"Action":"s3:*","Resource":"*"}`),
			action: "s3:PutObject", res: "arn:aws:s3:::b/k", principal: PrincipalInfo{Type: PrincipalService, ARN: "logs.amazonaws.com"}, want: DecisionAllow},
		{name: "notprincipal account exempts its root user", resource: doc(
			`{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: PrincipalInfo{Type: PrincipalRoot, ARN: "arn:aws:iam::111122223333:root", Account: "111122223333"}, want: DecisionAllow},
		{name: "notprincipal allow grants everyone else", resource: doc(
			`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:GetObject","Resource":"*"}`),
			action: "s3:GetObject", res: "arn:aws:s3:::b/k", principal: alice, want: DecisionAllow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.input(t)
			d := Evaluate(in)
			if d.Effect != c.want {
				t.Errorf("Evaluate(%s on %s) = %+v, want %v", c.action, c.res, d, c.want)
			}
			tr := Explain(in)
			if diff := cmp.Diff(d, tr.Decision); diff != "" {
				t.Errorf("Explain decision differs (-evaluate +explain):\n%s", diff)
			}
			if len(tr.Failed) != c.failed {
				t.Errorf("Trace.Failed = %+v, want %d entries", tr.Failed, c.failed)
			}
			for _, f := range tr.Failed {
				if f.Reason == "" {
					t.Errorf("failure without a reason: %+v", f)
				}
			}
		})
	}
}

func TestEvalCompileErrors(t *testing.T) {
	doc := &Document{Version: "2012-10-17", Statements: []Statement{{Effect: Allow, Action: []string{"s3:*"}, Resource: []string{"*"}}}}
	cases := []struct {
		name string
		doc  *Document
		kind Kind
		ref  PolicyRef
	}{
		{"nil document", nil, Identity, PolicyRef{}},
		{"kind zero", doc, 0, PolicyRef{}},
		{"kind too large", doc, RCP + 1, PolicyRef{}},
		{"ref kind differs", doc, Identity, PolicyRef{Kind: Boundary}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, err := Compile(c.doc, c.kind, c.ref); err == nil {
				t.Errorf("Compile(%v, %v, %+v) = %v, nil; want an error", c.doc, c.kind, c.ref, got)
			}
		})
	}
	ref := PolicyRef{Kind: Identity, ARN: "arn:aws:iam::aws:policy/X", Name: "X", VersionID: "v2"}
	c, err := Compile(doc, Identity, ref)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ref, c.Ref()); diff != "" {
		t.Errorf("Ref (-want +got):\n%s", diff)
	}
	if p := c.Problems(); p != nil {
		t.Errorf("Problems() = %v, want none", p)
	}
	bad := &Document{Statements: []Statement{
		{Effect: Allow, Action: []string{"s3:*"}},
		{Index: 1, Effect: 9, Action: []string{"s3:*"}},
		{Index: 2, Effect: Deny, Conditions: []Condition{{Operator: "Nope", Key: "k", Values: []string{"v"}}}},
	}}
	c, err = Compile(bad, Identity, PolicyRef{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.Problems() {
		got = append(got, p.Error())
	}
	want := []string{
		"statement 1: invalid effect",
		"statement 2: no Action or NotAction; condition Nope k: " + condition.SyntaxErrorMessage,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
}

func TestEvalNamesAndReasons(t *testing.T) {
	strs := map[string]string{
		Allow.String(): "Allow", Deny.String(): "Deny", Effect(0).String(): "Invalid",
		DecisionAllow.String(): "Allow", DecisionExplicitDeny.String(): "ExplicitDeny",
		DecisionImplicitDeny.String(): "ImplicitDeny", DecisionEffect(9).String(): "Invalid",
		Kind(0).String(): "Invalid", Trust.String(): "Trust",
	}
	for got, want := range strs {
		if got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	types := map[PrincipalType]string{
		PrincipalAnonymous: "Anonymous", PrincipalRoot: "Root", PrincipalUser: "User", PrincipalRoleSession: "RoleSession",
		PrincipalFederatedUser: "FederatedUser", PrincipalService: "Service", PrincipalFederated: "Federated", 99: "Invalid",
	}
	for pt, want := range types {
		if got := pt.String(); got != want {
			t.Errorf("PrincipalType(%d).String() = %q, want %q", pt, got, want)
		}
	}
	if kindRank(0) != len(kindOrder) {
		t.Errorf("kindRank(0) = %d, want %d", kindRank(0), len(kindOrder))
	}
	d := Decision{Effect: DecisionAllow}
	if !d.Allowed() || d.Reason("s3:GetObject") != "" {
		t.Errorf("allow decision: Allowed() = %v, Reason = %q", d.Allowed(), d.Reason("s3:GetObject"))
	}
	if got, want := (Decision{}).Reason("s3:GetObject"), "because no identity-based policy allows the s3:GetObject action"; got != want {
		t.Errorf("zero Decision Reason = %q, want %q", got, want)
	}
	if (Decision{}).Allowed() {
		t.Error("zero Decision is allowed")
	}
}

// TestEvalCandOrder checks the deterministic order of statements in traces.
func TestEvalCandOrder(t *testing.T) {
	mk := func(kind Kind, level int, arn, name, version string, index int32) cand {
		return cand{c: &Compiled{ref: PolicyRef{Kind: kind, ARN: arn, Name: name, VersionID: version}}, level: level, s: &cstmt{index: index}}
	}
	ordered := []cand{
		mk(RCP, 0, "", "", "", 0),
		mk(SCP, 0, "b", "", "", 0),
		mk(SCP, 1, "a", "", "", 0),
		mk(Identity, 0, "a", "z", "", 0),
		mk(Identity, 0, "b", "a", "", 0),
		mk(Identity, 0, "b", "b", "v1", 3),
		mk(Identity, 0, "b", "b", "v2", 1),
		mk(Identity, 0, "b", "b", "v2", 2),
		{},
	}
	for i := range ordered {
		for j := range ordered {
			if got, want := ordered[i].less(ordered[j]), i < j; got != want {
				t.Errorf("less(%d, %d) = %v, want %v", i, j, got, want)
			}
		}
	}
}

// fuzzBytes hands out fuzzer bytes as small choices; past the end it returns zeros.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) n(max int) int {
	if len(f.b) == 0 {
		return 0
	}
	v := int(f.b[0]) % max
	f.b = f.b[1:]
	return v
}

func (f *fuzzBytes) pick(list []string) string { return list[f.n(len(list))] }

var (
	fuzzActions = []string{"s3:GetObject", "s3:PutObject", "iam:CreateUser", "ec2:RunInstances", "S3:getobject", "sts:AssumeRole", "s3", "s3:Get:Object"}
	fuzzActPats = []string{"*", "s3:*", "s3:Get*", "S3:get*", "iam:*User", "*:Get*", "ec2:RunInstances", "s3:GetObject",
		"s3:?etObject", "iam:CreateUser", "*:*Object", "sts:*", "s3:*Object*", "*:CreateUser", "s?:GetObject", "ec2:Run*", "IAM:CREATE*"}
	fuzzResources = []string{"arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket", "arn:aws:iam::111122223333:user/alice", "*",
		"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:s3:::Bucket/key", "arn:aws:s3:::alice/x", "arn:aws:s3:us-east",
		"arn:aws:ec2:us-east-1:111122223333:instance/i-1:extra", "arn:aws:ec2:eu-west-1::instance/i-2"}
	fuzzResPats = []string{"*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", "arn:aws:s3:::*", "arn:aws:iam::*:user/${aws:username}",
		"arn:aws:ec2:us-*:*:instance/*", "arn:aws:s3:*", "arn:aws:s3:::b?cket/*", "arn:aws:iam::111122223333:user/alice",
		"arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::${aws:username, 'bucket'}/*", "arn:aws:s3:us-*:*:x", "arn:aws:*:::bucket/${*}",
		"arn:aws:ec2:*:*:instance/i-?", "arn:aws:ec2:*:111122223333:instance/*:*", "arn:aws:ec2:*-1::instance/i-*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"}
	fuzzPrincipals = []*Principal{
		{Wildcard: true}, {AWS: []string{"*"}}, {AWS: []string{"111122223333"}}, {AWS: []string{"arn:aws:iam::111122223333:root"}},
		{AWS: []string{"arn:aws:iam::111122223333:user/alice"}}, {AWS: []string{"arn:aws:iam::111122223333:role/Dev"}},
		{AWS: []string{"arn:aws:sts::111122223333:assumed-role/Dev/s1", "arn:aws:iam::111122223333:root"}},
		{AWS: []string{"arn:aws:iam::444455556666:root"}}, {AWS: []string{"arn:aws:iam::444455556666:user/carol", "444455556666"}},
		{Service: []string{"ec2.amazonaws.com"}}, {Federated: []string{"accounts.google.com"}},
		{AWS: []string{"arn:aws:iam::111122223333:user/bob"}}, {AWS: []string{"arn:aws:sts::111122223333:federated-user/bob"}},
	}
	fuzzCallers = []PrincipalInfo{
		{Type: PrincipalUser, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		{Type: PrincipalRoot, ARN: "arn:aws:iam::111122223333:root", Account: "111122223333"},
		{Type: PrincipalRoleSession, ARN: "arn:aws:sts::111122223333:assumed-role/Dev/s1", Account: "111122223333", SourceARN: "arn:aws:iam::111122223333:role/Dev"},
		{Type: PrincipalFederatedUser, ARN: "arn:aws:sts::111122223333:federated-user/bob", Account: "111122223333", SourceARN: "arn:aws:iam::111122223333:user/bob"},
		{Type: PrincipalUser, ARN: "arn:aws:iam::444455556666:user/carol", Account: "444455556666"},
		{Type: PrincipalRoot, ARN: "arn:aws:iam::444455556666:root", Account: "444455556666"},
		{Type: PrincipalAnonymous},
		{Type: PrincipalService, ARN: "ec2.amazonaws.com"},
		{Type: PrincipalFederated, ARN: "accounts.google.com"},
	}
	fuzzConditions = []Condition{
		{Operator: "StringEquals", Key: "aws:username", Values: []string{"alice"}},
		{Operator: "StringNotEquals", Key: "aws:PrincipalTag/team", Values: []string{"dev"}},
		{Operator: "ForAllValues:StringEquals", Key: "aws:TagKeys", Values: []string{"a", "b"}},
		{Operator: "ForAnyValue:StringLike", Key: "aws:TagKeys", Values: []string{"a*"}},
		{Operator: "Null", Key: "aws:TokenIssueTime", Values: []string{"true"}},
		{Operator: "BoolIfExists", Key: "aws:MultiFactorAuthPresent", Values: []string{"false"}},
		{Operator: "StringLike", Key: "s3:prefix", Values: []string{"home/${aws:username}/*"}},
		{Operator: "Bogus", Key: "aws:username", Values: []string{"alice"}},
	}
	fuzzContexts = []map[string][]string{
		{"aws:username": {"alice"}},
		{"aws:PrincipalTag/team": {"dev"}, "aws:TagKeys": {"a"}},
		{"aws:TagKeys": {"a", "c"}, "aws:TokenIssueTime": {"2025-01-01T00:00:00Z"}, "aws:MultiFactorAuthPresent": {"true"}},
		{"aws:username": {"bob"}, "s3:prefix": {"home/bob/x"}, "aws:MultiFactorAuthPresent": {"false"}},
	}
)

// fuzzWorld decodes fuzzer bytes into a small random world: documents, request and caller.
func fuzzWorld(data []byte) *world {
	f := &fuzzBytes{b: data}
	w := &world{action: f.pick(fuzzActions), resource: f.pick(fuzzResources), principal: fuzzCallers[f.n(len(fuzzCallers))]}
	ctx := map[string][]string{}
	for i, n := 0, f.n(3); i < n; i++ {
		for k, v := range fuzzContexts[f.n(len(fuzzContexts))] {
			ctx[k] = v
		}
	}
	w.ctx = condition.NewMap(ctx)
	if f.n(2) == 1 {
		w.resourceAccount = "111122223333"
	}
	nPol := 0
	doc := func(kind Kind) refPolicy {
		d := &Document{Version: "2012-10-17"}
		if f.n(5) == 0 {
			d.Version = "2008-10-17"
		}
		for i, n := 0, 1+f.n(3); i < n; i++ {
			st := Statement{Index: i, Effect: Allow}
			if f.n(3) == 0 {
				st.Effect = Deny
			}
			if f.n(2) == 0 {
				st.Sid = fmt.Sprintf("S%d", i)
			}
			acts := []string{f.pick(fuzzActPats)}
			if f.n(3) == 0 {
				acts = append(acts, f.pick(fuzzActPats))
			}
			if f.n(5) == 0 {
				st.NotAction = acts
			} else {
				st.Action = acts
			}
			switch f.n(5) {
			case 0:
			case 1:
				st.NotResource = []string{f.pick(fuzzResPats)}
			default:
				st.Resource = []string{f.pick(fuzzResPats), f.pick(fuzzResPats)}[:1+f.n(2)]
			}
			if kind == Resource || kind == Trust || kind == RCP {
				switch f.n(4) {
				case 0:
					st.NotPrincipal = fuzzPrincipals[f.n(len(fuzzPrincipals))]
				case 1:
				default:
					st.Principal = fuzzPrincipals[f.n(len(fuzzPrincipals))]
				}
			}
			for j, n := 0, f.n(3); j < n; j++ {
				st.Conditions = append(st.Conditions, fuzzConditions[f.n(len(fuzzConditions))])
			}
			d.Statements = append(d.Statements, st)
		}
		nPol++
		return refPolicy{doc: d, ref: PolicyRef{Kind: kind, Name: fmt.Sprintf("p%d", nPol)}}
	}
	for i, n := 0, f.n(3); i < n; i++ {
		w.identity = append(w.identity, doc(Identity))
	}
	if f.n(3) == 0 {
		p := doc(Boundary)
		w.boundary = &p
	}
	if f.n(3) == 0 {
		w.session = append(w.session, doc(Session))
	}
	switch f.n(4) {
	case 0:
		p := doc(Resource)
		w.resourcePolicy = &p
	case 1:
		p := doc(Trust)
		w.resourcePolicy = &p
	}
	org := func(kind Kind) [][]refPolicy {
		if f.n(3) != 0 {
			return nil
		}
		levels := make([][]refPolicy, 1+f.n(2))
		for l := range levels {
			for i, n := 0, f.n(3); i < n; i++ {
				p := doc(kind)
				p.level = l
				levels[l] = append(levels[l], p)
			}
		}
		return levels
	}
	w.scps, w.rcps = org(SCP), org(RCP)
	return w
}

// FuzzEvaluate checks Evaluate against the reference evaluator, and that neither the decision
// nor the trace depends on the order of policies and statements. The scenario files seed it.
func FuzzEvaluate(f *testing.F) {
	for _, name := range scenarioFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		w := fuzzWorld(data)
		in := w.input(t)
		d := Evaluate(in)
		if want := refEvaluate(w); d.Effect != want {
			t.Fatalf("Evaluate = %+v, reference evaluator says %v\nworld: %s", d, want, dumpWorld(w))
		}
		tr := Explain(in)
		if diff := cmp.Diff(d, tr.Decision); diff != "" {
			t.Fatalf("Explain decision differs (-evaluate +explain):\n%s\nworld: %s", diff, dumpWorld(w))
		}
		rin := w.reversed().input(t)
		if rd := Evaluate(rin); rd != d {
			t.Fatalf("reversed order: %+v, want %+v\nworld: %s", rd, d, dumpWorld(w))
		}
		if diff := cmp.Diff(tr, Explain(rin)); diff != "" {
			t.Fatalf("reversed order: trace differs (-original +reversed):\n%s\nworld: %s", diff, dumpWorld(w))
		}
	})
}

func dumpWorld(w *world) string {
	var b strings.Builder
	fmt.Fprintf(&b, "action=%s resource=%s principal=%+v resourceAccount=%q ctx=%v\n", w.action, w.resource, w.principal, w.resourceAccount, w.ctx)
	dump := func(label string, p refPolicy) {
		js, _ := json.Marshal(p.doc)
		fmt.Fprintf(&b, "%s %s level %d: %s\n", label, p.ref.Name, p.level, js)
	}
	for _, p := range w.identity {
		dump("identity", p)
	}
	if w.boundary != nil {
		dump("boundary", *w.boundary)
	}
	for _, p := range w.session {
		dump("session", p)
	}
	if w.resourcePolicy != nil {
		dump(w.resourcePolicy.ref.Kind.String(), *w.resourcePolicy)
	}
	for _, l := range w.scps {
		for _, p := range l {
			dump("scp", p)
		}
	}
	fmt.Fprintf(&b, "scp levels %d, rcp levels %d\n", len(w.scps), len(w.rcps))
	for _, l := range w.rcps {
		for _, p := range l {
			dump("rcp", p)
		}
	}
	return b.String()
}
