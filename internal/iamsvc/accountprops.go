package iamsvc

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// Account-wide settings beyond the alias and password policy: the STS global endpoint token
// version (SetSecurityTokenServicePreferences, reported by GetAccountSummary) and the account
// properties (Get/PutAccountProperties, Namespace/PropertyName → value).

const (
	// stsPreferencesSetting holds the account's STS preferences.
	stsPreferencesSetting = "sts-preferences"
	// accountPropertiesSetting holds the account properties.
	accountPropertiesSetting = "account-properties"
)

// stsPreferences is the stored SetSecurityTokenServicePreferences state.
type stsPreferences struct {
	// TokenVersion is GetAccountSummary's GlobalEndpointTokenVersion: 1 (v1Token) or 2 (v2Token).
	TokenVersion int32 `json:"globalEndpointTokenVersion"`
}

// tokenVersion is the account's GlobalEndpointTokenVersion: 1 until set otherwise.
func tokenVersion(ctx context.Context, r store.Reader, acct string) (int32, error) {
	p, _, err := load[stsPreferences](ctx, r, acct, store.KindSetting, stsPreferencesSetting, store.ErrNotFound)
	if errors.Is(err, store.ErrNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	return p.TokenVersion, nil
}

// putSetting creates or replaces the account setting name with v.
func (s *Service) putSetting(ctx context.Context, tx store.Tx, acct, name string, v any) error {
	e, err := tx.Get(ctx, acct, store.KindSetting, name)
	if errors.Is(err, store.ErrNotFound) {
		e = &store.Entity{Account: acct, Kind: store.KindSetting, Name: name, Path: "/", Created: s.nowUTC()}
		return create(ctx, tx, e, v, errors.New("iamsvc: setting "+name+" created concurrently"))
	}
	if err != nil {
		return err
	}
	return save(ctx, tx, e, v)
}

// SetSecurityTokenServicePreferences sets the version of session tokens the global STS endpoint
// issues. iamd's tokens are the same in every region; the setting is stored and reported by
// GetAccountSummary as GlobalEndpointTokenVersion.
func (s *Service) SetSecurityTokenServicePreferences(ctx context.Context, c *authn.Caller, in *sdk.SetSecurityTokenServicePreferencesInput) (*sdk.SetSecurityTokenServicePreferencesOutput, error) {
	var v int32
	switch in.GlobalEndpointTokenVersion {
	case types.GlobalEndpointTokenVersionV1Token:
		v = 1
	case types.GlobalEndpointTokenVersionV2Token:
		v = 2
	case "":
		return nil, &iam.FieldError{Field: "globalEndpointTokenVersion", Value: "null", Constraint: "Member must not be null"}
	default:
		return nil, &iam.FieldError{Field: "globalEndpointTokenVersion", Value: string(in.GlobalEndpointTokenVersion), Constraint: "Member must satisfy enum value set: [v1Token, v2Token]"}
	}
	if err := s.authorize(ctx, c, "iam:SetSecurityTokenServicePreferences", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.SetSecurityTokenServicePreferencesOutput, error) {
		return &sdk.SetSecurityTokenServicePreferencesOutput{}, s.putSetting(ctx, tx, acct, stsPreferencesSetting, &stsPreferences{TokenVersion: v})
	})
}

// Account property keys and values (IAM API Reference, PutAccountProperties).
const (
	maxPropertyKey   = 50
	maxPropertyValue = 1024
	propertyPattern  = `^[A-Za-z][A-Za-z0-9/_-]*$`
)

// checkProperties validates PutAccountProperties' map: each key Namespace/PropertyName (1–50
// characters of the documented pattern, exactly one slash, neither first nor last), each value
// 1–1024 characters, and one namespace for all keys. It returns the namespace.
func checkProperties(props map[string]string) (string, error) {
	if len(props) == 0 {
		return "", &iam.FieldError{Field: "properties", Value: "null", Constraint: "Member must not be null"}
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ns := ""
	for _, k := range keys {
		v := props[k]
		switch {
		case len(k) < 1 || len(k) > maxPropertyKey:
			return "", &iam.FieldError{Field: "properties", Value: k, Constraint: "Map keys must satisfy constraint: [Member must have length less than or equal to 50, Member must have length greater than or equal to 1]"}
		case !propertyKeyChars(k):
			return "", &iam.FieldError{Field: "properties", Value: k, Constraint: "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: " + propertyPattern + "]"}
		case len(v) < 1 || len(v) > maxPropertyValue:
			return "", &iam.FieldError{Field: "properties", Value: v, Constraint: "Map value must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]"}
		}
		n, name, ok := strings.Cut(k, "/")
		if !ok || name == "" || strings.Contains(name, "/") {
			return "", &iam.InputError{Message: "Property key " + k + " must have the form Namespace/PropertyName."}
		}
		if ns != "" && n != ns {
			return "", &iam.InputError{Message: "All properties in a request must belong to the same namespace."}
		}
		ns = n
	}
	return ns, nil
}

// propertyKeyChars reports whether k matches propertyPattern.
func propertyKeyChars(k string) bool {
	for i, r := range k {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if i == 0 && !letter || !(letter || '0' <= r && r <= '9' || r == '/' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// PutAccountProperties sets account properties of one namespace, keeping the others. iamd has
// no feature the properties control; it stores and returns them.
func (s *Service) PutAccountProperties(ctx context.Context, c *authn.Caller, in *sdk.PutAccountPropertiesInput) (*sdk.PutAccountPropertiesOutput, error) {
	ns, err := checkProperties(in.Properties)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:PutAccountProperties", "*", map[string][]string{"iam:AccountPropertyNamespaces": {ns}}); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.PutAccountPropertiesOutput, error) {
		cur, err := accountProperties(ctx, tx, acct)
		if err != nil {
			return nil, err
		}
		for k, v := range in.Properties {
			cur[k] = v
		}
		return &sdk.PutAccountPropertiesOutput{}, s.putSetting(ctx, tx, acct, accountPropertiesSetting, cur)
	})
}

// GetAccountProperties returns the account properties set with PutAccountProperties.
func (s *Service) GetAccountProperties(ctx context.Context, c *authn.Caller, _ *sdk.GetAccountPropertiesInput) (*sdk.GetAccountPropertiesOutput, error) {
	acct := account(c)
	props, err := view(ctx, s, func(r store.Reader) (*map[string]string, error) {
		m, err := accountProperties(ctx, r, acct)
		return &m, err
	})
	if err != nil {
		return nil, err
	}
	var namespaces []string
	for k := range *props {
		n, _, _ := strings.Cut(k, "/")
		namespaces = append(namespaces, n)
	}
	sort.Strings(namespaces)
	namespaces = slices.Compact(namespaces)
	var extra map[string][]string
	if len(namespaces) > 0 {
		extra = map[string][]string{"iam:AccountPropertyNamespaces": namespaces}
	}
	if err := s.authorize(ctx, c, "iam:GetAccountProperties", "*", extra); err != nil {
		return nil, err
	}
	return &sdk.GetAccountPropertiesOutput{Properties: *props}, nil
}

// accountProperties reads the stored properties (empty when none were set).
func accountProperties(ctx context.Context, r store.Reader, acct string) (map[string]string, error) {
	m, _, err := load[map[string]string](ctx, r, acct, store.KindSetting, accountPropertiesSetting, store.ErrNotFound)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return *m, nil
}
