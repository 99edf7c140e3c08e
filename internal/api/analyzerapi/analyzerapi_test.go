package analyzerapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/iamd-dev/iamd/internal/api/middleware"
	"github.com/iamd-dev/iamd/internal/iam"
)

func TestError(t *testing.T) {
	msg := "m"
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		body   bool // the exception value is the body
	}{
		{"validation", &types.ValidationException{Message: &msg, Reason: types.ValidationExceptionReasonOther}, 400, "ValidationException", true},
		{"wrapped not found", fmt.Errorf("get: %w", &types.ResourceNotFoundException{Message: &msg}), 404, "ResourceNotFoundException", true},
		{"conflict", &types.ConflictException{Message: &msg}, 409, "ConflictException", true},
		{"quota", &types.ServiceQuotaExceededException{Message: &msg}, 402, "ServiceQuotaExceededException", true},
		{"throttling", &types.ThrottlingException{Message: &msg}, 429, "ThrottlingException", true},
		{"internal", &types.InternalServerException{Message: &msg}, 500, "InternalServerException", true},
		{"access denied from authz", iam.Errorf(iam.CodeAccessDenied, "denied"), 403, "AccessDeniedException", false},
		{"other IAM error", iam.Errorf(iam.CodeNoSuchEntity, "x"), 0, "", false},
		{"plain error", errors.New("disk on fire"), 0, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Error(tc.err)
			if tc.code == "" {
				if got != nil {
					t.Errorf("Error(%v) = %+v, want nil (generic mapping)", tc.err, got)
				}
				return
			}
			if got == nil || got.Status != tc.status || got.Code != tc.code || (got.Body != nil) != tc.body || got.Message == "" {
				t.Errorf("Error(%v) = %+v, want status %d, code %s, body %v", tc.err, got, tc.status, tc.code, tc.body)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	rs := Service(nil)
	seen := map[string]bool{}
	for _, op := range rs.Ops {
		key := op.Method + " " + op.Path
		if seen[key] {
			t.Errorf("route %s twice", key)
		}
		seen[key] = true
	}
	for _, want := range []string{"POST /policy/validation", "PUT /policy/generation", "GET /policy/generation", "GET /policy/generation/{jobId}", "PUT /policy/generation/{jobId}"} {
		if !seen[want] {
			t.Errorf("no route %s", want)
		}
	}
	if rs.SigningName != "access-analyzer" || rs.Error == nil {
		t.Errorf("service = %q, error mapper %v", rs.SigningName, rs.Error != nil)
	}
	var _ *middleware.RESTService = rs
	if Statuses["ValidationException"] != http.StatusBadRequest {
		t.Errorf("ValidationException status %d", Statuses["ValidationException"])
	}
}
