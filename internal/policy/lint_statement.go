package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// This file holds Lint's document- and statement-level checks: the grammar of the elements, the
// principals, and what role trust policies, SCPs and RCPs allow.

func lintDataType(typ string) string {
	return fmt.Sprintf("The text does not match the expected JSON data type %s.", typ)
}

// lintSizeQuota is the default character quota Access Analyzer checks for the kind, and the
// issue code and finding type of exceeding it. Resource-based policies have a quota per
// service; 20,480 is Amazon S3's bucket policy quota, the most common one.
func lintSizeQuota(k Kind) (quota int, code, typ string) {
	switch k {
	case SCP:
		return SizeLimit(k), CodePolicySizeSCP, FindingError
	case RCP:
		return SizeLimit(k), CodePolicySizeRCP, FindingError
	case Trust:
		return SizeLimit(k), CodePolicySizeTrust, FindingWarning
	case Resource:
		return 20480, CodePolicySizeResource, FindingWarning
	}
	return SizeLimit(Identity), CodePolicySizeIdentity, FindingWarning
}

func (l *linter) sizeCheck(root *value) {
	quota, code, typ := lintSizeQuota(l.kind)
	n := Size(l.text)
	if n <= quota {
		return
	}
	var msg string
	switch code {
	case CodePolicySizeSCP:
		msg = fmt.Sprintf("The %d characters in the service control policy (SCP) exceed the %d character maximum for SCPs. We recommend that you use multiple granular policies.", n, quota)
	case CodePolicySizeRCP:
		msg = fmt.Sprintf("The %d characters in the resource control policy (RCP) exceed the %d character maximum for RCPs. We recommend that you use multiple granular policies.", n, quota)
	case CodePolicySizeTrust:
		msg = "The characters in the role trust policy, excluding whitespace, exceed the character maximum. We recommend that you request a role trust policy length quota increase using Service Quotas and AWS Support Center. If the quotas have already been increased, then you can ignore this warning."
	case CodePolicySizeResource:
		msg = fmt.Sprintf("The %d characters in the resource policy exceed the %d character maximum for resource policies. We recommend that you use multiple granular policies.", n, quota)
	default:
		msg = fmt.Sprintf("The %d characters in the identity policy, excluding whitespace, exceed the %d character maximum for inline and managed policies. We recommend that you use multiple granular policies.", n, quota)
	}
	l.add(typ, code, msg, lintLoc{stmt: -1, start: root.off, end: root.off + 1})
}

func (l *linter) document(root *value) {
	for i := range root.obj {
		m := &root.obj[i]
		switch m.key {
		case "Version":
			where := lintLoc{stmt: -1, steps: []PathStep{lintStep("Version")}, start: m.val.off, end: lintEnd(l.text, m.val.off)}
			switch {
			case m.val.kind != kindString:
				l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"), where)
			case m.val.str != Version2012 && m.val.str != Version2008:
				l.add(FindingError, CodeInvalidVersion,
					fmt.Sprintf("The version %s is not valid. Use one of the following versions: %s, %s", m.val.str, Version2012, Version2008), where)
			default:
				l.version = m.val.str
			}
		case "Id":
			if m.val.kind != kindString {
				l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"),
					lintLoc{stmt: -1, steps: []PathStep{lintStep("Id")}, start: m.val.off, end: lintEnd(l.text, m.val.off)})
			}
		case "Statement":
		default:
			l.invalidElement(-1, nil, m)
		}
	}
	if root.get("Version") == nil {
		l.add(FindingWarning, CodeMissingVersion,
			"We recommend that you specify the Version element to help you with debugging permission issues.",
			lintLoc{stmt: -1, start: root.off, end: root.off + 1})
	}
	l.sizeCheck(root)
	m := root.get("Statement")
	if m == nil {
		l.add(FindingError, CodeMissingStatement, "Add a statement to the policy",
			lintLoc{stmt: -1, start: root.off, end: root.off + 1})
		return
	}
	var stmts []*stmtFacts
	switch m.val.kind {
	case kindObject:
		stmts = append(stmts, l.statement(0, []PathStep{lintStep("Statement")}, &m.val))
	case kindArray:
		if len(m.val.arr) == 0 {
			l.add(FindingError, CodeMissingStatement, "Add a statement to the policy",
				lintLoc{stmt: -1, steps: []PathStep{lintStep("Statement")}, start: m.val.off, end: lintEnd(l.text, m.val.off)})
		}
		for i := range m.val.arr {
			base := []PathStep{lintStep("Statement"), lintStepAt(i)}
			if m.val.arr[i].kind != kindObject {
				l.add(FindingError, CodeDataTypeMismatch, lintDataType("Object"),
					lintLoc{stmt: i, steps: base, start: m.val.arr[i].off, end: lintEnd(l.text, m.val.arr[i].off)})
				continue
			}
			stmts = append(stmts, l.statement(i, base, &m.val.arr[i]))
		}
	default:
		l.add(FindingError, CodeDataTypeMismatch, lintDataType("Array"),
			lintLoc{stmt: -1, steps: []PathStep{lintStep("Statement")}, start: m.val.off, end: lintEnd(l.text, m.val.off)})
	}
	l.sids(stmts)
	l.redundantStatements(stmts)
}

