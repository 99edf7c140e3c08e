package condition

import "strings"

// SyntaxErrorMessage is the message AWS IAM returns (as MalformedPolicyDocument) for a condition
// block it cannot parse, including an unknown condition operator.
const SyntaxErrorMessage = "Syntax errors in policy."

// OperatorError reports an unknown condition operator. Its Error text is the client-safe
// MalformedPolicyDocument message; Op carries the offending operator for logs and traces.
type OperatorError struct {
	Op string
}

func (e *OperatorError) Error() string { return SyntaxErrorMessage }

type kind uint8

const (
	kString kind = iota + 1
	kNumeric
	kDate
	kBool
	kBinary
	kIP
	kARN
	kNull
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLike
	cmpLT
	cmpLE
	cmpGT
	cmpGE
)

type opInfo struct {
	kind    kind
	cmp     cmpOp
	negated bool
	fold    bool // IgnoreCase
}

// lookupOp returns the description of a base operator name (no prefix, no IfExists). Operator
// names are case-sensitive, as AWS treats them.
func lookupOp(name string) (opInfo, bool) {
	switch name {
	case "StringEquals":
		return opInfo{kind: kString, cmp: cmpEq}, true
	case "StringNotEquals":
		return opInfo{kind: kString, cmp: cmpEq, negated: true}, true
	case "StringEqualsIgnoreCase":
		return opInfo{kind: kString, cmp: cmpEq, fold: true}, true
	case "StringNotEqualsIgnoreCase":
		return opInfo{kind: kString, cmp: cmpEq, fold: true, negated: true}, true
	case "StringLike":
		return opInfo{kind: kString, cmp: cmpLike}, true
	case "StringNotLike":
		return opInfo{kind: kString, cmp: cmpLike, negated: true}, true
	case "NumericEquals":
		return opInfo{kind: kNumeric, cmp: cmpEq}, true
	case "NumericNotEquals":
		return opInfo{kind: kNumeric, cmp: cmpEq, negated: true}, true
	case "NumericLessThan":
		return opInfo{kind: kNumeric, cmp: cmpLT}, true
	case "NumericLessThanEquals":
		return opInfo{kind: kNumeric, cmp: cmpLE}, true
	case "NumericGreaterThan":
		return opInfo{kind: kNumeric, cmp: cmpGT}, true
	case "NumericGreaterThanEquals":
		return opInfo{kind: kNumeric, cmp: cmpGE}, true
	case "DateEquals":
		return opInfo{kind: kDate, cmp: cmpEq}, true
	case "DateNotEquals":
		return opInfo{kind: kDate, cmp: cmpEq, negated: true}, true
	case "DateLessThan":
		return opInfo{kind: kDate, cmp: cmpLT}, true
	case "DateLessThanEquals":
		return opInfo{kind: kDate, cmp: cmpLE}, true
	case "DateGreaterThan":
		return opInfo{kind: kDate, cmp: cmpGT}, true
	case "DateGreaterThanEquals":
		return opInfo{kind: kDate, cmp: cmpGE}, true
	case "Bool":
		return opInfo{kind: kBool, cmp: cmpEq}, true
	case "BinaryEquals":
		return opInfo{kind: kBinary, cmp: cmpEq}, true
	case "IpAddress":
		return opInfo{kind: kIP, cmp: cmpEq}, true
	case "NotIpAddress":
		return opInfo{kind: kIP, cmp: cmpEq, negated: true}, true
	case "ArnEquals":
		return opInfo{kind: kARN, cmp: cmpLike}, true
	case "ArnLike":
		return opInfo{kind: kARN, cmp: cmpLike}, true
	case "ArnNotEquals":
		return opInfo{kind: kARN, cmp: cmpLike, negated: true}, true
	case "ArnNotLike":
		return opInfo{kind: kARN, cmp: cmpLike, negated: true}, true
	case "Null":
		return opInfo{kind: kNull, cmp: cmpEq}, true
	}
	return opInfo{}, false
}

type setKind uint8

const (
	setNone setKind = iota
	setAny
	setAll
)

type parsedOp struct {
	info     opInfo
	set      setKind
	ifExists bool
}

// parseOp splits an operator as written into its parts. "NullIfExists" is accepted, as AWS's
// parser accepts it, and behaves like Null: IfExists has no effect on a presence test.
func parseOp(op string) (parsedOp, bool) {
	var p parsedOp
	name := op
	if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		p.set, name = setAny, rest
	} else if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		p.set, name = setAll, rest
	}
	info, ok := lookupOp(name)
	if !ok {
		base, cut := strings.CutSuffix(name, "IfExists")
		if !cut {
			return parsedOp{}, false
		}
		if info, ok = lookupOp(base); !ok {
			return parsedOp{}, false
		}
		p.ifExists = true
	}
	p.info = info
	return p, true
}

// CheckOperator validates an operator name as written in a policy, with an optional
// "ForAllValues:" or "ForAnyValue:" prefix and "IfExists" suffix. An unknown operator yields an
// *OperatorError whose text is AWS's MalformedPolicyDocument message.
func CheckOperator(op string) error {
	if _, ok := parseOp(op); !ok {
		return &OperatorError{Op: op}
	}
	return nil
}
