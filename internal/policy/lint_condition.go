package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// This file holds Lint's checks of the Condition element: operators, keys and their values.

// lintCond is one key of one condition operator.
type lintCond struct {
	op       string // as written, "ForAnyValue:StringLikeIfExists"
	base     string // without qualifier and IfExists, "StringLike"
	set      string // "ForAllValues", "ForAnyValue" or ""
	ifExists bool
	k        lintOpKind
	negated  bool // a Not operator (StringNotEquals, NotIpAddress, ArnNotLike, …)
	known    bool // the catalog knows the key
	key      string
	lower    string
	values   []value // the scalar values
	where    lintLoc // the key
}

// valueWhere is the location of a condition value.
func (l *linter) valueWhere(c *lintCond, node *value, v *value, j int) lintLoc {
	steps := c.where.steps
	if node.kind == kindArray {
		steps = append(steps[:len(steps):len(steps)], lintStepAt(j))
	}
	return lintLoc{stmt: c.where.stmt, steps: steps, start: v.off, end: lintEnd(l.text, v.off)}
}

func (l *linter) conditions(i int, base []PathStep, cv *value, f *stmtFacts) {
	if len(cv.obj) == 0 {
		l.add(FindingSuggestion, CodeEmptyObjectCondition,
			"This condition block is empty and it does not affect the policy. Specify conditions.",
			lintLoc{stmt: i, steps: base, start: cv.off, end: lintEnd(l.text, cv.off)})
	}
	for oi := range cv.obj {
		op := &cv.obj[oi]
		opWhere := l.at(base, i, op.keyOff, lintEnd(l.text, op.keyOff), lintStep(op.key))
		if op.val.kind != kindObject {
			l.add(FindingError, CodeDataTypeMismatch, lintDataType("Object"),
				l.at(base, i, op.val.off, lintEnd(l.text, op.val.off), lintStep(op.key)))
			continue
		}
		set, ifExists, k := lintOperator(op.key)
		baseOp := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op.key, "ForAllValues:"), "ForAnyValue:"), "IfExists")
		switch {
		case baseOp == "Null" && ifExists:
			l.add(FindingError, CodeNullWithIfExists,
				"The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.", opWhere)
		case baseOp == "Null" && set != "":
			l.add(FindingSuggestion, CodeNullWithQualifier,
				"Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.", opWhere)
		case condition.CheckOperator(op.key) != nil:
			l.add(FindingError, CodeInvalidConditionOperator,
				fmt.Sprintf("The condition operator %s is not valid. Use a valid condition operator.", op.key), opWhere)
			k = opUnknown
		}
		negated := strings.Contains(baseOp, "Not")
		seen := map[string]bool{}
		for ki := range op.val.obj {
			km := &op.val.obj[ki]
			c := &lintCond{op: op.key, base: baseOp, set: set, ifExists: ifExists, k: k, negated: negated,
				key: km.key, lower: strings.ToLower(km.key),
				where: l.at(base, i, km.keyOff, lintEnd(l.text, km.keyOff), lintStep(op.key), lintStep(km.key))}
			if seen[c.lower] {
				l.add(FindingError, CodeDuplicateKeysDifferentCase,
					fmt.Sprintf("The condition key %s appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.", km.key), c.where)
			}
			seen[c.lower] = true
			prefix, name, found := strings.Cut(km.key, ":")
			if !found || prefix == "" || name == "" {
				l.add(FindingError, CodeInvalidConditionKeyFormat,
					"The condition key format is not valid. Use the format service:keyname.", c.where)
				continue
			}
			f.conditionKeysSet[c.lower] = true
			if c.lower == "iam:passedtoservice" {
				f.passedToService = true
			}
			l.conditionValues(c, &km.val)
			f.conds = append(f.conds, c)
			if km.val.kind == kindArray && len(km.val.arr) == 0 {
				l.emptyCondition(km.key, set, ifExists, c.where)
			}
			l.conditionKeyChecks(c, &km.val, f)
		}
	}
}