func (l *linter) invalidElement(i int, base []PathStep, m *member) {
	l.add(FindingError, CodeInvalidPolicyElement, fmt.Sprintf("The policy element %s is not valid.", m.key),
		l.at(base, i, m.keyOff, lintEnd(l.text, m.keyOff), lintStep(m.key)))
}

// sids reports duplicate statement IDs: an error for the policy types that require unique ones,
// a warning for resource-based policies.
func (l *linter) sids(stmts []*stmtFacts) {
	seen := map[string]bool{}
	for _, f := range stmts {
		if f.sid == nil || f.sid.val.kind != kindString || f.sid.val.str == "" {
			continue
		}
		if !seen[f.sid.val.str] {
			seen[f.sid.val.str] = true
			continue
		}
		where := l.at(f.base, f.index, f.sid.val.off, lintEnd(l.text, f.sid.val.off), lintStep("Sid"))
		if l.kind == Resource {
			l.add(FindingWarning, CodeUniqueSidsRecommended,
				"We recommend that you use statement IDs that are unique to your policy. Update the Sid value.", where)
			continue
		}
		l.add(FindingError, CodeUniqueSidsRequired,
			"Duplicate statement IDs are not supported for this policy type. Update the Sid value.", where)
	}
}

// redundantStatements reports a statement equal to an earlier one but for its Sid.
func (l *linter) redundantStatements(stmts []*stmtFacts) {
	if len(stmts) < 2 {
		return
	}
	// Only statements alike in cheap ways are compared in full.
	shape := func(f *stmtFacts) string {
		first := ""
		if len(f.actions) > 0 {
			first = f.actions[0].s
		} else if len(f.notActions) > 0 {
			first = f.notActions[0].s
		}
		n := len(f.node.obj)
		if f.sid != nil {
			n--
		}
		return fmt.Sprint(n, f.allow, len(f.actions), len(f.notActions), len(f.resources), first)
	}
	shapes := map[string]int{}
	for _, f := range stmts {
		shapes[shape(f)]++
	}
	seen := map[string]bool{}
	var b strings.Builder
	for _, f := range stmts {
		if shapes[shape(f)] < 2 {
			continue
		}
		b.Reset()
		lintCanonical(&b, f.node, true)
		key := b.String()
		if seen[key] {
			l.add(FindingSuggestion, CodeRedundantStatement,
				"The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.",
				lintLoc{stmt: f.index, steps: f.base, start: f.node.off, end: lintEnd(l.text, f.node.off)})
			continue
		}
		seen[key] = true
	}
}

// lintCanonical writes a value with object members sorted, leaving out a statement's Sid.
func lintCanonical(b *strings.Builder, v *value, statement bool) {
	switch v.kind {
	case kindObject:
		idx := make([]int, 0, len(v.obj))
		for i := range v.obj {
			if statement && v.obj[i].key == "Sid" {
				continue
			}
			idx = append(idx, i)
		}
		sort.Slice(idx, func(a, c int) bool { return v.obj[idx[a]].key < v.obj[idx[c]].key })
		b.WriteByte('{')
		for _, i := range idx {
			lintWriteString(b, v.obj[i].key)
			lintCanonical(b, &v.obj[i].val, false)
			b.WriteByte(',')
		}
		b.WriteByte('}')
	case kindArray:
		b.WriteByte('[')
		for i := range v.arr {
			lintCanonical(b, &v.arr[i], false)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case kindString:
		lintWriteString(b, v.str)
	default:
		b.WriteString(v.str)
	}
}

// lintWriteString writes a string unambiguously: its length, then its bytes.
func lintWriteString(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte('"')
	b.WriteString(s)
}

// strElem is one string of a string-or-array element.
type strElem struct {
	s     string
	off   int
	steps []PathStep
}

// strs lists the strings of a string or array member, reporting other JSON types; ok is false
// when the member is neither a string nor an array.
func (l *linter) strs(i int, base []PathStep, m *member) ([]strElem, bool) {
	switch m.val.kind {
	case kindString:
		return []strElem{{m.val.str, m.val.off, l.at(base, 0, 0, 0, lintStep(m.key)).steps}}, true
	case kindArray:
		out := make([]strElem, 0, len(m.val.arr))
		for j, e := range m.val.arr {
			steps := l.at(base, 0, 0, 0, lintStep(m.key), lintStepAt(j)).steps
			if e.kind != kindString {
				l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"),
					lintLoc{stmt: i, steps: steps, start: e.off, end: lintEnd(l.text, e.off)})
				continue
			}
			out = append(out, strElem{e.str, e.off, steps})
		}
		return out, true
	}
	l.add(FindingError, CodeDataTypeMismatch, lintDataType("Array"),
		l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep(m.key)))
	return nil, false
}

