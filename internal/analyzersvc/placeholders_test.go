package analyzersvc

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
)

func TestWithPlaceholders(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		action   string // the statement's Action element
		resource string // and Resource element
		want     any    // Resource afterwards
	}{
		{"object", `"s3:GetObject"`, `"*"`, []any{"arn:aws:s3:::${BucketName}/${ObjectName}"}},
		{"account filled in", `["iam:GetUser","iam:DeleteUser"]`, `["*"]`, []any{"arn:aws:iam::123456789012:user/${UserNameWithPath}"}},
		{"no resource-level permissions", `["iam:GetUser","sts:GetCallerIdentity"]`, `"*"`, "*"},
		{"wildcard action", `"s3:Get*"`, `"*"`, "*"},
		{"unknown action", `"s3:Nope"`, `"*"`, "*"},
		{"resource already named", `"s3:GetObject"`, `"arn:aws:s3:::b/k"`, "arn:aws:s3:::b/k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Action":` + tc.action + `,"Resource":` + tc.resource + `}]}`
			out, err := withPlaceholders(doc, cat, "aws", "123456789012")
			if err != nil {
				t.Fatal(err)
			}
			var p struct {
				Version   string
				Statement []struct {
					Sid, Effect string
					Action      any
					Resource    any
				}
			}
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("result is not JSON: %v\n%s", err, out)
			}
			if len(p.Statement) != 1 || p.Version != "2012-10-17" || p.Statement[0].Sid != "S" {
				t.Fatalf("result lost the document's shape:\n%s", out)
			}
			if diff := cmp.Diff(tc.want, p.Statement[0].Resource); diff != "" {
				t.Errorf("Action %s, Resource %s: Resource (-want +got):\n%s", tc.action, tc.resource, diff)
			}
		})
	}
}
