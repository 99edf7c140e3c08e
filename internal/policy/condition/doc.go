// Package condition implements the condition operators of the AWS policy language, policy
// variables, and the wildcard patterns of Resource elements.
//
// Semantics follow the IAM User Guide pages "IAM JSON policy elements: Condition operators",
// "Conditions with multiple context keys or values", "Single-valued vs. multivalued context keys"
// and "IAM policy elements: Variables and tags":
//
//   - Several policy values for one key are ORed; for the negated operators (StringNotEquals,
//     StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals, DateNotEquals, NotIpAddress,
//     ArnNotEquals, ArnNotLike) they are NORed: the negated operator is true when no context value
//     matches any policy value.
//   - Without a set operator, a key with several context values matches a positive operator when
//     any context value matches any policy value (and a negated operator when none does). The
//     User Guide only says multivalued keys "require a condition set operator"; this choice
//     mirrors ForAnyValue.
//   - A key missing from the context makes positive operators false and negated operators true
//     ("If the policy condition requires that the key is not matched, such as StringNotLike or
//     ArnNotLike, and the right key is not present, the condition is true"). ...IfExists makes
//     the condition true when the key is missing; Null tests presence.
//   - ForAnyValue: at least one context value matches (for negated operators: at least one
//     context value matches none of the policy values); a missing or empty key is false.
//     ForAllValues: every context value matches (negated: every context value matches none); a
//     missing or empty key is true.
//   - Values that cannot be interpreted for the operator (a context or policy value that is not a
//     number, date, IP address, base64 string or boolean, or a policy variable that cannot be
//     resolved) never match, and they make a negated operator false: the clause fails closed and
//     reports Outcome.Invalid.
//   - Policy variables (${key}, ${key, 'default'}, ${*}, ${?}, ${$}) are substituted only when
//     Options.Variables is set (policy Version 2012-10-17). A variable resolves when its key has
//     exactly one value in the context; otherwise its default is used, and without a default the
//     value fails to resolve. Substituted text is always literal: a '*' in a tag value is not a
//     wildcard.
//
// Operator names are case-sensitive, as in AWS. An unknown operator is reported with AWS's
// MalformedPolicyDocument text, "Syntax errors in policy." "NullIfExists" is accepted and behaves
// as Null.
//
// Known differences from AWS: numbers are decimal literals without exponents; dates accept
// ISO 8601 extended format (YYYY-MM-DD, optionally with Thh:mm[:ss[.fraction]] and Z or a ±hh:mm
// offset) and integer epoch seconds; in ARN patterns a variable's value is matched inside the
// ARN part the variable sits in, even if the value contains colons.
//
// The package is pure, and evaluation (Clause.Eval, Pattern.Match) does not allocate.
package condition
