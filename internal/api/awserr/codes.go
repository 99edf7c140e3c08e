package awserr

// The constructors below cover the common errors of the Query APIs and every error the IAM and
// STS SDK models declare, except the few listed in awserr_test.go's notCovered (AWS
// Organizations and other features iamd does not implement). Statuses come from the IAM and
// STS API references; codes and faults agree with the AWS SDK for Go v2 error types, which
// awserr_test.go checks. A message of "" selects AWS's generic description of the code.

// AccessDenied returns a new AccessDenied error (403): the caller is not allowed to perform the action.
func AccessDenied(message string) *Error {
	return build("AccessDenied", 403, Sender, message, "User is not authorized to perform this action.")
}

// IncompleteSignature returns a new IncompleteSignature error (400): the request signature is malformed.
func IncompleteSignature(message string) *Error {
	return build("IncompleteSignature", 400, Sender, message, "The request signature does not conform to AWS standards.")
}

// InternalFailure returns a new InternalFailure error (500): an unexpected server error; never carries the cause.
func InternalFailure(message string) *Error {
	return build("InternalFailure", 500, Receiver, message, "The request processing has failed because of an unknown error, exception or failure.")
}

// InvalidAction returns a new InvalidAction error (400): the Action parameter names no known action.
func InvalidAction(message string) *Error {
	return build("InvalidAction", 400, Sender, message, "The action or operation requested is invalid. Verify that the action is typed correctly.")
}

// InvalidClientTokenId returns a new InvalidClientTokenId error (403): the access key ID does not exist.
func InvalidClientTokenId(message string) *Error {
	return build("InvalidClientTokenId", 403, Sender, message, "The security token included in the request is invalid.")
}

// InvalidParameterCombination returns a new InvalidParameterCombination error (400): parameters that exclude each other were both given.
func InvalidParameterCombination(message string) *Error {
	return build("InvalidParameterCombination", 400, Sender, message, "Parameters that must not be used together were used together.")
}

// InvalidParameterValue returns a new InvalidParameterValue error (400): a parameter value is invalid.
func InvalidParameterValue(message string) *Error {
	return build("InvalidParameterValue", 400, Sender, message, "An invalid or out-of-range value was supplied for the input parameter.")
}

// InvalidQueryParameter returns a new InvalidQueryParameter error (400): the query string does not follow AWS rules.
func InvalidQueryParameter(message string) *Error {
	return build("InvalidQueryParameter", 400, Sender, message, "The AWS query string is malformed or does not adhere to AWS standards.")
}

// MalformedQueryString returns a new MalformedQueryString error (404): the query string cannot be parsed.
func MalformedQueryString(message string) *Error {
	return build("MalformedQueryString", 404, Sender, message, "The query string contains a syntax error.")
}

// MissingAction returns a new MissingAction error (400): the request has no Action parameter.
func MissingAction(message string) *Error {
	return build("MissingAction", 400, Sender, message, "The request is missing an action or a required parameter.")
}

// MissingAuthenticationToken returns a new MissingAuthenticationToken error (403): the request carries no credentials.
func MissingAuthenticationToken(message string) *Error {
	return build("MissingAuthenticationToken", 403, Sender, message, "Request is missing Authentication Token")
}

// MissingParameter returns a new MissingParameter error (400): a required parameter is missing.
func MissingParameter(message string) *Error {
	return build("MissingParameter", 400, Sender, message, "A required parameter for the specified action is not supplied.")
}

// NotAuthorized returns a new NotAuthorized error (400): the caller lacks permission (the generic common error).
func NotAuthorized(message string) *Error {
	return build("NotAuthorized", 400, Sender, message, "You do not have permission to perform this action.")
}

// OptInRequired returns a new OptInRequired error (403): the account is not subscribed to the service.
func OptInRequired(message string) *Error {
	return build("OptInRequired", 403, Sender, message, "The AWS access key ID needs a subscription for the service.")
}

// RequestExpired returns a new RequestExpired error (400): the request's signing time is outside the allowed window.
func RequestExpired(message string) *Error {
	return build("RequestExpired", 400, Sender, message, "The request reached the service more than 15 minutes after the date stamp on the request or more than 15 minutes after the request expiration date (such as for pre-signed URLs), or the date stamp on the request is more than 15 minutes in the future.")
}

// ServiceUnavailable returns a new ServiceUnavailable error (503): the service is temporarily unavailable.
func ServiceUnavailable(message string) *Error {
	return build("ServiceUnavailable", 503, Receiver, message, "The request has failed due to a temporary failure of the server.")
}

