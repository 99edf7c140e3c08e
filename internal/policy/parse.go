package policy

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError is a policy document that IAM would refuse. Message is the text AWS returns with
// MalformedPolicyDocument (or, when Charset is set, with ValidationError); it is safe to send to
// clients.
type SyntaxError struct {
	// Message is AWS's message for the rejection.
	Message string
	// Line and Column locate the offending element or character: 1-based, with Column counted
	// in characters. Both are 0 when no single place is to blame (a missing element, say).
	Line, Column int
	// Charset is set when the text contains a character outside the pattern the IAM API applies
	// to every policy parameter, [\u0009\u000A\u000D\u0020-\u00FF]+. AWS rejects such a request
	// before reading the policy, as a ValidationError ("... failed to satisfy constraint: Member
	// must satisfy regular expression pattern: ..."), not as MalformedPolicyDocument.
	Charset bool
}

// Error returns Message.
func (e *SyntaxError) Error() string { return e.Message }

// SizeLimit is AWS's default quota on a single document of the kind, in characters as Size counts
// them ("IAM and AWS STS quotas", "Quotas for AWS Organizations"): managed policies and permissions
// boundaries 6,144; role trust policies 2,048; session policies 2,048 (before STS packs them with
// the session tags); SCPs and RCPs 5,120. Resource-based policies belong to other services and have
// their own limits (0: none here). Inline identity policies count toward an aggregate per user
// (2,048), group (5,120) or role (10,240), which callers sum.
func SizeLimit(kind Kind) int {
	switch kind {
	case Identity, Boundary:
		return 6144
	case Trust, Session:
		return 2048
	case SCP, RCP:
		return 5120
	}
	return 0
}

// Size is the length of a policy document as AWS counts it against the size quotas: the number of
// characters, not counting white space outside strings ("IAM does not count white space when
// calculating the size of a policy"). Text that is not valid JSON is measured the same way.
func Size(text string) int {
	n := 0
	inString, escaped := false, false
	for _, r := range text {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case r == '\\':
				escaped = true
			case r == '"':
				inString = false
			}
		case r == '"':
			inString = true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			continue
		}
		n++
	}
	return n
}

// MaxDocumentBytes is the largest text Parse reads; longer documents are rejected unread.
const MaxDocumentBytes = 1 << 20

// Parse parses and validates a policy document of the given kind as IAM does when the document is
// submitted (CreatePolicy, PutUserPolicy, CreateRole's AssumeRolePolicyDocument, a permissions
// boundary, a session policy, ...). A rejected document yields a *SyntaxError carrying AWS's
// message. Size quotas are left to callers (see Size).
//
// Checks run in the order AWS's own messages reveal: the character set; JSON and the policy
// grammar ("Syntax errors in policy."); the legacy parser ("The policy failed legacy parsing");
// Sid uniqueness and form; missing actions, principals and resources; then the form of each
// resource, action and principal. The first failure is reported.
//
// Version may be "2012-10-17", "2008-10-17" or absent (recorded as ""); under the last two,
// "${...}" is literal text. Managed policies must be 2012-10-17: see RequireCurrentVersion.
// Duplicate keys in any JSON object are rejected. Condition values may be strings, numbers,
// booleans or arrays of them, including the empty array; numbers and booleans keep their literal
// text.
//
// Known differences from AWS, where its behaviour is undocumented: Sids are limited to letters and
// digits for Identity, Boundary and Trust documents only; trust policies accept any action (AWS
// may restrict them to sts:*); the principal checks accept the documented forms only (account IDs,
// account/user/role/session ARNs, "*", service principals ending in .amazonaws.com[.cn], SAML and
// OIDC provider ARNs, the four web identity providers, 64-hex canonical user IDs, and the user and
// role unique IDs AWS stores in place of a deleted principal) and never look up whether the
// principal exists; RCP documents are checked like Resource documents.
func Parse(text string, kind Kind) (*Document, error) {
	if kind < Identity || kind > RCP {
		return nil, fmt.Errorf("policy: parse: invalid kind %d", kind)
	}
	// Bound the work before parsing: no policy document AWS accepts is near this size (the API's
	// PolicyDocument member is at most 131,072 characters).
	if len(text) > MaxDocumentBytes {
		return nil, &SyntaxError{Message: "Syntax errors in policy.", Line: 1, Column: 1}
	}
	if off, ok := checkCharset(text); !ok {
		e := errorAt(text, off, msgCharset)
		e.Charset = true
		return nil, e
	}
	p := &parser{text: text}
	root, err := p.parseDocument()
	if err != nil {
		if kind == Trust {
			err.Message = msgInvalidJSONTrust
		}
		return nil, err
	}
	v := &validator{text: text, kind: kind}
	return v.document(root)
}

