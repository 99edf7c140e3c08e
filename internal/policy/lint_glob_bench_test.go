package policy_test

import (
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/policy"
)

// BenchmarkLintLongGlobs lints the shape of policy a security trial sent to ValidatePolicy:
// 1,400 EC2 resources whose resource part is "?*" 300 times (7 s of CPU a call before the
// glob budget).
//
//	go test ./internal/policy -run '^$' -bench BenchmarkLintLongGlobs -benchtime 3x
func BenchmarkLintLongGlobs(b *testing.B) {
	cat, _ := lintCatalog(b)
	res := make([]string, 1400)
	for i := range res {
		res[i] = `"arn:aws:ec2:us-east-1:111122223333:` + strings.Repeat("?*", 300) + `"`
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":[` + strings.Join(res, ",") + `]}]}`
	for b.Loop() {
		if _, err := policy.Lint(doc, policy.Identity, cat); err != nil {
			b.Fatal(err)
		}
	}
}
