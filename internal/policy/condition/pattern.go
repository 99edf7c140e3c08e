package condition

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tLit   tokKind = iota // literal text
	tStar                 // '*'
	tQuest                // '?'
	tVar                  // ${key} or ${key, 'default'}
)

type token struct {
	kind   tokKind
	text   string // tLit: the text; tVar: the lower-cased key
	def    string // tVar: default value
	hasDef bool
}

// chunkedPart is a run of tokens split at stars: first is anchored at the start, last at the end
// (when there is at least one star), middle chunks float.
type chunkedPart struct {
	star   bool
	first  []token
	middle [][]token
	last   []token
}

// Pattern is a compiled string pattern with '*'/'?' wildcards and (if enabled) policy variables.
// CompileARN builds one for a Resource element; condition values use the same machinery.
//
// Most condition values are literal text or literal text followed by one '*'; those are kept as
// a single string sharing the pattern's own copy of its source (form patLiteral or patPrefix),
// so that a compiled policy holding many of them stays small. Everything else (ARN patterns,
// other wildcards, policy variables) is tokenized into a generalPattern.
type Pattern struct {
	src  string // as written (a copy: a Pattern never keeps its policy document's text alive)
	text string // patLiteral: the literal; patPrefix: the text before the final '*'; else Prefix()
	form patForm
	fold bool
	g    *generalPattern // patGeneral only
}

// patForm is how a Pattern matches.
type patForm uint8

const (
	patGeneral patForm = iota // tokens, in g
	patLiteral                // equal to text (case-folded if fold)
	patPrefix                 // starts with text (case-folded if fold)
)

// generalPattern is the tokenized form of a Pattern that is not a plain literal or prefix.
type generalPattern struct {
	all     bool // matches everything ("*" in ARN mode)
	arnMode bool
	short   bool // ARN pattern with fewer than six parts whose last part ends in '*'
	never   bool // ARN pattern that can match nothing
	parts   []chunkedPart
	vars    []token // every variable, for resolving up front
	literal string
	isLit   bool
}

// Options for compiling.
type Options struct {
	// Variables enables ${...} policy variables (policy Version "2012-10-17"); when false (version
	// 2008-10-17 or absent), "${aws:username}" is a literal string, as AWS treats it.
	Variables bool
	// Intern, if set, is given every Clause's lower-case key and returns the string to keep:
	// a caller compiling many clauses can make equal keys share one string, which saves memory
	// and lets a caller caching lookups by key compare them by pointer.
	Intern func(lowerKey string) string
}

