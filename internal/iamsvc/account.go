package iamsvc

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
)

// Account-wide settings: the account alias, the account summary and the password policy.

// aliasPattern is the AccountAlias pattern of the IAM API Reference.
const aliasPattern = `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`

// checkAlias enforces AccountAlias's length (3–63) and pattern: lowercase letters, digits and
// single hyphens, neither first nor last.
func checkAlias(alias string) error {
	if len(alias) < 3 {
		return &iam.FieldError{Field: "accountAlias", Value: alias, Constraint: "Member must have length greater than or equal to 3"}
	}
	if len(alias) > 63 {
		return &iam.FieldError{Field: "accountAlias", Value: alias, Constraint: "Member must have length less than or equal to 63"}
	}
	ok := !strings.HasPrefix(alias, "-") && !strings.HasSuffix(alias, "-") && !strings.Contains(alias, "--")
	for _, r := range alias {
		ok = ok && ('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-')
	}
	if !ok {
		return &iam.FieldError{Field: "accountAlias", Value: alias, Constraint: "Member must satisfy regular expression pattern: " + aliasPattern}
	}
	return nil
}

// aliasClaim is the name of the global setting that reserves an alias for one account: aliases
// are unique across all accounts.
func aliasClaim(alias string) string { return "account-alias/" + alias }

// loadAccount reads the account entity.
func loadAccount(ctx context.Context, r store.Reader, acct string) (*iam.Account, *store.Entity, error) {
	return load[iam.Account](ctx, r, acct, store.KindAccount, acct, errors.New("iamsvc: account "+acct+" is not stored"))
}

// CreateAccountAlias sets the account's alias. An account has one alias; a new one replaces it
// (IAM User Guide, "Your AWS account ID and its alias"). An alias another account uses is taken.
func (s *Service) CreateAccountAlias(ctx context.Context, c *authn.Caller, in *sdk.CreateAccountAliasInput) (*sdk.CreateAccountAliasOutput, error) {
	alias := str(in.AccountAlias)
	if err := checkAlias(alias); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:CreateAccountAlias", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateAccountAliasOutput, error) {
		a, e, err := loadAccount(ctx, tx, acct)
		if err != nil {
			return nil, err
		}
		if a.Alias == alias {
			return &sdk.CreateAccountAliasOutput{}, nil
		}
		claim := &store.Entity{Kind: store.KindSetting, Name: aliasClaim(alias), Created: s.nowUTC(), Path: "/", Data: []byte(acct)}
		if err := tx.Create(ctx, claim); errors.Is(err, store.ErrExists) {
			return nil, iam.Errorf(iam.CodeEntityAlreadyExists, "The account alias %s already exists.", alias)
		} else if err != nil {
			return nil, err
		}
		if a.Alias != "" {
			if err := tx.Delete(ctx, "", store.KindSetting, aliasClaim(a.Alias)); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		a.Alias = alias
		return &sdk.CreateAccountAliasOutput{}, save(ctx, tx, e, a)
	})
}

// DeleteAccountAlias removes the account's alias.
func (s *Service) DeleteAccountAlias(ctx context.Context, c *authn.Caller, in *sdk.DeleteAccountAliasInput) (*sdk.DeleteAccountAliasOutput, error) {
	alias := str(in.AccountAlias)
	if err := checkAlias(alias); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:DeleteAccountAlias", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteAccountAliasOutput, error) {
		a, e, err := loadAccount(ctx, tx, acct)
		if err != nil {
			return nil, err
		}
		if a.Alias != alias {
			return nil, iam.Errorf(iam.CodeNoSuchEntity, "The account alias %s cannot be found.", alias)
		}
		if err := tx.Delete(ctx, "", store.KindSetting, aliasClaim(alias)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		a.Alias = ""
		return &sdk.DeleteAccountAliasOutput{}, save(ctx, tx, e, a)
	})
}

