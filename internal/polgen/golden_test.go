package polgen_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
	"github.com/iamd-dev/iamd/internal/catalog/lintcat"
	"github.com/iamd-dev/iamd/internal/polgen"
	"github.com/iamd-dev/iamd/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var loadCatalog = sync.OnceValues(catalog.Load)

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var adaptCatalog = sync.OnceValue(func() *policy.Catalog {
	c, err := loadCatalog()
	if err != nil {
		return nil
	}
	a := lintcat.Adapt(c)
	return &a
})

// testLint is the catalog adapted for policy.Lint, made once for the tests.
func testLint(t testing.TB) *policy.Catalog {
	t.Helper()
	c := adaptCatalog()
	if c == nil {
		t.Fatal("no catalog")
	}
	return c
}

// goldenInput is a test case: the generator's options and the records, in the order given.
type goldenInput struct {
	Principal string            `json:"principal"`
	From      string            `json:"from"`
	To        string            `json:"to"`
	Current   *polgen.Current   `json:"current"`
	Records   []json.RawMessage `json:"records"`
}

// goldenOutput is what a case's result.json holds besides the policy.
type goldenOutput struct {
	Notes  []string
	Used   []polgen.Use
	Denied []polgen.Use
	Diff   *polgen.Diff
	Stats  polgen.Stats
}

func parseWindow(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGolden generates a policy for each testdata/golden/NAME/input.json (records shaped like
// the CloudTrail examples in AWS's documentation) and compares it with policy.json and the rest
// of the result with result.json. go test -update rewrites both.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, "input.json"))
			if err != nil {
				t.Fatal(err)
			}
			var in goldenInput
			if err := json.Unmarshal(b, &in); err != nil {
				t.Fatalf("input.json: %v", err)
			}
			g, err := polgen.New(polgen.Options{Principal: in.Principal, From: parseWindow(t, in.From), To: parseWindow(t, in.To),
				Catalog: testCatalog(t), Lint: testLint(t), Current: in.Current})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range in.Records {
				if err := g.Add(r); err != nil {
					t.Fatalf("Add(record %d): %v", i, err)
				}
			}
			res, err := g.Result()
			if err != nil {
				t.Fatalf("Result: %v", err)
			}
			out := goldenOutput{Notes: res.Notes, Used: res.Used, Denied: res.Denied, Diff: res.Diff, Stats: res.Stats}
			got, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			checkGolden(t, filepath.Join(dir, "policy.json"), []byte(res.Policy))
			checkGolden(t, filepath.Join(dir, "result.json"), got)

			// The result does not depend on the order of the records (the Access Analyzer API
			// reads the trail newest first).
			g, err = polgen.New(polgen.Options{Principal: in.Principal, From: parseWindow(t, in.From), To: parseWindow(t, in.To),
				Catalog: testCatalog(t), Lint: testLint(t), Current: in.Current})
			if err != nil {
				t.Fatal(err)
			}
			for i := len(in.Records) - 1; i >= 0; i-- {
				if err := g.Add(in.Records[i]); err != nil {
					t.Fatalf("Add(record %d): %v", i, err)
				}
			}
			rev, err := g.Result()
			if err != nil {
				t.Fatalf("Result of the reversed records: %v", err)
			}
			if diff := cmp.Diff(res.Policy, rev.Policy); diff != "" {
				t.Errorf("policy from the records in reverse order (-forward +reverse):\n%s", diff)
			}
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
