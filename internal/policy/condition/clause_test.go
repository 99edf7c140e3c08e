package condition

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Doc page names used in test names:
//   ops   = IAM User Guide, "IAM JSON policy elements: Condition operators"
//   multi = "Conditions with multiple context keys or values"
//   set   = "Single-valued vs. multivalued context keys" (set operators)
//   vars  = "IAM policy elements: Variables and tags"

type ctxMap = map[string][]string

type clauseCase struct {
	name   string
	op     string
	key    string
	values []string
	ctx    ctxMap
	noVars bool // compile as policy Version 2008-10-17
	want   Outcome
}

var (
	yes     = Outcome{Match: true}
	no      = Outcome{}
	missT   = Outcome{Match: true, Missing: true}
	missF   = Outcome{Missing: true}
	badNo   = Outcome{Invalid: true}
	badMiss = Outcome{Missing: true, Invalid: true}
)

func runClauseCases(t *testing.T, cases []clauseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.op, tc.key, tc.values, Options{Variables: !tc.noVars})
			if err != nil {
				t.Fatalf("Compile(%q, %q, %q) error: %v", tc.op, tc.key, tc.values, err)
			}
			var ctx Context
			if tc.ctx != nil {
				ctx = NewMap(tc.ctx)
			}
			got := c.Eval(ctx)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s {%q: %q} with context %v: outcome mismatch (-want +got):\n%s", tc.op, tc.key, tc.values, tc.ctx, diff)
			}
		})
	}
}

func TestStringOperators(t *testing.T) {
	tag := "aws:PrincipalTag/job-category"
	runClauseCases(t, []clauseCase{
		// ops: "StringEquals: Exact matching, case sensitive" (job-category example).
		{name: "ops/StringEquals match", op: "StringEquals", key: tag, values: []string{"iamuser-admin"}, ctx: ctxMap{tag: {"iamuser-admin"}}, want: yes},
		{name: "ops/StringEquals case sensitive", op: "StringEquals", key: tag, values: []string{"iamuser-admin"}, ctx: ctxMap{tag: {"IAMUser-Admin"}}, want: no},
		{name: "ops/StringEquals key names case insensitive", op: "StringEquals", key: "AWS:PrincipalTag/Job-Category", values: []string{"x"}, ctx: ctxMap{"aws:principaltag/job-category": {"x"}}, want: yes},
		// ops: "If the key that you specify in a policy condition is not present in the request
		// context, the values do not match and the condition is false."
		{name: "ops/StringEquals missing key is false", op: "StringEquals", key: tag, values: []string{"iamuser-admin"}, ctx: ctxMap{}, want: missF},
		{name: "ops/StringEquals nil context", op: "StringEquals", key: tag, values: []string{"x"}, want: missF},
		{name: "ops/StringEquals empty context list is missing", op: "StringEquals", key: tag, values: []string{"x"}, ctx: ctxMap{tag: {}}, want: missF},
		{name: "ops/StringEqualsIfExists missing is true", op: "StringEqualsIfExists", key: tag, values: []string{"x"}, ctx: ctxMap{}, want: missT},
		{name: "ops/StringEqualsIfExists present no match", op: "StringEqualsIfExists", key: tag, values: []string{"x"}, ctx: ctxMap{tag: {"y"}}, want: no},
		{name: "ops/StringEquals star is literal", op: "StringEquals", key: "k:k", values: []string{"a*"}, ctx: ctxMap{"k:k": {"abc"}}, want: no},
		{name: "ops/StringEquals star literal matches itself", op: "StringEquals", key: "k:k", values: []string{"a*"}, ctx: ctxMap{"k:k": {"a*"}}, want: yes},
		// multi: several values for one key are ORed.
		{name: "multi/StringEquals values ORed", op: "StringEquals", key: "k:k", values: []string{"a", "b"}, ctx: ctxMap{"k:k": {"b"}}, want: yes},
		{name: "multi/StringEquals multivalued context any", op: "StringEquals", key: "k:k", values: []string{"b"}, ctx: ctxMap{"k:k": {"a", "b"}}, want: yes},
		{name: "multi/StringEquals multivalued context none", op: "StringEquals", key: "k:k", values: []string{"c"}, ctx: ctxMap{"k:k": {"a", "b"}}, want: no},
		// multi: "If a single negated matching condition operator includes multiple values for a
		// context key, those values are evaluated using a logical NOR."
		{name: "multi/StringNotEquals NOR none match", op: "StringNotEquals", key: "k:k", values: []string{"audit", "security"}, ctx: ctxMap{"k:k": {"dev"}}, want: yes},
		{name: "multi/StringNotEquals NOR one matches", op: "StringNotEquals", key: "k:k", values: []string{"audit", "security"}, ctx: ctxMap{"k:k": {"security"}}, want: no},
		{name: "multi/StringNotEquals multivalued context one matches", op: "StringNotEquals", key: "k:k", values: []string{"a"}, ctx: ctxMap{"k:k": {"x", "a"}}, want: no},
		// ops: "If the policy condition requires that the key is not matched, such as StringNotLike
		// or ArnNotLike, and the right key is not present, the condition is true."
		{name: "ops/StringNotEquals missing key is true", op: "StringNotEquals", key: "k:k", values: []string{"a"}, ctx: ctxMap{}, want: missT},
		{name: "ops/StringNotEqualsIfExists missing is true", op: "StringNotEqualsIfExists", key: "k:k", values: []string{"a"}, want: missT},
		{name: "ops/StringEqualsIgnoreCase match", op: "StringEqualsIgnoreCase", key: "k:k", values: []string{"Production"}, ctx: ctxMap{"k:k": {"PRODUCTION"}}, want: yes},
		{name: "ops/StringEqualsIgnoreCase unicode", op: "StringEqualsIgnoreCase", key: "k:k", values: []string{"ÉTÉ"}, ctx: ctxMap{"k:k": {"été"}}, want: yes},
		{name: "ops/StringEqualsIgnoreCase no match", op: "StringEqualsIgnoreCase", key: "k:k", values: []string{"prod"}, ctx: ctxMap{"k:k": {"production"}}, want: no},
		{name: "ops/StringEqualsIgnoreCase shorter context", op: "StringEqualsIgnoreCase", key: "k:k", values: []string{"prod"}, ctx: ctxMap{"k:k": {"pro"}}, want: no},
		{name: "ops/StringNotEqualsIgnoreCase match", op: "StringNotEqualsIgnoreCase", key: "k:k", values: []string{"prod"}, ctx: ctxMap{"k:k": {"PROD"}}, want: no},
		{name: "ops/StringNotEqualsIgnoreCase differs", op: "StringNotEqualsIgnoreCase", key: "k:k", values: []string{"prod"}, ctx: ctxMap{"k:k": {"dev"}}, want: yes},
		{name: "ops/StringNotEqualsIgnoreCase missing", op: "StringNotEqualsIgnoreCase", key: "k:k", values: []string{"prod"}, want: missT},
		// ops: StringLike with s3:prefix "home/${aws:username}/*" style wildcards.
		{name: "ops/StringLike star", op: "StringLike", key: "s3:prefix", values: []string{"marketing/*"}, ctx: ctxMap{"s3:prefix": {"marketing/2024/plan.txt"}}, want: yes},
		{name: "ops/StringLike star empty", op: "StringLike", key: "s3:prefix", values: []string{"marketing/*"}, ctx: ctxMap{"s3:prefix": {"marketing/"}}, want: yes},
		{name: "ops/StringLike no match", op: "StringLike", key: "s3:prefix", values: []string{"marketing/*"}, ctx: ctxMap{"s3:prefix": {"sales/x"}}, want: no},
		{name: "ops/StringLike question", op: "StringLike", key: "k:k", values: []string{"v?"}, ctx: ctxMap{"k:k": {"v1"}}, want: yes},
		{name: "ops/StringLike question needs one", op: "StringLike", key: "k:k", values: []string{"v?"}, ctx: ctxMap{"k:k": {"v"}}, want: no},
		{name: "ops/StringLike middle chunks", op: "StringLike", key: "k:k", values: []string{"*a*b?c*"}, ctx: ctxMap{"k:k": {"xxaxxbZcxx"}}, want: yes},
		{name: "ops/StringLike middle chunk absent", op: "StringLike", key: "k:k", values: []string{"a*x*c"}, ctx: ctxMap{"k:k": {"abbc"}}, want: no},
		{name: "ops/StringLike suffix question", op: "StringLike", key: "k:k", values: []string{"a*?c"}, ctx: ctxMap{"k:k": {"abéc"}}, want: yes},
		{name: "ops/StringLike suffix question too short", op: "StringLike", key: "k:k", values: []string{"*??"}, ctx: ctxMap{"k:k": {"a"}}, want: no},
		{name: "ops/StringLike suffix literal mismatch", op: "StringLike", key: "k:k", values: []string{"*?bc"}, ctx: ctxMap{"k:k": {"xbd"}}, want: no},
		{name: "ops/StringLike no wildcard is exact", op: "StringLike", key: "k:k", values: []string{"abc"}, ctx: ctxMap{"k:k": {"abcd"}}, want: no},
		{name: "ops/StringLike case sensitive", op: "StringLike", key: "k:k", values: []string{"A*"}, ctx: ctxMap{"k:k": {"abc"}}, want: no},
		{name: "ops/StringLike missing", op: "StringLike", key: "k:k", values: []string{"*"}, want: missF},
		{name: "ops/StringLikeIfExists missing", op: "StringLikeIfExists", key: "k:k", values: []string{"x"}, want: missT},
		{name: "ops/StringNotLike match", op: "StringNotLike", key: "k:k", values: []string{"a*", "b*"}, ctx: ctxMap{"k:k": {"cat"}}, want: yes},
		{name: "ops/StringNotLike NOR", op: "StringNotLike", key: "k:k", values: []string{"a*", "b*"}, ctx: ctxMap{"k:k": {"bat"}}, want: no},
		{name: "ops/StringNotLike missing is true", op: "StringNotLike", key: "k:k", values: []string{"a*"}, want: missT},
		{name: "ops/StringEquals empty policy values", op: "StringEquals", key: "k:k", values: nil, ctx: ctxMap{"k:k": {"a"}}, want: no},
		{name: "ops/StringNotEquals empty policy values", op: "StringNotEquals", key: "k:k", values: nil, ctx: ctxMap{"k:k": {"a"}}, want: yes},
	})
}