// principalElem is one principal value: its type ("AWS", "Service", "Federated",
// "CanonicalUser", or "*" for the bare wildcard) and text.
type principalElem struct {
	typ string
	strElem
}

// stmtFacts is what the statement-level checks need.
type stmtFacts struct {
	index            int
	base             []PathStep
	node             *value
	sid              *member
	allow, deny      bool
	actions          []strElem // Action entries
	notActions       []strElem
	hasAction        bool
	hasNotAction     bool
	resources        []strElem
	resourceMember   *member
	notResource      *member
	principal        *member // Principal or NotPrincipal
	principals       []principalElem
	condition        *member
	conds            []*lintCond
	passedToService  bool
	conditionKeysSet map[string]bool
}

// hasKey reports whether the statement's conditions use a key (lower case).
func (f *stmtFacts) hasKey(lower string) bool { return f.conditionKeysSet[lower] }

// hasKeyPrefix reports whether a condition key starts with prefix (lower case).
func (f *stmtFacts) hasKeyPrefix(prefix string) bool {
	for k := range f.conditionKeysSet {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// grantsAction reports whether the statement's Action (or NotAction) covers an action.
func (f *stmtFacts) grantsAction(action string) bool {
	if f.hasNotAction {
		for _, a := range f.notActions {
			if lintGlobFold(a.s, action) {
				return false
			}
		}
		return true
	}
	for _, a := range f.actions {
		if lintGlobFold(a.s, action) {
			return true
		}
	}
	return false
}

var statementElements = map[string]bool{
	"Sid": true, "Effect": true, "Action": true, "NotAction": true, "Resource": true,
	"NotResource": true, "Principal": true, "NotPrincipal": true, "Condition": true,
}

func (l *linter) statement(i int, base []PathStep, sv *value) *stmtFacts {
	f := &stmtFacts{index: i, base: base, node: sv, conditionKeysSet: map[string]bool{}}
	var effect *member
	if e := sv.get("Effect"); e != nil && e.val.kind == kindString {
		// Known before the elements are read: some checks depend on it.
		f.allow, f.deny = strings.EqualFold(e.val.str, "Allow"), strings.EqualFold(e.val.str, "Deny")
	}
	for j := range sv.obj {
		m := &sv.obj[j]
		if !statementElements[m.key] {
			l.invalidElement(i, base, m)
			continue
		}
		switch m.key {
		case "Sid":
			f.sid = m
			l.sid(i, base, m)
		case "Effect":
			effect = m
		case "Action", "NotAction":
			if f.hasAction || f.hasNotAction {
				l.combination(i, base, m, "Action", "NotAction")
				continue
			}
			list, ok := l.elementList(i, base, m, CodeEmptyArrayAction, "actions")
			if !ok {
				continue
			}
			if m.key == "Action" {
				f.actions, f.hasAction = list, true
			} else {
				f.notActions, f.hasNotAction = list, true
			}
			for _, a := range list {
				l.action(i, a)
			}
		case "Resource", "NotResource":
			if f.resourceMember != nil || f.notResource != nil {
				l.combination(i, base, m, "Resource", "NotResource")
				continue
			}
			if l.kind == Trust {
				l.add(FindingError, CodeTrustResource,
					"Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element.",
					l.at(base, i, m.keyOff, lintEnd(l.text, m.val.off), lintStep(m.key)))
			}
			list, ok := l.elementList(i, base, m, CodeEmptyArrayResource, "resources")
			if !ok {
				continue
			}
			if m.key == "Resource" {
				f.resources, f.resourceMember = list, m
			} else {
				f.notResource = m
			}
			if l.kind != Trust {
				l.resources(i, list)
			}
		case "Principal", "NotPrincipal":
			if f.principal != nil {
				l.combination(i, base, m, "Principal", "NotPrincipal")
				continue
			}
			f.principal = m
			l.principal(i, base, m, f)
		case "Condition":
			f.condition = m
			if m.val.kind != kindObject {
				l.add(FindingError, CodeDataTypeMismatch, lintDataType("Object"),
					l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep("Condition")))
				continue
			}
			l.conditions(i, append(base[:len(base):len(base)], lintStep("Condition")), &m.val, f)
		}
	}
	l.effect(i, base, sv, effect, f)
	l.required(i, base, sv, f)
	if f.allow {
		if p := sv.get("NotPrincipal"); p != nil {
			l.add(FindingSecurityWarning, CodeAllowNotPrincipal,
				"Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
				l.at(base, i, p.keyOff, lintEnd(l.text, p.val.off), lintStep("NotPrincipal")))
		}
		if l.kind != SCP && l.kind != RCP && l.kind != Trust {
			l.grants(i, base, f, passRole)
			l.grants(i, base, f, createSLR)
		}
	}
	l.redundant(i, f.actions)
	l.redundantResources(i, f.resources)
	l.statementConditions(f)
	l.principalChecks(f)
	switch l.kind {
	case Trust:
		l.trustChecks(f)
	case SCP:
		l.scpChecks(f)
	case RCP:
		l.rcpChecks(f)
	}
	l.variables(f)
	l.attachedResource(f)
	return f
}

// lintResourceType is what a resource-based policy attached to a resource type may name: the
// actions' service and, as a glob, its resources (after the partition).
type lintResourceType struct {
	service  string
	resource string // "" when the policy has no Resource element
}

// lintResourceTypes are ValidatePolicy's validatePolicyResourceType values.
var lintResourceTypes = map[string]lintResourceType{
	"AWS::S3::Bucket":                    {"s3", "s3:::*"},
	"AWS::S3::AccessPoint":               {"s3", "s3:*:*:accesspoint/*"},
	"AWS::S3::MultiRegionAccessPoint":    {"s3", "s3::*:accesspoint/*"},
	"AWS::S3ObjectLambda::AccessPoint":   {"s3-object-lambda", "s3-object-lambda:*:*:accesspoint/*"},
	"AWS::DynamoDB::Table":               {"dynamodb", "dynamodb:*:*:table/*"},
	"AWS::IAM::AssumeRolePolicyDocument": {"sts", ""},
}

// attachedResource reports actions and resources the policy's resource type does not govern.
func (l *linter) attachedResource(f *stmtFacts) {
	rt, ok := lintResourceTypes[l.resourceType]
	if !ok {
		return
	}
	for _, a := range f.actions {
		svc, _, _ := strings.Cut(a.s, ":")
		if a.s == "*" || strings.EqualFold(svc, rt.service) || strings.ContainsAny(svc, "*?") {
			continue
		}
		l.add(FindingError, CodeUnsupportedActionInPolicy,
			fmt.Sprintf("The action %s is not supported for the resource-based policy attached to the resource type %s.", a.s, l.resourceType),
			lintLoc{stmt: f.index, steps: a.steps, start: a.off, end: lintEnd(l.text, a.off)})
	}
	if rt.resource == "" {
		return
	}
	for _, r := range f.resources {
		_, rest, _ := strings.Cut(strings.TrimPrefix(lintVarsToStar(r.s), "arn:"), ":")
		if r.s == "*" || strings.HasPrefix(r.s, "arn:") && l.globsIntersect(rest, rt.resource) {
			continue
		}
		l.add(FindingError, CodeUnsupportedResourceARN,
			fmt.Sprintf("The resource ARN is not supported for the resource-based policy attached to the resource type %s.", l.resourceType),
			lintLoc{stmt: f.index, steps: r.steps, start: r.off, end: lintEnd(l.text, r.off)})
	}
}

func (l *linter) combination(i int, base []PathStep, m *member, a, b string) {
	l.add(FindingError, CodeUnsupportedElementCombination,
		fmt.Sprintf("The policy elements %s and %s can not be used in the same statement. Remove one of these elements.", a, b),
		l.at(base, i, m.keyOff, lintEnd(l.text, m.val.off), lintStep(m.key)))
}

func (l *linter) sid(i int, base []PathStep, m *member) {
	where := l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep("Sid"))
	switch {
	case m.val.kind != kindString:
		l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"), where)
	case m.val.str == "":
		l.add(FindingSuggestion, CodeEmptySid, "Add a value to the empty string in the Sid element.", where)
	case l.kind != Resource:
		for k := 0; k < len(m.val.str); k++ {
			if !isAlnum(m.val.str[k]) {
				l.add(FindingError, CodeUnsupportedSid,
					"Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]", where)
				return
			}
		}
	}
}