// conditionValues collects a key's scalar values, reporting values of the wrong JSON type.
func (l *linter) conditionValues(c *lintCond, node *value) {
	switch node.kind {
	case kindString, kindNumber, kindBool:
		c.values = []value{*node}
	case kindArray:
		var first valueKind
		mixed := false
		for j := range node.arr {
			e := &node.arr[j]
			switch e.kind {
			case kindString, kindNumber, kindBool:
				if first == 0 {
					first = e.kind
				} else if e.kind != first {
					mixed = true
				}
				c.values = append(c.values, *e)
			default:
				l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"), l.valueWhere(c, node, e, j))
			}
		}
		if mixed {
			l.add(FindingError, CodeInvalidConditionDataType,
				"The condition value data types do not match. Use condition values of the same JSON data type.",
				lintLoc{stmt: c.where.stmt, steps: c.where.steps, start: node.off, end: lintEnd(l.text, node.off)})
		}
	default:
		l.add(FindingError, CodeDataTypeMismatch, lintDataType("String"),
			lintLoc{stmt: c.where.stmt, steps: c.where.steps, start: node.off, end: lintEnd(l.text, node.off)})
	}
}

// conditionKeyChecks runs the checks of one key and its values.
func (l *linter) conditionKeyChecks(c *lintCond, node *value, f *stmtFacts) {
	switch c.lower {
	case "aws:arn":
		if l.kind == Resource || l.kind == Trust {
			l.add(FindingError, CodeUnsupportedGlobalKey,
				"The condition key aws:ARN is not supported. Use aws:PrincipalArn or aws:SourceArn instead.", c.where)
		} else {
			l.add(FindingWarning, CodeDeprecatedGlobalKey,
				"We recommend that you update aws:ARN to use the newer condition key aws:PrincipalArn.", c.where)
		}
		return
	case "aws:referer", "aws:useragent":
		l.add(FindingSecurityWarning, CodeUntrustworthyKey,
			fmt.Sprintf("The %s condition key is not recommended for access control as it can be spoofed/manipulated by the caller.", c.key), c.where)
	case "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "s3:resourceaccount":
		if l.kind == Resource {
			l.add(FindingSuggestion, CodeIrrelevantConditionKey,
				fmt.Sprintf("The condition key %s is not relevant for the resource-based policy.  Use this key in an identity-based policy to govern access to this resource.", c.key), c.where)
		}
	}
	if lintTagKeyMissing(c.lower) {
		name := c.key
		if !strings.HasSuffix(name, "/") {
			name += "/"
		}
		l.add(FindingError, CodeMissingTagKeyInCondition,
			fmt.Sprintf("The condition key %[1]s must include a tag key to control access based on tags. Use the format %[1]stag-key and specify a key name for tag-key.", name), c.where)
		return
	}
	typ, known := l.conditionKey(c.key, c.where)
	c.known = known
	if known {
		elem := strings.TrimPrefix(typ, "ArrayOf")
		single := !strings.HasPrefix(typ, "ArrayOf")
		if !lintFits(c.k, elem, c.key) {
			l.add(FindingWarning, CodeTypeMismatch,
				fmt.Sprintf("Use the operator type %s instead of operator %s for the condition key %s.", elem, c.op, c.key), c.where)
		}
		if c.k == opString && elem == "ARN" && (c.base == "StringLike" || c.base == "StringNotLike") {
			l.add(FindingSecurityWarning, CodeStringLikeWithARNKey,
				fmt.Sprintf("Use the operator type ARN instead of operator %s for the condition key %s.", c.op, c.key), c.where)
		}
		if c.set == "ForAllValues" && single {
			l.add(FindingSecurityWarning, CodeForAllValuesSingle,
				fmt.Sprintf("Using ForAllValues qualifier with the single-valued condition key %s can be overly permissive. We recommend that you remove ForAllValues:.", c.key),
				c.where)
		}
		if !single && c.set == "" && c.k != opNull && c.k != opUnknown {
			l.add(FindingError, CodeMissingQualifier,
				fmt.Sprintf("The request context key %s has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.", c.key), c.where)
		}
	}
	if prefix, name, _ := strings.Cut(c.lower, ":"); name == "aud" && strings.Contains(prefix, ".") {
		switch c.set {
		case "ForAnyValue":
			l.add(FindingSecurityWarning, CodeForAnyValueAudience,
				fmt.Sprintf("Using ForAnyValue qualifier with the single-valued condition key %s can be overly permissive. We recommend that you remove ForAnyValue:.", c.key), c.where)
		case "ForAllValues":
			l.add(FindingSuggestion, CodeConfirmAudienceClaimType,
				fmt.Sprintf(`The "%s" (aud) claim key identifies the recipients that the JSON web token is intended for. Because this claim is single-valued, do not use a qualifier.`, c.key), c.where)
		}
	}
	l.valueChecks(c, node, f)
}

