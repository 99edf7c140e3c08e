// Package awserr defines the error as the AWS wire shows it: an error code, an HTTP status, a
// fault (Sender or Receiver) and a message that is safe to show the client.
//
// Handlers return *Error values; the API layer writes them as Query protocol error XML. Internal
// causes (store failures, wrapped Go errors) never go into Message: they are logged under the
// request ID instead. The codes IAM and STS use have constructors here (codes.go says which are
// left out), with the HTTP status that the IAM and STS API references give for each ("Common
// Errors" and each action's "Errors" section). A constructor given an empty message uses AWS's
// generic description of the code.
package awserr

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fault says who is to blame for an error: the caller (Sender) or the service (Receiver). It is
// written as the <Type> element of Query protocol error responses.
type Fault string

// The two faults AWS uses.
const (
	Sender   Fault = "Sender"
	Receiver Fault = "Receiver"
)

// Error is an error as the AWS wire shows it: code, HTTP status, fault (Sender/Receiver), and a
// client-safe message. Internal causes never reach Message.
type Error struct {
	// Code is the AWS error code, such as "NoSuchEntity". SDK clients match on it.
	Code string
	// Status is the HTTP status code of the response.
	Status int
	// Fault is Sender for client errors and Receiver for server errors.
	Fault Fault
	// Message is shown to the client verbatim.
	Message string
}

// Error returns "Code: Message", or just the code when there is no message.
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, awserr.NoSuchEntity("")) matches any NoSuchEntity error.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// New returns an error with the given code, status, fault and message. Prefer the named
// constructors; New is for codes this package does not list.
func New(code string, status int, fault Fault, message string) *Error {
	return &Error{Code: code, Status: status, Fault: fault, Message: message}
}

// As returns the *Error in err's chain, if there is one.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Validation returns a ValidationError whose message lists every failure the way AWS's request
// validation does: "2 validation errors detected: <failure>; <failure>". Each failure is a
// sentence such as the ones NotNull and Constraint build. With no failures it returns a nil
// *Error: check len(failures) before storing the result in an error variable, which would
// otherwise hold a non-nil interface.
func Validation(failures ...string) *Error {
	if len(failures) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(failures)))
	if len(failures) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	b.WriteString(strings.Join(failures, "; "))
	return ValidationError(cutUTF8(b.String(), MaxValidationMessage))
}

// MaxValidationMessage bounds the message Validation builds, in bytes: each failure echoes the
// value, so a 1 MiB request of values that break two constraints each would otherwise answer
// with twice its size before XML escaping (up to six times more). The longest value a model
// constraint test echoes whole, a policy document one character over its 131,072, fits. The
// message is cut at a UTF-8 character boundary with no marker (AWS documents no bound).
const MaxValidationMessage = 256 << 10

// cutUTF8 returns s cut to at most n bytes, at a UTF-8 character boundary.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// NotNull is the failure text AWS uses for a missing required member; member is the
// lowerCamelCase path of the member, such as "userName" or "tags.1.member.key".
func NotNull(member string) string {
	return "Value null at '" + member + "' failed to satisfy constraint: Member must not be null"
}

// Constraint is the failure text AWS uses when value breaks a constraint of member, for
// example Constraint("0", "maxItems", "Member must have value greater than or equal to 1").
func Constraint(value, member, constraint string) string {
	return "Value '" + value + "' at '" + member + "' failed to satisfy constraint: " + constraint
}
