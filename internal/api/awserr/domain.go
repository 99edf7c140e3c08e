package awserr

import (
	"errors"

	"github.com/iamd-dev/iamd/internal/iam"
)

// byCode maps every code that has a constructor to it, so that domain errors carrying only a
// code get the code's HTTP status and fault.
var byCode = map[string]func(string) *Error{
	"AccessDenied": AccessDenied, "IncompleteSignature": IncompleteSignature, "InternalFailure": InternalFailure,
	"InvalidAction": InvalidAction, "InvalidClientTokenId": InvalidClientTokenId,
	"InvalidParameterCombination": InvalidParameterCombination, "InvalidParameterValue": InvalidParameterValue,
	"InvalidQueryParameter": InvalidQueryParameter, "MalformedQueryString": MalformedQueryString,
	"MissingAction": MissingAction, "MissingAuthenticationToken": MissingAuthenticationToken,
	"MissingParameter": MissingParameter, "NotAuthorized": NotAuthorized, "OptInRequired": OptInRequired,
	"RequestExpired": RequestExpired, "ServiceUnavailable": ServiceUnavailable,
	"SignatureDoesNotMatch": SignatureDoesNotMatch, "Throttling": Throttling, "ValidationError": ValidationError,
	"ExpiredToken": ExpiredToken, "ConcurrentModification": ConcurrentModification, "ReportExpired": ReportExpired,
	"ReportNotPresent": ReportNotPresent, "ReportInProgress": ReportInProgress, "DeleteConflict": DeleteConflict,
	"DuplicateCertificate": DuplicateCertificate, "DuplicateSSHPublicKey": DuplicateSSHPublicKey,
	"EntityAlreadyExists": EntityAlreadyExists, "EntityTemporarilyUnmodifiable": EntityTemporarilyUnmodifiable,
	"InvalidAuthenticationCode": InvalidAuthenticationCode, "InvalidCertificate": InvalidCertificate,
	"InvalidInput": InvalidInput, "InvalidPublicKey": InvalidPublicKey, "InvalidUserType": InvalidUserType,
	"KeyPairMismatch": KeyPairMismatch, "LimitExceeded": LimitExceeded, "MalformedCertificate": MalformedCertificate,
	"MalformedPolicyDocument": MalformedPolicyDocument, "NoSuchEntity": NoSuchEntity,
	"OpenIdIdpCommunicationError": OpenIdIdpCommunicationError, "PasswordPolicyViolation": PasswordPolicyViolation,
	"PolicyEvaluation": PolicyEvaluation, "PolicyNotAttachable": PolicyNotAttachable,
	"ReportGenerationLimitExceeded": ReportGenerationLimitExceeded, "ServiceFailure": ServiceFailure,
	"NotSupportedService": NotSupportedService, "UnmodifiableEntity": UnmodifiableEntity,
	"UnrecognizedPublicKeyEncoding": UnrecognizedPublicKeyEncoding, "ExpiredTokenException": ExpiredTokenException,
	"IDPCommunicationError": IDPCommunicationError, "IDPRejectedClaim": IDPRejectedClaim,
	"InvalidAuthorizationMessageException": InvalidAuthorizationMessageException,
	"InvalidIdentityToken":                 InvalidIdentityToken, "PackedPolicyTooLarge": PackedPolicyTooLarge,
	"RegionDisabledException": RegionDisabledException,
}

// statusByCode is the HTTP status of the sender-fault codes that have no constructor and do not
// answer 400 (from the AWS service models' error shapes).
var statusByCode = map[string]int{
	"FeatureEnabled": 409, "FeatureDisabled": 404, // IAM outbound web identity federation
	"OutboundWebIdentityFederationDisabledException": 403, "SessionDurationEscalationException": 403, // STS
	// AcquireRole (role templates): the IAM model's NameConflictException and RoleModifiedException
	// are awsQueryError shapes with httpResponseCode 409.
	"NameConflict": 409, "RoleModified": 409,
}

// FromDomain maps a domain error (layer 1 in STYLE.md: *iam.Error, *iam.FieldError,
// *iam.InputError, *iam.LimitError) or an *Error already in the chain to the wire error. It
// returns nil for anything else: the caller answers InternalFailure and logs the cause.
func FromDomain(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := As(err); ok {
		return e
	}
	var de *iam.Error
	if errors.As(err, &de) {
		if f, ok := byCode[de.Code]; ok {
			return f(de.Message)
		}
		status := 400
		if st, ok := statusByCode[de.Code]; ok {
			status = st
		}
		return New(de.Code, status, Sender, de.Message)
	}
	var fe *iam.FieldError
	if errors.As(err, &fe) {
		return Validation(fe.Error())
	}
	var ie *iam.InputError
	if errors.As(err, &ie) {
		return InvalidInput(ie.Message)
	}
	var le *iam.LimitError
	if errors.As(err, &le) {
		return LimitExceeded(le.Message)
	}
	return nil
}