// lintTagKeyMissing reports a tag condition key written without its tag key.
func lintTagKeyMissing(lower string) bool {
	_, name, _ := strings.Cut(lower, ":")
	switch name {
	case "requesttag", "resourcetag", "principaltag", "requesttag/", "resourcetag/", "principaltag/":
		return true
	}
	return false
}

// valueChecks checks each value against its operator and, for some keys, the key's format.
func (l *linter) valueChecks(c *lintCond, node *value, f *stmtFacts) {
	if c.k == opBool && c.set == "" && len(c.values) > 1 {
		l.add(FindingError, CodeInvalidConditionMultipleBool,
			"The condition key does not support multiple Boolean values. Use a single Boolean value.", c.where)
	}
	if c.k == opNumeric && c.set == "" && len(c.values) > 1 && (strings.Contains(c.base, "LessThan") || strings.Contains(c.base, "GreaterThan")) {
		which := "greatest"
		if strings.Contains(c.base, "GreaterThan") {
			which = "least"
		}
		l.add(FindingSuggestion, CodeRedundantConditionValueNum,
			fmt.Sprintf("Multiple values in %s are redundant. Replace with the %s single value for %s.", c.op, which, c.key), c.where)
	}
	var private, public int
	var arr = node
	for j := range c.values {
		v := &c.values[j]
		at := v
		if node.kind == kindArray {
			at = lintFind(node, v.off)
		}
		where := l.valueWhere(c, arr, at, lintIndex(node, v.off))
		s := v.str
		hasVar := v.kind == kindString && lintHasVariable(s)
		if hasVar && c.k != opString && c.k != opARN && c.k != opUnknown {
			l.add(FindingError, CodeInvalidVariableForOperator, "Policy variables can only be used with String and ARN operators.", where)
			continue
		}
		switch c.k {
		case opBool, opNull:
			if !strings.EqualFold(s, "true") && !strings.EqualFold(s, "false") {
				l.add(FindingWarning, CodeTypeMismatchBoolean,
					fmt.Sprintf("Add a valid Boolean value (true or false) for the condition operator %s.", c.op), where)
			}
		case opNumeric:
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				l.add(FindingWarning, CodeTypeMismatchNumber, fmt.Sprintf("Add a valid numeric value for the condition operator %s.", c.op), where)
			}
		case opDate:
			switch {
			case lintDigits(s):
				l.add(FindingWarning, CodeInvalidDateValue,
					fmt.Sprintf("The date %s might not resolve as expected. We recommend that you use the YYYY-MM-DD format.", s), where)
			case !lintDate(s):
				l.add(FindingWarning, CodeTypeMismatchDate,
					"The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.", where)
			}
		case opBinary:
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				l.add(FindingWarning, CodeTypeMismatchString, fmt.Sprintf("Add a valid base64-encoded string value for the condition operator %s.", c.op), where)
			}
		case opIP:
			p, ok := lintPrefix(s)
			if !ok {
				l.add(FindingError, CodeTypeMismatchIPRange,
					fmt.Sprintf("The condition operator %s is used with an invalid IP range value. Specify the IP range in standard CIDR format.", c.op), where)
				continue
			}
			if m := p.Masked(); m.Addr() != p.Addr() {
				l.add(FindingSuggestion, CodeImproveIPRange,
					fmt.Sprintf("The non-zero bits in the IP address after the masked bits are ignored. Replace address with %s.", m), where)
			}
			if lintPrivate(p) {
				private++
			} else {
				public++
			}
		case opString:
			if (c.base == "StringEquals" || c.base == "StringNotEquals" || c.base == "StringEqualsIgnoreCase" || c.base == "StringNotEqualsIgnoreCase") &&
				strings.ContainsAny(lintStripVariables(s), "*?") {
				l.add(FindingWarning, CodeWildcardWithoutLike,
					"Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.", where)
			}
			if s == "*" {
				l.starValue(c, where)
			}
		}
		if v.kind == kindString && (c.k == opString || c.k == opARN) && !hasVar && !strings.ContainsAny(s, "*?") {
			l.keyFormat(c, s, where)
		}
		l.tooPermissive(c, s, where, f)
	}
	if c.lower == "aws:sourceip" && c.k == opIP && private > 0 {
		not := c.base == "NotIpAddress"
		switch {
		case public == 0 && not:
			l.add(FindingError, CodePrivateNotIPAddress,
				"The values for condition key aws:SourceIp include only private IP addresses and has no effect. aws:SourceIp works only for public IP address ranges. Update the value to include only public IP addresses.", c.where)
		case public == 0:
			l.add(FindingError, CodePrivateIPAddress,
				"aws:SourceIp works only for public IP address ranges. The values for condition key aws:SourceIp include only private IP addresses and will not have the desired effect. Update the value to include only public IP addresses.", c.where)
		case not:
			l.add(FindingSuggestion, CodePrivateNotIPSubset,
				"The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses have no effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.", c.where)
		default:
			l.add(FindingSuggestion, CodePrivateIPSubset,
				"The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses will not have the desired effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.", c.where)
		}
	}
}