func (l *linter) effect(i int, base []PathStep, sv *value, m *member, f *stmtFacts) {
	if m == nil {
		l.add(FindingError, CodeMissingEffect, "Add an Effect element to the policy statement with a value of Allow or Deny.",
			lintLoc{stmt: i, steps: base, start: sv.off, end: sv.off + 1})
		return
	}
	where := l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep("Effect"))
	switch {
	case m.val.kind != kindString:
		l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"), where)
	case f.allow, f.deny:
	default:
		l.add(FindingError, CodeInvalidEffect, fmt.Sprintf("The effect %s is not valid. Use Allow or Deny.", m.val.str), where)
	}
}

// required reports missing Action, Resource and Principal elements, and principals in policy
// types that take none.
func (l *linter) required(i int, base []PathStep, sv *value, f *stmtFacts) {
	start := lintLoc{stmt: i, steps: base, start: sv.off, end: sv.off + 1}
	if !f.hasAction && !f.hasNotAction && sv.get("Action") == nil && sv.get("NotAction") == nil {
		l.add(FindingError, CodeMissingAction, "Add an Action or NotAction element to the policy statement.", start)
	}
	if l.kind != Trust && l.kind != SCP && sv.get("Resource") == nil && sv.get("NotResource") == nil {
		l.add(FindingError, CodeMissingResource, "Add a Resource or NotResource element to the policy statement.", start)
	}
	p := f.principal
	switch l.kind {
	case Identity, Boundary, Session:
		if p != nil {
			l.add(FindingError, CodeUnsupportedPrincipal,
				// Boundaries and session policies are identity policies to ValidatePolicy.
				"The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element.",
				l.at(base, i, p.keyOff, lintEnd(l.text, p.val.off), lintStep(p.key)))
		}
	case SCP:
		if p != nil {
			l.add(FindingError, CodeSCPPrincipal, "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.",
				l.at(base, i, p.keyOff, lintEnd(l.text, p.val.off), lintStep(p.key)))
		}
	default:
		if p == nil {
			l.add(FindingError, CodeMissingPrincipal, "Add a Principal element to the policy statement.", start)
		}
	}
}

