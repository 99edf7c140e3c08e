package policy

import "testing"

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
