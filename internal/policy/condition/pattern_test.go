package condition

import (
	"testing"

	"github.com/iamd-dev/iamd/internal/arn"
)

func TestCompileARN(t *testing.T) {
	user := ctxMap{"aws:username": {"alice"}, "aws:PrincipalTag/team": {"red"}, "aws:TagKeys": {"a", "b"}}
	tests := []struct {
		name     string
		pattern  string
		resource string
		ctx      ctxMap
		noVars   bool
		want     bool
	}{
		// vars: "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*".
		{name: "vars/home folder", pattern: "arn:aws:s3:::bucket/${aws:username}/*", resource: "arn:aws:s3:::bucket/alice/file.txt", ctx: user, want: true},
		{name: "vars/home folder other user", pattern: "arn:aws:s3:::bucket/${aws:username}/*", resource: "arn:aws:s3:::bucket/bob/file.txt", ctx: user, want: false},
		// vars: "arn:aws:iam::123456789012:user/${aws:username}".
		{name: "vars/own user", pattern: "arn:aws:iam::123456789012:user/${aws:username}", resource: "arn:aws:iam::123456789012:user/alice", ctx: user, want: true},
		{name: "vars/own user prefix only", pattern: "arn:aws:iam::123456789012:user/${aws:username}", resource: "arn:aws:iam::123456789012:user/alicex", ctx: user, want: false},
		// vars: "If there is no value ... the statement does not apply".
		{name: "vars/unresolved no match", pattern: "arn:aws:iam::123456789012:user/${aws:username}", resource: "arn:aws:iam::123456789012:user/alice", ctx: ctxMap{}, want: false},
		{name: "vars/nil context", pattern: "arn:aws:iam::123456789012:user/${aws:username}", resource: "arn:aws:iam::123456789012:user/alice", want: false},
		{name: "vars/multivalued no match", pattern: "arn:aws:s3:::b/${aws:TagKeys}", resource: "arn:aws:s3:::b/a", ctx: user, want: false},
		{name: "vars/default", pattern: "arn:aws:s3:::b/${aws:PrincipalTag/dept, 'shared'}/*", resource: "arn:aws:s3:::b/shared/x", ctx: user, want: true},
		{name: "vars/variable in account part", pattern: "arn:aws:iam::${aws:PrincipalAccount}:role/*", resource: "arn:aws:iam::111122223333:role/r", ctx: ctxMap{"aws:PrincipalAccount": {"111122223333"}}, want: true},
		{name: "vars/variable containing colon stays in its part", pattern: "arn:aws:s3:::b/${k:v}", resource: "arn:aws:s3:::b/x:y", ctx: ctxMap{"k:v": {"x:y"}}, want: true},
		{name: "vars/old version literal", pattern: "arn:aws:s3:::b/${aws:username}", resource: "arn:aws:s3:::b/${aws:username}", ctx: user, noVars: true, want: true},
		{name: "vars/escaped star literal", pattern: "arn:aws:s3:::b/${*}", resource: "arn:aws:s3:::b/x", ctx: user, want: false},
		{name: "vars/escaped star matches star", pattern: "arn:aws:s3:::b/${*}", resource: "arn:aws:s3:::b/*", ctx: user, want: true},
		{name: "resource/star", pattern: "*", resource: "anything", want: true},
		{name: "resource/short trailing star", pattern: "arn:aws:s3:*", resource: "arn:aws:s3:::b/k", want: true},
		{name: "resource/short no star", pattern: "arn:aws:s3", resource: "arn:aws:s3:::b", want: false},
		{name: "resource/short empty last", pattern: "arn:aws:s3:", resource: "arn:aws:s3:::b", want: false},
		{name: "resource/not an ARN", pattern: "arn:aws:s3:::*", resource: "bucket", want: false},
		{name: "resource/part mismatch", pattern: "arn:aws:s3:us-east-1::*", resource: "arn:aws:s3:::b", want: false},
		{name: "resource/colons in resource part", pattern: "arn:aws:logs:*:*:log-group:g:*", resource: "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CompileARN(tt.pattern, Options{Variables: !tt.noVars})
			if err != nil {
				t.Fatalf("CompileARN(%q): %v", tt.pattern, err)
			}
			var ctx Context
			if tt.ctx != nil {
				ctx = NewMap(tt.ctx)
			}
			if got := p.Match(tt.resource, ctx); got != tt.want {
				t.Errorf("CompileARN(%q).Match(%q) = %v, want %v", tt.pattern, tt.resource, got, tt.want)
			}
			if p.String() != tt.pattern {
				t.Errorf("String() = %q, want %q", p.String(), tt.pattern)
			}
		})
	}
}