var principalKeys = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}

// principal reads a Principal or NotPrincipal element and checks each value's form.
func (l *linter) principal(i int, base []PathStep, m *member, f *stmtFacts) {
	where := l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep(m.key))
	switch m.val.kind {
	case kindString:
		if m.val.str != "*" {
			l.add(FindingError, CodeInvalidPrincipal,
				"The Principal element contents are not valid. Specify a key-value pair in the Principal element.", where)
			return
		}
		f.principals = append(f.principals, principalElem{"*", strElem{"*", m.val.off, where.steps}})
		return
	case kindObject:
	default:
		l.add(FindingError, CodeDataTypeMismatch, lintDataType("Object"), where)
		return
	}
	if len(m.val.obj) == 0 {
		l.add(FindingSuggestion, CodeEmptyObjectPrincipal,
			"This statement includes no principals and does not affect the policy. Specify principals.", where)
	}
	pbase := where.steps
	for j := range m.val.obj {
		t := &m.val.obj[j]
		if !principalKeys[t.key] {
			l.add(FindingError, CodeInvalidPrincipalKey, fmt.Sprintf("The principal key %s is not valid.", t.key),
				l.at(pbase, i, t.keyOff, lintEnd(l.text, t.keyOff), lintStep(t.key)))
			continue
		}
		if t.val.kind == kindArray && len(t.val.arr) == 0 {
			l.add(FindingSuggestion, CodeEmptyArrayPrincipal,
				"This statement includes no principals and does not affect the policy. Specify principals.",
				l.at(pbase, i, t.val.off, lintEnd(l.text, t.val.off), lintStep(t.key)))
		}
		list, ok := l.strs(i, pbase, t)
		if !ok {
			continue
		}
		for _, e := range list {
			f.principals = append(f.principals, principalElem{t.key, e})
			l.principalValue(i, t.key, e)
		}
	}
}

func (l *linter) principalValue(i int, typ string, e strElem) {
	where := lintLoc{stmt: i, steps: e.steps, start: e.off, end: lintEnd(l.text, e.off)}
	wild := strings.ContainsAny(e.s, "*?")
	switch {
	case wild && !(typ == "AWS" && e.s == "*"):
		l.add(FindingError, CodeUnsupportedWildcardPrincipal,
			fmt.Sprintf("Wildcards (*, ?) are not supported with the principal key %s. Replace the wildcard with a valid principal value.", typ), where)
		return
	case typ == "AWS" && strings.HasPrefix(e.s, "AROA"):
		l.add(FindingWarning, CodeInvalidRoleReference,
			fmt.Sprintf("The Principal element includes the IAM role ID %s. We recommend that you use a role ARN instead.", e.s), where)
	case typ == "AWS" && strings.HasPrefix(e.s, "AIDA"):
		l.add(FindingWarning, CodeInvalidUserReference,
			fmt.Sprintf("The Principal element includes the IAM user ID %s. We recommend that you use a user ARN instead.", e.s), where)
	case typ == "Federated" && l.kind != Trust:
		l.add(FindingError, CodeFederatedPrincipalNotSupp,
			"The policy type does not support a federated identity provider in the principal element. Use a supported principal.", where)
	case typ == "Federated" && !validPrincipal(typ, e.s) && !lintDomainName(e.s):
		l.add(FindingError, CodeInvalidFederatedPrincipal,
			"The principal value specifies a federated principal that does not match the expected format. Update the federated principal to a domain name or a SAML metadata ARN.", where)
	case typ == "Service" && !validPrincipal(typ, e.s):
		l.add(FindingError, CodeInvalidServicePrincipalFormat,
			"The service principal does not match the expected format. Use the format service-name.amazonaws.com.", where)
	}
}

// lintDomainName reports whether s looks like a host name with at least one dot (an OIDC
// provider's URL without the scheme may also carry a path).
func lintDomainName(s string) bool {
	host, _, _ := strings.Cut(s, "/")
	return strings.Contains(host, ".") && isHostname(host)
}

