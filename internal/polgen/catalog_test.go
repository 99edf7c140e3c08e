package polgen

import (
	"sync"
	"testing"

	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/policy"
)

var loadFuzzCatalog = sync.OnceValues(catalog.Load)

var adaptFuzzCatalog = sync.OnceValue(func() *policy.Catalog {
	c, err := loadFuzzCatalog()
	if err != nil {
		return nil
	}
	a := lintcat.Adapt(c)
	return &a
})

// fuzzCatalog is the action catalog, loaded once for the package's internal tests.
func fuzzCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := loadFuzzCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestNoPermissionInCatalog: every action of the noPermission table is a catalog action spelt
// as the catalog spells it, so that the table's lookups by Action.String() match.
func TestNoPermissionInCatalog(t *testing.T) {
	c := fuzzCatalog(t)
	for name := range noPermission {
		a, ok := c.Action(name)
		if !ok || a.String() != name || !NeedsNoPermission(a.String()) {
			t.Errorf("noPermission has %q: catalog action %v (found %v), want the same spelling", name, a, ok)
		}
	}
	for _, name := range []string{"sts:AssumeRole", "sts:GetAccessKeyInfo", "iam:GetUser", "sts:getcalleridentity"} {
		if NeedsNoPermission(name) {
			t.Errorf("NeedsNoPermission(%q) = true, want false", name)
		}
	}
}
