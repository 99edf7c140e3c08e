package managed

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/policy"
)

func load(t *testing.T) []Policy {
	t.Helper()
	ps, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func find(t *testing.T, ps []Policy, name string) *Policy {
	t.Helper()
	i, ok := slices.BinarySearchFunc(ps, name, func(p Policy, n string) int { return strings.Compare(strings.ToLower(p.Name), strings.ToLower(n)) })
	if !ok {
		t.Fatalf("policy %s not in the data", name)
	}
	return &ps[i]
}

func (p *Policy) defaultVersion(t *testing.T) *PolicyVersion {
	t.Helper()
	for i := range p.Versions {
		if p.Versions[i].ID == p.DefaultVersion {
			return &p.Versions[i]
		}
	}
	t.Fatalf("%s: default version %s missing", p.Name, p.DefaultVersion)
	return nil
}

type statement struct {
	Sid, Effect string
	Action      any
	NotAction   any
	Resource    any
}

func statements(t *testing.T, doc string) []statement {
	t.Helper()
	var d struct {
		Version   string
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("document %.80q: %v", doc, err)
	}
	var list []statement
	if err := json.Unmarshal(d.Statement, &list); err != nil {
		var one statement
		if err := json.Unmarshal(d.Statement, &one); err != nil {
			t.Fatalf("statements of %.80q: %v", doc, err)
		}
		list = []statement{one}
	}
	return list
}

func TestKnownPolicies(t *testing.T) {
	ps := load(t)
	if len(ps) <= 1000 {
		t.Errorf("Load returned %d policies, want more than 1000", len(ps))
	}
	for _, tc := range []struct {
		name, path, version string
		created             string
		want                []statement
	}{
		{"AdministratorAccess", "/", "v1", "2015-02-06T18:39:46Z", []statement{{Effect: "Allow", Action: "*", Resource: "*"}}},
		{"AWSLambdaBasicExecutionRole", "/service-role/", "v1", "2015-04-09T15:03:43Z", []statement{{Effect: "Allow",
			Action: []any{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, Resource: "*"}}},
		{"IAMReadOnlyAccess", "/", "v4", "2015-02-06T18:40:39Z", []statement{{Effect: "Allow",
			Action: []any{"iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "iam:Get*", "iam:List*",
				"iam:SimulateCustomPolicy", "iam:SimulatePrincipalPolicy"}, Resource: "*"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := find(t, ps, tc.name)
			wantARN := "arn:aws:iam::aws:policy" + tc.path + tc.name
			got := []string{p.Path, p.ARN, p.DefaultVersion, p.Created.Format(time.RFC3339)}
			if diff := cmp.Diff([]string{tc.path, wantARN, tc.version, tc.created}, got); diff != "" {
				t.Errorf("path, ARN, default version, created (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, statements(t, p.defaultVersion(t).Document)); diff != "" {
				t.Errorf("default version's statements (-want +got):\n%s", diff)
			}
		})
	}
}

// unparsed are real AWS documents that internal/policy rejects (it is stricter than AWS here;
// the authorizer then treats the policy as allowing nothing). Listed by policy and version with
// the parser's complaint, so that a new rejection fails the test.
var unparsed = map[string]string{
	"AmazonEC2SpotFleetTaggingRole v1": "condition key PassedToService without a vendor prefix",
}

var idPattern = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)

// TestInvariants checks every policy: the fields the server relies on, the version cap, and
// that iamd's parser accepts every kept document.
func TestInvariants(t *testing.T) {
	ps := load(t)
	ids := map[string]string{}
	paths := map[string]int{}
	for i, p := range ps {
		if i > 0 && strings.ToLower(ps[i-1].Name) >= strings.ToLower(p.Name) {
			t.Errorf("policies not sorted or names clash: %s before %s", ps[i-1].Name, p.Name)
		}
		paths[p.Path]++
		if p.ARN != "arn:aws:iam::aws:policy"+p.Path+p.Name || !strings.HasPrefix(p.Path, "/") || !strings.HasSuffix(p.Path, "/") {
			t.Errorf("%s: path %q, ARN %q", p.Name, p.Path, p.ARN)
		}
		if !idPattern.MatchString(p.ID) || p.ID != PolicyID(p.Name) {
			t.Errorf("%s: ID %q", p.Name, p.ID)
		}
		if other, dup := ids[p.ID]; dup {
			t.Errorf("%s and %s share ID %s", other, p.Name, p.ID)
		}
		ids[p.ID] = p.Name
		if p.Created.IsZero() || p.Updated.Before(p.Created) || p.Created.Location() != time.UTC {
			t.Errorf("%s: created %v, updated %v", p.Name, p.Created, p.Updated)
		}
		if n := len(p.Versions); n < 1 || n > 5 {
			t.Errorf("%s: %d versions, want 1 to 5", p.Name, n)
		}
		p.defaultVersion(t)
		last := 0
		for _, v := range p.Versions {
			n, err := strconv.Atoi(strings.TrimPrefix(v.ID, "v"))
			if err != nil || n <= last {
				t.Errorf("%s: version %s after v%d", p.Name, v.ID, last)
			}
			last = n
			_, err = policy.Parse(v.Document, policy.Identity)
			if err != nil && unparsed[p.Name+" "+v.ID] == "" {
				t.Errorf("%s %s: iamd cannot parse the document: %v", p.Name, v.ID, err)
			}
			if err == nil && unparsed[p.Name+" "+v.ID] != "" {
				t.Errorf("%s %s: listed as unparsed, but iamd parses it now; remove it from the list", p.Name, v.ID)
			}
		}
	}
	for _, path := range []string{"/", "/service-role/", "/aws-service-role/", "/job-function/"} {
		if paths[path] == 0 {
			t.Errorf("no policy with path %s (paths: %v)", path, paths)
		}
	}
}

func TestVersionAndLicense(t *testing.T) {
	if v := Version(); !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(v) {
		t.Errorf("Version() = %q, want a semantic version", v)
	}
	if l := License(); !strings.Contains(l, "MIT License") || !strings.Contains(l, "Permission is hereby granted") {
		t.Errorf("License() = %.60q, want the MIT notice", l)
	}
}

func TestPolicyID(t *testing.T) {
	a, b := PolicyID("ReadOnlyAccess"), PolicyID("ReadOnlyAccess")
	if a != b || !idPattern.MatchString(a) {
		t.Errorf("PolicyID(ReadOnlyAccess) = %q then %q, want one stable ANPA… ID", a, b)
	}
	if c := PolicyID("readonlyaccess"); c == a {
		t.Errorf("PolicyID ignores case: %q", c)
	}
}

// TestDecodeFixture decodes the generator's golden output, so that the generator and Load agree
// on the format.
func TestDecodeFixture(t *testing.T) {
	raw, err := os.ReadFile("gen/testdata/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	ps, err := decode(gz.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	lambda := Policy{
		Name: "AWSLambdaBasicExecutionRole", Path: "/service-role/", ARN: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		ID: PolicyID("AWSLambdaBasicExecutionRole"), DefaultVersion: "v1",
		Versions: []PolicyVersion{{ID: "v1", Created: day("2015-04-09").Add(15*time.Hour + 3*time.Minute + 43*time.Second),
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/team":"a\u00e9<b>&\"q\""}}}]}`}},
		Created: day("2015-04-09").Add(15*time.Hour + 3*time.Minute + 43*time.Second),
		Updated: day("2015-04-09").Add(15*time.Hour + 3*time.Minute + 43*time.Second),
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name+" "+p.DefaultVersion)
	}
	if diff := cmp.Diff([]string{"amazonLowerCaseFirst v2", "AWSLambdaBasicExecutionRole v1", "ReadOnlyAccess v6"}, names); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	if len(ps) == 3 {
		if diff := cmp.Diff(lambda, ps[1]); diff != "" {
			t.Errorf("AWSLambdaBasicExecutionRole (-want +got):\n%s", diff)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"not gzip", []byte("plain")},
		{"truncated", embedded[:len(embedded)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := decode(tc.data); err == nil {
				t.Errorf("decode(%s) succeeded, want an error", tc.name)
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
