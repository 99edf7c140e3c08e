package analyzerapi

import (
	"errors"
	"net/http"

	sdk "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/smithy-go"

	"github.com/iamd-dev/iamd/internal/analyzersvc"
	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iam"
)

// SigningName is Access Analyzer's SigV4 service name.
const SigningName = "access-analyzer"

// Service is the Access Analyzer REST service for s.
func Service(s *analyzersvc.Service) *middleware.RESTService {
	return &middleware.RESTService{
		SigningName: SigningName,
		Ops: []middleware.RESTOp{
			middleware.HandleREST[sdk.ValidatePolicyInput, sdk.ValidatePolicyOutput](http.MethodPost, "/policy/validation", "ValidatePolicy", s.ValidatePolicy).
				WithQuery("maxResults", "nextToken"),
			middleware.HandleREST[sdk.StartPolicyGenerationInput, sdk.StartPolicyGenerationOutput](http.MethodPut, "/policy/generation", "StartPolicyGeneration", s.StartPolicyGeneration),
			middleware.HandleREST[sdk.ListPolicyGenerationsInput, sdk.ListPolicyGenerationsOutput](http.MethodGet, "/policy/generation", "ListPolicyGenerations", s.ListPolicyGenerations).
				WithQuery("maxResults", "nextToken", "principalArn"),
			middleware.HandleREST[sdk.GetGeneratedPolicyInput, sdk.GetGeneratedPolicyOutput](http.MethodGet, "/policy/generation/{jobId}", "GetGeneratedPolicy", s.GetGeneratedPolicy).
				WithQuery("includeResourcePlaceholders", "includeServiceLevelTemplate"),
			middleware.HandleREST[sdk.CancelPolicyGenerationInput, sdk.CancelPolicyGenerationOutput](http.MethodPut, "/policy/generation/{jobId}", "CancelPolicyGeneration", s.CancelPolicyGeneration),
		},
		Error: Error,
	}
}

// Statuses are the HTTP statuses of Access Analyzer's exceptions (its API reference,
// "Common Errors" and each operation's "Errors").
var Statuses = map[string]int{
	"AccessDeniedException":         http.StatusForbidden,
	"ConflictException":             http.StatusConflict,
	"InternalServerException":       http.StatusInternalServerError,
	"ResourceNotFoundException":     http.StatusNotFound,
	"ServiceQuotaExceededException": http.StatusPaymentRequired,
	"ThrottlingException":           http.StatusTooManyRequests,
	"ValidationException":           http.StatusBadRequest,
}

// Error maps an error of analyzersvc to Access Analyzer's wire exception: the SDK exception
// values it returns keep their members; authz's AccessDenied becomes AccessDeniedException.
// Anything else is left to the generic mapping (nil).
func Error(err error) *middleware.RESTError {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if status, ok := Statuses[ae.ErrorCode()]; ok {
			return &middleware.RESTError{Status: status, Code: ae.ErrorCode(), Message: ae.ErrorMessage(), Body: ae}
		}
	}
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Code == iam.CodeAccessDenied {
		return &middleware.RESTError{Status: http.StatusForbidden, Code: "AccessDeniedException", Message: ie.Message}
	}
	return nil
}
