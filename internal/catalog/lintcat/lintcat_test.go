package lintcat

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAdapt(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("KnownService", func(t *testing.T) {
		for in, want := range map[string]bool{"s3": true, "IAM": true, "nosuchservice": false, "": false} {
			if got := cat.KnownService(in); got != want {
				t.Errorf("KnownService(%q) = %v, want %v", in, got, want)
			}
		}
	})
	t.Run("MatchActions", func(t *testing.T) {
		for _, tc := range []struct {
			name, in string
			want     []string
		}{
			{"exact", "iam:CreateUser", []string{"iam:CreateUser"}},
			{"case", "IAM:createuser", []string{"iam:CreateUser"}},
			{"wildcard", "sts:GetCallerIdent?ty", []string{"sts:GetCallerIdentity"}},
			{"none", "iam:NoSuchAction", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if diff := cmp.Diff(tc.want, cat.MatchActions(tc.in)); diff != "" {
					t.Errorf("MatchActions(%q) (-want +got):\n%s", tc.in, diff)
				}
			})
		}
	})
	t.Run("ConditionKeyType", func(t *testing.T) {
		for _, tc := range []struct {
			in, want string
			ok       bool
		}{
			{"aws:SourceIp", "IPAddress", true},
			{"aws:RequestTag/team", "String", true},
			{"aws:NoSuchKey", "", false},
		} {
			got, ok := cat.ConditionKeyType(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ConditionKeyType(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		}
	})
	t.Run("AccessLevel", func(t *testing.T) {
		for _, tc := range []struct {
			in, want string
			ok       bool
		}{
			{"iam:CreateUser", "Write", true},
			{"iam:ListUsers", "List", true},
			{"iam:GetUser", "Read", true},
			{"iam:NoSuchAction", "", false},
		} {
			got, ok := cat.AccessLevel(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("AccessLevel(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		}
	})
	t.Run("ARNFormats", func(t *testing.T) {
		got := cat.ARNFormats("s3")
		if !slices.Contains(got, "arn:${Partition}:s3:::${BucketName}") {
			t.Errorf("ARNFormats(s3) = %v, want the bucket format among them", got)
		}
		if got := cat.ARNFormats("nosuchservice"); len(got) != 0 {
			t.Errorf("ARNFormats(nosuchservice) = %v, want none", got)
		}
	})
	t.Run("ActionConditionKeys", func(t *testing.T) {
		// iam:PassRole's own key, and iam:CreateUser's key from its user resource's tags.
		for _, tc := range []struct{ action, key string }{
			{"iam:PassRole", "iam:PassedToService"},
			{"IAM:passrole", "iam:PassedToService"},
			{"iam:CreateUser", "aws:RequestTag/${TagKey}"},
		} {
			ks, ok := cat.ActionConditionKeys(tc.action)
			if !ok || !slices.Contains(ks, tc.key) {
				t.Errorf("ActionConditionKeys(%q) = %v, %v; want %q among them", tc.action, ks, ok, tc.key)
			}
		}
		if ks, ok := cat.ActionConditionKeys("iam:NoSuchAction"); ok {
			t.Errorf("ActionConditionKeys(iam:NoSuchAction) = %v, true; want not found", ks)
		}
	})
}
