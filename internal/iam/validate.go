package iam

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FieldError is an input that breaks one of AWS's constraints on a field. The API layer turns it
// into AWS's ValidationError: "1 validation error detected: Value 'V' at 'field' failed to
// satisfy constraint: Member must …".
type FieldError struct {
	Field      string // the wire member name, lowerCamel ("userName")
	Value      string
	Constraint string // "Member must have length less than or equal to 64"
	// Sensitive leaves the value out, as AWS does for sensitive members (passwords):
	// "Value at 'password' failed to satisfy constraint: …".
	Sensitive bool
}

func (e *FieldError) Error() string {
	if e.Sensitive {
		return fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", e.Field, e.Constraint)
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", e.Value, e.Field, e.Constraint)
}

// InputError is an input AWS rejects with InvalidInput and the given message.
type InputError struct{ Message string }

func (e *InputError) Error() string { return e.Message }

// Name patterns from the IAM API Reference.
const (
	namePattern = `[\w+=,.@-]+`
	pathPattern = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	tagPattern  = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
)

// Name length limits per entity (IAM API Reference, "IAM and AWS STS quotas").
const (
	MaxUserName            = 64
	MaxGroupName           = 128
	MaxRoleName            = 64
	MaxPolicyName          = 128
	MaxInstanceProfileName = 128
	MaxPath                = 512
	MaxDescription         = 1000
	MaxTags                = 50
	MaxTagKey              = 128
	MaxTagValue            = 256

	// MaxExistingUserName bounds the UserName of operations on a user that already exists
	// (the model's existingUserNameType, 1–128 characters); only CreateUser and a rename's
	// NewUserName (userNameType) keep MaxUserName. A longer-than-64 name then names no user.
	MaxExistingUserName = 128
)

func isNameChar(r rune) bool {
	return r < utf8.RuneSelf && (r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
		'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
}

// LengthConstraint is AWS's constraint text for a length n outside min..max: "Member must have
// length greater than or equal to 9" or "… less than or equal to 256" (AWS's request
// validation names the bound broken, never "between"), or "" when n is within the bounds.
func LengthConstraint(n, min, max int) string {
	switch {
	case n < min:
		return fmt.Sprintf("Member must have length greater than or equal to %d", min)
	case n > max:
		return fmt.Sprintf("Member must have length less than or equal to %d", max)
	}
	return ""
}

func lengthErr(field, value string, min, max int) error {
	n := utf8.RuneCountInString(value)
	if n < min {
		return &FieldError{Field: field, Value: value, Constraint: fmt.Sprintf("Member must have length greater than or equal to %d", min)}
	}
	if n > max {
		return &FieldError{Field: field, Value: value, Constraint: fmt.Sprintf("Member must have length less than or equal to %d", max)}
	}
	return nil
}

// CheckName checks an entity name against [\w+=,.@-]+ and the length limit.
func CheckName(field, name string, max int) error {
	if err := lengthErr(field, name, 1, max); err != nil {
		return err
	}
	for _, r := range name {
		if !isNameChar(r) {
			return &FieldError{Field: field, Value: name, Constraint: "Member must satisfy regular expression pattern: " + namePattern}
		}
	}
	return nil
}

// CheckPath checks an IAM path: "/" or "/…/" of printable ASCII, at most 512 characters.
func CheckPath(field, path string) error {
	if err := lengthErr(field, path, 1, MaxPath); err != nil {
		return err
	}
	ok := path == "/" || len(path) >= 2 && path[0] == '/' && path[len(path)-1] == '/'
	for i := 0; ok && i < len(path); i++ {
		ok = path[i] >= 0x21 && path[i] <= 0x7e
	}
	if !ok {
		return &FieldError{Field: field, Value: path, Constraint: "Member must satisfy regular expression pattern: " + pathPattern}
	}
	return nil
}

// CheckPathPrefix checks a PathPrefix filter: "/" or a string starting with "/" of printable
// ASCII (AWS's pattern \u002F[\u0021-\u007F]*).
func CheckPathPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := lengthErr("pathPrefix", prefix, 1, MaxPath); err != nil {
		return err
	}
	ok := prefix[0] == '/'
	for i := 0; ok && i < len(prefix); i++ {
		ok = prefix[i] >= 0x21 && prefix[i] <= 0x7f
	}
	if !ok {
		return &FieldError{Field: "pathPrefix", Value: prefix, Constraint: `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`}
	}
	return nil
}

// CheckDescription checks a role or policy description (at most 1000 characters of the allowed set).
func CheckDescription(d string) error {
	if err := lengthErr("description", d, 0, MaxDescription); err != nil {
		return err
	}
	for _, r := range d {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r >= 0xa1 && r <= 0xff) {
			return &FieldError{Field: "description", Value: d, Constraint: `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`}
		}
	}
	return nil
}

func isTagChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.In(r, unicode.Z) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r)
}

// CheckTagAt checks the key and value of the i-th tag (0-based) of a request's Tags list, naming
// the member as AWS does ("tags.3.member.key").
func CheckTagAt(i int, t Tag) error {
	field := fmt.Sprintf("tags.%d.member.key", i+1)
	if err := lengthErr(field, t.Key, 1, MaxTagKey); err != nil {
		return err
	}
	if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
		return &InputError{"User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS tags."}
	}
	for _, r := range t.Key {
		if !isTagChar(r) {
			return &FieldError{Field: field, Value: t.Key, Constraint: "Member must satisfy regular expression pattern: " + strings.Replace(tagPattern, "*", "+", 1)}
		}
	}
	vfield := fmt.Sprintf("tags.%d.member.value", i+1)
	if err := lengthErr(vfield, t.Value, 0, MaxTagValue); err != nil {
		return err
	}
	for _, r := range t.Value {
		if !isTagChar(r) {
			return &FieldError{Field: vfield, Value: t.Value, Constraint: "Member must satisfy regular expression pattern: " + tagPattern}
		}
	}
	return nil
}

// CheckTags checks tags being added to an entity ("User", "Role", "Policy", …) that already has
// `existing`: at most 50 tags in the request (the model's tagListType, a ValidationError at
// 'tags'), AWS's key and value rules, no duplicate keys ignoring case, and at most 50 tags in all
// after the merge (LimitExceeded TagsPer<entity>).
func CheckTags(entity string, tags, existing []Tag) error {
	if len(tags) > MaxTags {
		return listLengthErr("tags", MaxTags)
	}
	seen := map[string]bool{}
	for i, t := range tags {
		if err := CheckTagAt(i, t); err != nil {
			return err
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return &InputError{"Duplicate tag keys found. Please note that Tag keys are case insensitive."}
		}
		seen[k] = true
	}
	if len(MergeTags(existing, tags)) > MaxTags {
		return &LimitError{fmt.Sprintf("Cannot exceed quota for TagsPer%s: %d", entity, MaxTags), "TagsPer" + entity}
	}
	return nil
}

// listLengthErr is a list member with more than max elements. AWS leaves a list's value out of
// the message ("Value at 'tags' failed to satisfy constraint: …"), as for TransitiveTagKeys.
func listLengthErr(field string, max int) error {
	return &FieldError{Field: field, Constraint: fmt.Sprintf("Member must have length less than or equal to %d", max), Sensitive: true}
}

// CheckTagKeys checks the TagKeys of an Untag* request as the model's tagKeyListType and
// tagKeyType say: at most 50 keys, each 1–128 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@]+, each
// named as AWS names a list member ("tagKeys.3.member"). The aws: prefix is not refused here:
// the model does not forbid it and removing such a key removes nothing.
func CheckTagKeys(keys []string) error {
	if len(keys) > MaxTags {
		return listLengthErr("tagKeys", MaxTags)
	}
	for i, k := range keys {
		field := fmt.Sprintf("tagKeys.%d.member", i+1)
		if err := lengthErr(field, k, 1, MaxTagKey); err != nil {
			return err
		}
		for _, r := range k {
			if !isTagChar(r) {
				return &FieldError{Field: field, Value: k, Constraint: "Member must satisfy regular expression pattern: " + strings.Replace(tagPattern, "*", "+", 1)}
			}
		}
	}
	return nil
}

// LimitError is a quota that a request would exceed (AWS's LimitExceeded).
type LimitError struct {
	Message string
	Quota   string
}

func (e *LimitError) Error() string { return e.Message }

// MergeTags returns existing with tags added or replaced (keys compared ignoring case, the new
// key's case kept).
func MergeTags(existing, tags []Tag) []Tag {
	out := append([]Tag(nil), existing...)
	for _, t := range tags {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// RemoveTags returns existing without the keys (compared ignoring case).
func RemoveTags(existing []Tag, keys []string) []Tag {
	var out []Tag
	for _, t := range existing {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}
