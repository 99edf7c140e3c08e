package oidc

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/iam"
)

// Provider is an IAM OpenID Connect identity provider as stored (store.KindOIDCProvider, the
// entity named by Name).
type Provider struct {
	// Name is the provider URL without its "https://" scheme, as submitted (host[:port][/path]);
	// it names the provider in its ARN and prefixes its condition keys ("Name:sub").
	Name        string    `json:"name"`
	ClientIDs   []string  `json:"clientIds,omitempty"`
	Thumbprints []string  `json:"thumbprints,omitempty"`
	Created     time.Time `json:"created"`
	Tags        []iam.Tag `json:"tags,omitempty"`
}

// Quotas and limits of CreateOpenIDConnectProvider.
const (
	MaxClientIDs   = 100
	MaxThumbprints = 5
	MaxURL         = 255
	MaxClientID    = 255
)

// ARN is the provider's ARN: arn:aws:iam::ACCOUNT:oidc-provider/NAME.
func ARN(account, name string) string {
	return "arn:" + iam.Partition + ":iam::" + account + ":oidc-provider/" + name
}

// NameFromARN returns the account and provider name of an OIDC provider ARN.
func NameFromARN(arn string) (account, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:"+iam.Partition+":iam::")
	if !ok {
		return "", "", false
	}
	account, res, ok := strings.Cut(rest, ":")
	if !ok || len(account) != 12 {
		return "", "", false
	}
	name, ok = strings.CutPrefix(res, "oidc-provider/")
	return account, name, ok && name != ""
}

// IssuerName is the provider name an issuer URL (a token's iss) is registered under: the URL
// without its "https://" scheme.
func IssuerName(iss string) string { return strings.TrimPrefix(iss, "https://") }

// ParseURL checks a CreateOpenIDConnectProvider Url (https://host[:port][/path], no user
// information, query or fragment) and returns the provider's name, with AWS's errors.
func ParseURL(raw string) (string, error) {
	if len(raw) < 1 {
		return "", &iam.FieldError{Field: "url", Value: raw, Constraint: "Member must have length greater than or equal to 1"}
	}
	if len(raw) > MaxURL {
		return "", &iam.FieldError{Field: "url", Value: raw, Constraint: "Member must have length less than or equal to " + strconv.Itoa(MaxURL)}
	}
	invalid := iam.Errorf(iam.CodeValidationError, "Invalid Open ID Connect Provider URL")
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return "", invalid
	}
	if scheme != "https" {
		return "", iam.Errorf(iam.CodeInvalidInput, "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || rest == "" {
		return "", invalid
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(rest, "?#@") {
		return "", iam.Errorf(iam.CodeInvalidInput, "Invalid Open ID Connect Provider URL.")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", iam.Errorf(iam.CodeInvalidInput, "Invalid Open ID Connect Provider URL.")
		}
	}
	return rest, nil
}

// CheckClientIDs checks a client ID list against AWS's limits (ClientIdsPerOpenIdConnectProvider
// quota, 1–255 characters each).
func CheckClientIDs(ids []string) error {
	if len(ids) > MaxClientIDs {
		return &iam.LimitError{Message: "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: " + strconv.Itoa(MaxClientIDs), Quota: "ClientIdsPerOpenIdConnectProvider"}
	}
	for _, id := range ids {
		if err := CheckClientID(id); err != nil {
			return err
		}
	}
	return nil
}

// CheckClientID checks one client ID's length.
func CheckClientID(id string) error {
	if len(id) < 1 {
		return &iam.FieldError{Field: "clientID", Value: id, Constraint: "Member must have length greater than or equal to 1"}
	}
	if len(id) > MaxClientID {
		return &iam.FieldError{Field: "clientID", Value: id, Constraint: "Member must have length less than or equal to " + strconv.Itoa(MaxClientID)}
	}
	return nil
}

// CheckThumbprints checks a thumbprint list: at most five SHA-1 fingerprints of 40 hex digits.
func CheckThumbprints(list []string) error {
	if len(list) > MaxThumbprints {
		return iam.Errorf(iam.CodeInvalidInput, "Thumbprint list must contain fewer than %d entries.", MaxThumbprints)
	}
	for _, t := range list {
		if len(t) != 40 {
			return iam.Errorf(iam.CodeInvalidInput, "Thumbprint must be exactly 40 characters.")
		}
		for i := 0; i < len(t); i++ {
			if c := t[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return iam.Errorf(iam.CodeInvalidInput, "Thumbprint must contain only hexadecimal characters.")
			}
		}
	}
	return nil
}