// principalChecks holds the checks on a resource-based policy's service principals.
func (l *linter) principalChecks(f *stmtFacts) {
	if l.kind != Resource || f.principal == nil || f.principal.key != "Principal" {
		return
	}
	var service *principalElem
	onlyServices := len(f.principals) > 0
	for k := range f.principals {
		if f.principals[k].typ == "Service" {
			if service == nil {
				service = &f.principals[k]
			}
		} else {
			onlyServices = false
		}
	}
	if service == nil {
		return
	}
	if onlyServices {
		var bad []string
		var first *lintCond
		for _, c := range f.conds {
			if lintPrincipalKey(c.lower) {
				bad = append(bad, c.key)
				if first == nil {
					first = c
				}
			}
		}
		if first != nil {
			l.add(FindingError, CodeUnsupportedKeyForServicePrinc,
				fmt.Sprintf("The following condition keys are not supported when used with the service principal: %s.", strings.Join(bad, ", ")), first.where)
		}
	}
	if !f.allow {
		return
	}
	for _, k := range []string{"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"} {
		if f.hasKey(k) {
			return
		}
	}
	recommended := false
	for _, c := range f.conds {
		if strings.HasPrefix(c.lower, "aws:") && !lintPrincipalKey(c.lower) {
			recommended = true
			l.add(FindingSuggestion, CodeRecommendedKeyServicePrinc,
				fmt.Sprintf("To restrict access to the service principal %s operating on your behalf, we recommend aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, or aws:SourceOrgPaths instead of %s.",
					strings.TrimSuffix(service.s, ".amazonaws.com"), c.key), c.where)
		}
	}
	if !recommended {
		l.add(FindingSecurityWarning, CodeRestrictServicePrincipal,
			"Granting access to a service principal without specifying a source is overly permissive. Use aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, or aws:SourceOrgPaths condition key to grant fine-grained access.",
			lintLoc{stmt: f.index, steps: service.steps, start: service.off, end: lintEnd(l.text, service.off)})
	}
}

// lintPrincipalKey reports whether a (lower-case) global key describes the calling principal,
// which service principals do not have.
func lintPrincipalKey(k string) bool {
	switch k {
	case "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn",
		"aws:userid", "aws:username", "aws:principaltype":
		return true
	}
	return strings.HasPrefix(k, "aws:principaltag/")
}

// stsActions are the sts actions a trust policy names and what principal each needs.
const (
	actAssumeRole        = "sts:AssumeRole"
	actAssumeSAML        = "sts:AssumeRoleWithSAML"
	actAssumeWebIdentity = "sts:AssumeRoleWithWebIdentity"
	actTagSession        = "sts:TagSession"
	actSetSourceIdentity = "sts:SetSourceIdentity"
)

func (l *linter) trustChecks(f *stmtFacts) {
	if p := f.principal; p != nil {
		if p.key == "NotPrincipal" {
			l.add(FindingError, CodeTrustNotPrincipal,
				"Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.",
				l.at(f.base, f.index, p.keyOff, lintEnd(l.text, p.val.off), lintStep(p.key)))
		}
		for _, e := range f.principals {
			if e.s == "*" && (e.typ == "*" || e.typ == "AWS") {
				l.add(FindingError, CodeTrustWildcardPrincipal,
					`"Principal:" "*" is not supported in the principal element of a role trust policy. Replace the wildcard with a valid principal value.`,
					lintLoc{stmt: f.index, steps: e.steps, start: e.off, end: lintEnd(l.text, e.off)})
			}
		}
	}
	if !f.allow {
		return
	}
	l.trustActions(f)
	l.trustProviders(f)
	l.trustRedundantPrincipals(f)
}

// trustActions checks that the sts actions fit the principals.
func (l *linter) trustActions(f *stmtFacts) {
	var saml, oidc, other []string
	rolesAnywhere := -1
	for k, e := range f.principals {
		switch {
		case e.typ == "Federated" && strings.Contains(e.s, ":saml-provider/"):
			saml = append(saml, e.s)
		case e.typ == "Federated":
			oidc = append(oidc, e.s)
		default:
			other = append(other, e.s)
		}
		if e.typ == "Service" && e.s == "rolesanywhere.amazonaws.com" {
			rolesAnywhere = k
		}
	}
	for _, a := range f.actions {
		var bad []string
		switch {
		case strings.EqualFold(a.s, actAssumeSAML):
			bad = append(append(bad, oidc...), other...)
		case strings.EqualFold(a.s, actAssumeWebIdentity):
			bad = append(append(bad, saml...), other...)
		case strings.EqualFold(a.s, actAssumeRole):
			bad = append(append(bad, saml...), oidc...)
		}
		if len(bad) > 0 {
			l.add(FindingError, CodeMismatchedActionForPrincipal,
				fmt.Sprintf("The %s action is invalid with the following principal(s): %s. Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options.",
					a.s, strings.Join(bad, ", ")),
				lintLoc{stmt: f.index, steps: a.steps, start: a.off, end: lintEnd(l.text, a.off)})
		}
	}
	if rolesAnywhere >= 0 && f.hasAction &&
		!(f.grantsAction(actAssumeRole) && f.grantsAction(actSetSourceIdentity) && f.grantsAction(actTagSession)) {
		e := f.principals[rolesAnywhere]
		l.add(FindingError, CodeMissingActionRolesAnywhere,
			"The rolesanywhere.amazonaws.com service principal requires the sts:AssumeRole, sts:SetSourceIdentity, and sts:TagSession permissions to assume a role. Add the missing permissions to the policy.",
			lintLoc{stmt: f.index, steps: e.steps, start: e.off, end: lintEnd(l.text, e.off)})
	}
	for _, c := range f.conds {
		need := ""
		switch {
		case c.lower == "sts:sourceidentity":
			need = actSetSourceIdentity
		case strings.HasPrefix(c.lower, "aws:requesttag/"), c.lower == "aws:tagkeys", c.lower == "sts:transitivetagkeys":
			need = actTagSession
		}
		if need != "" && f.hasAction && !f.grantsAction(need) {
			l.add(FindingError, CodeMissingActionForKey,
				fmt.Sprintf("The %s action must be in the action block to allow setting values for the condition key %s. Add %s to the action block.", need, c.key, need), c.where)
		}
	}
}

