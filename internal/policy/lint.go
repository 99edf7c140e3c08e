package policy

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/arn"
)

// Catalog is what Lint and Summarize need to know about AWS services, actions and condition
// keys. The policy package does not import the catalog itself (it stays pure and small); the
// caller fills these in, usually from internal/catalog. A nil function means "unknown": the
// checks that need it are skipped.
type Catalog struct {
	// KnownService reports whether a service prefix ("s3") exists, ignoring case.
	KnownService func(prefix string) bool
	// MatchActions returns the actions ("s3:GetObject") an Action element pattern matches, with
	// * and ? as wildcards and ignoring case; nil when it matches none. Lint needs the actions
	// themselves, not only how many, to decide whether one entry is covered by the others.
	MatchActions func(pattern string) []string
	// ConditionKeyType returns the type AWS documents for a condition key ("String", "ARN",
	// "Bool", "Date", "Numeric", "IPAddress", "ArrayOfString", …), matching keys with variables
	// such as aws:RequestTag/${TagKey}.
	ConditionKeyType func(key string) (typ string, ok bool)
	// AccessLevel returns an action's access level: "List", "Read", "Write",
	// "Permissions management" or "Tagging".
	AccessLevel func(action string) (level string, ok bool)
	// ARNFormats returns the ARN templates of the resource types whose ARNs have this service
	// part, exactly as spelled ("s3" → "arn:${Partition}:s3:::${BucketName}", …), whichever
	// service defines them; nil when there are none. Lint checks resource ARNs against them.
	ARNFormats func(service string) []string
	// ActionConditionKeys returns every condition key an action ("s3:GetObject") supports: its
	// own, its resource types' and those of the resource types' definitions; ok is false when
	// the action is unknown.
	ActionConditionKeys func(action string) (keys []string, ok bool)
}

// The finding types of IAM Access Analyzer's ValidatePolicy.
const (
	FindingError           = "ERROR"
	FindingSecurityWarning = "SECURITY_WARNING"
	FindingWarning         = "WARNING"
	FindingSuggestion      = "SUGGESTION"
)

// Issue codes. All but CodePolicySyntax are the codes of IAM Access Analyzer's policy check
// reference ("IAM policy validation check reference" in the IAM User Guide).
const (
	CodeJSONSyntax           = "JSON_SYNTAX_ERROR"
	CodePolicySyntax         = "POLICY_SYNTAX" // iamd: IAM's generic MalformedPolicyDocument
	CodeMissingAction        = "MISSING_ACTION"
	CodeMissingResource      = "MISSING_RESOURCE"
	CodeMissingPrincipal     = "MISSING_PRINCIPAL"
	CodeUnsupportedPrincipal = "UNSUPPORTED_PRINCIPAL"
	CodeInvalidPrincipal     = "INVALID_PRINCIPAL_FORMAT"
	CodeUniqueSidsRequired   = "UNIQUE_SIDS_REQUIRED"
	CodeUnsupportedSid       = "UNSUPPORTED_SID"
	CodeTrustResource        = "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"

	CodeInvalidAction          = "INVALID_ACTION"
	CodeInvalidServiceInAction = "INVALID_SERVICE_IN_ACTION"
	CodeInvalidService         = "INVALID_SERVICE"
	CodeInvalidGlobalKey       = "INVALID_GLOBAL_CONDITION_KEY"
	CodeInvalidServiceKey      = "INVALID_SERVICE_CONDITION_KEY"
	CodeTypeMismatch           = "TYPE_MISMATCH"
	CodeForAllValuesSingle     = "FORALLVALUES_WITH_SINGLE_VALUED_KEY"
	CodeMissingVersion         = "MISSING_VERSION"
	CodeAllowNotPrincipal      = "ALLOW_WITH_NOT_PRINCIPAL"
	CodeRedundantAction        = "REDUNDANT_ACTION"

	CodeEmptyArrayAction       = "EMPTY_ARRAY_ACTION"
	CodeEmptyArrayResource     = "EMPTY_ARRAY_RESOURCE"
	CodeEmptyArrayPrincipal    = "EMPTY_ARRAY_PRINCIPAL"
	CodeEmptyObjectPrincipal   = "EMPTY_OBJECT_PRINCIPAL"
	CodeEmptyArrayCondition    = "EMPTY_ARRAY_CONDITION"
	CodeEmptyArrayCondAll      = "EMPTY_ARRAY_CONDITION_FORALLVALUES"
	CodeEmptyArrayCondAny      = "EMPTY_ARRAY_CONDITION_FORANYVALUE"
	CodeEmptyArrayCondIfExists = "EMPTY_ARRAY_CONDITION_IFEXISTS"
	CodeEmptyObjectCondition   = "EMPTY_OBJECT_CONDITION"
	CodeEmptySid               = "EMPTY_SID_VALUE"
)