// ListAccountAliases lists the account's alias (none or one).
func (s *Service) ListAccountAliases(ctx context.Context, c *authn.Caller, in *sdk.ListAccountAliasesInput) (*sdk.ListAccountAliasesOutput, error) {
	if _, err := page(nil, nil, in.MaxItems); err != nil {
		return nil, err
	}
	if err := s.authorize(ctx, c, "iam:ListAccountAliases", "*", nil); err != nil {
		return nil, err
	}
	a, err := view(ctx, s, func(r store.Reader) (*iam.Account, error) {
		a, _, err := loadAccount(ctx, r, account(c))
		return a, err
	})
	if err != nil {
		return nil, err
	}
	aliases := []string{}
	if a.Alias != "" {
		aliases = append(aliases, a.Alias)
	}
	start, end, next, err := slicePage(len(aliases), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &sdk.ListAccountAliasesOutput{AccountAliases: aliases[start:end], Marker: next, IsTruncated: next != nil}, nil
}

// GetAccountSummary reports the account's entity counts and IAM quotas (the *Quota keys come
// from the quota table in force, iam.Quotas with the configured adjustable values).
func (s *Service) GetAccountSummary(ctx context.Context, c *authn.Caller, _ *sdk.GetAccountSummaryInput) (*sdk.GetAccountSummaryOutput, error) {
	if err := s.authorize(ctx, c, "iam:GetAccountSummary", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	m, err := view(ctx, s, func(r store.Reader) (*map[string]int32, error) {
		m := map[string]int32{"ServerCertificates": 0, "AccountSigningCertificatesPresent": 0}
		for k, v := range s.limits.Summary() {
			m[k] = int32(min(v, math.MaxInt32))
		}
		tv, err := tokenVersion(ctx, r, acct)
		if err != nil {
			return nil, err
		}
		m["GlobalEndpointTokenVersion"] = tv
		for key, kinds := range map[string][]store.Kind{
			"Users": {store.KindUser}, "Groups": {store.KindGroup}, "Roles": {store.KindRole}, "Policies": {store.KindPolicy},
			"InstanceProfiles": {store.KindInstanceProfile}, "ServerCertificates": {store.KindServerCertificate}, "MFADevices": {store.KindMFADevice}, "Providers": {store.KindOIDCProvider, store.KindSAMLProvider},
		} {
			for _, k := range kinds {
				n, err := r.Count(ctx, acct, k)
				if err != nil {
					return nil, err
				}
				m[key] += int32(n)
			}
		}
		users, err := listAll(ctx, r, acct, store.KindUser)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			mfa, err := r.Links(ctx, acct, store.LinkUserMFA, u.Name)
			if err != nil {
				return nil, err
			}
			m["MFADevicesInUse"] += int32(len(mfa))
		}
		// The root user's keys and MFA devices are linked from the empty user name.
		for key, link := range map[string]store.LinkKind{"AccountAccessKeysPresent": store.LinkUserKey, "AccountMFAEnabled": store.LinkUserMFA} {
			l, err := r.Links(ctx, acct, link, "")
			if err != nil {
				return nil, err
			}
			m[key] = int32(min(len(l), 1))
		}
		// PolicyVersionsInUse: the customer managed policies attached to users, groups or roles.
		policies, err := listAll(ctx, r, acct, store.KindPolicy)
		if err != nil {
			return nil, err
		}
		for _, pe := range policies {
			p, err := decode[iam.ManagedPolicy](pe)
			if err != nil {
				return nil, err
			}
			if n, err := attachmentCount(ctx, r, acct, iam.PolicyARN(acct, p.Path, p.Name)); err != nil {
				return nil, err
			} else if n > 0 {
				m["PolicyVersionsInUse"]++
			}
		}
		return &m, nil
	})
	if err != nil {
		return nil, err
	}
	return &sdk.GetAccountSummaryOutput{SummaryMap: *m}, nil
}

// passwordPolicySetting is the name of the account setting holding the password policy.
const passwordPolicySetting = "password-policy"

// passwordPolicy is the stored password policy. Unset optional values are nil, as AWS omits them.
type passwordPolicy struct {
	MinimumPasswordLength      int32  `json:"minLength"`
	RequireSymbols             bool   `json:"symbols,omitempty"`
	RequireNumbers             bool   `json:"numbers,omitempty"`
	RequireUppercaseCharacters bool   `json:"upper,omitempty"`
	RequireLowercaseCharacters bool   `json:"lower,omitempty"`
	AllowUsersToChangePassword bool   `json:"allowChange,omitempty"`
	MaxPasswordAge             *int32 `json:"maxAge,omitempty"`
	PasswordReusePrevention    *int32 `json:"reuse,omitempty"`
	HardExpiry                 *bool  `json:"hardExpiry,omitempty"`
}

// noPasswordPolicy is AWS's answer when an account has no password policy; AWS names the
// account's ID as the "domain name".
func noPasswordPolicy(acct string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "The Password Policy with domain name %s cannot be found.", acct)
}