// checkCharset reports the byte offset of the first character outside the IAM API's pattern for
// policy documents; invalid UTF-8 is outside it too. (The empty text, which breaks the pattern's
// minimum length, is left to the JSON parser: it is reported as a syntax error.)
func checkCharset(text string) (int, bool) {
	for i, r := range text {
		// utf8.RuneError stands for invalid UTF-8, and U+FFFD itself is outside the range too.
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r > 0xFF {
			return i, false
		}
	}
	return 0, true
}

// errorAt builds a SyntaxError whose position is the byte offset off in text, or no position when
// off is negative.
func errorAt(text string, off int, msg string) *SyntaxError {
	e := &SyntaxError{Message: msg}
	if off < 0 || off > len(text) {
		return e
	}
	line, col := 1, 1
	for _, r := range text[:off] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	e.Line, e.Column = line, col
	return e
}

// valueKind is the JSON type of a value.
type valueKind uint8

const (
	kindString valueKind = iota + 1
	kindNumber
	kindBool
	kindNull
	kindObject
	kindArray
)

// value is a parsed JSON value that remembers where it starts, so that validation can point at it.
type value struct {
	kind valueKind
	off  int      // byte offset of the value's first character
	str  string   // string contents, or the literal text of a number or boolean
	obj  []member // object members in document order; keys are unique
	arr  []value
}

// member is one name/value pair of an object.
type member struct {
	key    string
	keyOff int
	val    value
}

// get returns the member named key, or nil.
func (v *value) get(key string) *member {
	for i := range v.obj {
		if v.obj[i].key == key {
			return &v.obj[i]
		}
	}
	return nil
}

// maxDepth bounds nesting; no valid policy comes close, and it keeps recursion bounded.
const maxDepth = 64

// parser is a strict RFC 8259 JSON parser that rejects duplicate object keys (as IAM does) and
// records offsets for error positions.
type parser struct {
	text  string
	pos   int
	depth int
}

func (p *parser) fail(off int) *SyntaxError { return errorAt(p.text, off, msgSyntax) }

func (p *parser) parseDocument() (value, *SyntaxError) {
	p.skipSpace()
	v, err := p.parseValue()
	if err != nil {
		return value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.text) {
		return value{}, p.fail(p.pos) // trailing garbage
	}
	return v, nil
}

