package query

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Model constraints
//
// AWS checks every request against its service model before it looks anything up, authorizes
// the caller or refuses a root-only call, and reports each violation in the ValidationError
// (Coral's "Value '…' at '…' failed to satisfy constraint: Member must …"). The SDK's types do
// not carry these constraints, so model_gen.go is generated from botocore's IAM and STS models
// by TestModelTables (run `go test ./internal/api/query -run TestModelTables -update` after
// updating botocore), and DecodeForm checks them after decoding.

// modelRule is the service model's constraints on one input member: the length of a string or
// list, or the value of an integer; a pattern that a string must match in full; and, for a list
// of strings, the constraints on its elements.
type modelRule struct {
	hasMin, hasMax bool
	min, max       int64
	pattern        string // as the model writes it (Java syntax), for the message
	re             string // the pattern in Go syntax, anchored
	forbid         string // a substring that a lookahead of the Java pattern forbids
	sensitive      bool   // the value is left out of the message
	hidePattern    bool   // the value is left out of a pattern failure
	elem           *modelRule

	rx *regexp.Regexp // re, compiled when the plan is built
	// class is set when the pattern is one character class repeated ([\w+=,.@-]+, most of the
	// models' patterns): matching then checks each character against its ranges, which is
	// about fifty times faster than the regexp on a policy document.
	class *charClass
}

// charClass is a pattern of the form [ranges]+ or [ranges]*.
type charClass struct {
	ranges   []rune    // pairs lo, hi, as regexp/syntax gives them
	latin1   [256]bool // the class's members below U+0100, looked up directly
	nonEmpty bool      // + rather than *
}

func newCharClass(ranges []rune, nonEmpty bool) *charClass {
	c := &charClass{ranges: ranges, nonEmpty: nonEmpty}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < 256; r++ {
			c.latin1[r] = true
		}
	}
	return c
}

func (c *charClass) match(s string) bool {
	if c.nonEmpty && s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < utf8.RuneSelf {
			if !c.latin1[b] {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size - 1
		if !c.has(r) {
			return false
		}
	}
	return true
}

func (c *charClass) has(r rune) bool {
	if r < 256 {
		return c.latin1[r]
	}
	for i := 0; i+1 < len(c.ranges); i += 2 {
		if c.ranges[i] <= r && r <= c.ranges[i+1] {
			return true
		}
	}
	return false
}

// simpleClass returns re as a charClass when it is ^(?:[class]+)$ or ^(?:[class]*)$.
func simpleClass(re string) *charClass {
	t, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return nil
	}
	t = t.Simplify()
	if t.Op != syntax.OpConcat || len(t.Sub) != 3 || t.Sub[0].Op != syntax.OpBeginText || t.Sub[2].Op != syntax.OpEndText {
		return nil
	}
	rep := t.Sub[1]
	if (rep.Op != syntax.OpPlus && rep.Op != syntax.OpStar) || rep.Sub[0].Op != syntax.OpCharClass {
		return nil
	}
	return newCharClass(rep.Sub[0].Rune, rep.Op == syntax.OpPlus)
}

// rule returns the compiled model rule for member field of struct type t, whose plan is fp.
func (b builder) rule(t reflect.Type, field string, fp *typePlan) *modelRule {
	switch fp.kind {
	case kindString, kindInt, kindList:
	default:
		return nil
	}
	r := modelRuleFor(t.PkgPath(), t.Name(), field)
	if r == nil {
		return nil
	}
	r.compile()
	return r
}

// compile prepares the pattern's matcher: the character-class table when the pattern is one
// class repeated, else the regexp.
func (r *modelRule) compile() {
	if r.re != "" {
		if r.class = simpleClass(r.re); r.class == nil {
			r.rx = regexp.MustCompile(r.re)
		}
	}
	if r.elem != nil {
		r.elem.compile()
	}
}

// length is a string's length as the model counts it: in UTF-16 code units (Java's
// String.length), so a character outside the Basic Multilingual Plane counts twice.
func length(s string) int64 {
	n := int64(utf8.RuneCountInString(s))
	if n == int64(len(s)) {
		return n // ASCII
	}
	n = 0
	for _, c := range s {
		n += int64(utf16.RuneLen(c))
	}
	return n
}

// bareEnumMember reports whether AWS answers a value outside the enum of member field of type
// name with neither the value nor the set: UpdateServiceSpecificCredential's Status, "Value at
// 'status' failed to satisfy constraint: Member must satisfy enum value set" (LocalStack's
// recording against AWS, tests/aws/services/iam/test_iam.py test_invalid_update_parameters).
func bareEnumMember(pkgPath, name, field string) bool {
	return pkgPath == "github.com/aws/aws-sdk-go-v2/service/iam" && name == "UpdateServiceSpecificCredentialInput" && field == "Status"
}

// patternConstraint begins the text of a pattern failure.
const patternConstraint = "Member must satisfy regular expression pattern: "

// checkString returns every constraint a string breaks (none when it is valid): its length, then
// its pattern. AWS names each failure of a member: STS answered an empty RoleArn with two, its
// pattern and "Member must have length greater than or equal to 20" (recorded in
// newscorpaus/consigliere#18).
func (r *modelRule) checkString(s string) []string {
	var out []string
	if c := r.checkLength(length(s)); c != "" {
		out = append(out, c)
	}
	if r.re != "" && (!r.matches(s) || r.forbid != "" && strings.Contains(s, r.forbid)) {
		out = append(out, patternConstraint+r.pattern)
	}
	return out
}