// checkRange enforces a numeric member's bounds with AWS's ValidationError.
func checkRange(field string, v *int32, lo, hi int32) error {
	if v == nil {
		return nil
	}
	if *v < lo {
		return &iam.FieldError{Field: field, Value: strconv.Itoa(int(*v)), Constraint: "Member must have value greater than or equal to " + strconv.Itoa(int(lo))}
	}
	if *v > hi {
		return &iam.FieldError{Field: field, Value: strconv.Itoa(int(*v)), Constraint: "Member must have value less than or equal to " + strconv.Itoa(int(hi))}
	}
	return nil
}

// UpdateAccountPasswordPolicy replaces the password policy; members not given take their
// defaults (MinimumPasswordLength 6, everything else off).
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, c *authn.Caller, in *sdk.UpdateAccountPasswordPolicyInput) (*sdk.UpdateAccountPasswordPolicyOutput, error) {
	for _, r := range []struct {
		field  string
		v      *int32
		lo, hi int32
	}{{"minimumPasswordLength", in.MinimumPasswordLength, 6, 128}, {"maxPasswordAge", in.MaxPasswordAge, 1, 1095}, {"passwordReusePrevention", in.PasswordReusePrevention, 1, 24}} {
		if err := checkRange(r.field, r.v, r.lo, r.hi); err != nil {
			return nil, err
		}
	}
	if err := s.authorize(ctx, c, "iam:UpdateAccountPasswordPolicy", "*", nil); err != nil {
		return nil, err
	}
	p := &passwordPolicy{MinimumPasswordLength: 6, RequireSymbols: in.RequireSymbols, RequireNumbers: in.RequireNumbers,
		RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
		AllowUsersToChangePassword: in.AllowUsersToChangePassword, MaxPasswordAge: in.MaxPasswordAge, PasswordReusePrevention: in.PasswordReusePrevention, HardExpiry: in.HardExpiry}
	if in.MinimumPasswordLength != nil {
		p.MinimumPasswordLength = *in.MinimumPasswordLength
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateAccountPasswordPolicyOutput, error) {
		e, err := tx.Get(ctx, acct, store.KindSetting, passwordPolicySetting)
		if errors.Is(err, store.ErrNotFound) {
			e = &store.Entity{Account: acct, Kind: store.KindSetting, Name: passwordPolicySetting, Path: "/", Created: s.nowUTC()}
			return &sdk.UpdateAccountPasswordPolicyOutput{}, create(ctx, tx, e, p, errors.New("iamsvc: password policy created concurrently"))
		}
		if err != nil {
			return nil, err
		}
		return &sdk.UpdateAccountPasswordPolicyOutput{}, save(ctx, tx, e, p)
	})
}

// GetAccountPasswordPolicy returns the password policy.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context, c *authn.Caller, _ *sdk.GetAccountPasswordPolicyInput) (*sdk.GetAccountPasswordPolicyOutput, error) {
	if err := s.authorize(ctx, c, "iam:GetAccountPasswordPolicy", "*", nil); err != nil {
		return nil, err
	}
	p, err := view(ctx, s, func(r store.Reader) (*passwordPolicy, error) {
		p, _, err := load[passwordPolicy](ctx, r, account(c), store.KindSetting, passwordPolicySetting, noPasswordPolicy(account(c)))
		return p, err
	})
	if err != nil {
		return nil, err
	}
	return &sdk.GetAccountPasswordPolicyOutput{PasswordPolicy: &types.PasswordPolicy{
		MinimumPasswordLength: ptr(p.MinimumPasswordLength), RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters, RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword, ExpirePasswords: p.MaxPasswordAge != nil,
		MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, HardExpiry: p.HardExpiry,
	}}, nil
}

// DeleteAccountPasswordPolicy removes the password policy.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, c *authn.Caller, _ *sdk.DeleteAccountPasswordPolicyInput) (*sdk.DeleteAccountPasswordPolicyOutput, error) {
	if err := s.authorize(ctx, c, "iam:DeleteAccountPasswordPolicy", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteAccountPasswordPolicyOutput, error) {
		if err := tx.Delete(ctx, acct, store.KindSetting, passwordPolicySetting); errors.Is(err, store.ErrNotFound) {
			return nil, noPasswordPolicy(acct)
		} else if err != nil {
			return nil, err
		}
		return &sdk.DeleteAccountPasswordPolicyOutput{}, nil
	})
}
