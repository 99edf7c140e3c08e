package iamsvc

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
)

func TestPolicySummary(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"one read action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			[]string{"Allows Amazon S3 (Read: GetObject) on arn:aws:s3:::b/*."}},
		{"two levels", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}}`,
			[]string{"Allows Amazon S3 (List: ListBucket; Read: GetObject) on all resources."}},
		{"deny with condition", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}}`,
			[]string{"Denies AWS Identity and Access Management (IAM) (Write: DeleteUser) on all resources, when aws:MultiFactorAuthPresent Bool false."}},
		{"a whole service", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:*","NotResource":"arn:aws:iam::*:role/admin"}}`,
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := policySummary(tc.doc, cat)
			if err != nil {
				t.Fatalf("policySummary(%s): %v", tc.doc, err)
			}
			if tc.want == nil {
				// Every STS level is covered completely.
				if len(got) != 1 || got[0] != "Allows AWS Security Token Service ("+allLevels(t, cat, "sts")+") on every resource except arn:aws:iam::*:role/admin." {
					t.Errorf("policySummary(%s) = %q", tc.doc, got)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("policySummary(%s) (-want +got):\n%s", tc.doc, diff)
			}
		})
	}
}

// allLevels is "Level: all; …" for every access level a service has, in summary order.
func allLevels(t *testing.T, cat *catalog.Catalog, prefix string) string {
	t.Helper()
	svc, ok := cat.Service(prefix)
	if !ok {
		t.Fatalf("no service %s", prefix)
	}
	has := map[string]bool{}
	for _, a := range svc.Actions {
		has[a.AccessLevel.String()] = true
	}
	out := ""
	for _, l := range []string{"List", "Read", "Write", "Permissions management", "Tagging"} {
		if has[l] {
			if out != "" {
				out += "; "
			}
			out += l + ": all"
		}
	}
	return out
}

func TestDelegationSummary(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	d := int32(5400)
	got, err := delegationSummary(&types.DelegationRequest{
		DelegationRequestId: s("dr-1"), RequestorName: s("Example Partner"), OwnerAccountId: s("123456789012"),
		Description: s("Read the reports bucket"), RequestMessage: s("Please approve"), SessionDuration: &d,
		PermissionPolicy:              s(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}}`),
		RolePermissionRestrictionArns: []string{"arn:aws:iam::123456789012:policy/limit"},
	}, cat)
	if err != nil {
		t.Fatal(err)
	}
	want := `Delegation request dr-1 from Example Partner for account 123456789012.
Description: Read the reports bucket
Message: Please approve
Access is requested for sessions of up to 1 hour 30 minutes.
Requested permissions:
- Allows Amazon S3 (Read: GetObject) on arn:aws:s3:::reports/*.
The permissions are limited by arn:aws:iam::123456789012:policy/limit.`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delegationSummary (-want +got):\n%s", diff)
	}

	got, err = delegationSummary(&types.DelegationRequest{DelegationRequestId: s("dr-2"),
		Permissions: &types.DelegationPermission{PolicyTemplateArn: s("arn:aws:iam::aws:template/t"),
			Parameters: []types.PolicyParameter{{Name: s("bucket"), Values: []string{"a", "b"}}}}}, cat)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Delegation request dr-2.\nRequested permissions: the policy template arn:aws:iam::aws:template/t; bucket = a, b."; got != want {
		t.Errorf("delegationSummary without a policy = %q, want %q", got, want)
	}
	if _, err := delegationSummary(&types.DelegationRequest{PermissionPolicy: s("{")}, cat); err == nil {
		t.Error("delegationSummary with a broken policy: no error")
	}
}
