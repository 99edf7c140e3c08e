package policy

import (
	"strings"
	"testing"
)

func TestLintGlobsIntersect(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       bool
	}{
		{"literals equal", "role/x", "role/x", true},
		{"literals differ", "role/x", "role/y", false},
		{"literal in pattern", "role/app", "role/*", true},
		{"literal outside pattern", "user/app", "role/*", false},
		{"two trailing stars", "role/a*", "role/*", true},
		{"prefixes disagree", "role/a*", "user/*", false},
		{"inner stars meet", "a*c", "*b*", true},
		{"suffixes disagree", "*.json", "*.yaml", false},
		{"question marks", "a?c", "ab?", true},
		{"question mark clash", "a?c*", "abd*", false},
		{"star against question marks", "*", "??", true},
		{"needs both stars", "x*y*z", "*q*", true},
		{"length clash", "a?", "a??", false},
		{"star spans colons", "function:app-*", "function:*", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lintGlobsIntersect(tt.a, tt.b); got != tt.want {
				t.Errorf("lintGlobsIntersect(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := lintGlobsIntersect(tt.b, tt.a); got != tt.want {
				t.Errorf("lintGlobsIntersect(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// TestLintGlobBudget: comparisons of two wildcard patterns draw on the document's budget of
// table cells; once it is spent, patterns are taken to intersect (no finding) without the work.
// (A security trial's policy of 1,400 resources like "arn:aws:ec2:…:" + "?*"×300 cost 7 s of
// CPU per ValidatePolicy call.)
func TestLintGlobBudget(t *testing.T) {
	long := strings.Repeat("?*", 300)
	for _, tc := range []struct {
		name       string
		a, b       string
		budget     int
		want       bool
		wantBudget int
	}{
		{"literal against pattern costs nothing", "role/x", "role/*", 10, true, 10},
		{"within budget: the real answer", "a?c*", "abd*", 100, false, 100 - 5*5},
		{"within budget: intersecting", "x" + long, "x*", 1 << 20, true, 1<<20 - (len(long)+2)*3},
		{"over budget: taken to intersect", "a" + long, "b" + long, 1000, true, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &linter{globCells: tc.budget}
			if got := l.globsIntersect(tc.a, tc.b); got != tc.want {
				t.Errorf("globsIntersect(%.20q, %.20q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if l.globCells != tc.wantBudget {
				t.Errorf("budget left = %d, want %d", l.globCells, tc.wantBudget)
			}
		})
	}
}
