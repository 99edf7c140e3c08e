package condition

import (
	"net/netip"
	"strings"
)

// Outcome is the result of evaluating a Clause against a request context.
type Outcome struct {
	Match   bool // the condition is satisfied
	Missing bool // the key was absent from the context (so the decision "looked for it and did not find it")
	// Invalid is set when a context value or a policy value could not be interpreted for the
	// operator (not a number, date, IP address, base64 string, boolean or ARN; or a policy variable
	// that did not resolve). Such values never match, and they make a negated operator false.
	Invalid bool
}

// Clause is one compiled (operator, key, values) condition.
//
// A Clause keeps copies of the strings it needs, never the policy document's text, and only the
// value list its operator uses: compiled policies are cached for many principals at once.
type Clause struct {
	op       string
	key      string
	lowerKey string // key itself when it has no upper-case letter
	p        parsedOp
	// badValue: some policy value cannot be interpreted for the operator; that value never
	// matches and negated operators fail closed.
	badValue bool
	// literal: a StringEquals or StringNotEquals without set operator whose values are all
	// literal, the common case that EvalValues decides by string equality alone.
	literal bool

	pats []Pattern  // string, Bool and ARN operators
	typ  *typedVals // the other operators
}

// typedVals are the policy values of a Clause whose operator is not a string, Bool or ARN one.
type typedVals struct {
	nums  []decimal      // numeric
	dates []instant      // date
	ips   []netip.Prefix // IP
	bins  [][]byte       // binary
	nulls []bool         // Null: true means "must be absent"
}

// Compile compiles one condition: an operator as written (with optional set prefix and IfExists
// suffix), a condition key and its policy values. Only an unknown operator is an error; values
// that do not fit the operator (for example "abc" for NumericEquals) compile, never match, and
// are reported through Outcome.Invalid.
func Compile(op, key string, values []string, opts Options) (*Clause, error) {
	p, ok := parseOp(op)
	if !ok {
		return nil, &OperatorError{Op: op}
	}
	key = strings.Clone(key)
	c := &Clause{op: strings.Clone(op), key: key, lowerKey: lowerASCII(key), p: p}
	if opts.Intern != nil {
		c.lowerKey = opts.Intern(c.lowerKey)
	}
	switch p.info.kind {
	case kString, kBool, kARN:
		c.pats = make([]Pattern, 0, len(values))
	default:
		c.typ = &typedVals{}
	}
	tv := c.typ
	switch p.info.kind {
	case kString:
		wild := p.info.cmp == cmpLike
		for _, v := range values {
			c.pats = append(c.pats, compilePattern(v, false, wild, p.info.fold, opts))
		}
		c.literal = !p.info.fold && p.set == setNone
		for i := range c.pats {
			c.literal = c.literal && c.pats[i].form == patLiteral
		}
	case kBool:
		for _, v := range values {
			pat := compilePattern(v, false, false, true, opts)
			if lit, ok := pat.Literal(); ok && !isBool(lit) {
				c.badValue = true
				continue
			}
			c.pats = append(c.pats, pat)
		}
	case kARN:
		for _, v := range values {
			c.pats = append(c.pats, compilePattern(v, true, true, false, opts))
		}
	case kNumeric:
		for _, v := range values {
			d, ok := parseDecimal(strings.Clone(v)) // a decimal holds substrings of its text
			if !ok {
				c.badValue = true
				continue
			}
			tv.nums = append(tv.nums, d)
		}
	case kDate:
		for _, v := range values {
			t, ok := parseDate(v)
			if !ok {
				c.badValue = true
				continue
			}
			tv.dates = append(tv.dates, t)
		}
	case kIP:
		for _, v := range values {
			pr, ok := parsePolicyIP(v)
			if !ok {
				c.badValue = true
				continue
			}
			tv.ips = append(tv.ips, pr)
		}
	case kBinary:
		for _, v := range values {
			b, ok := parseBinary(v)
			if !ok {
				c.badValue = true
				continue
			}
			tv.bins = append(tv.bins, b)
		}
	case kNull:
		for _, v := range values {
			switch {
			case strings.EqualFold(v, "true"):
				tv.nulls = append(tv.nulls, true)
			case strings.EqualFold(v, "false"):
				tv.nulls = append(tv.nulls, false)
			default:
				c.badValue = true
			}
		}
	}
	return c, nil
}