const githubHost = "token.actions.githubusercontent.com"

// trustProviders checks the conditions on OIDC identity providers.
func (l *linter) trustProviders(f *stmtFacts) {
	for _, e := range f.principals {
		if e.typ != "Federated" || strings.Contains(e.s, ":saml-provider/") {
			continue
		}
		host := e.s
		if _, rest, ok := strings.Cut(e.s, ":oidc-provider/"); ok {
			host = rest
		}
		where := lintLoc{stmt: f.index, steps: e.steps, start: e.off, end: lintEnd(l.text, e.off)}
		lhost := strings.ToLower(host)
		if lhost == githubHost {
			if !f.hasKey(githubHost + ":sub") {
				l.add(FindingSecurityWarning, CodeMissingGitHubRepoKey,
					"Granting a federated GitHub principal permissions without a condition key can allow more sources to assume the role than you intended. Add the token.actions.githubusercontent.com:sub condition key and specify the branch and repository name in the value.", where)
			}
			continue
		}
		if !f.hasKeyPrefix(lhost + ":") {
			l.add(FindingSecurityWarning, CodeMissingOIDCKey,
				"Using an Open ID Connect principal without a condition can be overly permissive. Add condition keys with a prefix that matches your federated OIDC principals to ensure that only the intended identity provider assumes the role.", where)
		}
	}
	for _, c := range f.conds {
		if c.lower != githubHost+":sub" || f.hasKey(githubHost+":ref") || c.negated {
			continue
		}
		for _, v := range c.values {
			if v.kind == kindString && strings.ContainsAny(v.str, "*?") {
				l.add(FindingWarning, CodeGitHubRepoBranch,
					"Using a wildcard (*) in token.actions.githubusercontent.com:sub can allow requests from more sources than you intended. Specify the value of token.actions.githubusercontent.com:sub with the repository and branch name. If the subject claim does not include the branch, specify it in a token.actions.githubusercontent.com:ref condition key.",
					c.where)
				break
			}
		}
	}
}

// trustRedundantPrincipals reports an assumed-role session principal listed beside its role.
func (l *linter) trustRedundantPrincipals(f *stmtFacts) {
	roles := map[string]bool{}
	for _, e := range f.principals {
		if e.typ == "AWS" {
			if svc, acct, res, ok := principalARN(e.s); ok && svc == "iam" && strings.HasPrefix(res, "role/") {
				name := res[strings.LastIndexByte(res, '/')+1:]
				roles[acct+"/"+name] = true
			}
		}
	}
	for _, e := range f.principals {
		if e.typ != "AWS" {
			continue
		}
		svc, acct, res, ok := principalARN(e.s)
		if !ok || svc != "sts" || !strings.HasPrefix(res, "assumed-role/") {
			continue
		}
		parts := strings.Split(res, "/")
		if len(parts) >= 3 && roles[acct+"/"+parts[1]] {
			parent := e.s[:strings.Index(e.s, ":sts:")] + ":iam::" + acct + ":role/" + parts[1]
			l.add(FindingSuggestion, CodeRedundantPrincipalTrust,
				fmt.Sprintf("The assumed-role principal %s is redundant with its parent role %s. Remove the assumed-role principal.", e.s, parent),
				lintLoc{stmt: f.index, steps: e.steps, start: e.off, end: lintEnd(l.text, e.off)})
		}
	}
}

func (l *linter) scpChecks(f *stmtFacts) {
	for _, list := range [][]strElem{f.actions, f.notActions} {
		for _, a := range list {
			if i := strings.IndexAny(a.s, "*?"); i >= 0 && (i != len(a.s)-1 || a.s[i] == '?') {
				l.add(FindingError, CodeSCPActionWildcard,
					fmt.Sprintf("SCP actions can include wildcards (*) only at the end of a string. Update %s.", a.s),
					lintLoc{stmt: f.index, steps: a.steps, start: a.off, end: lintEnd(l.text, a.off)})
			}
		}
	}
}

// rcpServices are the services whose actions an RCP may name (AWS Organizations User Guide,
// "List of AWS services that support RCPs").
var rcpServices = map[string]bool{
	"s3": true, "sts": true, "kms": true, "sqs": true, "secretsmanager": true,
	"cognito-identity": true, "logs": true, "dynamodb": true, "ecr": true, "aoss": true,
	"s3tables": true,
}

