package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/iamd-dev/iamd/internal/api/iamapi"
	"github.com/iamd-dev/iamd/internal/api/stsapi"
	"github.com/iamd-dev/iamd/internal/iamsvc"
	"github.com/iamd-dev/iamd/internal/stssvc"
)

// TestEveryActionIsExercised walks the action tables and fails for any action that no
// end-to-end test in this package calls through an AWS SDK client (a `.Action(ctx` call) or a
// raw `Action=Name` request.
func TestEveryActionIsExercised(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	var missing []string
	check := func(ops []string) {
		for _, op := range ops {
			re := regexp.MustCompile(`\.` + op + `\(ctx|Action=` + op + `[&"]`)
			if !re.Match(src) {
				missing = append(missing, op)
			}
		}
	}
	var iamOps, stsOps []string
	for name := range iamapi.Service(&iamsvc.Service{}).Ops {
		iamOps = append(iamOps, name)
	}
	for name := range stsapi.Service(&stssvc.Service{}).Ops {
		stsOps = append(stsOps, name)
	}
	check(iamOps)
	check(stsOps)
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("action %s has no end-to-end test", m)
	}
}
