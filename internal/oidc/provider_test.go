package oidc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/oidc"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url, want string
		code, msg string // iam.Error code and message; "" for a FieldError or success
		field     bool
	}{
		{url: "https://token.actions.githubusercontent.com", want: "token.actions.githubusercontent.com"},
		{url: "https://login.example.com:8443/tenant/v2.0/", want: "login.example.com:8443/tenant/v2.0/"},
		{url: "example.com", code: iam.CodeValidationError, msg: "Invalid Open ID Connect Provider URL"},
		{url: "https://", code: iam.CodeValidationError, msg: "Invalid Open ID Connect Provider URL"},
		{url: "http://example.com", code: iam.CodeInvalidInput, msg: "Invalid Open ID Connect Provider URL. The URL must begin with https://."},
		{url: "https://user:pw@example.com", code: iam.CodeInvalidInput, msg: "Invalid Open ID Connect Provider URL."},
		{url: "https://example.com?x=1", code: iam.CodeInvalidInput, msg: "Invalid Open ID Connect Provider URL."},
		{url: "https://example.com#f", code: iam.CodeInvalidInput, msg: "Invalid Open ID Connect Provider URL."},
		{url: "https://example.com:99999", code: iam.CodeInvalidInput, msg: "Invalid Open ID Connect Provider URL."},
		{url: "https://" + strings.Repeat("a", 250) + ".com", field: true},
		{url: "", field: true},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			got, err := oidc.ParseURL(tc.url)
			var ie *iam.Error
			var fe *iam.FieldError
			switch {
			case tc.field:
				if !errors.As(err, &fe) || fe.Field != "url" {
					t.Errorf("ParseURL(%q) = %q, %v; want a FieldError on url", tc.url, got, err)
				}
			case tc.code != "":
				if !errors.As(err, &ie) || ie.Code != tc.code || ie.Message != tc.msg {
					t.Errorf("ParseURL(%q) = %q, %v; want %s %q", tc.url, got, err, tc.code, tc.msg)
				}
			case err != nil || got != tc.want:
				t.Errorf("ParseURL(%q) = %q, %v; want %q", tc.url, got, err, tc.want)
			}
		})
	}
}

func TestARN(t *testing.T) {
	arn := oidc.ARN("123456789012", "login.example.com/tenant")
	if arn != "arn:aws:iam::123456789012:oidc-provider/login.example.com/tenant" {
		t.Errorf("ARN = %s", arn)
	}
	acct, name, ok := oidc.NameFromARN(arn)
	if !ok || acct != "123456789012" || name != "login.example.com/tenant" {
		t.Errorf("NameFromARN(%s) = %q, %q, %v", arn, acct, name, ok)
	}
	for _, bad := range []string{"arn:aws:iam::123456789012:saml-provider/x", "arn:aws:iam::1234:oidc-provider/x", "arn:aws:iam::123456789012:oidc-provider/", "x"} {
		if _, _, ok := oidc.NameFromARN(bad); ok {
			t.Errorf("NameFromARN(%q) ok, want not an OIDC provider ARN", bad)
		}
	}
}

func TestCheckLists(t *testing.T) {
	tp := strings.Repeat("a1", 20)
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"thumbprints ok", oidc.CheckThumbprints([]string{tp, strings.ToUpper(tp)}), ""},
		{"six thumbprints", oidc.CheckThumbprints([]string{tp, tp, tp, tp, tp, tp}), iam.CodeInvalidInput},
		{"short thumbprint", oidc.CheckThumbprints([]string{tp[:39]}), iam.CodeInvalidInput},
		{"non-hex thumbprint", oidc.CheckThumbprints([]string{strings.Repeat("g", 40)}), iam.CodeInvalidInput},
		{"client ids ok", oidc.CheckClientIDs([]string{"a", strings.Repeat("c", 255)}), ""},
		{"long client id", oidc.CheckClientIDs([]string{strings.Repeat("c", 256)}), "field"},
		{"101 client ids", oidc.CheckClientIDs(make([]string, 101)), "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ie *iam.Error
			var fe *iam.FieldError
			var le *iam.LimitError
			switch tc.code {
			case "":
				if tc.err != nil {
					t.Errorf("err = %v, want nil", tc.err)
				}
			case "field":
				if !errors.As(tc.err, &fe) {
					t.Errorf("err = %v, want a FieldError", tc.err)
				}
			case "limit":
				if !errors.As(tc.err, &le) || le.Quota != "ClientIdsPerOpenIdConnectProvider" {
					t.Errorf("err = %v, want LimitError ClientIdsPerOpenIdConnectProvider", tc.err)
				}
			default:
				if !errors.As(tc.err, &ie) || ie.Code != tc.code {
					t.Errorf("err = %v, want %s", tc.err, tc.code)
				}
			}
		})
	}
}