func TestNumericOperators(t *testing.T) {
	k := "s3:max-keys"
	runClauseCases(t, []clauseCase{
		// ops: NumericLessThanEquals with s3:max-keys "10".
		{name: "ops/NumericLessThanEquals s3 max-keys equal", op: "NumericLessThanEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"10"}}, want: yes},
		{name: "ops/NumericLessThanEquals s3 max-keys less", op: "NumericLessThanEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"9"}}, want: yes},
		{name: "ops/NumericLessThanEquals s3 max-keys more", op: "NumericLessThanEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"11"}}, want: no},
		{name: "ops/NumericEquals decimal", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"10.000"}}, want: yes},
		{name: "ops/NumericEquals leading zeros and plus", op: "NumericEquals", key: k, values: []string{"+010"}, ctx: ctxMap{k: {"10"}}, want: yes},
		{name: "ops/NumericEquals negative zero", op: "NumericEquals", key: k, values: []string{"0"}, ctx: ctxMap{k: {"-0.0"}}, want: yes},
		{name: "ops/NumericEquals fraction only", op: "NumericEquals", key: k, values: []string{".5"}, ctx: ctxMap{k: {"0.50"}}, want: yes},
		{name: "ops/NumericEquals exact beyond float64", op: "NumericEquals", key: k, values: []string{"9007199254740993"}, ctx: ctxMap{k: {"9007199254740992"}}, want: no},
		{name: "ops/NumericEquals no match", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"11"}}, want: no},
		{name: "ops/NumericEquals values ORed", op: "NumericEquals", key: k, values: []string{"1", "2"}, ctx: ctxMap{k: {"2"}}, want: yes},
		{name: "ops/NumericNotEquals differs", op: "NumericNotEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"11"}}, want: yes},
		{name: "ops/NumericNotEquals NOR", op: "NumericNotEquals", key: k, values: []string{"10", "11"}, ctx: ctxMap{k: {"11"}}, want: no},
		{name: "ops/NumericNotEquals missing is true", op: "NumericNotEquals", key: k, values: []string{"10"}, want: missT},
		{name: "ops/NumericLessThan", op: "NumericLessThan", key: k, values: []string{"10"}, ctx: ctxMap{k: {"9.99"}}, want: yes},
		{name: "ops/NumericLessThan equal", op: "NumericLessThan", key: k, values: []string{"10"}, ctx: ctxMap{k: {"10"}}, want: no},
		{name: "ops/NumericLessThan negatives", op: "NumericLessThan", key: k, values: []string{"-1"}, ctx: ctxMap{k: {"-2"}}, want: yes},
		{name: "ops/NumericLessThan negative vs positive", op: "NumericLessThan", key: k, values: []string{"1"}, ctx: ctxMap{k: {"-5"}}, want: yes},
		{name: "ops/NumericGreaterThan", op: "NumericGreaterThan", key: k, values: []string{"10"}, ctx: ctxMap{k: {"10.5"}}, want: yes},
		{name: "ops/NumericGreaterThan smaller", op: "NumericGreaterThan", key: k, values: []string{"10"}, ctx: ctxMap{k: {"2"}}, want: no},
		{name: "ops/NumericGreaterThan negative smaller", op: "NumericGreaterThan", key: k, values: []string{"-1"}, ctx: ctxMap{k: {"-1.5"}}, want: no},
		{name: "ops/NumericGreaterThanEquals", op: "NumericGreaterThanEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"10"}}, want: yes},
		{name: "ops/NumericGreaterThanEquals less", op: "NumericGreaterThanEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"9"}}, want: no},
		{name: "ops/NumericLessThan missing", op: "NumericLessThan", key: k, values: []string{"10"}, want: missF},
		{name: "ops/NumericLessThanIfExists missing", op: "NumericLessThanIfExists", key: k, values: []string{"10"}, want: missT},
		{name: "type error/context not a number", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"ten"}}, want: badNo},
		{name: "type error/context exponent", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"1e1"}}, want: badNo},
		{name: "type error/context lone dot", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"."}}, want: badNo},
		{name: "type error/context empty", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {""}}, want: badNo},
		{name: "type error/negated fails closed", op: "NumericNotEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"NaN"}}, want: badNo},
		{name: "type error/policy value", op: "NumericEquals", key: k, values: []string{"abc"}, ctx: ctxMap{k: {"10"}}, want: badNo},
		{name: "type error/policy value other value matches", op: "NumericEquals", key: k, values: []string{"abc", "10"}, ctx: ctxMap{k: {"10"}}, want: Outcome{Match: true, Invalid: true}},
		{name: "type error/policy value negated", op: "NumericNotEquals", key: k, values: []string{"abc"}, ctx: ctxMap{k: {"10"}}, want: badNo},
		{name: "type error/one bad context value among good", op: "NumericEquals", key: k, values: []string{"10"}, ctx: ctxMap{k: {"x", "10"}}, want: Outcome{Match: true, Invalid: true}},
		{name: "type error/policy value missing key negated", op: "NumericNotEquals", key: k, values: []string{"abc"}, want: missT},
	})
}

