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
