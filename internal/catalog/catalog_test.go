package catalog

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func load(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// loadFixture decodes the data the generator makes from its fixture package
// (gen/testdata/package; gen's tests keep testdata/fixture.bin.gz in step).
func loadFixture(t testing.TB) *Catalog {
	t.Helper()
	b, err := os.ReadFile("testdata/fixture.bin.gz")
	if err != nil {
		t.Fatal(err)
	}
	c, err := decode(b)
	if err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	return c
}

func TestKnownActions(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		action string
		level  AccessLevel
	}{
		{"iam:CreateUser", Write},
		{"s3:GetObject", Read},
		{"iam:PutUserPolicy", PermissionsManagement},
		{"iam:AttachRolePolicy", PermissionsManagement},
		{"iam:TagUser", Tagging},
		{"iam:ListUsers", List},
		{"sts:AssumeRole", Write},
		{"ec2:CreateTags", Tagging},
		{"IAM:createuser", Write},
	} {
		t.Run(tc.action, func(t *testing.T) {
			a, ok := c.Action(tc.action)
			if !ok {
				t.Fatalf("Action(%q) not found", tc.action)
			}
			if a.AccessLevel != tc.level {
				t.Errorf("Action(%q).AccessLevel = %v, want %v", tc.action, a.AccessLevel, tc.level)
			}
			if !strings.EqualFold(a.String(), tc.action) {
				t.Errorf("Action(%q).String() = %q", tc.action, a.String())
			}
		})
	}
	for _, name := range []string{"iam:NoSuchAction", "nosuch:GetObject", "s3", "", ":", "s3:", "s3:Get*"} {
		if a, ok := c.Action(name); ok {
			t.Errorf("Action(%q) = %v, want not found", name, a)
		}
	}
}

func TestCreateUser(t *testing.T) {
	c := load(t)
	a, ok := c.Action("iam:CreateUser")
	if !ok {
		t.Fatal("iam:CreateUser not found")
	}
	if a.Service != "iam" || a.Name != "CreateUser" {
		t.Errorf("Service, Name = %q, %q", a.Service, a.Name)
	}
	if diff := cmp.Diff([]ResourceRef{{Name: "user", Required: true}}, a.ResourceTypes); diff != "" {
		t.Errorf("iam:CreateUser resource types (-want +got):\n%s", diff)
	}
	for _, k := range []string{"aws:RequestTag/${TagKey}", "aws:TagKeys", "iam:PermissionsBoundary"} {
		if !slices.Contains(a.ConditionKeys, k) {
			t.Errorf("iam:CreateUser condition keys %v lack %s", a.ConditionKeys, k)
		}
	}
	iam, _ := c.Service("iam")
	rt, ok := iam.ResourceType(a.ResourceTypes[0].Name)
	if !ok {
		t.Fatal("iam resource type user not found")
	}
	if want := "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}"; rt.ARNFormat != want || rt.Service != "iam" {
		t.Errorf("user: %+v, want ARN format %s", rt, want)
	}
}

func TestAssumeRoleKeys(t *testing.T) {
	c := load(t)
	a, ok := c.Action("sts:AssumeRole")
	if !ok {
		t.Fatal("sts:AssumeRole not found")
	}
	for _, k := range []string{"sts:ExternalId", "sts:RoleSessionName", "sts:SourceIdentity"} {
		if !slices.Contains(a.ConditionKeys, k) {
			t.Errorf("sts:AssumeRole condition keys %v lack %s", a.ConditionKeys, k)
		}
	}
}

func TestCounts(t *testing.T) {
	c := load(t)
	services := c.Services()
	actions := c.Match("*")
	if len(services) < 300 || len(actions) < 15000 {
		t.Errorf("%d services, %d actions; want hundreds and > 15,000", len(services), len(actions))
	}
	if !slices.IsSorted(services) {
		t.Error("Services() not sorted")
	}
	if !strings.HasPrefix(c.Version(), "0.") {
		t.Errorf("Version() = %q", c.Version())
	}
	t.Logf("%s: %d services, %d actions, %d condition keys", c.Version(), len(services), len(actions), len(c.keys))
}

