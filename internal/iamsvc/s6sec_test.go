package iamsvc

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
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