func TestPatternLiteralPrefix(t *testing.T) {
	tests := []struct {
		name       string
		pattern    string
		noVars     bool
		wantLit    string
		wantLitOK  bool
		wantPrefix string
	}{
		{name: "literal", pattern: "arn:aws:iam::1:user/bob", wantLit: "arn:aws:iam::1:user/bob", wantLitOK: true, wantPrefix: "arn:aws:iam::1:user/bob"},
		{name: "star", pattern: "arn:aws:s3:::b/*", wantPrefix: "arn:aws:s3:::b/"},
		{name: "question", pattern: "arn:aws:s3:::b?", wantPrefix: "arn:aws:s3:::b"},
		{name: "variable", pattern: "arn:aws:s3:::b/${aws:username}/x", wantPrefix: "arn:aws:s3:::b/"},
		{name: "escape stays literal", pattern: "arn:aws:s3:::b/${*}", wantLit: "arn:aws:s3:::b/*", wantLitOK: true, wantPrefix: "arn:aws:s3:::b/*"},
		{name: "old version variable is literal", pattern: "arn:aws:s3:::b/${aws:username}", noVars: true, wantLit: "arn:aws:s3:::b/${aws:username}", wantLitOK: true, wantPrefix: "arn:aws:s3:::b/${aws:username}"},
		{name: "all", pattern: "*", wantPrefix: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := CompileARN(tt.pattern, Options{Variables: !tt.noVars})
			lit, ok := p.Literal()
			if lit != tt.wantLit || ok != tt.wantLitOK {
				t.Errorf("Literal() = %q, %v; want %q, %v", lit, ok, tt.wantLit, tt.wantLitOK)
			}
			if got := p.Prefix(); got != tt.wantPrefix {
				t.Errorf("Prefix() = %q, want %q", got, tt.wantPrefix)
			}
		})
	}
}

// TestPatternAgreesWithArnMatch checks that, without variables, Pattern.Match is arn.Match.
func TestPatternAgreesWithArnMatch(t *testing.T) {
	patterns := []string{"*", "arn:*", "arn:aws:s3:*", "arn:aws:s3:::b/*", "arn:aws:*:*:*:*", "arn:aws:iam::*:user/a?c", "arn:aws:s3", "arn:aws:logs:*:*:log-group:*", "arn:aws:s3:::", "arn:aws:s3:*:"}
	values := []string{"arn:aws:s3:::b/k", "arn:aws:iam::1:user/abc", "arn:aws:logs:r:1:log-group:g:x", "x", "arn:aws:s3:::", "arn:aws:iam::1:user/ab"}
	for _, pat := range patterns {
		p, _ := CompileARN(pat, Options{Variables: true})
		for _, v := range values {
			if got, want := p.Match(v, nil), arn.Match(pat, v); got != want {
				t.Errorf("Pattern(%q).Match(%q) = %v, arn.Match = %v", pat, v, got, want)
			}
		}
	}
}

// TestPatternCompactForms checks that the single-string forms of a Pattern (a literal, or a
// literal then one final '*') give the same match, Literal and Prefix as the tokenized form
// that every pattern can take, and that only such patterns get them.
func TestPatternCompactForms(t *testing.T) {
	inputs := []string{"", "true", "TRUE", "True", "home/u1/", "home/u1/docs/x", "home/u1", "Home/U1/x",
		"home/u2/", "a*b", "a?", "${aws:username}", "ǅ", "ǆ", "Ǆx", "x"}
	tests := []struct {
		name    string
		pattern string
		wild    bool
		fold    bool
		vars    bool
		form    patForm
	}{
		{name: "literal", pattern: "home/u1", form: patLiteral},
		{name: "empty literal", pattern: "", form: patLiteral},
		{name: "literal folded", pattern: "true", fold: true, form: patLiteral},
		{name: "literal folded non-ASCII", pattern: "ǅ", fold: true, form: patLiteral},
		{name: "star is literal without wildcards", pattern: "a*b", form: patLiteral},
		{name: "prefix", pattern: "home/u1/*", wild: true, form: patPrefix},
		{name: "prefix folded", pattern: "HOME/u1/*", wild: true, fold: true, form: patPrefix},
		{name: "star alone", pattern: "*", wild: true, form: patPrefix},
		{name: "variable syntax literal in old versions", pattern: "${aws:username}", form: patLiteral},
		{name: "inner star", pattern: "home/*/x", wild: true, form: patGeneral},
		{name: "question mark", pattern: "a?", wild: true, form: patGeneral},
		{name: "two stars", pattern: "home/u1/**", wild: true, form: patGeneral},
		{name: "variable", pattern: "${aws:username}", vars: true, form: patGeneral},
		{name: "escaped star", pattern: "a${*}", vars: true, form: patGeneral},
	}
	ctx := NewMap(ctxMap{"aws:username": {"x"}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Variables: tc.vars}
			got := compilePattern(tc.pattern, false, tc.wild, tc.fold, opts)
			if got.form != tc.form {
				t.Fatalf("compilePattern(%q) form = %d, want %d", tc.pattern, got.form, tc.form)
			}
			ref := tokenizedPattern(tc.pattern, false, tc.wild, tc.fold, opts)
			gl, gok := got.Literal()
			rl, rok := ref.Literal()
			if gl != rl || gok != rok || got.Prefix() != ref.Prefix() || got.String() != tc.pattern {
				t.Errorf("%q: Literal() = %q, %v, Prefix() = %q, String() = %q; tokenized form: %q, %v, %q",
					tc.pattern, gl, gok, got.Prefix(), got.String(), rl, rok, ref.Prefix())
			}
			for _, in := range inputs {
				gm, gr := got.match(in, ctx)
				rm, rr := ref.match(in, ctx)
				if gm != rm || gr != rr {
					t.Errorf("%q matching %q = %v, %v; tokenized form: %v, %v", tc.pattern, in, gm, gr, rm, rr)
				}
			}
		})
	}
}
