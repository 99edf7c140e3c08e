package awserr

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// sdkError is what the SDK's modeled error types expose.
type sdkError interface {
	ErrorCode() string
	ErrorFault() smithy.ErrorFault
}

// catalog lists every constructor with its documented HTTP status and, where the SDK models
// the error, the SDK's error type. sdkName is the SDK type's name, used to check that every
// modeled IAM and STS error has a constructor.
var catalog = []struct {
	ctor    func(string) *Error
	status  int
	sdk     sdkError
	sdkName string
}{
	{AccessDenied, 403, nil, ""},
	{IncompleteSignature, 400, nil, ""},
	{InternalFailure, 500, nil, ""},
	{InvalidAction, 400, nil, ""},
	{InvalidClientTokenId, 403, nil, ""},
	{InvalidParameterCombination, 400, nil, ""},
	{InvalidParameterValue, 400, nil, ""},
	{InvalidQueryParameter, 400, nil, ""},
	{MalformedQueryString, 404, nil, ""},
	{MissingAction, 400, nil, ""},
	{MissingAuthenticationToken, 403, nil, ""},
	{MissingParameter, 400, nil, ""},
	{NotAuthorized, 400, nil, ""},
	{OptInRequired, 403, nil, ""},
	{RequestExpired, 400, nil, ""},
	{ServiceUnavailable, 503, nil, ""},
	{SignatureDoesNotMatch, 403, nil, ""},
	{Throttling, 400, nil, ""},
	{ValidationError, 400, nil, ""},
	{ExpiredToken, 403, nil, ""},

	{ConcurrentModification, 409, &iamtypes.ConcurrentModificationException{}, "iam.ConcurrentModificationException"},
	{ReportExpired, 410, &iamtypes.CredentialReportExpiredException{}, "iam.CredentialReportExpiredException"},
	{ReportNotPresent, 410, &iamtypes.CredentialReportNotPresentException{}, "iam.CredentialReportNotPresentException"},
	{ReportInProgress, 404, &iamtypes.CredentialReportNotReadyException{}, "iam.CredentialReportNotReadyException"},
	{DeleteConflict, 409, &iamtypes.DeleteConflictException{}, "iam.DeleteConflictException"},
	{DuplicateCertificate, 409, &iamtypes.DuplicateCertificateException{}, "iam.DuplicateCertificateException"},
	{DuplicateSSHPublicKey, 400, &iamtypes.DuplicateSSHPublicKeyException{}, "iam.DuplicateSSHPublicKeyException"},
	{EntityAlreadyExists, 409, &iamtypes.EntityAlreadyExistsException{}, "iam.EntityAlreadyExistsException"},
	{EntityTemporarilyUnmodifiable, 409, &iamtypes.EntityTemporarilyUnmodifiableException{}, "iam.EntityTemporarilyUnmodifiableException"},
	{InvalidAuthenticationCode, 403, &iamtypes.InvalidAuthenticationCodeException{}, "iam.InvalidAuthenticationCodeException"},
	{InvalidCertificate, 400, &iamtypes.InvalidCertificateException{}, "iam.InvalidCertificateException"},
	{InvalidInput, 400, &iamtypes.InvalidInputException{}, "iam.InvalidInputException"},
	{InvalidPublicKey, 400, &iamtypes.InvalidPublicKeyException{}, "iam.InvalidPublicKeyException"},
	{InvalidUserType, 400, &iamtypes.InvalidUserTypeException{}, "iam.InvalidUserTypeException"},
	{KeyPairMismatch, 400, &iamtypes.KeyPairMismatchException{}, "iam.KeyPairMismatchException"},
	{LimitExceeded, 409, &iamtypes.LimitExceededException{}, "iam.LimitExceededException"},
	{MalformedCertificate, 400, &iamtypes.MalformedCertificateException{}, "iam.MalformedCertificateException"},
	{MalformedPolicyDocument, 400, &iamtypes.MalformedPolicyDocumentException{}, "iam.MalformedPolicyDocumentException"},
	{NoSuchEntity, 404, &iamtypes.NoSuchEntityException{}, "iam.NoSuchEntityException"},
	{OpenIdIdpCommunicationError, 400, &iamtypes.OpenIdIdpCommunicationErrorException{}, "iam.OpenIdIdpCommunicationErrorException"},
	{PasswordPolicyViolation, 400, &iamtypes.PasswordPolicyViolationException{}, "iam.PasswordPolicyViolationException"},
	{PolicyEvaluation, 500, &iamtypes.PolicyEvaluationException{}, "iam.PolicyEvaluationException"},
	{PolicyNotAttachable, 400, &iamtypes.PolicyNotAttachableException{}, "iam.PolicyNotAttachableException"},
	{ReportGenerationLimitExceeded, 409, &iamtypes.ReportGenerationLimitExceededException{}, "iam.ReportGenerationLimitExceededException"},
	{ServiceFailure, 500, &iamtypes.ServiceFailureException{}, "iam.ServiceFailureException"},
	{NotSupportedService, 404, &iamtypes.ServiceNotSupportedException{}, "iam.ServiceNotSupportedException"},
	{UnmodifiableEntity, 400, &iamtypes.UnmodifiableEntityException{}, "iam.UnmodifiableEntityException"},
	{UnrecognizedPublicKeyEncoding, 400, &iamtypes.UnrecognizedPublicKeyEncodingException{}, "iam.UnrecognizedPublicKeyEncodingException"},
	{MalformedPolicyDocument, 400, &ststypes.MalformedPolicyDocumentException{}, "sts.MalformedPolicyDocumentException"},

	{ExpiredTokenException, 400, &ststypes.ExpiredTokenException{}, "sts.ExpiredTokenException"},
	{IDPCommunicationError, 400, &ststypes.IDPCommunicationErrorException{}, "sts.IDPCommunicationErrorException"},
	{IDPRejectedClaim, 403, &ststypes.IDPRejectedClaimException{}, "sts.IDPRejectedClaimException"},
	{InvalidAuthorizationMessageException, 400, &ststypes.InvalidAuthorizationMessageException{}, "sts.InvalidAuthorizationMessageException"},
	{InvalidIdentityToken, 400, &ststypes.InvalidIdentityTokenException{}, "sts.InvalidIdentityTokenException"},
	{PackedPolicyTooLarge, 400, &ststypes.PackedPolicyTooLargeException{}, "sts.PackedPolicyTooLargeException"},
	{RegionDisabledException, 403, &ststypes.RegionDisabledException{}, "sts.RegionDisabledException"},
}

