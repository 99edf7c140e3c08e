package iam

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string // "" = valid; else the error text
	}{
		{"ok", "alice+bob=,.@_-9", 64, ""},
		{"empty", "", 64, "Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too long", strings.Repeat("a", 65), 64, "Value '" + strings.Repeat("a", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"max", strings.Repeat("a", 64), 64, ""},
		{"space", "a b", 64, `Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"slash", "a/b", 64, `Value 'a/b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"unicode", "é", 64, `Value 'é' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckName("userName", tc.in, tc.max)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("CheckName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCheckPath(t *testing.T) {
	for path, ok := range map[string]bool{
		"/": true, "/a/": true, "/a/b/": true, "": false, "a/": false, "/a": false, "/a b/": false,
		"/" + strings.Repeat("x", 510) + "/": true, "/" + strings.Repeat("x", 511) + "/": false,
	} {
		if err := CheckPath("path", path); (err == nil) != ok {
			t.Errorf("CheckPath(%q) = %v, want ok=%v", path, err, ok)
		}
	}
	for prefix, ok := range map[string]bool{"": true, "/": true, "/eng": true, "eng": false, "/e g": false} {
		if err := CheckPathPrefix(prefix); (err == nil) != ok {
			t.Errorf("CheckPathPrefix(%q) = %v, want ok=%v", prefix, err, ok)
		}
	}
}

func TestCheckDescription(t *testing.T) {
	if err := CheckDescription("Role for ä\tb"); err != nil {
		t.Errorf("valid description: %v", err)
	}
	if err := CheckDescription(strings.Repeat("d", 1001)); err == nil {
		t.Error("1001-character description accepted")
	}
	if err := CheckDescription("emoji 🙂"); err == nil {
		t.Error("description outside the allowed set accepted")
	}
}

func TestCheckTags(t *testing.T) {
	many := func(n int, prefix string) []Tag {
		var ts []Tag
		for i := range n {
			ts = append(ts, Tag{Key: fmt.Sprintf("%s%d", prefix, i), Value: "v"})
		}
		return ts
	}
	tests := []struct {
		name          string
		tags, current []Tag
		want          string
	}{
		{"ok", []Tag{{"team", "a b"}, {"cost:center", ""}}, nil, ""},
		{"empty key", []Tag{{"", "v"}}, nil, "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long value", []Tag{{"k", strings.Repeat("v", 257)}}, nil, "Value '" + strings.Repeat("v", 257) + "' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"bad char", []Tag{{"a", "ok"}, {"k*", "v"}}, nil, `Value 'k*' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"aws prefix", []Tag{{"AWS:x", "v"}}, nil, "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS tags."},
		{"duplicate ignoring case", []Tag{{"Team", "a"}, {"team", "b"}}, nil, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"50 in all", many(10, "n"), many(40, "o"), ""},
		{"51 in all", many(11, "n"), many(40, "o"), "Cannot exceed quota for TagsPerUser: 50"},
		{"replacing keeps count", many(10, "o"), many(50, "o"), ""},
		{"50 in the request", many(50, "n"), nil, ""},
		// The model's tagListType: more than 50 in one request is a ValidationError at 'tags'
		// even on an entity without tags; only the merged total is the TagsPerX quota.
		{"51 in the request", many(51, "n"), nil, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"51 in the request, a bad key among them", append(many(50, "n"), Tag{"k*", "v"}), nil, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTags("User", tc.tags, tc.current)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("CheckTags = %q, want %q", got, tc.want)
			}
			var le *LimitError
			if errors.As(err, &le) && le.Quota != "TagsPerUser" {
				t.Errorf("quota = %q", le.Quota)
			}
		})
	}
}

func TestMergeRemoveTags(t *testing.T) {
	got := MergeTags([]Tag{{"Team", "a"}, {"x", "1"}}, []Tag{{"team", "b"}, {"y", "2"}})
	want := []Tag{{"team", "b"}, {"x", "1"}, {"y", "2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MergeTags (-want +got):\n%s", diff)
	}
	got = RemoveTags(want, []string{"TEAM", "nope"})
	if diff := cmp.Diff([]Tag{{"x", "1"}, {"y", "2"}}, got); diff != "" {
		t.Errorf("RemoveTags (-want +got):\n%s", diff)
	}
}

func TestARNs(t *testing.T) {
	for got, want := range map[string]string{
		UserARN("123456789012", "/eng/", "alice"):     "arn:aws:iam::123456789012:user/eng/alice",
		GroupARN("123456789012", "/", "devs"):         "arn:aws:iam::123456789012:group/devs",
		RoleARN("123456789012", "", "r"):              "arn:aws:iam::123456789012:role/r",
		PolicyARN("123456789012", "/p/", "x"):         "arn:aws:iam::123456789012:policy/p/x",
		InstanceProfileARN("123456789012", "/", "ip"): "arn:aws:iam::123456789012:instance-profile/ip",
		RootARN("123456789012"):                       "arn:aws:iam::123456789012:root",
		AssumedRoleARN("123456789012", "r", "s"):      "arn:aws:sts::123456789012:assumed-role/r/s",
		FederatedUserARN("123456789012", "bob"):       "arn:aws:sts::123456789012:federated-user/bob",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	p := &ManagedPolicy{DefaultVersion: "v2", Versions: []PolicyVersion{{ID: "v1"}, {ID: "v2", Document: "d"}}}
	if p.Default().Document != "d" || p.Version("v3") != nil {
		t.Error("Default/Version lookup wrong")
	}
}

func TestCheckTagAtNamesTheMember(t *testing.T) {
	for _, tc := range []struct {
		i    int
		tag  Tag
		want string
	}{
		{2, Tag{Key: "bad#key", Value: "v"}, "Value 'bad#key' at 'tags.3.member.key' failed to satisfy constraint"},
		{0, Tag{Key: "", Value: "v"}, "at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{4, Tag{Key: "k", Value: strings.Repeat("v", MaxTagValue+1)}, "at 'tags.5.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
	} {
		err := CheckTagAt(tc.i, tc.tag)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckTagAt(%d, %+v) = %v, want it to contain %q", tc.i, tc.tag, err, tc.want)
		}
	}
	if err := CheckTagAt(7, Tag{Key: "team", Value: "a b"}); err != nil {
		t.Errorf("CheckTagAt of a valid tag = %v", err)
	}
}

func TestCheckTagKeys(t *testing.T) {
	keys := func(n int) []string {
		var ks []string
		for i := range n {
			ks = append(ks, fmt.Sprintf("k%02d", i))
		}
		return ks
	}
	const pattern = `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	tests := []struct {
		name string
		keys []string
		want string // "" = valid; else the error text
	}{
		{"none", nil, ""},
		{"ok", []string{"team", "cost:center", "a b", "é/=+-@_."}, ""},
		{"50 keys", keys(50), ""},
		{"51 keys", keys(51), "Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"empty key", []string{"ok", ""}, "Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"128 characters", []string{strings.Repeat("k", 128)}, ""},
		{"129 characters", []string{strings.Repeat("k", 129)}, "Value '" + strings.Repeat("k", 129) + "' at 'tagKeys.1.member' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"bad character", []string{"a", "b", "k*"}, "Value 'k*' at 'tagKeys.3.member' failed to satisfy constraint: " + pattern},
		{"aws prefix is not refused", []string{"aws:cloudformation:stack-name"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTagKeys(tc.keys)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("CheckTagKeys(%q) = %q, want %q", tc.keys, got, tc.want)
			}
			var fe *FieldError
			if err != nil && !errors.As(err, &fe) {
				t.Errorf("CheckTagKeys(%q) = %T, want *FieldError (a ValidationError)", tc.keys, err)
			}
		})
	}
}