// lintFind returns the element of an array at a byte offset.
func lintFind(node *value, off int) *value {
	for j := range node.arr {
		if node.arr[j].off == off {
			return &node.arr[j]
		}
	}
	return node
}

func lintIndex(node *value, off int) int {
	for j := range node.arr {
		if node.arr[j].off == off {
			return j
		}
	}
	return 0
}

// starValue reports a Like operator whose value "*" makes the key always or never match.
func (l *linter) starValue(c *lintCond, where lintLoc) {
	switch {
	case c.base == "StringLike" && c.set == "" && !c.ifExists:
		l.add(FindingSuggestion, CodeEquivalentToNullFalse,
			fmt.Sprintf("We recommend replacing the key %[1]s in the condition block of %[2]s with {%[1]s: false} to ensure better enforcement of the condition.", c.key, c.op), where)
	case c.base == "StringNotLike" && c.set == "" && !c.ifExists:
		l.add(FindingSuggestion, CodeEquivalentToNullTrue,
			fmt.Sprintf("We recommend replacing the key %[1]s in the condition block of %[2]s with {%[1]s: true} to ensure better enforcement of the condition.", c.key, c.op), where)
	case c.base == "StringLike" && (c.set == "ForAllValues" || c.ifExists):
		l.add(FindingSuggestion, CodeRedundantKeyWildcard,
			fmt.Sprintf("The key %s in the condition block of %s is redundant because it is always matched. Remove this key to simplify the condition.", c.key, c.op), where)
	case c.base == "StringNotLike" && c.set == "ForAnyValue":
		l.add(FindingSuggestion, CodeRedundantStatementWildcard,
			fmt.Sprintf("The key %s in the condition block of %s does not match any values. Remove this key to simplify the condition.", c.key, c.op), where)
	}
}

// Keys whose values name regions, VPCs, VPC endpoints, service principals and KMS keys.
var (
	lintRegionKeys           = map[string]bool{"aws:requestedregion": true, "ec2:region": true}
	lintServicePrincipalKeys = map[string]bool{
		"aws:principalservicename": true, "aws:principalservicenameslist": true,
		"iam:passedtoservice": true, "iam:awsservicename": true, "kms:viaservice": true,
	}
	lintKMSKeys = map[string]bool{
		"s3:x-amz-server-side-encryption-aws-kms-key-id": true, "kms:keyarn": true,
	}
)