// TestConsistency checks the whole embedded catalog: every resource ref names a resource type
// of its service, every dependent action is "service:Action", and every condition key an
// action names is known to the catalog.
func TestConsistency(t *testing.T) {
	c := load(t)
	deps, unknownKeys := 0, map[string]bool{}
	for _, prefix := range c.Services() {
		s, ok := c.Service(prefix)
		if !ok || s.Prefix != prefix || s.Name == "" {
			t.Fatalf("Service(%q) = %+v, %v", prefix, s, ok)
		}
		for i := range s.Actions {
			a := &s.Actions[i]
			if a.Service != prefix || a.AccessLevel < List || a.AccessLevel > Tagging {
				t.Errorf("%s: service %q, level %v", a, a.Service, a.AccessLevel)
			}
			for _, r := range a.ResourceTypes {
				if _, ok := s.ResourceType(r.Name); !ok {
					t.Errorf("%s: resource type %q not in service %s", a, r.Name, prefix)
				}
			}
			for _, d := range a.DependentActions {
				deps++
				if svc, act, ok := strings.Cut(d, ":"); !ok || svc == "" || act == "" {
					t.Errorf("%s: dependent action %q", a, d)
				}
			}
			for _, k := range a.ConditionKeys {
				if _, ok := c.ConditionKey(k); !ok {
					unknownKeys[k] = true
				}
			}
		}
	}
	if len(unknownKeys) > 0 {
		t.Errorf("condition keys named by actions but unknown: %v", slices.Sorted(maps.Keys(unknownKeys)))
	}
	t.Logf("%d dependent actions in the embedded data", deps)
}

// TestFixture decodes the generator's fixture output and compares whole values, including a
// dependent-actions example (the embedded 0.21.x data has none; see the package doc).
func TestFixture(t *testing.T) {
	c := loadFixture(t)
	if got, want := c.Services(), []string{"iam", "s3", "sts"}; !slices.Equal(got, want) {
		t.Errorf("Services() = %v, want %v", got, want)
	}
	if c.Version() != "0.0.1-fixture" {
		t.Errorf("Version() = %q", c.Version())
	}
	a, ok := c.Action("s3:createbucket")
	if !ok {
		t.Fatal("s3:CreateBucket not found")
	}
	want := &Action{
		Service: "s3", Name: "CreateBucket", AccessLevel: Write,
		ResourceTypes: []ResourceRef{
			{Name: "bucket", Required: true},
			{Name: "accesspoint"},
		},
		ConditionKeys:    []string{"s3:x-amz-acl"},
		DependentActions: []string{"iam:CreateServiceLinkedRole", "s3:PutBucketTagging"},
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("s3:CreateBucket (-want +got):\n%s", diff)
	}
	for _, d := range a.DependentActions {
		if _, ok := c.Action(d); !ok {
			t.Errorf("dependent action %s not in the catalog", d)
		}
	}
	get, _ := c.Action("s3:GetObject")
	if diff := cmp.Diff([]ResourceRef{{Name: "object", Required: true, ConditionKeys: []string{"s3:ExistingObjectTag/${TagKey}"}}}, get.ResourceTypes); diff != "" {
		t.Errorf("s3:GetObject resource types (-want +got):\n%s", diff)
	}
	s3, _ := c.Service("S3")
	wantS3 := []ConditionKey{
		{"aws:TagKeys", "String"},
		{"s3:Environment/${Name}.value/${Sub}", "String"},
		{"s3:ExistingObjectTag/${TagKey}", "String"},
		{"s3:x-amz-acl", "String"},
	}
	if diff := cmp.Diff(wantS3, s3.ConditionKeys); diff != "" {
		t.Errorf("s3 condition keys (-want +got):\n%s", diff)
	}
	if k, ok := s3.ConditionKey("S3:X-AMZ-ACL"); !ok || k.Name != "s3:x-amz-acl" {
		t.Errorf("s3.ConditionKey(S3:X-AMZ-ACL) = %v, %v", k, ok)
	}
	if _, ok := s3.ConditionKey("s3:ExistingObjectTag/team"); ok {
		t.Error("Service.ConditionKey expanded a variable")
	}
	for _, tc := range []struct{ name, level string }{
		{"iam:TagUser", "Tagging"},
		{"iam:PutUserPolicy", "Permissions management"},
		{"iam:ListUsers", "List"},
		{"s3:GetObject", "Read"},
	} {
		if a, ok := c.Action(tc.name); !ok || a.AccessLevel.String() != tc.level {
			t.Errorf("%s: %v, %v; want level %s", tc.name, a, ok, tc.level)
		}
	}
}