// PathStep is one step of a finding's location in the document: an object member's name, or
// (when Name is "") an array index.
type PathStep struct {
	Name  string
	Index int
}

// Finding is one result of Lint, shaped like IAM Access Analyzer's ValidatePolicyFinding.
type Finding struct {
	// Type is FindingError, FindingSecurityWarning, FindingWarning or FindingSuggestion.
	Type string
	// Code is the issue code, such as "INVALID_ACTION".
	Code string
	// Message explains the finding; for checks Access Analyzer documents it is its text.
	Message string
	// Statement is the zero-based index of the statement concerned, or -1 for the document.
	Statement int
	// Path locates the element, "Statement[0].Action[1]"; Steps is the same path step by step.
	Path  string
	Steps []PathStep
	// Line and Column (1-based, Column counted in characters, as in SyntaxError) and Offset (a
	// byte offset) locate the start of the element; the End fields locate the byte after it.
	// All are 0 when no element is to blame.
	Line, Column, Offset          int
	EndLine, EndColumn, EndOffset int
}

// Lint checks a policy document the way IAM Access Analyzer's ValidatePolicy does, using cat
// for what AWS's service authorization reference knows. It returns the findings in document
// order. The error is only for an invalid kind.
//
// Lint implements the checks of AWS's "IAM policy validation check reference" (the issue codes
// in this package; lint_checklist_test.go lists every check with a document that fires it and
// one that does not): the grammar of elements and values (errors), principals and what role
// trust policies, SCPs and RCPs allow, condition operators and keys and the formats of their
// values (booleans, numbers, dates, IP ranges, base64, Regions, VPC and VPC endpoint IDs,
// service principals, KMS key ARNs), resource ARNs against the catalog's ARN formats
// (ARNFormats), actions and condition keys against the catalog (MatchActions,
// ConditionKeyType, ActionConditionKeys), policy variables, the PassRole and
// CreateServiceLinkedRole grants, overly broad or redundant elements, and the size quotas. A
// nil Catalog function skips the checks that need it.
//
// IAM's own rejection of the document (Parse's SyntaxError) is reported as an ERROR finding
// only when no Access Analyzer check already explains it, with Access Analyzer's code and
// message where one fits (else CodePolicySyntax and IAM's message); text that is not JSON
// yields only that finding, JSON_SYNTAX_ERROR.
//
// Differences from Access Analyzer: no "Did you mean" suggestions; UNSUPPORTED_ACTION_IN_POLICY
// and UNSUPPORTED_RESOURCE_ARN_IN_POLICY need the type of resource a resource-based policy is
// attached to (LintWith); UNSUPPORTED_ACTION_FOR_CONDITION_KEY is not checked in role trust
// policies, whose actions share one request; Regions are checked against a fixed list, not against
// where each service runs; identity-provider condition keys (accounts.google.com:aud, OIDC
// hosts) are not looked up in the catalog; resource-based policy size is checked against
// Amazon S3's 20,480-character quota. Some checks whose exact scope AWS does not document are
// approximations, noted where they are implemented (sensitive keys for the *_USAGE_TOO_PERMISSIVE
// errors, aws:ARN as deprecated in identity-side and unsupported in resource-side policies,
// services whose ARNs may omit the account).
func Lint(text string, kind Kind, cat Catalog) ([]Finding, error) {
	return LintWith(text, kind, cat, LintOptions{})
}

