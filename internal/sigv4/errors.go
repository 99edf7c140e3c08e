package sigv4

// Error codes of authentication failures, as IAM and STS send them in <Code>.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeRequestExpired             = "RequestExpired"
)

// Messages that do not depend on the request.
const (
	msgMissingToken = "Request is missing Authentication Token"
	msgMismatch     = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgBoth         = "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
	msgHostUnsigned = "'Host' must be a 'SignedHeader' in the AWS Authorization."
	msgExpired      = "Request has expired."
)

// Error is an authentication failure with the AWS error code and AWS's exact message. Every
// message is safe to send to the client: it only echoes what the client sent, never the
// secret or the signature iamd computed.
type Error struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code, msg string) *Error { return &Error{Code: code, Message: msg} }
