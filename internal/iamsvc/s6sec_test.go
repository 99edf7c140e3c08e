package iamsvc

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/policy"
)

// TestBoundaryKeyedMatchesCatalog: iam:PermissionsBoundary is set for exactly the actions the
// Service Authorization Reference lists it for: boundaryKeyed, plus the four actions that set
// it to the boundary in the request.
func TestBoundaryKeyedMatchesCatalog(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatalf("catalog.Load: %v", err)
	}
	var want []string
	for action, keys := range cat.ActionConditionKeys() {
		if slices.Contains(keys, "iam:PermissionsBoundary") {
			want = append(want, strings.ToLower(action))
		}
	}
	got := []string{"iam:createrole", "iam:createuser", "iam:putrolepermissionsboundary", "iam:putuserpermissionsboundary"}
	for action := range boundaryKeyed {
		got = append(got, strings.ToLower(action))
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("actions with iam:PermissionsBoundary (-catalog +iamd):\n%s", diff)
	}
}

// TestCheckPasswordField: 1 to 128 characters of [\u0009\u000A\u000D\u0020-\u00FF], counted in
// characters, and the error never carries the password.
func TestCheckPasswordField(t *testing.T) {
	const pattern = `Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	tests := []struct {
		name, pw, want string // want: the error text, "" for none
	}{
		{"empty", "", "Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"printable ASCII", "Correct-Horse-1", ""},
		{"tab newline return", "a\tb\nc\rd", ""},
		{"space and DEL", " \x7f", ""},
		{"Latin-1", "\u00a0\u00e9\u00ff", ""},
		{"128 two-byte characters", strings.Repeat("\u00e9", 128), ""},
		{"129 characters", strings.Repeat("a", 129), "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"SOH", "secret\x01", pattern},
		{"NUL", "\x00secret", pattern},
		{"vertical tab", "secret\v", pattern},
		{"U+0100", "secret\u0100", pattern},
		{"invalid UTF-8", "secret\xff", pattern},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPasswordField("password", tc.pw)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("checkPasswordField(%q) = %q, want %q", tc.pw, got, tc.want)
			}
			if tc.pw != "" && strings.Contains(got, tc.pw) {
				t.Errorf("checkPasswordField(%q) error %q carries the password", tc.pw, got)
			}
		})
	}
}

func TestPageActions(t *testing.T) {
	tests := []struct {
		name                     string
		limit, resources, budget int
		want                     int
	}{
		{"no resources: MaxItems", 100, 0, 10000, 100},
		{"few resources: MaxItems", 100, 10, 10000, 100},
		{"budget binds", 100, 400, 10000, 25},
		{"exactly the budget", 100, 100, 10000, 100},
		{"one action over the budget still pages", 100, 9800, 10000, 1},
		{"more resources than the budget: one action", 1000, 20000, 10000, 1},
		{"MaxItems below the budget's share", 3, 10, 10000, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageActions(tc.limit, tc.resources, tc.budget); got != tc.want {
				t.Errorf("pageActions(%d, %d, %d) = %d, want %d", tc.limit, tc.resources, tc.budget, got, tc.want)
			}
		})
	}
}

// TestSimulationPages: a page evaluates at most the budget's (action, resource) pairs (or one
// action), and the pages together are one evaluation of every action on every resource.
func TestSimulationPages(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/secret*"},
		{"Effect":"Allow","Action":"s3:Put*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"core"}}}]}`
	parsed, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	compiled, err := policy.Compile(parsed, policy.Identity, policy.PolicyRef{Name: "PolicyInputList.1"})
	if err != nil {
		t.Fatal(err)
	}
	newSim := func() *simulation {
		return &simulation{principal: policy.PrincipalInfo{Type: policy.PrincipalUser, Account: "123456789012"},
			identity: []*simPolicy{{c: compiled, text: doc, id: "PolicyInputList.1", typ: types.PolicySourceTypeNone}}}
	}
	actions := []string{"s3:GetObject", "s3:GetBucketAcl", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "iam:GetUser"}
	resources := []string{"arn:aws:s3:::b/secret0", "arn:aws:s3:::b/public1", "arn:aws:s3:::b/secret2", "arn:aws:s3:::b/public3", "arn:aws:s3:::c/other4"}
	req := &simRequest{actions: actions, resources: resources, context: map[string][]string{}}
	ignore := cmpopts.IgnoreUnexported(types.EvaluationResult{}, types.ResourceSpecificResult{}, types.Statement{}, types.Position{})

	all, next, err := newSim().resultsWithin(req, nil, ptr(int32(1000)), 1<<30)
	if err != nil || next != nil || len(all) != len(actions) {
		t.Fatalf("one evaluation: %d results, marker %v, err %v; want %d results and no marker", len(all), next, err, len(actions))
	}
	tests := []struct {
		name     string
		maxItems *int32
		budget   int
		perPage  int
	}{
		{"budget of two actions", nil, 10, 2},
		{"budget below one action", nil, 3, 1},
		{"MaxItems binds", ptr(int32(3)), 1000, 3},
		{"budget binds under MaxItems", ptr(int32(3)), 15, 3},
		{"budget below MaxItems", ptr(int32(5)), 15, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []types.EvaluationResult
			var marker *string
			for pages := 1; ; pages++ {
				res, next, err := newSim().resultsWithin(req, marker, tc.maxItems, tc.budget)
				if err != nil {
					t.Fatalf("page %d: %v", pages, err)
				}
				if want := min(tc.perPage, len(actions)-len(got)); len(res) != want {
					t.Errorf("page %d has %d results, want %d", pages, len(res), want)
				}
				pairs := 0
				for _, r := range res {
					pairs += len(r.ResourceSpecificResults)
				}
				if pairs > max(tc.budget, len(resources)) {
					t.Errorf("page %d evaluated %d pairs, budget %d", pages, pairs, tc.budget)
				}
				got = append(got, res...)
				if next == nil {
					break
				}
				if pages > len(actions) {
					t.Fatalf("more pages than actions")
				}
				marker = next
			}
			if diff := cmp.Diff(all, got, ignore); diff != "" {
				t.Errorf("pages differ from one evaluation (-one +pages):\n%s", diff)
			}
		})
	}
}
