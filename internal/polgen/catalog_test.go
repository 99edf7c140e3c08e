package polgen

import (
	"sync"
	"testing"

	"github.com/iamd-dev/iamd/internal/catalog"
)

var loadFuzzCatalog = sync.OnceValues(catalog.Load)

// fuzzCatalog is the action catalog, loaded once for the package's internal tests.
func fuzzCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := loadFuzzCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