// LintOptions are ValidatePolicy's optional inputs.
type LintOptions struct {
	// ResourceType is the type of resource a resource-based policy is attached to, as
	// ValidatePolicy's validatePolicyResourceType names it: "AWS::S3::Bucket",
	// "AWS::S3::AccessPoint", "AWS::S3::MultiRegionAccessPoint",
	// "AWS::S3ObjectLambda::AccessPoint", "AWS::DynamoDB::Table" or
	// "AWS::IAM::AssumeRolePolicyDocument". With it, Lint reports actions and resource ARNs
	// that policy cannot govern (UNSUPPORTED_ACTION_IN_POLICY,
	// UNSUPPORTED_RESOURCE_ARN_IN_POLICY). Empty means unknown.
	ResourceType string
}

// LintWith is Lint with ValidatePolicy's optional inputs. An unknown ResourceType is an error.
func LintWith(text string, kind Kind, cat Catalog, opts LintOptions) ([]Finding, error) {
	if kind < Identity || kind > RCP {
		return nil, fmt.Errorf("policy: lint: invalid kind %d", kind)
	}
	if _, ok := lintResourceTypes[opts.ResourceType]; !ok && opts.ResourceType != "" {
		return nil, fmt.Errorf("policy: lint: unknown resource type %q", opts.ResourceType)
	}
	l := &linter{text: text, kind: kind, cat: cat, resourceType: opts.ResourceType, globCells: lintGlobCells}
	root, se := lintParse(text, kind)
	switch {
	case root == nil:
		l.syntax(se)
	case root.kind != kindObject:
		l.add(FindingError, CodeDataTypeMismatch, lintDataType("Object"), lintLoc{stmt: -1, start: root.off, end: lintEnd(text, root.off)})
	default:
		l.document(root)
		// IAM's own rejection is reported only when no check of Access Analyzer's explains it.
		if se != nil && !l.hasError() && !(kind == Resource && se.Message == msgSidUnique) {
			l.syntax(se)
		}
	}
	sort.SliceStable(l.out, func(i, j int) bool {
		if l.out[i].Offset != l.out[j].Offset {
			return l.out[i].Offset < l.out[j].Offset
		}
		return l.out[i].Code < l.out[j].Code
	})
	return l.out, nil
}

// lintParse does what Parse does, keeping the JSON tree: root is nil when the text is not JSON
// (or is rejected before it is read); se is IAM's rejection, if any.
func lintParse(text string, kind Kind) (root *value, se *SyntaxError) {
	if len(text) > MaxDocumentBytes {
		return nil, &SyntaxError{Message: msgSyntax, Line: 1, Column: 1}
	}
	p := &parser{text: text}
	r, err := p.parseDocument()
	off, charsetOK := checkCharset(text)
	switch {
	case !charsetOK:
		se = errorAt(text, off, msgCharset)
		se.Charset = true
	case err != nil:
		if kind == Trust {
			err.Message = msgInvalidJSONTrust
		}
		return nil, err
	}
	if se == nil {
		v := &validator{text: text, kind: kind}
		if _, verr := v.document(r); verr != nil {
			if !errors.As(verr, &se) {
				se = &SyntaxError{Message: msgSyntax}
			}
		}
	}
	if err != nil {
		return nil, se
	}
	return &r, se
}

type linter struct {
	text    string
	kind    Kind
	cat     Catalog
	out     []Finding
	version string // the document's Version, "" when absent or not a string
	// resourceType is LintOptions.ResourceType.
	resourceType string
	formats      map[string][]arnFormat
	lines        []int                  // byte offsets of line starts, built on first use
	matches      map[string][]string    // MatchActions results by pattern
	keys         map[string]lintKeyType // ConditionKeyType results by lower-case key
	// globCells is what is left of the document's budget for comparing two wildcard patterns
	// (lintGlobCells).
	globCells int
}