func (r *modelRule) matches(s string) bool {
	if r.class != nil {
		return r.class.match(s)
	}
	return r.rx.MatchString(s)
}

// checkValue returns the constraint an integer breaks, or "".
func (r *modelRule) checkValue(i int64) string {
	switch {
	case r.hasMin && i < r.min:
		return "Member must have value greater than or equal to " + strconv.FormatInt(r.min, 10)
	case r.hasMax && i > r.max:
		return "Member must have value less than or equal to " + strconv.FormatInt(r.max, 10)
	}
	return ""
}

// checkLength returns the constraint a string or list of length n breaks, or "".
func (r *modelRule) checkLength(n int64) string {
	switch {
	case r.hasMin && n < r.min:
		return minLength(r.min)
	case r.hasMax && n > r.max:
		return maxLength(r.max)
	}
	return ""
}

func minLength(n int64) string {
	return "Member must have length greater than or equal to " + strconv.FormatInt(n, 10)
}

func maxLength(n int64) string {
	return "Member must have length less than or equal to " + strconv.FormatInt(n, 10)
}

// elemConstraint is AWS's constraint text for a list whose elements break their own
// constraints: it lists every constraint of the element shape, as in "Member must satisfy
// constraint: [Member must have length less than or equal to 128, Member must have length
// greater than or equal to 1, Member must satisfy regular expression pattern: …, Member must
// not be null]" (LocalStack's IAM provider; AWS Lambda's recorded answers have the same form).
func (r *modelRule) elemConstraint() string {
	var parts []string
	if r.hasMax {
		parts = append(parts, maxLength(r.max))
	}
	if r.hasMin {
		parts = append(parts, minLength(r.min))
	}
	if r.pattern != "" {
		parts = append(parts, patternConstraint+r.pattern)
	}
	return "Member must satisfy constraint: [" + strings.Join(append(parts, "Member must not be null"), ", ") + "]"
}

// failModel records a model constraint failure of member at; with omit (a sensitive member, a
// list's length) the value is left out.
func (d *decoder) failModel(value string, omit bool, at seg, constraint string) {
	if !omit {
		d.fail(value, at, constraint)
		return
	}
	s := d.pathString(at)
	d.failures = append(d.failures, "Value at '"+s+"' failed to satisfy constraint: "+constraint)
	if d.failed == nil {
		d.failed = map[string]bool{}
	}
	d.failed[s] = true
}

// checkModel appends a failure for every member of v (a struct of plan p) that breaks the
// service model's constraints, descending into structures and lists of structures. Members
// that failed to decode are not checked again. The caller has pushed the struct's own path.
func (d *decoder) checkModel(p *typePlan, v reflect.Value) {
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		if f.rule == nil && f.plan.kind != kindStruct && f.plan.kind != kindList {
			continue
		}
		if missing(fv) {
			continue
		}
		if f.ptr {
			fv = fv.Elem()
		}
		at := seg{name: f.lower}
		if d.failed != nil && d.failed[d.pathString(at)] {
			continue
		}
		switch f.plan.kind {
		case kindString:
			for _, c := range f.rule.checkString(fv.String()) {
				hide := f.rule.sensitive || f.rule.hidePattern && strings.HasPrefix(c, patternConstraint)
				d.failModel(fv.String(), hide, at, c)
			}
		case kindInt:
			if c := f.rule.checkValue(fv.Int()); c != "" {
				d.failModel(strconv.FormatInt(fv.Int(), 10), false, at, c)
			}
		case kindStruct:
			d.push(at)
			d.checkModel(f.plan, fv)
			d.pop()
		case kindList:
			d.checkList(f, fv, at)
		}
	}
}

// checkList checks a list member's length and its elements: a list of strings against the
// element constraints (one failure naming the list), a list of structures element by element.
func (d *decoder) checkList(f *fieldPlan, v reflect.Value, at seg) {
	elem := f.plan.elem
	if f.rule != nil {
		if c := f.rule.checkLength(int64(v.Len())); c != "" {
			// AWS leaves the list out of a length failure ("Value at 'tags'", "Value at
			// 'transitiveTagKeys'").
			d.failModel("", true, at, c)
			return
		}
		if r := f.rule.elem; r != nil && elem.kind == kindString {
			for i := range v.Len() {
				e := v.Index(i)
				if e.Kind() == reflect.Pointer {
					if e.IsNil() {
						continue
					}
					e = e.Elem()
				}
				if len(r.checkString(e.String())) > 0 {
					// AWS leaves the list out here too ("Value at 'tagKeys'"; LocalStack's IAM
					// provider, written against AWS: _validate_tag_keys).
					d.failModel("", true, at, r.elemConstraint())
					return
				}
			}
		}
	}
	if elem.kind != kindStruct {
		return
	}
	d.push(at)
	for i := range v.Len() {
		e := v.Index(i)
		if f.plan.elemPtr {
			if e.IsNil() {
				continue
			}
			e = e.Elem()
		}
		d.push(seg{index: i + 1})
		d.checkModel(elem, e)
		d.pop()
	}
	d.pop()
}
