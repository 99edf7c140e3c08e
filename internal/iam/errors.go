package iam

import "fmt"

// Error is a domain error that AWS answers with a specific error code and message (for example
// NoSuchEntity, "The user with name bob cannot be found."). The API layer maps Code to the wire
// error with its HTTP status; Message is built for the client and safe to show.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The AWS error codes services return through Error.
const (
	CodeNoSuchEntity            = "NoSuchEntity"
	CodeEntityAlreadyExists     = "EntityAlreadyExists"
	CodeDeleteConflict          = "DeleteConflict"
	CodeLimitExceeded           = "LimitExceeded"
	CodeMalformedPolicyDocument = "MalformedPolicyDocument"
	CodeInvalidInput            = "InvalidInput"
	CodeValidationError         = "ValidationError"
	CodeAccessDenied            = "AccessDenied"
	CodePolicyNotAttachable     = "PolicyNotAttachable"
	CodeUnmodifiableEntity      = "UnmodifiableEntity"
	CodeInvalidClientTokenID    = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch   = "SignatureDoesNotMatch"
	CodeIncompleteSignature     = "IncompleteSignature"
	CodeMissingAuthToken        = "MissingAuthenticationToken"
	CodeRequestExpired          = "RequestExpired"
	CodeExpiredToken            = "ExpiredToken"
	CodePackedPolicyTooLarge    = "PackedPolicyTooLarge"
	CodeInvalidParameterValue   = "InvalidParameterValue"
	CodeMissingParameter        = "MissingParameter"
	CodeInvalidAuthCode         = "InvalidAuthenticationCode"
	CodeInvalidIdentityToken    = "InvalidIdentityToken"
	CodeNotAuthorized           = "NotAuthorized"
	CodeServiceFailure          = "ServiceFailure"
	CodeInvalidAuthMessage      = "InvalidAuthorizationMessageException"
	CodeRegionDisabled          = "RegionDisabledException"
)