func TestConditionKey(t *testing.T) {
	embeddedCat, fixtureCat := load(t), loadFixture(t)
	for _, tc := range []struct {
		name    string
		fixture bool
		key     string // wanted definition; "" for not found
		typ     string
	}{
		{"aws:SourceIp", false, "aws:SourceIp", "IPAddress"},
		{"AWS:SOURCEIP", false, "aws:SourceIp", "IPAddress"},
		{"aws:PrincipalArn", false, "aws:PrincipalArn", "ARN"},
		{"aws:MultiFactorAuthPresent", false, "aws:MultiFactorAuthPresent", "Bool"},
		{"aws:CurrentTime", false, "aws:CurrentTime", "Date"},
		{"aws:TagKeys", false, "aws:TagKeys", "ArrayOfString"},
		{"aws:PrincipalTag/Department", false, "aws:PrincipalTag/${TagKey}", "String"},
		{"aws:requesttag/team", false, "aws:RequestTag/${TagKey}", "String"},
		{"aws:RequestTag/", false, "", ""},
		{"sts:ExternalId", false, "sts:ExternalId", "String"},
		{"s3:prefix", false, "s3:prefix", "String"},
		{"iam:PermissionsBoundary", false, "iam:PermissionsBoundary", "ARN"},
		{"nosuch:key", false, "", ""},
		{"", false, "", ""},
		// Fixture: the global list beats a service, and keys with two variables.
		{"aws:TagKeys", true, "aws:TagKeys", "ArrayOfString"},
		{"aws:PrincipalTag/x", true, "aws:PrincipalTag/${TagKey}", "String"},
		{"s3:Environment/a.value/b", true, "s3:Environment/${Name}.value/${Sub}", "String"},
		{"S3:ENVIRONMENT/a.b.VALUE/c/d", true, "s3:Environment/${Name}.value/${Sub}", "String"},
		{"s3:Environment/.value/b", true, "", ""},
		{"s3:Environment/a.value/", true, "", ""},
		{"s3:Environment/a", true, "", ""},
		{"s3:Environment/", true, "", ""},
		{"s3:ExistingObjectTag/team", true, "s3:ExistingObjectTag/${TagKey}", "String"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := embeddedCat
			if tc.fixture {
				c = fixtureCat
			}
			k, ok := c.ConditionKey(tc.name)
			if tc.key == "" {
				if ok {
					t.Errorf("ConditionKey(%q) = %+v, want not found", tc.name, k)
				}
				return
			}
			if !ok || k.Name != tc.key || k.Type != tc.typ {
				t.Errorf("ConditionKey(%q) = %+v, %v; want {%s %s}", tc.name, k, ok, tc.key, tc.typ)
			}
		})
	}
}

// globRegexp is an independent oracle for Match: the pattern as a case-insensitive regexp
// over "service:action", where wildcards do not match the colon.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?i)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString("[^:]*")
		case '?':
			b.WriteString("[^:]")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestMatch(t *testing.T) {
	c := load(t)
	all := c.Match("*")
	for _, tc := range []struct {
		pattern string
		must    []string // actions that must be among the matches
		min     int
	}{
		{"s3:Get*", []string{"s3:GetObject", "s3:GetBucketPolicy"}, 10},
		{"*:List*", []string{"iam:ListUsers", "s3:ListBucket"}, 1000},
		{"S3:GETOBJECT", []string{"s3:GetObject"}, 1},
		{"iam:?etUser", []string{"iam:GetUser"}, 1},
		{"iam:*User", []string{"iam:CreateUser", "iam:GetUser", "iam:DeleteUser"}, 3},
		{"iam:*", []string{"iam:CreateUser", "iam:PassRole"}, 100},
		{"s?:GetObject", []string{"s3:GetObject"}, 1},
		{"s3*:GetObject", []string{"s3:GetObject"}, 1},
		{"iam:*User*Policy", []string{"iam:PutUserPolicy", "iam:AttachUserPolicy"}, 2},
		{"*:*", nil, 15000},
		{"sts:AssumeRole*", []string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"}, 3},
		{"s3:Get", nil, 0},
		{"nosuch:*", nil, 0},
		{"nosuch:GetObject", nil, 0},
		{"s3*", nil, 0},
		{"s*Object", nil, 0},
		{"", nil, 0},
		{"*:", nil, 0},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			got := c.Match(tc.pattern)
			var want []string
			if strings.Contains(tc.pattern, ":") {
				re := globRegexp(tc.pattern)
				for _, a := range all {
					if re.MatchString(a.String()) {
						want = append(want, a.String())
					}
				}
			}
			gotNames := make([]string, len(got))
			for i, a := range got {
				gotNames[i] = a.String()
			}
			if diff := cmp.Diff(want, gotNames, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Match(%q) differs from the regexp oracle (-want +got):\n%s", tc.pattern, diff)
			}
			if len(got) < tc.min {
				t.Errorf("Match(%q): %d actions, want at least %d", tc.pattern, len(got), tc.min)
			}
			for _, m := range tc.must {
				if !slices.Contains(gotNames, m) {
					t.Errorf("Match(%q) lacks %s", tc.pattern, m)
				}
			}
		})
	}
	if got, want := len(all), len(c.Match("*:*")); got != want {
		t.Errorf("Match(*) = %d actions, Match(*:*) = %d", got, want)
	}
}