// tokenize turns a policy string into tokens. With wild unset, '*' and '?' are literal text.
func tokenize(s string, wild bool, opts Options) []token {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{kind: tLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			toks = append(toks, token{kind: tStar})
			i++
		case wild && c == '?':
			flush()
			toks = append(toks, token{kind: tQuest})
			i++
		case opts.Variables && c == '$' && strings.HasPrefix(s[i:], "${"):
			tok, n, ok := parseVariable(s[i:])
			if !ok {
				lit.WriteByte(c)
				i++
				continue
			}
			if tok.kind == tLit {
				lit.WriteString(tok.text)
			} else {
				flush()
				toks = append(toks, tok)
			}
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return toks
}

// parseVariable parses "${...}" at the start of s and returns the token and its length. The
// forms are ${key}, ${key, 'default'} (spaces around the key, the comma and the quoted default
// are ignored; ” inside the default is one quote), and the escapes ${*}, ${?}, ${$}.
func parseVariable(s string) (token, int, bool) {
	i := 2
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	skip()
	start := i
	for i < len(s) && s[i] != ',' && s[i] != '}' {
		i++
	}
	if i >= len(s) {
		return token{}, 0, false
	}
	key := strings.TrimRight(s[start:i], " ")
	if key == "" || strings.Contains(key, "${") {
		return token{}, 0, false
	}
	if s[i] == '}' {
		switch key {
		case "*", "?", "$":
			return token{kind: tLit, text: key}, i + 1, true
		}
		return token{kind: tVar, text: lowerASCII(key)}, i + 1, true
	}
	// A default value follows the comma.
	i++
	skip()
	if i >= len(s) || s[i] != '\'' {
		return token{}, 0, false
	}
	i++
	var def strings.Builder
	for {
		if i >= len(s) {
			return token{}, 0, false
		}
		if s[i] == '\'' {
			if i+1 < len(s) && s[i+1] == '\'' {
				def.WriteByte('\'')
				i += 2
				continue
			}
			i++
			break
		}
		def.WriteByte(s[i])
		i++
	}
	skip()
	if i >= len(s) || s[i] != '}' {
		return token{}, 0, false
	}
	switch key {
	case "*", "?", "$":
		return token{}, 0, false
	}
	return token{kind: tVar, text: lowerASCII(key), def: def.String(), hasDef: true}, i + 1, true
}

func chunk(toks []token) chunkedPart {
	var p chunkedPart
	cur := []token{}
	var chunks [][]token
	for _, t := range toks {
		if t.kind == tStar {
			p.star = true
			chunks = append(chunks, cur)
			cur = []token{}
			continue
		}
		cur = append(cur, t)
	}
	chunks = append(chunks, cur)
	p.first = chunks[0]
	if p.star {
		p.last = chunks[len(chunks)-1]
		for _, c := range chunks[1 : len(chunks)-1] {
			if len(c) > 0 {
				p.middle = append(p.middle, c)
			}
		}
	}
	return p
}

// newPattern compiles s. arnMode splits it into ARN parts; wild enables '*' and '?'.
func newPattern(s string, arnMode, wild, fold bool, opts Options) *Pattern {
	p := compilePattern(s, arnMode, wild, fold, opts)
	return &p
}

// compilePattern is newPattern returning the Pattern by value, for Clause's value slice.
func compilePattern(s string, arnMode, wild, fold bool, opts Options) Pattern {
	s = strings.Clone(s)
	p := Pattern{src: s, fold: fold}
	if !arnMode && (!opts.Variables || !strings.Contains(s, "${")) {
		i := -1
		if wild {
			i = strings.IndexAny(s, "*?")
		}
		switch {
		case i < 0:
			p.form, p.text = patLiteral, s
			return p
		case i == len(s)-1 && s[i] == '*':
			p.form, p.text = patPrefix, s[:i]
			return p
		}
	}
	return tokenizedPattern(s, arnMode, wild, fold, opts)
}

// tokenizedPattern compiles s (already a copy) into the general form, which every pattern can
// take; compilePattern uses it only for the patterns a single string cannot express.
func tokenizedPattern(s string, arnMode, wild, fold bool, opts Options) Pattern {
	p := Pattern{src: s, fold: fold}
	g := &generalPattern{arnMode: arnMode}
	p.g = g
	toks := tokenize(s, wild, opts)
	g.isLit = true
	var lit, prefix strings.Builder
	inPrefix := true
	for _, t := range toks {
		switch t.kind {
		case tLit:
			lit.WriteString(t.text)
			if inPrefix {
				prefix.WriteString(t.text)
			}
		case tVar:
			g.vars = append(g.vars, t)
			g.isLit, inPrefix = false, false
		default:
			g.isLit, inPrefix = false, false
		}
	}
	if g.isLit {
		g.literal = lit.String()
	}
	p.text = prefix.String()
	if !arnMode {
		g.parts = []chunkedPart{chunk(toks)}
		return p
	}
	if len(toks) == 1 && toks[0].kind == tStar {
		g.all = true
		return p
	}
	// Split the tokens into ARN parts at the first five literal colons.
	var parts [][]token
	cur := []token{}
	for _, t := range toks {
		if t.kind != tLit || len(parts) == 5 {
			cur = append(cur, t)
			continue
		}
		text := t.text
		for len(parts) < 5 {
			j := strings.IndexByte(text, ':')
			if j < 0 {
				break
			}
			if j > 0 {
				cur = append(cur, token{kind: tLit, text: text[:j]})
			}
			parts = append(parts, cur)
			cur = []token{}
			text = text[j+1:]
		}
		if text != "" {
			cur = append(cur, token{kind: tLit, text: text})
		}
	}
	parts = append(parts, cur)
	if len(parts) < 6 {
		last := parts[len(parts)-1]
		if len(last) == 0 || last[len(last)-1].kind != tStar {
			g.never = true
			return p
		}
		g.short = true
	}
	for _, part := range parts {
		g.parts = append(g.parts, chunk(part))
	}
	return p
}

// CompileARN compiles a Resource-element value: an ARN pattern possibly containing wildcards and
// policy variables, or "*".
func CompileARN(s string, opts Options) (*Pattern, error) {
	return newPattern(s, true, true, false, opts), nil
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Literal returns the pattern's text (escapes such as ${*} resolved) when it has no wildcard and
// no variable, so that callers can index it.
func (p *Pattern) Literal() (s string, ok bool) {
	switch p.form {
	case patLiteral:
		return p.text, true
	case patPrefix:
		return "", false
	}
	return p.g.literal, p.g.isLit
}

// Prefix returns the literal text before the first wildcard or variable.
func (p *Pattern) Prefix() string { return p.text }

// Match reports whether the resource ARN matches the pattern (arn.Match semantics, with policy
// variables substituted from ctx). If a variable has no value in ctx and no default, the pattern
// does not match. Match does not allocate.
func (p *Pattern) Match(resource string, ctx Context) bool {
	ok, resolved := p.match(resource, ctx)
	return ok && resolved
}

// match reports whether s matches, and whether all variables resolved (if not, matched is false).
func (p *Pattern) match(s string, ctx Context) (matched, resolved bool) {
	switch p.form {
	case patLiteral:
		n, ok := hasPrefix(s, p.text, p.fold)
		return ok && n == len(s), true
	case patPrefix:
		_, ok := hasPrefix(s, p.text, p.fold)
		return ok, true
	}
	g := p.g
	if g.all {
		return true, true
	}
	if g.never {
		return false, true
	}
	for i := range g.vars {
		if _, ok := resolve(&g.vars[i], ctx); !ok {
			return false, false
		}
	}
	if !g.arnMode {
		return matchPart(&g.parts[0], s, ctx, p.fold), true
	}
	if strings.Count(s, ":") < 5 {
		return false, true
	}
	v := s
	last := len(g.parts) - 1
	for i := range last {
		j := strings.IndexByte(v, ':')
		if !matchPart(&g.parts[i], v[:j], ctx, false) {
			return false, true
		}
		v = v[j+1:]
	}
	return matchPart(&g.parts[last], v, ctx, false), true
}

// resolve returns a variable's value: the single context value of its key, else its default.
func resolve(t *token, ctx Context) (string, bool) {
	if ctx != nil {
		if vals, ok := ctx.Values(t.text); ok && len(vals) == 1 {
			return vals[0], true
		}
	}
	return t.def, t.hasDef
}

func matchPart(p *chunkedPart, s string, ctx Context, fold bool) bool {
	n, ok := matchPrefix(p.first, s, ctx, fold)
	if !ok {
		return false
	}
	if !p.star {
		return n == len(s)
	}
	s = s[n:]
	for _, c := range p.middle {
		found := false
		for i := 0; i <= len(s); {
			if n, ok := matchPrefix(c, s[i:], ctx, fold); ok {
				s = s[i+n:]
				found = true
				break
			}
			if i == len(s) {
				break
			}
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
		if !found {
			return false
		}
	}
	return matchSuffix(p.last, s, ctx)
}

func tokenText(t *token, ctx Context) string {
	if t.kind == tVar {
		v, _ := resolve(t, ctx) // resolvability was checked up front
		return v
	}
	return t.text
}

func matchPrefix(toks []token, s string, ctx Context, fold bool) (int, bool) {
	j := 0
	for i := range toks {
		t := &toks[i]
		if t.kind == tQuest {
			if j >= len(s) {
				return 0, false
			}
			_, w := utf8.DecodeRuneInString(s[j:])
			j += w
			continue
		}
		n, ok := hasPrefix(s[j:], tokenText(t, ctx), fold)
		if !ok {
			return 0, false
		}
		j += n
	}
	return j, true
}

func matchSuffix(toks []token, s string, ctx Context) bool {
	j := len(s)
	for i := len(toks) - 1; i >= 0; i-- {
		t := &toks[i]
		if t.kind == tQuest {
			if j == 0 {
				return false
			}
			_, w := utf8.DecodeLastRuneInString(s[:j])
			j -= w
			continue
		}
		n, ok := hasSuffix(s[:j], tokenText(t, ctx))
		if !ok {
			return false
		}
		j -= n
	}
	return true
}

// hasPrefix reports whether s starts with prefix (Unicode simple case folding when fold is set)
// and how many bytes of s the prefix covers.
func hasPrefix(s, prefix string, fold bool) (int, bool) {
	if !fold {
		return len(prefix), strings.HasPrefix(s, prefix)
	}
	i := 0
	for _, r := range prefix {
		if i >= len(s) {
			return 0, false
		}
		sr, w := utf8.DecodeRuneInString(s[i:])
		if !equalFoldRune(r, sr) {
			return 0, false
		}
		i += w
	}
	return i, true
}

// hasSuffix is the backward counterpart of hasPrefix. Only wildcard patterns match suffixes, and
// case-folding operators (the IgnoreCase ones and Bool) never have wildcards, so no folding here.
func hasSuffix(s, suffix string) (int, bool) {
	return len(suffix), strings.HasSuffix(s, suffix)
}

func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