// SignatureDoesNotMatch returns a new SignatureDoesNotMatch error (403): the SigV4 signature is wrong.
func SignatureDoesNotMatch(message string) *Error {
	return build("SignatureDoesNotMatch", 403, Sender, message, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

// Throttling returns a new Throttling error (400): the caller sent too many requests.
func Throttling(message string) *Error {
	return build("Throttling", 400, Sender, message, "Rate exceeded")
}

// ValidationError returns a new ValidationError error (400): the input breaks a constraint; see also Validation.
func ValidationError(message string) *Error {
	return build("ValidationError", 400, Sender, message, "The input fails to satisfy the constraints specified by an AWS service.")
}

// ExpiredToken returns a new ExpiredToken error (403): the session token used to sign the request has expired.
func ExpiredToken(message string) *Error {
	return build("ExpiredToken", 403, Sender, message, "The security token included in the request is expired")
}

// ConcurrentModification returns a new ConcurrentModification error (409): a concurrent change to the same object won.
func ConcurrentModification(message string) *Error {
	return build("ConcurrentModification", 409, Sender, message, "The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.")
}

// ReportExpired returns a new ReportExpired error (410): the credential report has expired.
func ReportExpired(message string) *Error {
	return build("ReportExpired", 410, Sender, message, "The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
}

// ReportNotPresent returns a new ReportNotPresent error (410): no credential report exists.
func ReportNotPresent(message string) *Error {
	return build("ReportNotPresent", 410, Sender, message, "The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.")
}

// ReportInProgress returns a new ReportInProgress error (404): the credential report is still being generated.
func ReportInProgress(message string) *Error {
	return build("ReportInProgress", 404, Sender, message, "The request was rejected because the credential report is still being generated.")
}

// DeleteConflict returns a new DeleteConflict error (409): the entity still has attached subordinate entities.
func DeleteConflict(message string) *Error {
	return build("DeleteConflict", 409, Sender, message, "The request was rejected because it attempted to delete a resource that has attached subordinate entities.")
}

// DuplicateCertificate returns a new DuplicateCertificate error (409): the certificate is already associated with a user.
func DuplicateCertificate(message string) *Error {
	return build("DuplicateCertificate", 409, Sender, message, "The request was rejected because the same certificate is associated with an IAM user in the account.")
}

// DuplicateSSHPublicKey returns a new DuplicateSSHPublicKey error (400): the SSH public key is already associated with the user.
func DuplicateSSHPublicKey(message string) *Error {
	return build("DuplicateSSHPublicKey", 400, Sender, message, "The request was rejected because the SSH public key is already associated with the specified IAM user.")
}

// EntityAlreadyExists returns a new EntityAlreadyExists error (409): an entity with that name already exists.
func EntityAlreadyExists(message string) *Error {
	return build("EntityAlreadyExists", 409, Sender, message, "The request was rejected because it attempted to create a resource that already exists.")
}

// EntityTemporarilyUnmodifiable returns a new EntityTemporarilyUnmodifiable error (409): the entity cannot be changed right now.
func EntityTemporarilyUnmodifiable(message string) *Error {
	return build("EntityTemporarilyUnmodifiable", 409, Sender, message, "The request was rejected because it referenced an entity that is temporarily unmodifiable.")
}

// InvalidAuthenticationCode returns a new InvalidAuthenticationCode error (403): an MFA authentication code was not recognized.
func InvalidAuthenticationCode(message string) *Error {
	return build("InvalidAuthenticationCode", 403, Sender, message, "The request was rejected because the authentication code was not recognized.")
}

// InvalidCertificate returns a new InvalidCertificate error (400): the certificate is invalid.
func InvalidCertificate(message string) *Error {
	return build("InvalidCertificate", 400, Sender, message, "The request was rejected because the certificate is invalid.")
}

// InvalidInput returns a new InvalidInput error (400): IAM's code for an invalid parameter value.
func InvalidInput(message string) *Error {
	return build("InvalidInput", 400, Sender, message, "The request was rejected because an invalid or out-of-range value was supplied for an input parameter.")
}

// InvalidPublicKey returns a new InvalidPublicKey error (400): the public key is invalid.
func InvalidPublicKey(message string) *Error {
	return build("InvalidPublicKey", 400, Sender, message, "The request was rejected because the public key is malformed or otherwise invalid.")
}

// InvalidUserType returns a new InvalidUserType error (400): the user type is wrong for the request.
func InvalidUserType(message string) *Error {
	return build("InvalidUserType", 400, Sender, message, "The request was rejected because the type of user for the transaction was incorrect.")
}

// KeyPairMismatch returns a new KeyPairMismatch error (400): the certificate and private key do not match.
func KeyPairMismatch(message string) *Error {
	return build("KeyPairMismatch", 400, Sender, message, "The request was rejected because the public key certificate and the private key do not match.")
}

// LimitExceeded returns a new LimitExceeded error (409): a quota would be exceeded.
func LimitExceeded(message string) *Error {
	return build("LimitExceeded", 409, Sender, message, "The request was rejected because it attempted to create resources beyond the current AWS account limits.")
}

// MalformedCertificate returns a new MalformedCertificate error (400): the certificate is malformed or expired.
func MalformedCertificate(message string) *Error {
	return build("MalformedCertificate", 400, Sender, message, "The request was rejected because the certificate was malformed or expired.")
}

// MalformedPolicyDocument returns a new MalformedPolicyDocument error (400): a policy document does not parse or validate.
func MalformedPolicyDocument(message string) *Error {
	return build("MalformedPolicyDocument", 400, Sender, message, "The request was rejected because the policy document was malformed.")
}

// NoSuchEntity returns a new NoSuchEntity error (404): a referenced entity does not exist.
func NoSuchEntity(message string) *Error {
	return build("NoSuchEntity", 404, Sender, message, "The request was rejected because it referenced a resource entity that does not exist.")
}

// OpenIdIdpCommunicationError returns a new OpenIdIdpCommunicationError error (400): the OIDC provider could not be reached.
func OpenIdIdpCommunicationError(message string) *Error {
	return build("OpenIdIdpCommunicationError", 400, Sender, message, "The request failed because IAM cannot connect to the OpenID Connect identity provider URL.")
}

// PasswordPolicyViolation returns a new PasswordPolicyViolation error (400): a password breaks the account password policy.
func PasswordPolicyViolation(message string) *Error {
	return build("PasswordPolicyViolation", 400, Sender, message, "The request was rejected because the provided password did not meet the requirements imposed by the account password policy.")
}

// PolicyEvaluation returns a new PolicyEvaluation error (500): a simulation could not evaluate a policy.
func PolicyEvaluation(message string) *Error {
	return build("PolicyEvaluation", 500, Receiver, message, "The request failed because a provided policy could not be successfully evaluated.")
}

// PolicyNotAttachable returns a new PolicyNotAttachable error (400): the policy cannot be attached to this entity.
func PolicyNotAttachable(message string) *Error {
	return build("PolicyNotAttachable", 400, Sender, message, "The request failed because AWS service role policies can only be attached to the service-linked role for that service.")
}

// ReportGenerationLimitExceeded returns a new ReportGenerationLimitExceeded error (409): too many reports are being generated.
func ReportGenerationLimitExceeded(message string) *Error {
	return build("ReportGenerationLimitExceeded", 409, Sender, message, "The request failed because the maximum number of concurrent requests for this account are already running.")
}

// ServiceFailure returns a new ServiceFailure error (500): IAM's code for an unexpected server error.
func ServiceFailure(message string) *Error {
	return build("ServiceFailure", 500, Receiver, message, "The request processing has failed because of an unknown error, exception or failure.")
}

// NotSupportedService returns a new NotSupportedService error (404): the service does not support service-specific credentials.
func NotSupportedService(message string) *Error {
	return build("NotSupportedService", 404, Sender, message, "The specified service does not support service-specific credentials.")
}

// UnmodifiableEntity returns a new UnmodifiableEntity error (400): the entity is protected and cannot be changed.
func UnmodifiableEntity(message string) *Error {
	return build("UnmodifiableEntity", 400, Sender, message, "The request was rejected because service-linked roles are protected AWS resources. Only the service that depends on the service-linked role can modify or delete the role on your behalf.")
}

// UnrecognizedPublicKeyEncoding returns a new UnrecognizedPublicKeyEncoding error (400): the public key encoding is not supported.
func UnrecognizedPublicKeyEncoding(message string) *Error {
	return build("UnrecognizedPublicKeyEncoding", 400, Sender, message, "The request was rejected because the public key encoding format is unsupported or unrecognized.")
}

// ExpiredTokenException returns a new ExpiredTokenException error (400): STS's code for an expired web identity or SAML token.
func ExpiredTokenException(message string) *Error {
	return build("ExpiredTokenException", 400, Sender, message, "The web identity token that was passed is expired or is not valid. Get a new identity token from the identity provider and then retry the request.")
}

// IDPCommunicationError returns a new IDPCommunicationError error (400): the identity provider could not be reached.
func IDPCommunicationError(message string) *Error {
	return build("IDPCommunicationError", 400, Sender, message, "The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.")
}

// IDPRejectedClaim returns a new IDPRejectedClaim error (403): the identity provider rejected the claim.
func IDPRejectedClaim(message string) *Error {
	return build("IDPRejectedClaim", 403, Sender, message, "The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.")
}

// InvalidAuthorizationMessageException returns a new InvalidAuthorizationMessageException error (400): DecodeAuthorizationMessage got an invalid message.
func InvalidAuthorizationMessageException(message string) *Error {
	return build("InvalidAuthorizationMessageException", 400, Sender, message, "The error returned if the message passed to DecodeAuthorizationMessage was invalid.")
}

// InvalidIdentityToken returns a new InvalidIdentityToken error (400): the web identity or SAML token could not be validated.
func InvalidIdentityToken(message string) *Error {
	return build("InvalidIdentityToken", 400, Sender, message, "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
}

// PackedPolicyTooLarge returns a new PackedPolicyTooLarge error (400): session policies and tags are too large once packed.
func PackedPolicyTooLarge(message string) *Error {
	return build("PackedPolicyTooLarge", 400, Sender, message, "The request was rejected because the total packed size of the session policies and session tags combined was too large.")
}

// RegionDisabledException returns a new RegionDisabledException error (403): STS is not active in the region.
func RegionDisabledException(message string) *Error {
	return build("RegionDisabledException", 403, Sender, message, "STS is not activated in the requested region for the account that is being asked to generate credentials.")
}

// build returns an error, using def as the message when message is empty.
func build(code string, status int, fault Fault, message, def string) *Error {
	if message == "" {
		message = def
	}
	return &Error{Code: code, Status: status, Fault: fault, Message: message}
}
