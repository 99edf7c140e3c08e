package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// AWS's messages for rejected policy documents. Sources: the IAM error texts reported in public
// issue trackers (terraform-provider-aws, aws-cdk, kops, cfn-lint, localstack) and the cases in
// moto's IAM policy tests, which were recorded against AWS.
const (
	msgSyntax           = condition.SyntaxErrorMessage // "Syntax errors in policy."
	msgInvalidJSONTrust = "This policy contains invalid Json"
	msgCharset          = `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
	msgLegacy           = "The policy failed legacy parsing"
	msgVersionRequired  = "Policy document must be version 2012-10-17 or greater."
	msgSidUnique        = "Statement IDs (SID) in a single policy must be unique."
	msgSidChars         = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgNoActions        = "Policy statement must contain actions."
	msgNoResources      = "Policy statement must contain resources."
	msgNoPrincipal      = "Missing required field Principal"
	msgNoPrincipalTrust = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
	msgPrincipalBanned  = "Policy document should not specify a principal."
	msgResourceBanned   = "Has prohibited field Resource"
	msgInvalidPrincipal = "Invalid principal in policy"
	msgActionVendor     = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgActionColons     = "Actions/Condition can contain only one colon."
	msgActionWildVendor = "Action vendors (e.g., aws, ec2, etc.) must not contain wildcards"
	msgResourceVendor   = "Resource vendor must be fully qualified and cannot contain regexes."
)

// Version2012 is the current policy language version; Version2008 is the legacy one, also what a
// document without a Version element is processed as.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// RequireCurrentVersion rejects a document whose Version is not 2012-10-17, with AWS's message.
// Parse accepts 2008-10-17 and a missing Version for every kind, as inline and trust policies
// allow; CreatePolicy and CreatePolicyVersion (managed policies) are stricter, and their callers
// apply this check too.
func RequireCurrentVersion(doc *Document) error {
	if doc.Version != Version2012 {
		return &SyntaxError{Message: msgVersionRequired}
	}
	return nil
}

// strAt is a string element of the document and the offset of its JSON value.
type strAt struct {
	s   string
	off int
}

// stmtInfo keeps what the later checks need to know about a statement's text.
type stmtInfo struct {
	off         int
	effect      strAt
	sidOff      int
	actionKey   string // "Action", "NotAction" or ""
	actions     []strAt
	actionOff   int
	resourceKey string // "Resource", "NotResource" or ""
	resources   []strAt
	resourceOff int
	principal   *member // the Principal or NotPrincipal member
	dates       []strAt // values of Date* condition operators
	condKeys    []strAt
}

// validator turns a parsed JSON value into a Document, applying IAM's checks in AWS's order.
type validator struct {
	text  string
	kind  Kind
	doc   *Document
	stmts []stmtInfo
}

func (v *validator) fail(off int, msg string) *SyntaxError { return errorAt(v.text, off, msg) }

func (v *validator) document(root value) (*Document, error) {
	if err := v.syntax(root); err != nil {
		return nil, err
	}
	checks := []func() *SyntaxError{
		v.legacy, v.sids, v.actionsPresent, v.principalsPresent, v.resourcesPresent,
		v.resourceForms, v.actionForms, v.conditionKeys, v.principalForms,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return v.doc, nil
}

// syntax checks the document's grammar and builds the Document. Every failure here is AWS's
// generic "Syntax errors in policy.".
func (v *validator) syntax(root value) *SyntaxError {
	if root.kind != kindObject {
		return v.fail(root.off, msgSyntax)
	}
	v.doc = &Document{}
	var stmts *member
	for i := range root.obj {
		m := &root.obj[i]
		switch m.key {
		case "Version":
			if m.val.kind != kindString || (m.val.str != Version2012 && m.val.str != Version2008) {
				return v.fail(m.val.off, msgSyntax)
			}
			v.doc.Version = m.val.str
		case "Id":
			if m.val.kind != kindString {
				return v.fail(m.val.off, msgSyntax)
			}
			v.doc.ID = m.val.str
		case "Statement":
			stmts = m
		default:
			return v.fail(m.keyOff, msgSyntax)
		}
	}
	if stmts == nil {
		return v.fail(root.off, msgSyntax)
	}
	var list []value
	switch stmts.val.kind {
	case kindObject:
		list = []value{stmts.val}
	case kindArray:
		list = stmts.val.arr
		if len(list) == 0 {
			return v.fail(stmts.val.off, msgSyntax)
		}
	default:
		return v.fail(stmts.val.off, msgSyntax)
	}
	v.doc.Statements = make([]Statement, len(list))
	v.stmts = make([]stmtInfo, len(list))
	for i := range list {
		if err := v.statement(i, &list[i]); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) statement(i int, sv *value) *SyntaxError {
	if sv.kind != kindObject {
		return v.fail(sv.off, msgSyntax)
	}
	st := &v.doc.Statements[i]
	info := &v.stmts[i]
	st.Index = i
	info.off = sv.off
	info.sidOff = -1
	hasEffect := false
	for j := range sv.obj {
		m := &sv.obj[j]
		var err *SyntaxError
		switch m.key {
		case "Sid":
			if m.val.kind != kindString {
				return v.fail(m.val.off, msgSyntax)
			}
			st.Sid, info.sidOff = m.val.str, m.val.off
		case "Effect":
			if m.val.kind != kindString {
				return v.fail(m.val.off, msgSyntax)
			}
			switch {
			case strings.EqualFold(m.val.str, "Allow"):
				st.Effect = Allow
			case strings.EqualFold(m.val.str, "Deny"):
				st.Effect = Deny
			default:
				return v.fail(m.val.off, msgSyntax)
			}
			hasEffect = true
			info.effect = strAt{m.val.str, m.val.off}
		case "Action", "NotAction":
			if info.actionKey != "" {
				return v.fail(m.keyOff, msgSyntax)
			}
			info.actionKey, info.actionOff = m.key, m.val.off
			var list []string
			list, info.actions, err = v.stringList(&m.val)
			if m.key == "Action" {
				st.Action = list
			} else {
				st.NotAction = list
			}
		case "Resource", "NotResource":
			if info.resourceKey != "" {
				return v.fail(m.keyOff, msgSyntax)
			}
			info.resourceKey, info.resourceOff = m.key, m.val.off
			var list []string
			list, info.resources, err = v.stringList(&m.val)
			if m.key == "Resource" {
				st.Resource = list
			} else {
				st.NotResource = list
			}
		case "Principal", "NotPrincipal":
			if info.principal != nil {
				return v.fail(m.keyOff, msgSyntax)
			}
			info.principal = m
			var p *Principal
			p, err = v.principal(&m.val)
			if m.key == "Principal" {
				st.Principal = p
			} else {
				st.NotPrincipal = p
			}
		case "Condition":
			st.Conditions, err = v.conditions(info, &m.val)
		default:
			return v.fail(m.keyOff, msgSyntax)
		}
		if err != nil {
			return err
		}
	}
	if !hasEffect {
		return v.fail(sv.off, msgSyntax)
	}
	return nil
}

// stringList reads a string or an array of strings. The result is never nil.
func (v *validator) stringList(val *value) ([]string, []strAt, *SyntaxError) {
	switch val.kind {
	case kindString:
		return []string{val.str}, []strAt{{val.str, val.off}}, nil
	case kindArray:
		list := make([]string, len(val.arr))
		at := make([]strAt, len(val.arr))
		for i, e := range val.arr {
			if e.kind != kindString {
				return nil, nil, v.fail(e.off, msgSyntax)
			}
			list[i], at[i] = e.str, strAt{e.str, e.off}
		}
		return list, at, nil
	}
	return nil, nil, v.fail(val.off, msgSyntax)
}

// principal reads a Principal or NotPrincipal value: "*" or an object of principal type to one
// value or a non-empty array of values. The values themselves are checked by principalForms.
func (v *validator) principal(val *value) (*Principal, *SyntaxError) {
	switch val.kind {
	case kindString:
		if val.str != "*" {
			return nil, v.fail(val.off, msgSyntax)
		}
		return &Principal{Wildcard: true}, nil
	case kindObject:
		if len(val.obj) == 0 {
			return nil, v.fail(val.off, msgSyntax)
		}
	default:
		return nil, v.fail(val.off, msgSyntax)
	}
	p := &Principal{}
	for i := range val.obj {
		m := &val.obj[i]
		list, _, err := v.stringList(&m.val)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, v.fail(m.val.off, msgSyntax)
		}
		switch m.key {
		case "AWS":
			p.AWS = list
		case "Service":
			p.Service = list
		case "Federated":
			p.Federated = list
		case "CanonicalUser":
			p.CanonicalUser = list
		default:
			return nil, v.fail(m.keyOff, msgSyntax)
		}
	}
	return p, nil
}

// conditions reads a Condition block: operator → condition key → a string, number or boolean, or
// an array of them (possibly empty). Numbers and booleans keep their literal text.
func (v *validator) conditions(info *stmtInfo, val *value) ([]Condition, *SyntaxError) {
	if val.kind != kindObject {
		return nil, v.fail(val.off, msgSyntax)
	}
	var out []Condition
	for i := range val.obj {
		op := &val.obj[i]
		if condition.CheckOperator(op.key) != nil || op.val.kind != kindObject {
			return nil, v.fail(op.keyOff, msgSyntax)
		}
		isDate := strings.HasPrefix(baseOperator(op.key), "Date")
		for j := range op.val.obj {
			k := &op.val.obj[j]
			var values []string
			switch k.val.kind {
			case kindString, kindNumber, kindBool:
				values = []string{k.val.str}
				if isDate {
					info.dates = append(info.dates, strAt{k.val.str, k.val.off})
				}
			case kindArray:
				values = make([]string, len(k.val.arr))
				for n, e := range k.val.arr {
					if e.kind != kindString && e.kind != kindNumber && e.kind != kindBool {
						return nil, v.fail(e.off, msgSyntax)
					}
					values[n] = e.str
					if isDate {
						info.dates = append(info.dates, strAt{e.str, e.off})
					}
				}
			default:
				return nil, v.fail(k.val.off, msgSyntax)
			}
			info.condKeys = append(info.condKeys, strAt{k.key, k.keyOff})
			out = append(out, Condition{Operator: op.key, Key: k.key, Values: values})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Operator != out[b].Operator {
			return out[a].Operator < out[b].Operator
		}
		return out[a].Key < out[b].Key
	})
	return out, nil
}

// baseOperator strips a set-operator prefix and the IfExists suffix.
func baseOperator(op string) string {
	op = strings.TrimPrefix(op, "ForAllValues:")
	op = strings.TrimPrefix(op, "ForAnyValue:")
	return strings.TrimSuffix(op, "IfExists")
}

// legacy applies the checks that AWS reports as "The policy failed legacy parsing": the Effect
// value's case, ARNs with an empty service or too few parts, and date condition values that are
// neither an ISO 8601 date nor epoch seconds. As in AWS, once a resource has a format error (see
// resourceMessage) the legacy check of later resources is skipped and the format error is
// reported after the presence checks.
func (v *validator) legacy() *SyntaxError {
	formatError := false
	for i := range v.stmts {
		info := &v.stmts[i]
		if e := info.effect.s; e != "Allow" && e != "Deny" {
			return v.fail(info.effect.off, msgLegacy)
		}
		for _, r := range info.resources {
			if formatError {
				break
			}
			if resourceMessage(r.s) != "" {
				formatError = true
				break
			}
			if legacyResource(r.s) {
				return v.fail(r.off, msgLegacy)
			}
		}
		for _, d := range info.dates {
			if v.doc.Version == Version2012 && strings.Contains(d.s, "${") {
				continue // resolved at evaluation time
			}
			if !legacyDate(d.s) {
				return v.fail(d.off, msgLegacy)
			}
		}
	}
	return nil
}

// legacyResource reports whether the legacy parser rejects an ARN: one with fewer than six parts
// that contains "::", or one whose service part is empty.
func legacyResource(r string) bool {
	if r == "*" {
		return false
	}
	if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
		return true
	}
	parts := strings.SplitN(r, ":", 4)
	return len(parts) > 2 && parts[2] == ""
}

// sids checks that Sids are unique (ignoring empty ones) and, in policies that IAM stores, made of
// ASCII letters and digits ("The Sid element supports ASCII uppercase letters (A-Z), lowercase
// letters (a-z), and numbers (0-9)"). Resource-based policies of other services allow more.
func (v *validator) sids() *SyntaxError {
	seen := make(map[string]bool, len(v.stmts))
	for i := range v.stmts {
		sid := v.doc.Statements[i].Sid
		if sid == "" {
			continue
		}
		if seen[sid] {
			return v.fail(v.stmts[i].sidOff, msgSidUnique)
		}
		seen[sid] = true
	}
	if v.kind != Identity && v.kind != Boundary && v.kind != Trust {
		return nil
	}
	for i := range v.stmts {
		for _, c := range []byte(v.doc.Statements[i].Sid) {
			if !isAlnum(c) {
				return v.fail(v.stmts[i].sidOff, msgSidChars)
			}
		}
	}
	return nil
}

func (v *validator) actionsPresent() *SyntaxError {
	for i := range v.stmts {
		if len(v.stmts[i].actions) == 0 {
			return v.fail(v.stmts[i].off, msgNoActions)
		}
	}
	return nil
}

// principalsPresent: identity-side policies must not name a principal; resource-based and trust
// policies must.
func (v *validator) principalsPresent() *SyntaxError {
	for i := range v.stmts {
		info := &v.stmts[i]
		switch v.kind {
		case Identity, Boundary, Session, SCP:
			if info.principal != nil {
				return v.fail(info.principal.keyOff, msgPrincipalBanned)
			}
		case Trust:
			if info.principal == nil {
				return v.fail(info.off, msgNoPrincipalTrust)
			}
		case Resource, RCP:
			if info.principal == nil {
				return v.fail(info.off, msgNoPrincipal)
			}
		}
	}
	return nil
}

// resourcesPresent: a trust policy must not name resources (the role is the resource); an SCP may
// omit them; every other kind needs Resource or NotResource with at least one value.
func (v *validator) resourcesPresent() *SyntaxError {
	for i := range v.stmts {
		info := &v.stmts[i]
		switch v.kind {
		case Trust:
			if info.resourceKey != "" {
				return v.fail(info.resourceOff, msgResourceBanned)
			}
		case SCP:
			if info.resourceKey != "" && len(info.resources) == 0 {
				return v.fail(info.resourceOff, msgNoResources)
			}
		default:
			if len(info.resources) == 0 {
				return v.fail(info.off, msgNoResources)
			}
		}
	}
	return nil
}

// partitions are the AWS partitions a resource or principal ARN may name.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// iamResourcePrefixes are the resource types an IAM ARN may start with.
var iamResourcePrefixes = []string{
	"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/",
	"access-report/",
}

func validPartition(p string) bool {
	for _, q := range partitions {
		if p == q {
			return true
		}
	}
	return p == "*"
}

// resourceForms checks that each resource is "*" or an ARN that names a known partition and a
// service, with no region for IAM and S3 buckets, and one of IAM's resource types.
func (v *validator) resourceForms() *SyntaxError {
	for i := range v.stmts {
		for _, r := range v.stmts[i].resources {
			if msg := resourceMessage(r.s); msg != "" {
				return v.fail(r.off, msg)
			}
		}
	}
	return nil
}

// resourceMessage returns AWS's message for a resource that is neither "*" nor an ARN with a known
// partition, a service, no region for IAM or S3 buckets, and a known IAM resource type; or "".
func resourceMessage(r string) string {
	if r == "*" {
		return ""
	}
	_, afterPrefix, ok := strings.Cut(r, ":")
	if !ok {
		return fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r)
	}
	partition, afterPartition, ok := strings.Cut(afterPrefix, ":")
	if !validPartition(partition) {
		// AWS echoes the ARN rebuilt from its parts, with "*" for the missing ones.
		rest := strings.Split(afterPartition, ":")
		field := func(n int) string {
			if n < len(rest) && (rest[n] != "" || len(rest) > 1) {
				return rest[n]
			}
			return "*"
		}
		last := "*"
		if len(rest) > 3 {
			last = strings.Join(rest[3:], ":")
		}
		return fmt.Sprintf("Partition %q is not valid for resource \"arn:%s:%s:%s:%s:%s\".",
			partition, partition, field(0), field(1), field(2), last)
	}
	if !ok {
		return msgResourceVendor
	}
	parts := strings.SplitN(afterPartition, ":", 4) // service, region, account, resource
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	service, region, rest := parts[0], parts[1], parts[3]
	switch service {
	case "iam":
		if region != "" {
			return fmt.Sprintf("IAM resource %s cannot contain region information.", r)
		}
		if rest == "*" || rest == "root" { // arn:aws:iam::ACCOUNT:root names an account's root user
			return ""
		}
		for _, p := range iamResourcePrefixes {
			if strings.HasPrefix(rest, p) {
				return ""
			}
		}
		return `IAM resource path must either be "*" or start with ` + strings.Join(iamResourcePrefixes, ", ") + "."
	case "s3":
		// Buckets and objects (no account) have no region; access points, access grants,
		// Storage Lens and batch jobs (with an account) do.
		if region != "" && parts[2] == "" && !strings.HasPrefix(rest, "accesspoint/") {
			return fmt.Sprintf("Resource %s can not contain region information.", r)
		}
	}
	return ""
}

// actionForms checks that each action is "*" or vendor:action, the vendor made of letters, digits,
// hyphens and dots.
func (v *validator) actionForms() *SyntaxError {
	for i := range v.stmts {
		for _, a := range v.stmts[i].actions {
			if msg := actionMessage(a.s); msg != "" {
				return v.fail(a.off, msg)
			}
		}
	}
	return nil
}

func actionMessage(a string) string {
	if a == "*" {
		return ""
	}
	vendor, _, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		return msgActionVendor
	case strings.Count(a, ":") > 1:
		return msgActionColons
	case strings.ContainsAny(vendor, "*?"):
		return msgActionWildVendor
	}
	for i := 0; i < len(vendor); i++ {
		if c := vendor[i]; !isAlnum(c) && c != '-' && c != '.' {
			return fmt.Sprintf("Vendor %s is not valid", vendor)
		}
	}
	return ""
}

// conditionKeys checks that each condition key names its vendor, like an action does.
func (v *validator) conditionKeys() *SyntaxError {
	for i := range v.stmts {
		for _, k := range v.stmts[i].condKeys {
			if !strings.Contains(k.s, ":") {
				return v.fail(k.off, msgActionVendor)
			}
		}
	}
	return nil
}

// principalForms checks each principal value: an AWS account ID, account root, IAM user or role,
// STS session ARN or "*"; a service principal; a web identity or SAML/OIDC provider; a canonical
// user ID.
func (v *validator) principalForms() *SyntaxError {
	for i := range v.stmts {
		m := v.stmts[i].principal
		if m == nil || m.val.kind != kindObject {
			continue
		}
		for j := range m.val.obj {
			t := &m.val.obj[j]
			vals := []value{t.val}
			if t.val.kind == kindArray {
				vals = t.val.arr
			}
			for _, e := range vals {
				if validPrincipal(t.key, e.str) {
					continue
				}
				msg := msgInvalidPrincipal
				if v.kind == Trust {
					msg = fmt.Sprintf("%s: %q:%q", msgInvalidPrincipal, t.key, e.str)
				}
				return v.fail(e.off, msg)
			}
		}
	}
	return nil
}

// webIdentityProviders are the Federated principals that are not ARNs.
var webIdentityProviders = []string{
	"cognito-identity.amazonaws.com", "www.amazon.com", "graph.facebook.com",
	"accounts.google.com",
}

func validPrincipal(typ, s string) bool {
	switch typ {
	case "AWS":
		if s == "*" || arn.IsAccountID(s) || isPrincipalID(s) {
			return true
		}
		service, account, res, ok := principalARN(s)
		if !ok {
			return false
		}
		switch service {
		case "iam":
			return res == "root" || prefixed(res, "user/", "role/", "federated-user/")
		case "sts":
			return prefixed(res, "assumed-role/", "federated-user/") && account != ""
		}
		return false
	case "Service":
		host := strings.TrimSuffix(s, ".cn")
		return strings.HasSuffix(host, ".amazonaws.com") && len(host) > len(".amazonaws.com") && isHostname(s)
	case "Federated":
		for _, w := range webIdentityProviders {
			if s == w {
				return true
			}
		}
		service, _, res, ok := principalARN(s)
		return ok && service == "iam" && prefixed(res, "saml-provider/", "oidc-provider/")
	case "CanonicalUser":
		if len(s) != 64 {
			return false
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	return false
}

// isPrincipalID reports whether s is the unique ID of an IAM user (AIDA…) or role (AROA…): 21
// upper-case letters and digits. IAM shows one in place of the ARN of a deleted principal in the
// policies that named it, and such a policy must still parse when it is read back.
func isPrincipalID(s string) bool {
	if len(s) != 21 || !(strings.HasPrefix(s, "AIDA") || strings.HasPrefix(s, "AROA")) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// principalARN splits arn:partition:service::account:resource, the form of every principal ARN,
// which names no region and contains no wildcard.
func principalARN(s string) (service, account, resource string, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "*" || !validPartition(parts[1]) ||
		parts[3] != "" || !arn.IsAccountID(parts[4]) || strings.ContainsAny(s, "*?") {
		return "", "", "", false
	}
	return parts[2], parts[4], parts[5], parts[5] != ""
}

func prefixed(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return true
		}
	}
	return false
}

func isHostname(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// legacyDate reports whether s is a date the legacy parser accepts: non-negative epoch seconds,
// or an ISO 8601 date [-]YYYY[-MM[-DD]] optionally followed by T and hh[:mm[:ss[.fraction]]] and a
// zone (Z or ±hh[:mm]). Letters are case-insensitive.
func legacyDate(s string) bool {
	if !strings.ContainsAny(s, "tT-") {
		return s != "" && len(s) <= 19 && allDigits(s) && (len(s) < 19 || s <= "9223372036854775807")
	}
	date, clock, hasClock := strings.Cut(strings.ToUpper(s), "T")
	date = strings.TrimPrefix(date, "-")
	fields := strings.Split(date, "-")
	if len(fields) > 3 || !allDigits(fields[0]) || len(fields[0]) == 0 || len(fields[0]) > 9 {
		return false
	}
	limits := []int{0, 12, 31}
	for n := 1; n < len(fields); n++ {
		if !inRange(fields[n], 1, limits[n]) {
			return false
		}
	}
	if !hasClock {
		return true
	}
	if z := strings.IndexAny(clock, "Z+-"); z >= 0 {
		zone := clock[z:]
		clock = clock[:z]
		if zone[0] == 'Z' {
			if zone != "Z" {
				return false
			}
		} else {
			h, m, hasMin := strings.Cut(zone[1:], ":")
			if len(h) != 2 || !inRange(h, 0, 23) || (hasMin && (len(m) != 2 || !inRange(m, 0, 59))) {
				return false
			}
		}
	}
	parts := strings.Split(clock, ":")
	if len(parts) > 3 {
		return false
	}
	if clock == "" {
		return true
	}
	maxes := []int{23, 59, 59}
	for n, f := range parts {
		if n == 2 {
			sec, frac, hasFrac := strings.Cut(f, ".")
			if hasFrac && (frac == "" || len(frac) > 9 || !allDigits(frac)) {
				return false
			}
			f = sec
		}
		if !inRange(f, 0, maxes[n]) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// inRange reports whether s is one or two digits whose value is within [lo, hi].
func inRange(s string, lo, hi int) bool {
	if s == "" || len(s) > 2 || !allDigits(s) {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n >= lo && n <= hi
}