func (p *parser) skipSpace() {
	for p.pos < len(p.text) {
		switch p.text[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) parseValue() (value, *SyntaxError) {
	if p.pos >= len(p.text) {
		return value{}, p.fail(p.pos)
	}
	start := p.pos
	switch c := p.text[p.pos]; {
	case c == '{':
		return p.parseObject()
	case c == '[':
		return p.parseArray()
	case c == '"':
		s, err := p.parseString()
		return value{kind: kindString, off: start, str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.parseNumber()
	case p.literal("true"), p.literal("false"):
		return value{kind: kindBool, off: start, str: p.text[start:p.pos]}, nil
	case p.literal("null"):
		return value{kind: kindNull, off: start}, nil
	}
	return value{}, p.fail(start)
}

// literal consumes word if the text continues with it.
func (p *parser) literal(word string) bool {
	if len(p.text)-p.pos >= len(word) && p.text[p.pos:p.pos+len(word)] == word {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *parser) enter() *SyntaxError {
	p.depth++
	if p.depth > maxDepth {
		return p.fail(p.pos)
	}
	return nil
}

func (p *parser) parseObject() (value, *SyntaxError) {
	v := value{kind: kindObject, off: p.pos}
	if err := p.enter(); err != nil {
		return value{}, err
	}
	defer func() { p.depth-- }()
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.text) && p.text[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	var seen map[string]struct{} // for large objects, where a linear search would be quadratic
	for {
		if p.pos >= len(p.text) || p.text[p.pos] != '"' {
			return value{}, p.fail(p.pos)
		}
		keyOff := p.pos
		key, err := p.parseString()
		if err != nil {
			return value{}, err
		}
		if p.duplicate(&v, &seen, key) {
			return value{}, p.fail(keyOff)
		}
		p.skipSpace()
		if p.pos >= len(p.text) || p.text[p.pos] != ':' {
			return value{}, p.fail(p.pos)
		}
		p.pos++
		p.skipSpace()
		val, err := p.parseValue()
		if err != nil {
			return value{}, err
		}
		v.obj = append(v.obj, member{key: key, keyOff: keyOff, val: val})
		p.skipSpace()
		if p.pos >= len(p.text) {
			return value{}, p.fail(p.pos)
		}
		switch p.text[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			return v, nil
		default:
			return value{}, p.fail(p.pos)
		}
	}
}

// smallObject is the member count up to which duplicate keys are found by a linear search.
const smallObject = 16

// duplicate reports whether obj already has a member named key.
func (p *parser) duplicate(obj *value, seen *map[string]struct{}, key string) bool {
	if len(obj.obj) < smallObject {
		return obj.get(key) != nil
	}
	if *seen == nil {
		*seen = make(map[string]struct{}, 2*smallObject)
		for _, m := range obj.obj {
			(*seen)[m.key] = struct{}{}
		}
	}
	if _, ok := (*seen)[key]; ok {
		return true
	}
	(*seen)[key] = struct{}{}
	return false
}

func (p *parser) parseArray() (value, *SyntaxError) {
	v := value{kind: kindArray, off: p.pos}
	if err := p.enter(); err != nil {
		return value{}, err
	}
	defer func() { p.depth-- }()
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.text) && p.text[p.pos] == ']' {
		p.pos++
		v.arr = []value{}
		return v, nil
	}
	for {
		elem, err := p.parseValue()
		if err != nil {
			return value{}, err
		}
		v.arr = append(v.arr, elem)
		p.skipSpace()
		if p.pos >= len(p.text) {
			return value{}, p.fail(p.pos)
		}
		switch p.text[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			return v, nil
		default:
			return value{}, p.fail(p.pos)
		}
	}
}

// parseString parses a string starting at the opening quote. Strings without escapes are returned
// as substrings of the text, without copying.
func (p *parser) parseString() (string, *SyntaxError) {
	start := p.pos
	p.pos++ // opening quote
	i := p.pos
	for i < len(p.text) {
		c := p.text[i]
		if c == '"' {
			s := p.text[p.pos:i]
			p.pos = i + 1
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail(i)
		}
		i++
	}
	if i >= len(p.text) {
		return "", p.fail(start)
	}
	// Slow path: the string has escapes.
	buf := []byte(p.text[p.pos:i])
	for i < len(p.text) {
		c := p.text[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			return "", p.fail(i)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(p.text) {
			return "", p.fail(i)
		}
		switch e := p.text[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, n, ok := p.unicodeEscape(i)
			if !ok {
				return "", p.fail(i)
			}
			buf = utf8.AppendRune(buf, r)
			i += n
			continue
		default:
			return "", p.fail(i)
		}
		i += 2
	}
	return "", p.fail(start)
}

// unicodeEscape decodes \uXXXX at i, joining a surrogate pair when one follows. It returns the
// rune and the number of bytes consumed. A lone surrogate becomes U+FFFD, as in encoding/json.
func (p *parser) unicodeEscape(i int) (rune, int, bool) {
	r, ok := hex4(p.text, i+2)
	if !ok {
		return 0, 0, false
	}
	if r < 0xD800 || r > 0xDFFF {
		return r, 6, true
	}
	if r <= 0xDBFF && i+12 <= len(p.text) && p.text[i+6] == '\\' && p.text[i+7] == 'u' {
		if lo, ok := hex4(p.text, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12, true
		}
	}
	return utf8.RuneError, 6, true
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// parseNumber parses a JSON number and keeps its literal text.
func (p *parser) parseNumber() (value, *SyntaxError) {
	start := p.pos
	t := p.text
	i := p.pos
	if t[i] == '-' {
		i++
	}
	switch {
	case i < len(t) && t[i] == '0':
		i++
	case i < len(t) && t[i] >= '1' && t[i] <= '9':
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
	default:
		return value{}, p.fail(start)
	}
	if i < len(t) && t[i] == '.' {
		i++
		d := i
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == d {
			return value{}, p.fail(start)
		}
	}
	if i < len(t) && (t[i] == 'e' || t[i] == 'E') {
		i++
		if i < len(t) && (t[i] == '+' || t[i] == '-') {
			i++
		}
		d := i
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		if i == d {
			return value{}, p.fail(start)
		}
	}
	p.pos = i
	return value{kind: kindNumber, off: start, str: t[start:i]}, nil
}