// lintGlobCells bounds the work of comparing wildcard patterns in one document: a comparison of
// two patterns with wildcards costs len(a)×len(b) table cells, and a document of long patterns
// such as "?*?*?*…" against every ARN format of a service took seconds of CPU. Past the budget
// two patterns are taken to intersect, so no finding is made from them.
const lintGlobCells = 20_000_000

// globsIntersect is lintGlobsIntersect within the document's budget.
func (l *linter) globsIntersect(a, b string) bool {
	if strings.ContainsAny(a, "*?") && strings.ContainsAny(b, "*?") {
		cells := (len(a) + 1) * (len(b) + 1)
		if cells > l.globCells {
			return true
		}
		l.globCells -= cells
	}
	return lintGlobsIntersect(a, b)
}

type lintKeyType struct {
	typ string
	ok  bool
}

// position returns the 1-based line and character column of a byte offset, through an index of
// line starts.
func (l *linter) position(off int) (line, col int) {
	if l.lines == nil {
		l.lines = append(l.lines, 0)
		for i := 0; i < len(l.text); i++ {
			if l.text[i] == '\n' {
				l.lines = append(l.lines, i+1)
			}
		}
	}
	off = min(off, len(l.text))
	line = sort.Search(len(l.lines), func(i int) bool { return l.lines[i] > off })
	return line, utf8.RuneCountInString(l.text[l.lines[line-1]:off]) + 1
}

// match is cat.MatchActions, remembered for the document (a pattern is matched by several checks).
func (l *linter) match(pattern string) []string {
	if m, ok := l.matches[pattern]; ok {
		return m
	}
	if l.matches == nil {
		l.matches = map[string][]string{}
	}
	m := l.cat.MatchActions(pattern)
	l.matches[pattern] = m
	return m
}

// keyType is cat.ConditionKeyType, remembered for the document.
func (l *linter) keyType(key string) (string, bool) {
	lower := strings.ToLower(key)
	if t, ok := l.keys[lower]; ok {
		return t.typ, t.ok
	}
	if l.keys == nil {
		l.keys = map[string]lintKeyType{}
	}
	typ, ok := l.cat.ConditionKeyType(key)
	if i := strings.LastIndexByte(key, '/'); !ok && i > 0 && i < len(key)-1 {
		// The catalog spells some tag keys' variable as text (see lintKeySuffixes).
		for _, suffix := range lintKeySuffixes {
			if typ, ok = l.cat.ConditionKeyType(key[:i+1] + suffix); ok {
				break
			}
		}
	}
	l.keys[lower] = lintKeyType{typ, ok}
	return typ, ok
}

func (l *linter) hasError() bool {
	for i := range l.out {
		if l.out[i].Type == FindingError {
			return true
		}
	}
	return false
}

// syntaxCodes maps IAM's messages for rejected documents to Access Analyzer's issue codes.
var syntaxCodes = map[string]string{
	msgInvalidJSONTrust: CodeJSONSyntax,
	msgSidUnique:        CodeUniqueSidsRequired,
	msgSidChars:         CodeUnsupportedSid,
	msgNoActions:        CodeMissingAction,
	msgNoResources:      CodeMissingResource,
	msgNoPrincipal:      CodeMissingPrincipal,
	msgNoPrincipalTrust: CodeMissingPrincipal,
	msgPrincipalBanned:  CodeUnsupportedPrincipal,
	msgResourceBanned:   CodeTrustResource,
	msgInvalidPrincipal: CodeInvalidPrincipal,
	msgActionVendor:     CodeInvalidAction,
	msgActionColons:     CodeInvalidAction,
	msgActionWildVendor: CodeInvalidServiceInAction,
}

