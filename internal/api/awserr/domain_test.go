package awserr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/iamd-dev/iamd/internal/iam"
)

func TestFromDomain(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   string
		status int
		msg    string
	}{
		{"iam error", iam.Errorf(iam.CodeNoSuchEntity, "The user with name %s cannot be found.", "bob"), "NoSuchEntity", 404, "The user with name bob cannot be found."},
		{"wrapped", fmt.Errorf("ctx: %w", iam.Errorf(iam.CodeDeleteConflict, "x")), "DeleteConflict", 409, "x"},
		{"unknown code", iam.Errorf("Weird", "w"), "Weird", 400, "w"},
		{"code without constructor, not 400", iam.Errorf("FeatureEnabled", "on"), "FeatureEnabled", 409, "on"},
		{"AcquireRole name conflict", iam.Errorf("NameConflict", "taken"), "NameConflict", 409, "taken"},
		{"AcquireRole role modified", iam.Errorf("RoleModified", "changed"), "RoleModified", 409, "changed"},
		{"STS code without constructor", iam.Errorf("OutboundWebIdentityFederationDisabledException", "off"), "OutboundWebIdentityFederationDisabledException", 403, "off"},
		{"field", &iam.FieldError{Field: "userName", Value: "", Constraint: "Member must have length greater than or equal to 1"}, "ValidationError", 400,
			"1 validation error detected: Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"input", &iam.InputError{Message: "bad"}, "InvalidInput", 400, "bad"},
		{"limit", &iam.LimitError{Message: "Cannot exceed quota for TagsPerUser: 50"}, "LimitExceeded", 409, "Cannot exceed quota for TagsPerUser: 50"},
		{"wire", AccessDenied("no"), "AccessDenied", 403, "no"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := FromDomain(tc.err)
			if e == nil || e.Code != tc.code || e.Status != tc.status || e.Message != tc.msg {
				t.Errorf("FromDomain(%v) = %+v, want %s %d %q", tc.err, e, tc.code, tc.status, tc.msg)
			}
		})
	}
	if e := FromDomain(errors.New("disk on fire")); e != nil {
		t.Errorf("internal error mapped to %+v; want nil so the cause is never shown", e)
	}
	if FromDomain(nil) != nil {
		t.Error("FromDomain(nil) != nil")
	}
}

// TestByCodeComplete walks every code in the table: the constructor must produce that code.
func TestByCodeComplete(t *testing.T) {
	for code, f := range byCode {
		if e := f("m"); e.Code != code || e.Message != "m" || e.Status == 0 {
			t.Errorf("byCode[%q] builds %+v", code, e)
		}
	}
	for _, code := range []string{iam.CodeNoSuchEntity, iam.CodeEntityAlreadyExists, iam.CodeDeleteConflict, iam.CodeLimitExceeded,
		iam.CodeMalformedPolicyDocument, iam.CodeInvalidInput, iam.CodeValidationError, iam.CodeAccessDenied, iam.CodePolicyNotAttachable,
		iam.CodeUnmodifiableEntity, iam.CodeInvalidClientTokenID, iam.CodeSignatureDoesNotMatch, iam.CodeIncompleteSignature,
		iam.CodeMissingAuthToken, iam.CodeRequestExpired, iam.CodeExpiredToken, iam.CodePackedPolicyTooLarge, iam.CodeInvalidParameterValue,
		iam.CodeMissingParameter, iam.CodeInvalidAuthCode, iam.CodeInvalidIdentityToken, iam.CodeNotAuthorized, iam.CodeServiceFailure,
		iam.CodeInvalidAuthMessage, iam.CodeRegionDisabled} {
		if _, ok := byCode[code]; !ok {
			t.Errorf("domain code %s has no wire constructor", code)
		}
	}
}
