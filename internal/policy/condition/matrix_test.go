package condition

import (
	"strings"
	"testing"
)

// operatorSample gives, for a positive base operator, a policy value, a context value that
// matches it, one that does not, and one that is not of the operator's type ("" when every
// string is of the type).
type operatorSample struct {
	op, negated            string
	policy, hit, miss, bad string
}

var operatorSamples = []operatorSample{
	{op: "StringEquals", negated: "StringNotEquals", policy: "a", hit: "a", miss: "b"},
	{op: "StringEqualsIgnoreCase", negated: "StringNotEqualsIgnoreCase", policy: "a", hit: "A", miss: "b"},
	{op: "StringLike", negated: "StringNotLike", policy: "a*", hit: "abc", miss: "bc"},
	{op: "NumericEquals", negated: "NumericNotEquals", policy: "5", hit: "5.0", miss: "6", bad: "five"},
	{op: "NumericLessThan", policy: "5", hit: "4", miss: "5", bad: "x"},
	{op: "NumericLessThanEquals", policy: "5", hit: "5", miss: "6", bad: "x"},
	{op: "NumericGreaterThan", policy: "5", hit: "6", miss: "5", bad: "x"},
	{op: "NumericGreaterThanEquals", policy: "5", hit: "5", miss: "4", bad: "x"},
	{op: "DateEquals", negated: "DateNotEquals", policy: "2020-01-01", hit: "1577836800", miss: "2020-01-02", bad: "x"},
	{op: "DateLessThan", policy: "2020-01-01", hit: "2019-12-31", miss: "2020-01-01", bad: "x"},
	{op: "DateLessThanEquals", policy: "2020-01-01", hit: "2020-01-01", miss: "2020-01-02", bad: "x"},
	{op: "DateGreaterThan", policy: "2020-01-01", hit: "2020-01-02", miss: "2020-01-01", bad: "x"},
	{op: "DateGreaterThanEquals", policy: "2020-01-01", hit: "2020-01-01", miss: "2019-12-31", bad: "x"},
	{op: "Bool", policy: "true", hit: "TRUE", miss: "false", bad: "x"},
	{op: "BinaryEquals", policy: "YWJj", hit: "YWJj", miss: "YWJk", bad: "*"},
	{op: "IpAddress", negated: "NotIpAddress", policy: "10.0.0.0/8", hit: "10.1.2.3", miss: "11.1.2.3", bad: "x"},
	{op: "ArnEquals", negated: "ArnNotEquals", policy: "arn:aws:s3:::b", hit: "arn:aws:s3:::b", miss: "arn:aws:s3:::c", bad: "b"},
	{op: "ArnLike", negated: "ArnNotLike", policy: "arn:aws:s3:::b*", hit: "arn:aws:s3:::bx", miss: "arn:aws:s3:::c", bad: "b"},
}

// TestOperatorMatrix runs every operator through match, no match, missing key, IfExists with a
// missing key, a type error, a multivalued key, and both set operators including an empty set,
// checking the rules of the "Condition operators" and "multivalued context keys" pages.
func TestOperatorMatrix(t *testing.T) {
	const key = "k:k"
	for _, s := range operatorSamples {
		for _, negated := range []bool{false, true} {
			op := s.op
			if negated {
				if s.negated == "" {
					continue
				}
				op = s.negated
			}
			pos := func(b bool) bool { return b != negated } // the expected result of a positive test
			eval := func(t *testing.T, op string, vals []string, present bool) Outcome {
				t.Helper()
				c, err := Compile(op, key, []string{s.policy}, Options{Variables: true})
				if err != nil {
					t.Fatalf("Compile(%q): %v", op, err)
				}
				m := map[string][]string{}
				if present {
					m[key] = vals
				}
				return c.Eval(NewMap(m))
			}
			check := func(t *testing.T, name string, got Outcome, want Outcome) {
				t.Helper()
				if got != want {
					t.Errorf("%s: %s got %+v, want %+v", op, name, got, want)
				}
			}
			t.Run(op, func(t *testing.T) {
				check(t, "match", eval(t, op, []string{s.hit}, true), Outcome{Match: pos(true)})
				check(t, "no match", eval(t, op, []string{s.miss}, true), Outcome{Match: pos(false)})
				check(t, "missing key", eval(t, op, nil, false), Outcome{Match: negated, Missing: true})
				check(t, "IfExists missing", eval(t, op+"IfExists", nil, false), Outcome{Match: true, Missing: true})
				check(t, "IfExists present", eval(t, op+"IfExists", []string{s.hit}, true), Outcome{Match: pos(true)})
				check(t, "multivalued any", eval(t, op, []string{s.miss, s.hit}, true), Outcome{Match: pos(true)})
				check(t, "multivalued none", eval(t, op, []string{s.miss, s.miss}, true), Outcome{Match: pos(false)})
				if s.bad != "" {
					check(t, "type error", eval(t, op, []string{s.bad}, true), Outcome{Invalid: true})
				}
				any, all := "ForAnyValue:"+op, "ForAllValues:"+op
				check(t, "ForAnyValue empty", eval(t, any, []string{}, true), Outcome{Missing: true})
				check(t, "ForAnyValue missing", eval(t, any, nil, false), Outcome{Missing: true})
				check(t, "ForAllValues empty", eval(t, all, []string{}, true), Outcome{Match: true, Missing: true})
				check(t, "ForAllValues missing", eval(t, all, nil, false), Outcome{Match: true, Missing: true})
				// ForAnyValue: some value passes the (possibly negated) test.
				check(t, "ForAnyValue mixed", eval(t, any, []string{s.miss, s.hit}, true), Outcome{Match: true})
				check(t, "ForAnyValue all hit", eval(t, any, []string{s.hit, s.hit}, true), Outcome{Match: !negated})
				check(t, "ForAnyValue all miss", eval(t, any, []string{s.miss, s.miss}, true), Outcome{Match: negated})
				// ForAllValues: every value passes the (possibly negated) test.
				check(t, "ForAllValues mixed", eval(t, all, []string{s.miss, s.hit}, true), Outcome{Match: false})
				check(t, "ForAllValues all hit", eval(t, all, []string{s.hit, s.hit}, true), Outcome{Match: !negated})
				check(t, "ForAllValues all miss", eval(t, all, []string{s.miss, s.miss}, true), Outcome{Match: negated})
				if !strings.HasPrefix(op, "Bool") {
					// Several policy values: OR for positive operators, NOR for negated ones.
					c, err := Compile(op, key, []string{s.policy, s.policy}, Options{})
					if err != nil {
						t.Fatal(err)
					}
					if got := c.Eval(NewMap(map[string][]string{key: {s.hit}})); got.Match != pos(true) {
						t.Errorf("%s with two policy values against a hit: %+v", op, got)
					}
				}
			})
		}
	}
}