func TestGlobFold(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"", "", true},
		{"*", "", true},
		{"?", "", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*ab", "aab", true},
		{"a?c", "ABC", true},
		{"**", "x", true},
		{"a*", "b", false},
	} {
		if got := globFold(tc.pattern, tc.name); got != tc.want {
			t.Errorf("globFold(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
}

func FuzzGlobFold(f *testing.F) {
	for _, s := range [][2]string{{"s3:Get*", "s3:GetObject"}, {"*a?b*", "xaybz"}, {"A*", "abc"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if strings.Contains(pattern, ":") || strings.Contains(name, ":") {
			return // the oracle keeps wildcards off the colon
		}
		if !isASCII(pattern) || !isASCII(name) {
			return // ? is one byte here, one rune in the regexp
		}
		if got, want := globFold(pattern, name), globRegexp(pattern).MatchString(name); got != want {
			t.Errorf("globFold(%q, %q) = %v, regexp says %v", pattern, name, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestAccessLevelString(t *testing.T) {
	for _, tc := range []struct {
		l    AccessLevel
		want string
	}{
		{List, "List"}, {Read, "Read"}, {Write, "Write"},
		{PermissionsManagement, "Permissions management"}, {Tagging, "Tagging"},
		{0, "AccessLevel(0)"}, {9, "AccessLevel(9)"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("AccessLevel(%d).String() = %q, want %q", uint8(tc.l), got, tc.want)
		}
	}
}

func TestServiceLookups(t *testing.T) {
	c := load(t)
	s, ok := c.Service("IAM")
	if !ok || s.Prefix != "iam" || !strings.Contains(s.Name, "Identity and Access Management") {
		t.Fatalf("Service(IAM) = %+v, %v", s, ok)
	}
	if _, ok := c.Service("nosuch"); ok {
		t.Error("Service(nosuch) found")
	}
	if a, ok := s.Action("passrole"); !ok || a.Name != "PassRole" {
		t.Errorf("iam.Action(passrole) = %v, %v", a, ok)
	}
	if _, ok := s.ResourceType("nosuch"); ok {
		t.Error("iam.ResourceType(nosuch) found")
	}
	if k, ok := s.ConditionKey("iam:permissionsboundary"); !ok || k.Type != "ARN" {
		t.Errorf("iam.ConditionKey(iam:permissionsboundary) = %v, %v", k, ok)
	}
	if _, ok := s.ConditionKey("iam:nosuch"); ok {
		t.Error("iam.ConditionKey(iam:nosuch) found")
	}
}

func TestLicense(t *testing.T) {
	if l := License(); !strings.Contains(l, "MIT License") || !strings.Contains(l, "Permission is hereby granted") {
		t.Errorf("License() = %q, want the MIT notice", l)
	}
}

// TestLookupsDoNotAllocate pins the zero-allocation promise of the lookups.
func TestLookupsDoNotAllocate(t *testing.T) {
	c := load(t)
	var sink bool
	for name, f := range map[string]func(){
		"Action":            func() { _, sink = c.Action("S3:getobject") },
		"Service":           func() { _, sink = c.Service("EC2") },
		"ConditionKey":      func() { _, sink = c.ConditionKey("aws:SourceIp") },
		"ConditionKey/tag":  func() { _, sink = c.ConditionKey("aws:PrincipalTag/team") },
		"Match/exact":       func() { sink = len(c.Match("s3:nosuch")) == 0 },
		"ResourceType/miss": func() { _, sink = c.services[0].ResourceType("x") },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
	_ = sink
}

// TestRealDependentActions: the embedded data carries dependent actions (from the earlier package
// version the generator takes them from), e.g. the iam:PassRole that launching compute needs.
func TestRealDependentActions(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"lambda:CreateFunction": "iam:PassRole", "ec2:RunInstances": "iam:PassRole", "ecs:RunTask": "iam:PassRole"} {
		a, ok := c.Action(name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		if !slices.Contains(a.DependentActions, want) {
			t.Errorf("%s dependent actions = %v, want %s among them", name, a.DependentActions, want)
		}
	}
}