func (l *linter) syntax(se *SyntaxError) {
	code, ok := syntaxCodes[se.Message]
	if !ok {
		code = CodePolicySyntax
		if se.Message == msgSyntax && !lintValidJSON(l.text) {
			code = CodeJSONSyntax
		}
	}
	f := Finding{Type: FindingError, Code: code, Message: se.Message, Statement: -1}
	if msg, ok := syntaxMessages[code]; ok {
		f.Message = msg
	}
	if se.Line > 0 {
		off := lintOffset(l.text, se.Line, se.Column)
		f.Line, f.Column, f.Offset = se.Line, se.Column, off
		f.EndLine, f.EndColumn, f.EndOffset = se.Line, se.Column, off
		if code == CodeJSONSyntax {
			f.Message = fmt.Sprintf("Fix the JSON syntax error at index %d line %d column %d.", off, se.Line, se.Column)
		}
	} else if code == CodeJSONSyntax {
		f.Message = "Fix the JSON syntax error."
	}
	l.out = append(l.out, f)
}

// syntaxMessages are Access Analyzer's messages for the codes IAM's rejections map to, where
// the message needs nothing IAM's error does not carry (an invalid principal keeps IAM's
// "Invalid principal in policy", which says more than Access Analyzer's format message).
var syntaxMessages = map[string]string{
	CodeUniqueSidsRequired: "Duplicate statement IDs are not supported for this policy type. Update the Sid value.",
	CodeUnsupportedSid:     "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]",
	CodeMissingAction:      "Add an Action or NotAction element to the policy statement.",
	CodeMissingResource:    "Add a Resource or NotResource element to the policy statement.",
	CodeMissingPrincipal:   "Add a Principal element to the policy statement.",
	CodeTrustResource:      "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element.",
}

func lintValidJSON(text string) bool {
	p := &parser{text: text}
	_, err := p.parseDocument()
	return err == nil
}

// lintOffset is the byte offset of a 1-based line and character column.
func lintOffset(text string, line, col int) int {
	l, c := 1, 1
	for i, r := range text {
		if l == line && c == col {
			return i
		}
		if r == '\n' {
			l, c = l+1, 1
			continue
		}
		c++
	}
	return len(text)
}