func (l *linter) rcpChecks(f *stmtFacts) {
	if p := f.principal; p != nil && (p.key == "NotPrincipal" || p.val.kind != kindString || p.val.str != "*") {
		l.add(FindingError, CodeRCPPrincipal,
			`The Principal element contents are not valid. RCPs only support specifying all principals ("*") in the Principal element. The NotPrincipal element is not supported for RCPs.`,
			l.at(f.base, f.index, p.keyOff, lintEnd(l.text, p.val.off), lintStep(p.key)))
	}
	if f.hasNotAction {
		m := f.node.get("NotAction")
		l.add(FindingError, CodeRCPNotAction, "RCPs do not support the NotAction element. Update to use the Action element.",
			l.at(f.base, f.index, m.keyOff, lintEnd(l.text, m.val.off), lintStep("NotAction")))
	}
	for _, a := range f.actions {
		svc, _, _ := strings.Cut(a.s, ":")
		if a.s == "*" || rcpServices[strings.ToLower(svc)] {
			continue
		}
		l.add(FindingError, CodeRCPAction, "RCPs only support specifying select service prefixes in the Action element. Learn more here.",
			lintLoc{stmt: f.index, steps: a.steps, start: a.off, end: lintEnd(l.text, a.off)})
	}
	if f.allow {
		bad := f.condition != nil
		if p := f.principal; p != nil && (p.val.kind != kindString || p.val.str != "*") {
			bad = true
		}
		for _, r := range f.resources {
			bad = bad || r.s != "*"
		}
		bad = bad || f.notResource != nil
		if bad {
			l.add(FindingError, CodeRCPAllow,
				`RCPs only support specifying all principals ("*") in the Principal element, all resources ("*") in the Resource element, and no Condition element with an effect of Allow.`,
				lintLoc{stmt: f.index, steps: f.base, start: f.node.off, end: f.node.off + 1})
		}
		return
	}
	var principalKey, sourceKey *lintCond
	for _, c := range f.conds {
		switch {
		case principalKey == nil && lintPrincipalKey(c.lower):
			principalKey = c
		case sourceKey == nil && (c.lower == "aws:sourceaccount" || c.lower == "aws:sourceorgid" || c.lower == "aws:sourceorgpaths" || c.lower == "aws:sourcearn"):
			sourceKey = c
		}
	}
	isService := f.hasKey("aws:principalisawsservice")
	if principalKey != nil && !isService {
		l.add(FindingWarning, CodeRCPMissingPrincipalKey,
			fmt.Sprintf(`RCPs impact IAM roles, users, and AWS service principals. To prevent unintended impact to services acting on your behalf using a service principal, an additional statement should be added to the Condition block "BoolIfExists": { "aws:PrincipalIsAWSService": "false"} whenever a principal key %s is used.`, principalKey.key),
			principalKey.where)
	}
	if sourceKey != nil {
		if !isService {
			l.add(FindingWarning, CodeRCPMissingServicePrincKey,
				fmt.Sprintf(`RCPs impact IAM roles, users, and AWS service principals. To prevent unintended impact to your principals, an additional statement should be added to the Condition block "BoolIfExists": { "aws:PrincipalIsAWSService": "true"} whenever the key %s is used.`, sourceKey.key),
				sourceKey.where)
		}
		if !lintHasNullFalse(f, "aws:sourceaccount") && !lintHasNullFalse(f, "aws:sourcearn") {
			l.add(FindingWarning, CodeRCPMissingNullCheck,
				fmt.Sprintf(`The specified service may have a service integration that does not require the use of the %[1]s condition key. To prevent unintended impact to services acting on your behalf using a service principal, an additional statement should be added to the Condition block "Null": { "aws:SourceAccount": "false"} or "Null": { "aws:SourceArn": "false"} whenever the key %[1]s is used.`, sourceKey.key),
				sourceKey.where)
		}
	}
}

// lintHasNullFalse reports whether the statement has "Null": {key: "false"}.
func lintHasNullFalse(f *stmtFacts, lower string) bool {
	for _, c := range f.conds {
		if c.op == "Null" && c.lower == lower {
			for _, v := range c.values {
				if strings.EqualFold(v.str, "false") {
					return true
				}
			}
		}
	}
	return false
}

// elementList reads an Action/NotAction or Resource/NotResource member's strings and suggests
// (code) specifying what, when it is an empty array.
func (l *linter) elementList(i int, base []PathStep, m *member, code, what string) ([]strElem, bool) {
	list, ok := l.strs(i, base, m)
	if !ok {
		return nil, false
	}
	if m.val.kind == kindArray && len(m.val.arr) == 0 {
		l.add(FindingSuggestion, code,
			"This statement includes no "+what+" and does not affect the policy. Specify "+what+".",
			l.at(base, i, m.val.off, lintEnd(l.text, m.val.off), lintStep(m.key)))
	}
	return list, true
}