func TestDateOperators(t *testing.T) {
	k := "aws:CurrentTime"
	runClauseCases(t, []clauseCase{
		// ops: "DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}.
		{name: "ops/DateGreaterThan token issue time", op: "DateGreaterThan", key: "aws:TokenIssueTime", values: []string{"2020-01-01T00:00:01Z"}, ctx: ctxMap{"aws:TokenIssueTime": {"2020-01-01T00:00:02Z"}}, want: yes},
		{name: "ops/DateGreaterThan earlier", op: "DateGreaterThan", key: "aws:TokenIssueTime", values: []string{"2020-01-01T00:00:01Z"}, ctx: ctxMap{"aws:TokenIssueTime": {"2019-12-31T23:59:59Z"}}, want: no},
		{name: "ops/DateEquals epoch vs ISO", op: "DateEquals", key: k, values: []string{"1577836800"}, ctx: ctxMap{k: {"2020-01-01T00:00:00Z"}}, want: yes},
		{name: "ops/DateEquals date only", op: "DateEquals", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"1577836800"}}, want: yes},
		{name: "ops/DateEquals offset", op: "DateEquals", key: k, values: []string{"2020-01-01T02:00:00+02:00"}, ctx: ctxMap{k: {"2020-01-01T00:00:00Z"}}, want: yes},
		{name: "ops/DateEquals negative offset compact", op: "DateEquals", key: k, values: []string{"2019-12-31T19:00:00-0500"}, ctx: ctxMap{k: {"2020-01-01T00:00Z"}}, want: yes},
		{name: "ops/DateEquals hour offset", op: "DateEquals", key: k, values: []string{"2020-01-01T01:00:00+01"}, ctx: ctxMap{k: {"2020-01-01T00:00:00"}}, want: yes},
		{name: "ops/DateEquals fraction", op: "DateEquals", key: k, values: []string{"2020-01-01T00:00:00.500Z"}, ctx: ctxMap{k: {"2020-01-01T00:00:00.5Z"}}, want: yes},
		{name: "ops/DateEquals fraction differs", op: "DateEquals", key: k, values: []string{"2020-01-01T00:00:00.500Z"}, ctx: ctxMap{k: {"2020-01-01T00:00:00Z"}}, want: no},
		{name: "ops/DateLessThan", op: "DateLessThan", key: k, values: []string{"2020-06-30T00:00:00Z"}, ctx: ctxMap{k: {"2020-06-29T23:59:59Z"}}, want: yes},
		{name: "ops/DateLessThan fraction", op: "DateLessThan", key: k, values: []string{"2020-06-30T00:00:00.2Z"}, ctx: ctxMap{k: {"2020-06-30T00:00:00.1Z"}}, want: yes},
		{name: "ops/DateLessThanEquals", op: "DateLessThanEquals", key: k, values: []string{"2020-06-30"}, ctx: ctxMap{k: {"2020-06-30T00:00:00Z"}}, want: yes},
		{name: "ops/DateGreaterThanEquals", op: "DateGreaterThanEquals", key: k, values: []string{"2020-06-30"}, ctx: ctxMap{k: {"2020-06-29"}}, want: no},
		{name: "ops/DateGreaterThanEquals negative epoch", op: "DateGreaterThanEquals", key: k, values: []string{"-10"}, ctx: ctxMap{k: {"1969-12-31T23:59:55Z"}}, want: yes},
		{name: "ops/DateNotEquals", op: "DateNotEquals", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"2020-01-02"}}, want: yes},
		{name: "ops/DateNotEquals same", op: "DateNotEquals", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"2020-01-01T00:00:00Z"}}, want: no},
		{name: "ops/DateNotEquals missing is true", op: "DateNotEquals", key: k, values: []string{"2020-01-01"}, want: missT},
		{name: "ops/DateLessThan missing", op: "DateLessThan", key: k, values: []string{"2020-01-01"}, want: missF},
		{name: "ops/DateLessThanIfExists missing", op: "DateLessThanIfExists", key: k, values: []string{"2020-01-01"}, want: missT},
		{name: "type error/not a date", op: "DateLessThan", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"yesterday"}}, want: badNo},
		{name: "type error/bad month", op: "DateLessThan", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"2020-13-01"}}, want: badNo},
		{name: "type error/feb 30", op: "DateLessThan", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"2021-02-29"}}, want: badNo},
		{name: "type error/bad hour", op: "DateLessThan", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"2020-01-01T24:00:00Z"}}, want: badNo},
		{name: "type error/bad zone", op: "DateLessThan", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"2020-01-01T00:00:00 UTC"}}, want: badNo},
		{name: "type error/negated fails closed", op: "DateNotEquals", key: k, values: []string{"2020-01-01"}, ctx: ctxMap{k: {"soon"}}, want: badNo},
		{name: "type error/policy value", op: "DateEquals", key: k, values: []string{"soon"}, ctx: ctxMap{k: {"2020-01-01"}}, want: badNo},
	})
}