// keyFormat checks a literal value of a key whose values have a known format.
func (l *linter) keyFormat(c *lintCond, s string, where lintLoc) {
	switch {
	case lintRegionKeys[c.lower]:
		if !lintRegions[s] {
			l.add(FindingError, CodeInvalidRegion, fmt.Sprintf("The Region %s is not valid. Update the condition value to a supported Region.", s), where)
		}
	case c.lower == "aws:sourcevpc":
		if !lintIDFormat(s, "vpc-") {
			l.add(FindingError, CodeInvalidVPCFormat,
				"The VPC identifier in the condition key value is not valid. Use the prefix 'vpc-' followed by 8 or 17 alphanumeric characters.", where)
		}
	case c.lower == "aws:sourcevpce":
		if !lintIDFormat(s, "vpce-") {
			l.add(FindingError, CodeInvalidVPCEFormat,
				"The VPCE identifier in the condition key value is not valid.  Use the prefix 'vpce-' followed by 8 or 17 alphanumeric characters.", where)
		}
	case lintServicePrincipalKeys[c.lower]:
		if !validPrincipal("Service", s) {
			l.add(FindingError, CodeInvalidServicePrincipalFormat,
				"The service principal does not match the expected format. Use the format service-name.amazonaws.com.", where)
		}
	case lintKMSKeys[c.lower]:
		parts := strings.SplitN(s, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || !arn.IsAccountID(parts[4]) || !strings.HasPrefix(parts[5], "key/") || len(parts[5]) == len("key/") {
			l.add(FindingError, CodeInvalidKMSKeyValue, fmt.Sprintf("The %s condition key value must be a valid KMS key ARN.", c.key), where)
		}
	}
}

func lintIDFormat(s, prefix string) bool {
	id, ok := strings.CutPrefix(s, prefix)
	if !ok || (len(id) != 8 && len(id) != 17) {
		return false
	}
	for k := 0; k < len(id); k++ {
		if !isAlnum(id[k]) {
			return false
		}
	}
	return true
}

// lintSensitiveKeys are keys whose values identify who may act; wildcards and policy variables
// in them widen access. "id" keys take no wildcard at all; "arn" keys need six literal
// characters before one.
var lintSensitiveKeys = map[string]string{
	"aws:principalorgid": "id", "aws:resourceorgid": "id", "aws:sourceorgid": "id",
	"aws:principalaccount": "id", "aws:resourceaccount": "id", "aws:sourceaccount": "id",
	"aws:vpceaccount": "id", "aws:vpceorgid": "id",
	"aws:principalarn": "arn", "aws:sourcearn": "arn", "aws:principalorgpaths": "arn",
	"aws:resourceorgpaths": "arn", "aws:sourceorgpaths": "arn", "aws:vpceorgpaths": "arn",
	"aws:userid": "userid",
}

// tooPermissive reports wildcards and variables in sensitive keys where they widen what an
// Allow grants (or narrow what a Deny with a negated operator denies).
func (l *linter) tooPermissive(c *lintCond, s string, where lintLoc, f *stmtFacts) {
	class := lintSensitiveKeys[c.lower]
	if class == "" || !(f.allow && !c.negated || f.deny && c.negated) {
		return
	}
	// Only pattern operators give wildcards (and the values variables resolve to) a meaning.
	switch c.base {
	case "StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals":
	default:
		return
	}
	hasVar := lintHasVariable(s)
	stripped := lintStripVariables(s)
	wild := strings.ContainsAny(stripped, "*?") && (c.k == opString || c.k == opARN)
	if !wild && !hasVar {
		return
	}
	code, what := CodeWildcardTooPermissive, "wildcard"
	first := strings.IndexAny(stripped, "*?")
	if hasVar && (!wild || strings.Index(s, "${") < first) {
		code, what = CodeVariableTooPermissive, "policy variable"
		first = strings.Index(s, "${")
	}
	var msg string
	switch class {
	case "id":
		if code == CodeVariableTooPermissive {
			msg = fmt.Sprintf("The policy variable is not allowed in the condition key %s. We consider the key to be sensitive and policy variables can be evaluated as effective wildcards. Therefore policy variables are not allowed to be used with sensitive keys. Refer to https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html for the list of sensitive keys.", c.key)
		} else {
			msg = fmt.Sprintf("The wildcard is not allowed in the condition key %s. We consider the key to be sensitive and wildcards are not allowed to be used with sensitive keys. Refer to https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html for the list of sensitive keys.", c.key)
		}
	case "userid":
		colon := strings.IndexByte(s, ':')
		if colon >= 0 && (first > colon || s[:colon] == "*" || strings.HasPrefix(s, "${") && strings.Index(s, "}") == colon-1) {
			return
		}
		msg = fmt.Sprintf("Overly permissive use of %s with aws:userID. Use the %s on the right side of colon or as the only character on the left side of a colon.", what, what)
	default:
		if first >= 6 && !strings.ContainsAny(s[first-6:first], "*?") {
			return
		}
		msg = fmt.Sprintf("Overly permissive use of %s for the %s condition key. Use the %s preceded by 6 consecutive characters.", what, c.key, what)
	}
	l.add(FindingError, code, msg, where)
}

// statementConditions holds the checks that look at a statement's conditions together.
func (l *linter) statementConditions(f *stmtFacts) {
	for _, c := range f.conds {
		switch {
		case c.lower == "aws:vpcsourceip" && !f.hasKey("aws:sourcevpc"):
			l.add(FindingSecurityWarning, CodeMissingPairedKeys,
				fmt.Sprintf("Using the condition key %s can be overly permissive without also using the following condition keys: aws:SourceVpc. Condition keys like this one are more secure when paired with a related key. We recommend that you add the related condition keys to the same condition block.", c.key),
				c.where)
		case c.lower == "dynamodb:attributes" && !f.hasKey("dynamodb:select"):
			l.add(FindingSecurityWarning, CodeDynamoDBAttributesSelect,
				"Restricting dynamodb:Attributes without also setting dynamodb:Select to SPECIFIC_ATTRIBUTES allows all attributes to be returned on read requests that omit a projection expression. We recommend that you also set dynamodb:Select to SPECIFIC_ATTRIBUTES.", c.where)
		case c.lower == "s3:prefix" && c.k == opString && (f.deny && !c.negated || f.allow && c.negated):
			l.add(FindingSecurityWarning, CodeS3PrefixNegative,
				"Using the s3:prefix condition key in a Deny statement or with a negated string operator does not block listing the objects under the matching prefixes. A request that specifies a shorter prefix does not match the condition and can still list those objects. To restrict listing to specific prefixes, use s3:prefix with StringLike in an Allow statement, or use a Deny statement with StringNotLike.", c.where)
		case c.lower == "aws:vpceaccount" || c.lower == "aws:vpceorgid" || c.lower == "aws:vpceorgpaths":
			if f.hasNotAction || lintAnyServiceWildcard(f.actions) {
				l.add(FindingWarning, CodeKeyOnlySupportedServices,
					fmt.Sprintf("The condition key %s works only with specific AWS services and must be scoped to supported services in your policies.", c.key), c.where)
			}
		}
	}
	l.tagSupport(f)
	l.actionKeySupport(f)
}

func lintAnyServiceWildcard(actions []strElem) bool {
	for _, a := range actions {
		svc, _, _ := strings.Cut(a.s, ":")
		if strings.ContainsAny(svc, "*?") {
			return true
		}
	}
	return false
}

// tagSupport reports aws:ResourceTag conditions on actions of services that do not support the
// key: the condition is then never true, so an Allow grants nothing and a Deny denies nothing.
func (l *linter) tagSupport(f *stmtFacts) {
	var tag *lintCond
	for _, c := range f.conds {
		if strings.HasPrefix(c.lower, "aws:resourcetag/") {
			tag = c
			break
		}
	}
	if tag == nil || (!f.allow && !f.deny) {
		return
	}
	if f.hasNotAction {
		if f.deny {
			l.add(FindingSecurityWarning, CodeDenyNotActionTagKey,
				fmt.Sprintf("Using the effect Deny with NotAction and the tag condition key %s can be overly permissive because some service actions are not denied by this statement. This is because the condition key doesn't apply to some service actions. We recommend that you use Action instead of NotAction.", tag.key), tag.where)
		} else {
			l.add(FindingSuggestion, CodeAllowNotActionTagKey,
				fmt.Sprintf("Using the effect Allow with NotAction and the tag condition key %s allows only service actions that support the condition key. The condition key doesn't apply to some service actions. We recommend that you use Action instead of NotAction.", tag.key), tag.where)
		}
		return
	}
	if l.cat.ActionConditionKeys == nil || l.cat.MatchActions == nil {
		return
	}
	supported := map[string]bool{} // service → some matched action supports the key
	var order []string
	for _, a := range f.actions {
		if a.s == "*" {
			continue
		}
		for _, m := range l.cat.MatchActions(a.s) {
			svc, _, _ := strings.Cut(strings.ToLower(m), ":")
			if _, ok := supported[svc]; !ok {
				order = append(order, svc)
				supported[svc] = false
			}
			if supported[svc] {
				continue
			}
			keys, _ := l.cat.ActionConditionKeys(m)
			for _, k := range keys {
				if len(k) >= len("aws:ResourceTag/") && strings.EqualFold(k[:len("aws:ResourceTag/")], "aws:ResourceTag/") {
					supported[svc] = true
					break
				}
			}
		}
	}
	var bad []string
	for _, svc := range order {
		if !supported[svc] {
			bad = append(bad, svc)
		}
	}
	if len(bad) == 0 {
		return
	}
	if f.deny {
		l.add(FindingSecurityWarning, CodeDenyUnsupportedTagKey,
			fmt.Sprintf("Using the effect Deny with the tag condition key %s and actions for services with the following prefixes can be overly permissive: %s. Actions for the listed services are not denied by this statement. We recommend that you move these actions to a different statement without this condition key.", tag.key, strings.Join(bad, ", ")), tag.where)
	} else {
		l.add(FindingSuggestion, CodeAllowUnsupportedTagKey,
			fmt.Sprintf("Using the effect Allow with the tag condition key %s and actions for services with the following prefixes does not affect the policy: %s. Actions for the listed service are not allowed by this statement. We recommend that you move these actions to a different statement without this condition key.", tag.key, strings.Join(bad, ", ")), tag.where)
	}
}

// actionKeySupport reports service condition keys that named actions (without wildcards, as
// Access Analyzer does) do not support.
func (l *linter) actionKeySupport(f *stmtFacts) {
	// A trust policy's actions (sts:AssumeRole with sts:TagSession, sts:SetSourceIdentity) are
	// authorized on one request, whose keys they share.
	if l.cat.ActionConditionKeys == nil || l.kind == Trust {
		return
	}
	for _, c := range f.conds {
		prefix, _, _ := strings.Cut(c.lower, ":")
		if !c.known || prefix == "aws" || strings.ContainsAny(prefix, "./$") {
			continue
		}
		var bad []string
		for _, a := range f.actions {
			if strings.ContainsAny(a.s, "*?") {
				continue
			}
			keys, ok := l.cat.ActionConditionKeys(a.s)
			if !ok {
				continue
			}
			found := false
			for _, k := range keys {
				if lintKeyMatches(k, c.key) {
					found = true
					break
				}
			}
			if !found {
				bad = append(bad, a.s)
			}
		}
		if len(bad) > 0 {
			l.add(FindingError, CodeUnsupportedActionForKey,
				fmt.Sprintf("The following actions: %s are not supported by the condition key %s. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key.", strings.Join(bad, ", "), c.key), c.where)
		}
	}
}

// lintKeySuffixes are the texts that stand for a tag key at the end of some services' condition
// keys in the Service Authorization Reference, where others write ${TagKey}:
// secretsmanager:ResourceTag/tag-key, ssm:resourceTag/tag-key, s3:ExistingObjectTag/<key>,
// and elasticloadbalancing:ResourceTag/ with nothing after the slash.
var lintKeySuffixes = []string{"tag-key", "<key>", ""}

// lintKeyMatches reports whether a catalog key (which may end in a variable such as
// ${TagKey}, or in one of lintKeySuffixes after a slash) names a policy's key, ignoring case.
func lintKeyMatches(template, key string) bool {
	i := strings.Index(template, "${")
	if i < 0 {
		if strings.EqualFold(template, key) {
			return true
		}
		if j := strings.LastIndexByte(template, '/'); j > 0 && slices.Contains(lintKeySuffixes, template[j+1:]) {
			i = j + 1
		} else {
			return false
		}
	}
	return len(key) > i && strings.EqualFold(template[:i], key[:i])
}

func lintDigits(s string) bool {
	if s == "" {
		return false
	}
	for k := 0; k < len(s); k++ {
		if s[k] < '0' || s[k] > '9' {
			return false
		}
	}
	return true
}

// lintDate reports whether s is a W3C (ISO 8601) date or date-time.
func lintDate(s string) bool {
	for _, layout := range []string{"2006-01-02", time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// lintPrefix parses an IP address or CIDR range.
func lintPrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p, err == nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// lintPrivate reports whether a range lies in private, loopback or link-local space.
func lintPrivate(p netip.Prefix) bool {
	a := p.Masked().Addr()
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast()
}