// notCovered lists SDK error types iamd deliberately has no constructor for, with the reason.
var notCovered = map[string]string{
	"iam.AccountNotManagementOrDelegatedAdministratorException": "AWS Organizations features",
	"iam.CallerIsNotManagementAccountException":                 "AWS Organizations features",
	"iam.FeatureDisabledException":                              "outbound web identity federation",
	"iam.FeatureEnabledException":                               "outbound web identity federation",
	"iam.NameConflictException":                                 "delegation requests",
	"iam.OrganizationNotFoundException":                         "AWS Organizations features",
	"iam.OrganizationNotInAllFeaturesModeException":             "AWS Organizations features",
	"iam.RoleModifiedException":                                 "role templates",
	"iam.RoleTemplateDisabledException":                         "role templates",
	"iam.ServiceAccessNotEnabledException":                      "AWS Organizations features",
	"sts.ExpiredTradeInTokenException":                          "GetDelegatedAccessToken",
	"sts.JWTPayloadSizeExceededException":                       "GetWebIdentityToken",
	"sts.OutboundWebIdentityFederationDisabledException":        "GetWebIdentityToken",
	"sts.SessionDurationEscalationException":                    "GetDelegatedAccessToken",
}

func TestConstructors(t *testing.T) {
	for _, c := range catalog {
		e := c.ctor("")
		t.Run(e.Code, func(t *testing.T) {
			if e.Status != c.status {
				t.Errorf("%s: status = %d, want %d", e.Code, e.Status, c.status)
			}
			if e.Message == "" {
				t.Errorf("%s: empty default message", e.Code)
			}
			wantFault := Sender
			if c.status >= 500 {
				wantFault = Receiver
			}
			if c.sdk != nil {
				if got := c.sdk.ErrorCode(); got != e.Code {
					t.Errorf("code = %q, SDK %s says %q", e.Code, c.sdkName, got)
				}
				switch c.sdk.ErrorFault() {
				case smithy.FaultClient:
					wantFault = Sender
				case smithy.FaultServer:
					wantFault = Receiver
				}
			}
			if e.Fault != wantFault {
				t.Errorf("%s: fault = %q, want %q", e.Code, e.Fault, wantFault)
			}
			if got := c.ctor("custom"); got.Message != "custom" || got.Code != e.Code {
				t.Errorf("%s(\"custom\") = %+v", e.Code, got)
			}
		})
	}
}