func TestBoolBinaryNull(t *testing.T) {
	mfa := "aws:MultiFactorAuthPresent"
	runClauseCases(t, []clauseCase{
		// ops: "Bool": {"aws:SecureTransport": "true"}.
		{name: "ops/Bool secure transport", op: "Bool", key: "aws:SecureTransport", values: []string{"true"}, ctx: ctxMap{"aws:SecureTransport": {"true"}}, want: yes},
		{name: "ops/Bool case insensitive", op: "Bool", key: mfa, values: []string{"True"}, ctx: ctxMap{mfa: {"TRUE"}}, want: yes},
		{name: "ops/Bool false", op: "Bool", key: mfa, values: []string{"true"}, ctx: ctxMap{mfa: {"false"}}, want: no},
		{name: "ops/Bool missing", op: "Bool", key: mfa, values: []string{"false"}, want: missF},
		// ops (IfExists): "BoolIfExists": {"aws:MultiFactorAuthPresent": "false"} is true for
		// requests without MFA information.
		{name: "ops/BoolIfExists missing", op: "BoolIfExists", key: mfa, values: []string{"false"}, want: missT},
		{name: "type error/Bool context", op: "Bool", key: mfa, values: []string{"true"}, ctx: ctxMap{mfa: {"yes"}}, want: badNo},
		{name: "type error/Bool policy", op: "Bool", key: mfa, values: []string{"yes"}, ctx: ctxMap{mfa: {"true"}}, want: badNo},
		{name: "vars/Bool variable", op: "Bool", key: mfa, values: []string{"${k:flag}"}, ctx: ctxMap{mfa: {"true"}, "k:flag": {"TRUE"}}, want: yes},
		// ops: "BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}.
		{name: "ops/BinaryEquals match", op: "BinaryEquals", key: "k:bin", values: []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, ctx: ctxMap{"k:bin": {"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}, want: yes},
		{name: "ops/BinaryEquals unpadded context", op: "BinaryEquals", key: "k:bin", values: []string{"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, ctx: ctxMap{"k:bin": {"QmluYXJ5VmFsdWVJbkJhc2U2NA"}}, want: yes},
		{name: "ops/BinaryEquals unpadded policy", op: "BinaryEquals", key: "k:bin", values: []string{"YWI"}, ctx: ctxMap{"k:bin": {"YWI="}}, want: yes},
		{name: "ops/BinaryEquals differs", op: "BinaryEquals", key: "k:bin", values: []string{"YWJj"}, ctx: ctxMap{"k:bin": {"YWJk"}}, want: no},
		{name: "ops/BinaryEquals longer context", op: "BinaryEquals", key: "k:bin", values: []string{"YWJj"}, ctx: ctxMap{"k:bin": {"YWJjZA=="}}, want: no},
		{name: "ops/BinaryEquals shorter context", op: "BinaryEquals", key: "k:bin", values: []string{"YWJjZA=="}, ctx: ctxMap{"k:bin": {"YWJj"}}, want: no},
		{name: "ops/BinaryEquals second value", op: "BinaryEquals", key: "k:bin", values: []string{"YQ==", "YWJj"}, ctx: ctxMap{"k:bin": {"YWJj"}}, want: yes},
		{name: "ops/BinaryEquals missing", op: "BinaryEquals", key: "k:bin", values: []string{"YWJj"}, want: missF},
		{name: "ops/BinaryEqualsIfExists missing", op: "BinaryEqualsIfExists", key: "k:bin", values: []string{"YWJj"}, want: missT},
		{name: "type error/Binary context", op: "BinaryEquals", key: "k:bin", values: []string{"YWJj"}, ctx: ctxMap{"k:bin": {"!!!!"}}, want: badNo},
		{name: "type error/Binary context padding inside", op: "BinaryEquals", key: "k:bin", values: []string{"YWJj"}, ctx: ctxMap{"k:bin": {"YQ==YWJj"}}, want: badNo},
		{name: "type error/Binary both", op: "BinaryEquals", key: "k:bin", values: []string{"!"}, ctx: ctxMap{"k:bin": {"!!!!"}}, want: badNo},
		{name: "type error/Binary policy", op: "BinaryEquals", key: "k:bin", values: []string{"not base64!"}, ctx: ctxMap{"k:bin": {"YWJj"}}, want: badNo},
		// ops: "Null": {"aws:TokenIssueTime": "true"} matches when the key is absent.
		{name: "ops/Null true absent", op: "Null", key: "aws:TokenIssueTime", values: []string{"true"}, ctx: ctxMap{}, want: missT},
		{name: "ops/Null true present", op: "Null", key: "aws:TokenIssueTime", values: []string{"true"}, ctx: ctxMap{"aws:TokenIssueTime": {"2020-01-01T00:00:00Z"}}, want: no},
		{name: "ops/Null false present", op: "Null", key: "aws:TokenIssueTime", values: []string{"false"}, ctx: ctxMap{"aws:TokenIssueTime": {"x"}}, want: yes},
		{name: "ops/Null false absent", op: "Null", key: "aws:TokenIssueTime", values: []string{"FALSE"}, want: missF},
		{name: "ops/Null empty list is absent", op: "Null", key: "aws:TagKeys", values: []string{"true"}, ctx: ctxMap{"aws:TagKeys": {}}, want: missT},
		{name: "ops/Null both values", op: "Null", key: "k:k", values: []string{"true", "false"}, ctx: ctxMap{"k:k": {"x"}}, want: yes},
		{name: "ops/NullIfExists behaves as Null", op: "NullIfExists", key: "k:k", values: []string{"false"}, want: missF},
		{name: "type error/Null policy value", op: "Null", key: "k:k", values: []string{"maybe"}, want: badMiss},
	})
}

func TestIPOperators(t *testing.T) {
	k := "aws:SourceIp"
	runClauseCases(t, []clauseCase{
		// ops: "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}.
		{name: "ops/IpAddress in range", op: "IpAddress", key: k, values: []string{"203.0.113.0/24"}, ctx: ctxMap{k: {"203.0.113.7"}}, want: yes},
		{name: "ops/IpAddress out of range", op: "IpAddress", key: k, values: []string{"203.0.113.0/24"}, ctx: ctxMap{k: {"203.0.114.7"}}, want: no},
		// ops: mixing IPv4 and IPv6: ["203.0.113.0/24", "2001:DB8:1234:5678::/64"].
		{name: "ops/IpAddress ipv6 range", op: "IpAddress", key: k, values: []string{"203.0.113.0/24", "2001:DB8:1234:5678::/64"}, ctx: ctxMap{k: {"2001:db8:1234:5678::1"}}, want: yes},
		{name: "ops/IpAddress ipv6 out", op: "IpAddress", key: k, values: []string{"2001:DB8:1234:5678::/64"}, ctx: ctxMap{k: {"2001:db8:1234:5679::1"}}, want: no},
		{name: "ops/IpAddress bare address", op: "IpAddress", key: k, values: []string{"192.0.2.1"}, ctx: ctxMap{k: {"192.0.2.1"}}, want: yes},
		{name: "ops/IpAddress bare address other", op: "IpAddress", key: k, values: []string{"192.0.2.1"}, ctx: ctxMap{k: {"192.0.2.2"}}, want: no},
		{name: "ops/IpAddress host bits set", op: "IpAddress", key: k, values: []string{"10.1.2.3/8"}, ctx: ctxMap{k: {"10.200.0.1"}}, want: yes},
		{name: "ops/IpAddress ipv4 mapped context", op: "IpAddress", key: k, values: []string{"192.0.2.0/24"}, ctx: ctxMap{k: {"::ffff:192.0.2.9"}}, want: yes},
		{name: "ops/IpAddress mapped policy", op: "IpAddress", key: k, values: []string{"::ffff:192.0.2.0/120"}, ctx: ctxMap{k: {"192.0.2.9"}}, want: yes},
		{name: "ops/IpAddress ipv6 context ipv4 policy", op: "IpAddress", key: k, values: []string{"0.0.0.0/0"}, ctx: ctxMap{k: {"2001:db8::1"}}, want: no},
		{name: "ops/IpAddress missing", op: "IpAddress", key: k, values: []string{"0.0.0.0/0"}, want: missF},
		{name: "ops/IpAddressIfExists missing", op: "IpAddressIfExists", key: k, values: []string{"0.0.0.0/0"}, want: missT},
		{name: "ops/NotIpAddress outside", op: "NotIpAddress", key: k, values: []string{"192.0.2.0/24", "203.0.113.0/24"}, ctx: ctxMap{k: {"198.51.100.1"}}, want: yes},
		{name: "ops/NotIpAddress inside", op: "NotIpAddress", key: k, values: []string{"192.0.2.0/24", "203.0.113.0/24"}, ctx: ctxMap{k: {"203.0.113.1"}}, want: no},
		{name: "ops/NotIpAddress missing is true", op: "NotIpAddress", key: k, values: []string{"192.0.2.0/24"}, want: missT},
		{name: "type error/IpAddress context", op: "IpAddress", key: k, values: []string{"0.0.0.0/0"}, ctx: ctxMap{k: {"example.com"}}, want: badNo},
		{name: "type error/IpAddress context hex garbage", op: "IpAddress", key: k, values: []string{"0.0.0.0/0"}, ctx: ctxMap{k: {"abc"}}, want: badNo},
		{name: "type error/IpAddress context zone", op: "IpAddress", key: k, values: []string{"::/0"}, ctx: ctxMap{k: {"fe80::1%eth0"}}, want: badNo},
		{name: "type error/NotIpAddress fails closed", op: "NotIpAddress", key: k, values: []string{"10.0.0.0/8"}, ctx: ctxMap{k: {"nope"}}, want: badNo},
		{name: "type error/IpAddress policy", op: "IpAddress", key: k, values: []string{"10.0.0.0/33"}, ctx: ctxMap{k: {"10.0.0.1"}}, want: badNo},
		{name: "type error/IpAddress policy bare", op: "IpAddress", key: k, values: []string{"ten"}, ctx: ctxMap{k: {"10.0.0.1"}}, want: badNo},
		{name: "type error/IpAddress policy zone", op: "IpAddress", key: k, values: []string{"fe80::1%eth0"}, ctx: ctxMap{k: {"fe80::1"}}, want: badNo},
	})
}

func TestARNOperators(t *testing.T) {
	k := "aws:SourceArn"
	topic := "arn:aws:sns:us-east-1:123456789012:TOPIC-ID"
	runClauseCases(t, []clauseCase{
		// ops: "ArnEquals": {"aws:SourceArn": "arn:aws:sns:REGION:123456789012:TOPIC-ID"}.
		{name: "ops/ArnEquals match", op: "ArnEquals", key: k, values: []string{topic}, ctx: ctxMap{k: {topic}}, want: yes},
		{name: "ops/ArnEquals case sensitive", op: "ArnEquals", key: k, values: []string{topic}, ctx: ctxMap{k: {"arn:aws:sns:us-east-1:123456789012:topic-id"}}, want: no},
		{name: "ops/ArnEquals wildcards are wildcards", op: "ArnEquals", key: k, values: []string{"arn:aws:sns:*:123456789012:*"}, ctx: ctxMap{k: {topic}}, want: yes},
		{name: "ops/ArnLike per part", op: "ArnLike", key: k, values: []string{"arn:aws:sns:us-*:123456789012:TOPIC-??"}, ctx: ctxMap{k: {topic}}, want: yes},
		{name: "ops/ArnLike account mismatch", op: "ArnLike", key: k, values: []string{"arn:aws:sns:*:111122223333:*"}, ctx: ctxMap{k: {topic}}, want: no},
		{name: "ops/ArnLike principal arn", op: "ArnLike", key: "aws:PrincipalArn", values: []string{"arn:aws:iam::123456789012:role/admin-*"}, ctx: ctxMap{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/admin-ops"}}, want: yes},
		{name: "ops/ArnLike missing", op: "ArnLike", key: k, values: []string{"*"}, want: missF},
		{name: "ops/ArnLikeIfExists missing", op: "ArnLikeIfExists", key: k, values: []string{"arn:*"}, want: missT},
		{name: "ops/ArnNotEquals differs", op: "ArnNotEquals", key: k, values: []string{"arn:aws:sns:us-east-1:123456789012:other"}, ctx: ctxMap{k: {topic}}, want: yes},
		{name: "ops/ArnNotLike matches one", op: "ArnNotLike", key: k, values: []string{"arn:aws:sqs:*", "arn:aws:sns:*"}, ctx: ctxMap{k: {topic}}, want: no},
		// ops: "...ArnNotLike, and the right key is not present, the condition is true."
		{name: "ops/ArnNotLike missing is true", op: "ArnNotLike", key: k, values: []string{"arn:aws:sns:*"}, want: missT},
		{name: "type error/ArnLike context not an ARN", op: "ArnLike", key: k, values: []string{"*"}, ctx: ctxMap{k: {"not-an-arn"}}, want: badNo},
		{name: "type error/ArnNotLike context not an ARN", op: "ArnNotLike", key: k, values: []string{"arn:*"}, ctx: ctxMap{k: {"x"}}, want: badNo},
		{name: "vars/ArnLike variable", op: "ArnLike", key: k, values: []string{"arn:aws:sns:*:${aws:PrincipalAccount}:*"}, ctx: ctxMap{k: {topic}, "aws:PrincipalAccount": {"123456789012"}}, want: yes},
	})
}

func TestSetOperators(t *testing.T) {
	tk := "aws:TagKeys"
	runClauseCases(t, []clauseCase{
		// set: ForAllValues:StringEquals {"aws:TagKeys": ["environment", "cost-center"]}.
		{name: "set/ForAllValues subset", op: "ForAllValues:StringEquals", key: tk, values: []string{"environment", "cost-center"}, ctx: ctxMap{tk: {"environment"}}, want: yes},
		{name: "set/ForAllValues all listed", op: "ForAllValues:StringEquals", key: tk, values: []string{"environment", "cost-center"}, ctx: ctxMap{tk: {"environment", "cost-center"}}, want: yes},
		{name: "set/ForAllValues extra key", op: "ForAllValues:StringEquals", key: tk, values: []string{"environment", "cost-center"}, ctx: ctxMap{tk: {"environment", "owner"}}, want: no},
		// set: "ForAllValues ... also returns true if there are no context keys in the request".
		{name: "set/ForAllValues missing key is true", op: "ForAllValues:StringEquals", key: tk, values: []string{"environment"}, ctx: ctxMap{}, want: missT},
		{name: "set/ForAllValues empty key is true", op: "ForAllValues:StringEquals", key: tk, values: []string{"environment"}, ctx: ctxMap{tk: {}}, want: missT},
		{name: "set/ForAnyValue one listed", op: "ForAnyValue:StringEquals", key: tk, values: []string{"environment", "cost-center"}, ctx: ctxMap{tk: {"owner", "environment"}}, want: yes},
		{name: "set/ForAnyValue none listed", op: "ForAnyValue:StringEquals", key: tk, values: []string{"environment"}, ctx: ctxMap{tk: {"owner"}}, want: no},
		{name: "set/ForAnyValue missing key is false", op: "ForAnyValue:StringEquals", key: tk, values: []string{"environment"}, ctx: ctxMap{}, want: missF},
		{name: "set/ForAnyValue empty key is false", op: "ForAnyValue:StringEquals", key: tk, values: []string{"environment"}, ctx: ctxMap{tk: {}}, want: missF},
		{name: "set/ForAnyValue IfExists missing is true", op: "ForAnyValue:StringEqualsIfExists", key: tk, values: []string{"environment"}, want: missT},
		{name: "set/ForAnyValue StringLike", op: "ForAnyValue:StringLike", key: tk, values: []string{"env*"}, ctx: ctxMap{tk: {"owner", "environment"}}, want: yes},
		// set: ForAllValues:StringNotEquals: no context value is in the list.
		{name: "set/ForAllValues negated none listed", op: "ForAllValues:StringNotEquals", key: tk, values: []string{"secret"}, ctx: ctxMap{tk: {"a", "b"}}, want: yes},
		{name: "set/ForAllValues negated one listed", op: "ForAllValues:StringNotEquals", key: tk, values: []string{"secret"}, ctx: ctxMap{tk: {"a", "secret"}}, want: no},
		{name: "set/ForAllValues negated missing is true", op: "ForAllValues:StringNotEquals", key: tk, values: []string{"secret"}, want: missT},
		// set: ForAnyValue:StringNotEquals: at least one context value is not in the list.
		{name: "set/ForAnyValue negated one unlisted", op: "ForAnyValue:StringNotEquals", key: tk, values: []string{"a"}, ctx: ctxMap{tk: {"a", "b"}}, want: yes},
		{name: "set/ForAnyValue negated all listed", op: "ForAnyValue:StringNotEquals", key: tk, values: []string{"a", "b"}, ctx: ctxMap{tk: {"a", "b"}}, want: no},
		{name: "set/ForAnyValue negated missing is false", op: "ForAnyValue:StringNotEquals", key: tk, values: []string{"a"}, want: missF},
		{name: "set/ForAllValues numeric", op: "ForAllValues:NumericLessThan", key: "k:n", values: []string{"10"}, ctx: ctxMap{"k:n": {"1", "9"}}, want: yes},
		{name: "set/ForAllValues numeric bad value", op: "ForAllValues:NumericLessThan", key: "k:n", values: []string{"10"}, ctx: ctxMap{"k:n": {"1", "x"}}, want: badNo},
		{name: "set/ForAnyValue numeric bad value other matches", op: "ForAnyValue:NumericLessThan", key: "k:n", values: []string{"10"}, ctx: ctxMap{"k:n": {"x", "1"}}, want: Outcome{Match: true, Invalid: true}},
		{name: "set/ForAllValues negated bad value fails closed", op: "ForAllValues:NumericNotEquals", key: "k:n", values: []string{"10"}, ctx: ctxMap{"k:n": {"1", "x"}}, want: badNo},
		{name: "set/ForAnyValue negated bad value fails closed", op: "ForAnyValue:NumericNotEquals", key: "k:n", values: []string{"10"}, ctx: ctxMap{"k:n": {"1", "x"}}, want: badNo},
		{name: "set/ForAnyValue IpAddress", op: "ForAnyValue:IpAddress", key: "k:ip", values: []string{"10.0.0.0/8"}, ctx: ctxMap{"k:ip": {"192.0.2.1", "10.1.1.1"}}, want: yes},
		{name: "set/ForAllValues ArnLike", op: "ForAllValues:ArnLike", key: "k:arns", values: []string{"arn:aws:iam::1:role/*"}, ctx: ctxMap{"k:arns": {"arn:aws:iam::1:role/a", "arn:aws:iam::1:user/b"}}, want: no},
		{name: "set/ForAllValues Null ignores prefix", op: "ForAllValues:Null", key: "k:k", values: []string{"false"}, ctx: ctxMap{"k:k": {"x"}}, want: yes},
	})
}

func TestPolicyVariablesInConditions(t *testing.T) {
	runClauseCases(t, []clauseCase{
		// vars: "StringLike": {"s3:prefix": ["home/${aws:username}/*"]}.
		{name: "vars/s3 prefix username", op: "StringLike", key: "s3:prefix", values: []string{"home/${aws:username}/*"}, ctx: ctxMap{"s3:prefix": {"home/alice/docs"}, "aws:username": {"alice"}}, want: yes},
		{name: "vars/s3 prefix other user", op: "StringLike", key: "s3:prefix", values: []string{"home/${aws:username}/*"}, ctx: ctxMap{"s3:prefix": {"home/bob/docs"}, "aws:username": {"alice"}}, want: no},
		{name: "vars/variable names case insensitive", op: "StringEquals", key: "k:k", values: []string{"${AWS:UserName}"}, ctx: ctxMap{"k:k": {"alice"}, "aws:username": {"alice"}}, want: yes},
		// vars: "aws:ResourceTag/project": "${aws:PrincipalTag/project}".
		{name: "vars/principal tag matches resource tag", op: "StringEquals", key: "aws:ResourceTag/project", values: []string{"${aws:PrincipalTag/project}"}, ctx: ctxMap{"aws:ResourceTag/project": {"blue"}, "aws:PrincipalTag/project": {"blue"}}, want: yes},
		{name: "vars/principal tag differs", op: "StringEquals", key: "aws:ResourceTag/project", values: []string{"${aws:PrincipalTag/project}"}, ctx: ctxMap{"aws:ResourceTag/project": {"blue"}, "aws:PrincipalTag/project": {"red"}}, want: no},
		// vars: a variable with no value makes the value fail to resolve (statement may be invalid).
		{name: "vars/unresolved does not match", op: "StringEquals", key: "aws:ResourceTag/project", values: []string{"${aws:PrincipalTag/project}"}, ctx: ctxMap{"aws:ResourceTag/project": {"blue"}}, want: badNo},
		{name: "vars/unresolved negated fails closed", op: "StringNotEquals", key: "aws:ResourceTag/project", values: []string{"${aws:PrincipalTag/project}"}, ctx: ctxMap{"aws:ResourceTag/project": {"blue"}}, want: badNo},
		{name: "vars/unresolved other value matches", op: "StringEquals", key: "k:k", values: []string{"${k:none}", "x"}, ctx: ctxMap{"k:k": {"x"}}, want: Outcome{Match: true, Invalid: true}},
		{name: "vars/multivalued key does not resolve", op: "StringEquals", key: "k:k", values: []string{"${aws:TagKeys}"}, ctx: ctxMap{"k:k": {"a"}, "aws:TagKeys": {"a", "b"}}, want: badNo},
		// vars: "${aws:PrincipalTag/team, 'company-wide'}".
		{name: "vars/default used", op: "StringEquals", key: "k:k", values: []string{"${aws:PrincipalTag/team, 'company-wide'}"}, ctx: ctxMap{"k:k": {"company-wide"}}, want: yes},
		{name: "vars/default not used when present", op: "StringEquals", key: "k:k", values: []string{"${aws:PrincipalTag/team, 'company-wide'}"}, ctx: ctxMap{"k:k": {"company-wide"}, "aws:PrincipalTag/team": {"red"}}, want: no},
		{name: "vars/default with spaces", op: "StringEquals", key: "k:k", values: []string{"${ aws:PrincipalTag/team ,  'a b' }"}, ctx: ctxMap{"k:k": {"a b"}}, want: yes},
		{name: "vars/default quote escape", op: "StringEquals", key: "k:k", values: []string{"${k:none, 'it''s'}"}, ctx: ctxMap{"k:k": {"it's"}}, want: yes},
		{name: "vars/default braces", op: "StringEquals", key: "k:k", values: []string{"${k:none, 'a}b'}"}, ctx: ctxMap{"k:k": {"a}b"}}, want: yes},
		{name: "vars/default is not substituted again", op: "StringEquals", key: "k:k", values: []string{"${k:none, '${aws:username}'}"}, ctx: ctxMap{"k:k": {"${aws:username}"}, "aws:username": {"x"}}, want: yes},
		{name: "vars/default empty", op: "StringEquals", key: "k:k", values: []string{"a${k:none, ''}b"}, ctx: ctxMap{"k:k": {"ab"}}, want: yes},
		// vars: special characters ${*}, ${?}, ${$}.
		{name: "vars/escaped star is literal", op: "StringLike", key: "k:k", values: []string{"a${*}"}, ctx: ctxMap{"k:k": {"a*"}}, want: yes},
		{name: "vars/escaped star not wildcard", op: "StringLike", key: "k:k", values: []string{"a${*}"}, ctx: ctxMap{"k:k": {"abc"}}, want: no},
		{name: "vars/escaped question", op: "StringLike", key: "k:k", values: []string{"a${?}"}, ctx: ctxMap{"k:k": {"a?"}}, want: yes},
		{name: "vars/escaped dollar", op: "StringEquals", key: "k:k", values: []string{"${$}{x}"}, ctx: ctxMap{"k:k": {"${x}"}}, want: yes},
		{name: "vars/substituted text is literal", op: "StringLike", key: "k:k", values: []string{"${k:v}"}, ctx: ctxMap{"k:k": {"abc"}, "k:v": {"*"}}, want: no},
		{name: "vars/variable in middle chunk", op: "StringLike", key: "k:k", values: []string{"*/${aws:username}/*"}, ctx: ctxMap{"k:k": {"x/alice/y"}, "aws:username": {"alice"}}, want: yes},
		{name: "vars/variable in suffix", op: "StringLike", key: "k:k", values: []string{"*-${aws:username}"}, ctx: ctxMap{"k:k": {"x-alice"}, "aws:username": {"alice"}}, want: yes},
		{name: "vars/variable in suffix mismatch", op: "StringLike", key: "k:k", values: []string{"*-${aws:username}"}, ctx: ctxMap{"k:k": {"x-bob"}, "aws:username": {"alice"}}, want: no},
		{name: "vars/IgnoreCase with variable", op: "StringEqualsIgnoreCase", key: "k:k", values: []string{"team-${aws:PrincipalTag/team}"}, ctx: ctxMap{"k:k": {"TEAM-RED"}, "aws:PrincipalTag/team": {"red"}}, want: yes},
		// vars: policy Version 2008-10-17 treats variables as literal text.
		{name: "vars/old version literal", op: "StringEquals", key: "k:k", values: []string{"${aws:username}"}, noVars: true, ctx: ctxMap{"k:k": {"${aws:username}"}, "aws:username": {"alice"}}, want: yes},
		{name: "vars/old version no substitution", op: "StringEquals", key: "k:k", values: []string{"${aws:username}"}, noVars: true, ctx: ctxMap{"k:k": {"alice"}, "aws:username": {"alice"}}, want: no},
		{name: "vars/malformed is literal", op: "StringEquals", key: "k:k", values: []string{"${aws:username"}, ctx: ctxMap{"k:k": {"${aws:username"}}, want: yes},
		{name: "vars/empty name is literal", op: "StringEquals", key: "k:k", values: []string{"${}"}, ctx: ctxMap{"k:k": {"${}"}}, want: yes},
		{name: "vars/bad default is literal", op: "StringEquals", key: "k:k", values: []string{"${a:b, x}"}, ctx: ctxMap{"k:k": {"${a:b, x}"}}, want: yes},
		{name: "vars/unterminated default is literal", op: "StringEquals", key: "k:k", values: []string{"${a:b, 'x"}, ctx: ctxMap{"k:k": {"${a:b, 'x"}}, want: yes},
		{name: "vars/default missing brace is literal", op: "StringEquals", key: "k:k", values: []string{"${a:b, 'x' ]"}, ctx: ctxMap{"k:k": {"${a:b, 'x' ]"}}, want: yes},
		{name: "vars/escape with default is literal", op: "StringEquals", key: "k:k", values: []string{"${*, 'x'}"}, ctx: ctxMap{"k:k": {"${*, 'x'}"}}, want: yes},
		{name: "vars/nested outer is literal inner substituted", op: "StringEquals", key: "k:k", values: []string{"${a${k:b}}"}, ctx: ctxMap{"k:k": {"${ax}"}, "k:b": {"x"}}, want: yes},
		{name: "vars/dollar alone", op: "StringEquals", key: "k:k", values: []string{"$5"}, ctx: ctxMap{"k:k": {"$5"}}, want: yes},
	})
}

func TestCheckOperator(t *testing.T) {
	valid := []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan",
		"NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals",
		"DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
		"DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals",
		"ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
		"StringEqualsIfExists", "ArnNotLikeIfExists", "ForAnyValue:StringLike",
		"ForAllValues:StringNotEqualsIfExists", "NullIfExists",
	}
	for _, op := range valid {
		t.Run("valid/"+op, func(t *testing.T) {
			if err := CheckOperator(op); err != nil {
				t.Errorf("CheckOperator(%q) = %v, want nil", op, err)
			}
		})
	}
	invalid := []string{
		"StringEqualz", "stringequals", "STRINGEQUALS", "ForAnyValues:StringEquals",
		"ForAllValue:StringEquals", "StringEqualsIfExistsIfExists", "IfExists", "ForAllValues:",
		"ForAnyValue:ForAllValues:StringEquals", "", " StringEquals", "StringEquals ",
		"forallvalues:StringEquals", "StringEqualsifexists",
	}
	for _, op := range invalid {
		t.Run("invalid/"+op, func(t *testing.T) {
			err := CheckOperator(op)
			var oe *OperatorError
			if !errors.As(err, &oe) || oe.Op != op {
				t.Fatalf("CheckOperator(%q) = %v, want *OperatorError", op, err)
			}
			if err.Error() != "Syntax errors in policy." {
				t.Errorf("CheckOperator(%q) message = %q, want AWS's %q", op, err.Error(), SyntaxErrorMessage)
			}
			if _, cerr := Compile(op, "k:k", []string{"v"}, Options{}); !errors.As(cerr, &oe) {
				t.Errorf("Compile(%q) error = %v, want *OperatorError", op, cerr)
			}
		})
	}
}

func TestClauseAccessors(t *testing.T) {
	c, err := Compile("ForAnyValue:StringLikeIfExists", "AWS:TagKeys", []string{"a*"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Key() != "AWS:TagKeys" || c.Operator() != "ForAnyValue:StringLikeIfExists" {
		t.Errorf("Key() = %q, Operator() = %q", c.Key(), c.Operator())
	}
}

func TestNewMapMergesCase(t *testing.T) {
	m := NewMap(map[string][]string{"A:B": {"1"}, "a:b": {"2"}, "c:d": {"3"}})
	got, ok := m.Values("a:b")
	if !ok || len(got) != 2 {
		t.Errorf("Values(a:b) = %v, %v; want both values", got, ok)
	}
	if _, ok := m.Values("A:B"); ok {
		t.Errorf("Values(A:B) found; keys must be stored lower-case")
	}
}

// TestCompileIntern checks that Options.Intern sees each clause's lower-case key and that the
// clause keeps what it returns.
func TestCompileIntern(t *testing.T) {
	var seen []string
	opts := Options{Intern: func(k string) string {
		seen = append(seen, k)
		return "interned:" + k
	}}
	c, err := Compile("StringEquals", "aws:PrincipalTag/Team", []string{"a"}, opts)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if diff := cmp.Diff([]string{"aws:principaltag/team"}, seen); diff != "" {
		t.Errorf("Intern calls (-want +got):\n%s", diff)
	}
	if got, want := c.LowerKey(), "interned:aws:principaltag/team"; got != want {
		t.Errorf("LowerKey() = %q, want %q", got, want)
	}
	if got, want := c.Key(), "aws:PrincipalTag/Team"; got != want {
		t.Errorf("Key() = %q, want %q", got, want)
	}
}

func TestEqualsLiterals(t *testing.T) {
	tests := []struct {
		name   string
		op     string
		values []string
		want   []string
		ok     bool
	}{
		{"StringEquals", "StringEquals", []string{"a", "b"}, []string{"a", "b"}, true},
		{"StringLike without wildcard", "StringLike", []string{"a"}, []string{"a"}, true},
		{"no values", "StringEquals", []string{}, []string{}, true},
		{"negated", "StringNotEquals", []string{"a"}, nil, false},
		{"IfExists", "StringEqualsIfExists", []string{"a"}, nil, false},
		{"set operator", "ForAnyValue:StringEquals", []string{"a"}, nil, false},
		{"ignore case", "StringEqualsIgnoreCase", []string{"a"}, nil, false},
		{"wildcard", "StringLike", []string{"a*"}, nil, false},
		{"variable", "StringEquals", []string{"${aws:username}"}, nil, false},
		{"not a string operator", "NumericEquals", []string{"1"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compile(tt.op, "k", tt.values, Options{Variables: true})
			if err != nil {
				t.Fatalf("Compile(%q, %q): %v", tt.op, tt.values, err)
			}
			got, ok := c.EqualsLiterals()
			if ok != tt.ok {
				t.Fatalf("EqualsLiterals() of %s %q: ok = %v, want %v", tt.op, tt.values, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); ok && diff != "" {
				t.Errorf("EqualsLiterals() of %s %q (-want +got):\n%s", tt.op, tt.values, diff)
			}
		})
	}
}