// lintEnd returns the offset just after the JSON value (or string) starting at off; the text
// is known to be valid JSON.
func lintEnd(text string, off int) int {
	if off >= len(text) {
		return len(text)
	}
	switch text[off] {
	case '"':
		for i := off + 1; i < len(text); i++ {
			switch text[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(text)
	case '{', '[':
		depth := 0
		for i := off; i < len(text); i++ {
			switch text[i] {
			case '"':
				i = lintEnd(text, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(text)
	}
	i := off
	for i < len(text) && !strings.ContainsRune(" \t\r\n,]}", rune(text[i])) {
		i++
	}
	return i
}

// lintLoc is where an element is: its path and its byte span.
type lintLoc struct {
	stmt       int
	steps      []PathStep
	start, end int
}

func (l *linter) at(base []PathStep, stmt, start, end int, more ...PathStep) lintLoc {
	steps := make([]PathStep, 0, len(base)+len(more))
	steps = append(steps, base...)
	steps = append(steps, more...)
	return lintLoc{stmt: stmt, steps: steps, start: start, end: end}
}

func (l *linter) add(typ, code, msg string, where lintLoc) {
	f := Finding{
		Type: typ, Code: code, Message: msg, Statement: where.stmt,
		Path: pathString(where.steps), Steps: where.steps,
		Offset: where.start, EndOffset: where.end,
	}
	f.Line, f.Column = l.position(where.start)
	f.EndLine, f.EndColumn = l.position(where.end)
	l.out = append(l.out, f)
}

func pathString(steps []PathStep) string {
	var b strings.Builder
	for _, s := range steps {
		if s.Name == "" {
			b.WriteString("[" + strconv.Itoa(s.Index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.Name)
	}
	return b.String()
}

func lintStep(s string) PathStep { return PathStep{Name: s} }
func lintStepAt(i int) PathStep  { return PathStep{Index: i} }

// action checks one Action or NotAction entry against the catalog.
func (l *linter) action(i int, a strElem) {
	if a.s == "*" {
		return
	}
	svc, _, ok := strings.Cut(a.s, ":")
	if !ok || svc == "" || strings.ContainsAny(svc, "*?") {
		return // Parse reports the form
	}
	where := lintLoc{stmt: i, steps: a.steps, start: a.off, end: lintEnd(l.text, a.off)}
	if l.cat.KnownService != nil && !l.cat.KnownService(svc) {
		l.add(FindingError, CodeInvalidServiceInAction,
			fmt.Sprintf("The service %s specified in the action does not exist.", svc), where)
		return
	}
	if _, name, _ := strings.Cut(a.s, ":"); name == "*" {
		return // every known service has actions
	}
	if l.cat.MatchActions != nil && len(l.match(a.s)) == 0 {
		l.add(FindingError, CodeInvalidAction, fmt.Sprintf("The action %s does not exist.", a.s), where)
	}
}

// lintOpKind is the type family of a condition operator.
type lintOpKind uint8

const (
	opUnknown lintOpKind = iota
	opString
	opNumeric
	opDate
	opBool
	opBinary
	opIP
	opARN
	opNull
)

// lintOperator strips the set prefix and IfExists suffix and classifies the base operator.
func lintOperator(op string) (set string, ifExists bool, k lintOpKind) {
	base := op
	for _, p := range []string{"ForAllValues:", "ForAnyValue:"} {
		if rest, ok := strings.CutPrefix(base, p); ok {
			set, base = strings.TrimSuffix(p, ":"), rest
		}
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		base, ifExists = b, true
	}
	switch {
	case strings.HasPrefix(base, "String"):
		k = opString
	case strings.HasPrefix(base, "Numeric"):
		k = opNumeric
	case strings.HasPrefix(base, "Date"):
		k = opDate
	case base == "Bool":
		k = opBool
	case strings.HasPrefix(base, "Binary"):
		k = opBinary
	case base == "IpAddress" || base == "NotIpAddress":
		k = opIP
	case strings.HasPrefix(base, "Arn"):
		k = opARN
	case base == "Null":
		k = opNull
	}
	return set, ifExists, k
}

// fits reports whether an operator of kind k suits a key of the (non-array) type typ. String
// operators also suit ARN keys, which AWS documents as comparable with either; numeric
// operators suit aws:EpochTime, which AWS documents as both a date and a number.
func lintFits(k lintOpKind, typ, key string) bool {
	switch k {
	case opNull, opUnknown:
		return true
	case opString:
		return typ == "String" || typ == "ARN"
	case opNumeric:
		return typ == "Numeric" || strings.EqualFold(key, "aws:EpochTime")
	case opDate:
		return typ == "Date"
	case opBool:
		return typ == "Bool"
	case opBinary:
		return typ == "Binary"
	case opIP:
		return typ == "IPAddress"
	case opARN:
		return typ == "ARN"
	}
	return true
}

func (l *linter) emptyCondition(key, set string, ifExists bool, where lintLoc) {
	switch {
	case set == "ForAllValues":
		l.add(FindingSuggestion, CodeEmptyArrayCondAll,
			fmt.Sprintf("The ForAllValues prefix with an empty condition key matches only if the key %s is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.", key), where)
	case set == "ForAnyValue":
		l.add(FindingSuggestion, CodeEmptyArrayCondAny,
			fmt.Sprintf("The ForAnyValue prefix with an empty condition key %s never matches the request context and it does not affect the policy. Specify conditions.", key), where)
	case ifExists:
		l.add(FindingSuggestion, CodeEmptyArrayCondIfExists,
			fmt.Sprintf("The IfExists suffix with an empty condition key matches only if the key %s is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.", key), where)
	default:
		l.add(FindingSuggestion, CodeEmptyArrayCondition,
			fmt.Sprintf("There are no values for the condition key %s and it does not affect the policy. Specify conditions.", key), where)
	}
}

// conditionKey looks a key up, reporting it when it does not exist; ok is true when its type
// is known.
func (l *linter) conditionKey(key string, where lintLoc) (typ string, ok bool) {
	if l.cat.ConditionKeyType == nil {
		return "", false
	}
	if typ, ok := l.keyType(key); ok {
		return typ, true
	}
	prefix, _, found := strings.Cut(key, ":")
	if !found || prefix == "" || strings.ContainsAny(prefix, "./$") {
		return "", false // identity-provider keys (accounts.google.com:aud, OIDC hosts), variables
	}
	switch {
	case strings.EqualFold(prefix, "aws"):
		l.add(FindingError, CodeInvalidGlobalKey,
			fmt.Sprintf("The condition key %s does not exist. Use a valid condition key.", key), where)
	case l.cat.KnownService != nil && !l.cat.KnownService(prefix):
		l.add(FindingError, CodeInvalidService,
			fmt.Sprintf("The service %s does not exist. Use a valid service name.", prefix), where)
	default:
		l.add(FindingError, CodeInvalidServiceKey,
			fmt.Sprintf("The condition key %s does not exist in the service %s. Use a valid condition key.", key, prefix), where)
	}
	return "", false
}

// lintSensitive describes an action Access Analyzer warns about when granted too broadly.
type lintSensitive struct {
	action string // "iam:PassRole"
	probe  string // a resource part any "too broad" pattern matches
	typ    string // finding type
	prefix string // issue code prefix
	// messages by case; the star-in-resource ones are silenced by silencer when set.
	silencer                                                             string
	star, starAction, starNotAction, notRes, starActNotRes, notActNotRes string
}

var passRole = &lintSensitive{
	action: "iam:PassRole", probe: "role/iamd-lint-probe", typ: FindingSecurityWarning, prefix: "PASS_ROLE",
	silencer:      "iam:passedtoservice",
	star:          "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
	starAction:    "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
	starNotAction: "Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
	notRes:        "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
	starActNotRes: "Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
	notActNotRes:  "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
}

var createSLR = &lintSensitive{
	action: "iam:CreateServiceLinkedRole", probe: "role/aws-service-role/iamd-lint-probe", typ: FindingWarning, prefix: "CREATE_SLR",
	star:          "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.",
	starAction:    "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
	starNotAction: "Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
	notRes:        "Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead.",
	starActNotRes: "Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
	notActNotRes:  "Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
}

// grants reports an Allow statement that grants a lintSensitive action on every resource.
func (l *linter) grants(i int, base []PathStep, f *stmtFacts, s *lintSensitive) {
	// How the action is granted: "explicit" (named), "star" (through a wildcard), "not" (NotAction
	// that does not exclude it), or "" (not granted).
	how := ""
	switch {
	case f.hasAction:
		for _, a := range f.actions {
			if strings.EqualFold(a.s, s.action) {
				how = "explicit"
				break
			}
			if strings.ContainsAny(a.s, "*?") && arn.GlobFold(a.s, s.action) {
				how = "star"
			}
		}
	case f.hasNotAction:
		how = "not"
		for _, a := range f.notActions {
			if a.s == "*" || arn.GlobFold(a.s, s.action) {
				how = ""
			}
		}
	}
	if how == "" {
		return
	}
	if f.notResource != nil {
		msg, code := s.notRes, s.prefix+"_WITH_NOT_RESOURCE"
		switch how {
		case "star":
			msg, code = s.starActNotRes, s.prefix+"_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE"
		case "not":
			msg, code = s.notActNotRes, s.prefix+"_WITH_NOT_ACTION_AND_NOT_RESOURCE"
		}
		m := f.notResource
		l.add(s.typ, code, msg, l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep("NotResource")))
		return
	}
	if s.silencer != "" && f.conditionKeysSet[s.silencer] {
		return
	}
	for _, r := range f.resources {
		if !lintBroad(r.s, s.probe) {
			continue
		}
		msg, code := s.star, s.prefix+"_WITH_STAR_IN_RESOURCE"
		switch how {
		case "star":
			msg, code = s.starAction, s.prefix+"_WITH_STAR_IN_ACTION_AND_RESOURCE"
		case "not":
			msg, code = s.starNotAction, s.prefix+"_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"
		}
		l.add(s.typ, code, msg, lintLoc{stmt: i, steps: r.steps, start: r.off, end: lintEnd(l.text, r.off)})
		return
	}
}

// lintBroad reports whether a Resource pattern covers IAM roles in general: "*", or an ARN
// pattern whose service part matches iam and whose resource part matches the probe (so
// "arn:aws:iam::*:role/*" is broad and "arn:aws:iam::*:role/Service*" is not).
func lintBroad(r, probe string) bool {
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) < 6 {
		return false
	}
	return arn.GlobFold(parts[2], "iam") && arn.GlobFold(parts[5], probe)
}

// redundant reports Action entries whose every action another entry already grants. It walks
// the entries from last to first, so that of two equal entries the later one is reported.
func (l *linter) redundant(i int, actions []strElem) {
	if l.cat.MatchActions == nil || len(actions) < 2 {
		return
	}
	sets := make([][]string, len(actions))
	count := map[string]int{}
	for j, a := range actions {
		for _, m := range l.match(a.s) {
			m = strings.ToLower(m)
			sets[j] = append(sets[j], m)
			count[m]++
		}
	}
	var redundant []int
	for j := len(actions) - 1; j >= 0; j-- {
		if len(sets[j]) == 0 {
			continue
		}
		covered := true
		for _, m := range sets[j] {
			if count[m] < 2 {
				covered = false
				break
			}
		}
		if covered {
			redundant = append(redundant, j)
			for _, m := range sets[j] {
				count[m]--
			}
		}
	}
	if len(redundant) == 0 {
		return
	}
	first := actions[redundant[len(redundant)-1]]
	l.add(FindingSuggestion, CodeRedundantAction,
		fmt.Sprintf("The %d action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: %s.", len(redundant), first.s),
		lintLoc{stmt: i, steps: first.steps, start: first.off, end: lintEnd(l.text, first.off)})
}

// StatementLevels summarizes what one statement's Action or NotAction covers: the actions,
// expanded through the catalog, and how many there are at each access level.
type StatementLevels struct {
	Statement int
	Sid       string
	Effect    Effect
	// Actions are the catalog actions the statement covers, sorted ignoring case.
	Actions []string
	// Levels counts Actions by access level ("List", "Read", "Write", "Permissions management",
	// "Tagging"); actions without a known level count under "".
	Levels map[string]int
}

// Summarize expands each statement's actions through the catalog, like the policy summary of
// the IAM console: Action patterns are expanded, NotAction means every catalog action except
// the ones it matches. Resources and conditions are not taken into account.
func Summarize(doc *Document, cat Catalog) []StatementLevels {
	out := make([]StatementLevels, 0, len(doc.Statements))
	var all []string
	for _, st := range doc.Statements {
		seen := map[string]string{} // lower → as spelled
		if st.NotAction != nil {
			if all == nil && cat.MatchActions != nil {
				all = cat.MatchActions("*")
			}
			excluded := map[string]bool{}
			for _, p := range st.NotAction {
				for _, a := range lintMatch(cat, p) {
					excluded[strings.ToLower(a)] = true
				}
			}
			for _, a := range all {
				if !excluded[strings.ToLower(a)] {
					seen[strings.ToLower(a)] = a
				}
			}
		}
		for _, p := range st.Action {
			for _, a := range lintMatch(cat, p) {
				seen[strings.ToLower(a)] = a
			}
		}
		s := StatementLevels{Statement: st.Index, Sid: st.Sid, Effect: st.Effect, Levels: map[string]int{}}
		for _, a := range seen {
			s.Actions = append(s.Actions, a)
			level := ""
			if cat.AccessLevel != nil {
				level, _ = cat.AccessLevel(a)
			}
			s.Levels[level]++
		}
		sort.Slice(s.Actions, func(a, b int) bool { return strings.ToLower(s.Actions[a]) < strings.ToLower(s.Actions[b]) })
		out = append(out, s)
	}
	return out
}

func lintMatch(cat Catalog, pattern string) []string {
	if cat.MatchActions == nil {
		return nil
	}
	return cat.MatchActions(pattern)
}