func isBool(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

// Key returns the condition key as written.
func (c *Clause) Key() string { return c.key }

// Operator returns the operator as written.
func (c *Clause) Operator() string { return c.op }

// LowerKey returns the condition key with ASCII letters lower-cased, as Context.Values takes it.
func (c *Clause) LowerKey() string { return c.lowerKey }

// EqualsLiterals returns the clause's policy values when it is a StringEquals without set
// operator or IfExists whose values are all literal: such a clause matches exactly when some
// value of its key in the request context is one of them (never when the key is absent), so
// callers can index statements by those values. ok is false for any other clause.
func (c *Clause) EqualsLiterals() (vals []string, ok bool) {
	if !c.literal || c.p.info.negated || c.p.ifExists {
		return nil, false
	}
	vals = make([]string, len(c.pats))
	for i := range c.pats {
		vals[i] = c.pats[i].text
	}
	return vals, true
}

// Eval evaluates the clause against ctx. It does not allocate.
func (c *Clause) Eval(ctx Context) Outcome {
	var vals []string
	var present bool
	if ctx != nil {
		vals, present = ctx.Values(c.lowerKey)
	}
	return c.EvalValues(vals, present, ctx)
}

// EvalValues evaluates the clause given the result of ctx.Values(c.LowerKey()), which a caller
// evaluating many clauses on the same key can look up once; ctx still resolves policy variables.
// It does not allocate.
func (c *Clause) EvalValues(vals []string, present bool, ctx Context) Outcome {
	if c.literal && len(vals) == 1 {
		for i := range c.pats {
			if c.pats[i].text == vals[0] {
				return Outcome{Match: !c.p.info.negated}
			}
		}
		return Outcome{Match: c.p.info.negated}
	}
	missing := !present || len(vals) == 0
	info := c.p.info

	if info.kind == kNull {
		for _, absent := range c.typ.nulls {
			if absent == missing {
				return Outcome{Match: true, Missing: missing}
			}
		}
		return Outcome{Missing: missing, Invalid: c.badValue}
	}

	if missing {
		switch {
		case c.p.ifExists, c.p.set == setAll:
			return Outcome{Match: true, Missing: true}
		case c.p.set == setAny:
			return Outcome{Missing: true}
		default:
			return Outcome{Match: info.negated, Missing: true}
		}
	}

	invalid := c.badValue
	switch c.p.set {
	case setNone:
		for _, v := range vals {
			m, bad := c.matchValue(v, ctx)
			invalid = invalid || bad
			if m {
				return Outcome{Match: !info.negated, Invalid: invalid}
			}
		}
		if info.negated && invalid {
			return Outcome{Invalid: true}
		}
		return Outcome{Match: info.negated, Invalid: invalid}
	case setAny:
		// At least one context value matches (negated: matches none of the policy values).
		found := false
		for _, v := range vals {
			m, bad := c.matchValue(v, ctx)
			invalid = invalid || bad
			if m != info.negated {
				found = true
			}
		}
		if info.negated && invalid {
			return Outcome{Invalid: true}
		}
		return Outcome{Match: found, Invalid: invalid}
	default: // setAll
		all := true
		for _, v := range vals {
			m, bad := c.matchValue(v, ctx)
			invalid = invalid || bad
			if m == info.negated {
				all = false
			}
		}
		if info.negated && invalid {
			return Outcome{Invalid: true}
		}
		return Outcome{Match: all, Invalid: invalid}
	}
}

// matchValue reports whether the context value v matches any policy value under the positive
// form of the operator, and whether something could not be interpreted (v itself, or a policy
// variable that did not resolve).
func (c *Clause) matchValue(v string, ctx Context) (matched, invalid bool) {
	info := c.p.info
	switch info.kind {
	case kString:
		return matchPatterns(c.pats, v, ctx)
	case kBool:
		if !isBool(v) {
			return false, true
		}
		return matchPatterns(c.pats, v, ctx)
	case kARN:
		if strings.Count(v, ":") < 5 {
			return false, true
		}
		return matchPatterns(c.pats, v, ctx)
	case kNumeric:
		d, ok := parseDecimal(v)
		if !ok {
			return false, true
		}
		for _, p := range c.typ.nums {
			if compare(info.cmp, cmpDecimal(d, p)) {
				return true, false
			}
		}
	case kDate:
		t, ok := parseDate(v)
		if !ok {
			return false, true
		}
		for _, p := range c.typ.dates {
			if compare(info.cmp, cmpInstant(t, p)) {
				return true, false
			}
		}
	case kIP:
		a, ok := parseContextIP(v)
		if !ok {
			return false, true
		}
		for _, p := range c.typ.ips {
			if ipMatch(p, a) {
				return true, false
			}
		}
	case kBinary:
		for _, b := range c.typ.bins {
			eq, ok := binaryEqual(v, b)
			if !ok {
				return false, true
			}
			if eq {
				return true, false
			}
		}
		if len(c.typ.bins) == 0 {
			if _, ok := binaryEqual(v, nil); !ok {
				return false, true
			}
		}
	}
	return false, false
}

func matchPatterns(pats []Pattern, v string, ctx Context) (matched, invalid bool) {
	for i := range pats {
		m, resolved := pats[i].match(v, ctx)
		if m {
			return true, invalid
		}
		if !resolved {
			invalid = true
		}
	}
	return false, invalid
}

// compare applies a comparison to the result of comparing the context value with the policy
// value (context first, as in "NumericLessThan: the request's value is less than the policy's").
func compare(op cmpOp, c int) bool {
	switch op {
	case cmpLT:
		return c < 0
	case cmpLE:
		return c <= 0
	case cmpGT:
		return c > 0
	case cmpGE:
		return c >= 0
	default:
		return c == 0
	}
}