// TestSDKErrorsCovered parses the SDK's types/errors.go for IAM and STS and fails for any error
// type that has neither a constructor in catalog nor a reason in notCovered.
func TestSDKErrorsCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range catalog {
		if c.sdkName != "" {
			covered[c.sdkName] = true
		}
	}
	for _, svc := range []string{"iam", "sts"} {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2/service/"+svc).Output()
		if err != nil {
			t.Skipf("go list: %v", err)
		}
		path := filepath.Join(strings.TrimSpace(string(out)), "types", "errors.go")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "ErrorCode" {
				continue
			}
			recv := fn.Recv.List[0].Type.(*ast.StarExpr).X.(*ast.Ident).Name
			name := svc + "." + recv
			if _, skip := notCovered[name]; !covered[name] && !skip {
				t.Errorf("SDK error type %s has no constructor in awserr", name)
			}
		}
	}
}

func TestErrorAndIs(t *testing.T) {
	e := NoSuchEntity("The user with name bob cannot be found.")
	if got, want := e.Error(), "NoSuchEntity: The user with name bob cannot be found."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (&Error{Code: "X"}).Error(); got != "X" {
		t.Errorf("Error() without message = %q, want %q", got, "X")
	}
	wrapped := fmt.Errorf("get user: %w", e)
	if !errors.Is(wrapped, NoSuchEntity("")) {
		t.Error("errors.Is(wrapped NoSuchEntity, NoSuchEntity) = false")
	}
	if errors.Is(wrapped, EntityAlreadyExists("")) {
		t.Error("errors.Is(NoSuchEntity, EntityAlreadyExists) = true")
	}
	if e.Is(errors.New("NoSuchEntity")) {
		t.Error("Is matched a plain error")
	}
	if got, ok := As(wrapped); !ok || got != e {
		t.Errorf("As(wrapped) = %v, %v", got, ok)
	}
	if _, ok := As(errors.New("x")); ok {
		t.Error("As(plain error) = true")
	}
	if got := New("Custom", 418, Sender, "m"); *got != (Error{Code: "Custom", Status: 418, Fault: Sender, Message: "m"}) {
		t.Errorf("New = %+v", got)
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name     string
		failures []string
		want     *Error
	}{
		{"none", nil, nil},
		{"one", []string{NotNull("userName")}, &Error{Code: "ValidationError", Status: 400, Fault: Sender,
			Message: "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"}},
		{"two", []string{NotNull("userName"), Constraint("0", "maxItems", "Member must have value greater than or equal to 1")},
			&Error{Code: "ValidationError", Status: 400, Fault: Sender,
				Message: "2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; " +
					"Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Validation(tt.failures...)); diff != "" {
				t.Errorf("Validation(%q) (-want +got):\n%s", tt.failures, diff)
			}
		})
	}
}

// TestValidationMessageBounded: a message of failures that echo large values is cut to
// MaxValidationMessage bytes at a character boundary, a prefix of the whole; a short one is whole.
func TestValidationMessageBounded(t *testing.T) {
	big := strings.Repeat("é", 100<<10) // 200 KiB, two bytes per character
	for _, tc := range []struct {
		name     string
		failures []string
		cut      bool
	}{
		{"short", []string{Constraint("a b", "userName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+")}, false},
		{"one large value", []string{Constraint(big, "path", "Member must have length less than or equal to 512")}, false},
		{"two large values", []string{Constraint(big, "path", "Member must have length less than or equal to 512"),
			Constraint(big, "path", "Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := strconv.Itoa(len(tc.failures)) + " validation error"
			if len(tc.failures) > 1 {
				whole += "s"
			}
			whole += " detected: " + strings.Join(tc.failures, "; ")
			got := Validation(tc.failures...).Message
			if !utf8.ValidString(got) || !strings.HasPrefix(whole, got) {
				t.Fatalf("message of %d bytes is not a valid UTF-8 prefix of the whole (%d bytes)", len(got), len(whole))
			}
			if tc.cut && (len(got) > MaxValidationMessage || len(got) < MaxValidationMessage-utf8.UTFMax) || !tc.cut && got != whole {
				t.Errorf("message of %d bytes (whole %d), cut %v; want cut to at most %d", len(got), len(whole), tc.cut, MaxValidationMessage)
			}
		})
	}
}
