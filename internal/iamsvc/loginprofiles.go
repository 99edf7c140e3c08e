package iamsvc

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/store"
)

func noSuchLoginProfile(user string) error {
	return iam.Errorf(iam.CodeNoSuchEntity, "Login Profile for User %s cannot be found.", user)
}

// passwordSymbols are the non-alphanumeric characters AWS's password policy counts as symbols.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

// passwordPattern is the pattern the API Reference gives for passwords (CreateLoginProfile and
// UpdateLoginProfile Password, ChangePassword OldPassword and NewPassword).
const passwordPattern = `[\u0009\u000A\u000D\u0020-\u00FF]+`

// checkPasswordField checks a password against AWS's constraints on the field: 1 to 128
// characters matching passwordPattern. The error never carries the password (AWS marks the
// member sensitive and leaves its value out of the message).
func checkPasswordField(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < 1 {
		return &iam.FieldError{Field: field, Sensitive: true, Constraint: "Member must have length greater than or equal to 1"}
	}
	if n > 128 {
		return &iam.FieldError{Field: field, Sensitive: true, Constraint: "Member must have length less than or equal to 128"}
	}
	for _, r := range pw {
		// Invalid UTF-8 decodes as U+FFFD, outside the pattern.
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xff) {
			return &iam.FieldError{Field: field, Sensitive: true, Constraint: "Member must satisfy regular expression pattern: " + passwordPattern}
		}
	}
	return nil
}

// policyFor loads the account's password policy (AWS's defaults when none is set).
func policyFor(ctx context.Context, r store.Reader, acct string) (*passwordPolicy, error) {
	p, _, err := load[passwordPolicy](ctx, r, acct, store.KindSetting, passwordPolicySetting, errNoPolicy)
	if err == errNoPolicy {
		return nil, nil
	}
	return p, err
}

var errNoPolicy = iam.Errorf(iam.CodeNoSuchEntity, "no password policy")

// checkPassword applies the password policy, with AWS's PasswordPolicyViolation messages.
func checkPassword(p *passwordPolicy, pw string, prof *iam.LoginProfile) error {
	if p == nil {
		// AWS's default policy: at least 8 characters and three of the four character types.
		kinds := 0
		for _, f := range []func(rune) bool{unicode.IsDigit, isUpper, isLower, isSymbol} {
			if strings.IndexFunc(pw, f) >= 0 {
				kinds++
			}
		}
		if len(pw) < 8 || kinds < 3 {
			return iam.Errorf("PasswordPolicyViolation", "Password does not conform to the account password policy.")
		}
		return nil
	}
	var problems []string
	if int32(len(pw)) < p.MinimumPasswordLength {
		problems = append(problems, "Password should have at least "+strconv.Itoa(int(p.MinimumPasswordLength))+" characters")
	}
	has := func(f func(rune) bool) bool { return strings.IndexFunc(pw, f) >= 0 }
	if p.RequireNumbers && !has(unicode.IsDigit) {
		problems = append(problems, "Password should have at least one number")
	}
	if p.RequireUppercaseCharacters && !has(isUpper) {
		problems = append(problems, "Password should have at least one uppercase letter")
	}
	if p.RequireLowercaseCharacters && !has(isLower) {
		problems = append(problems, "Password should have at least one lowercase letter")
	}
	if p.RequireSymbols && !has(isSymbol) {
		problems = append(problems, "Password should have at least one symbol")
	}
	if len(problems) > 0 {
		return iam.Errorf("PasswordPolicyViolation", "%s", strings.Join(problems, "\n"))
	}
	if prof != nil && p.PasswordReusePrevention != nil {
		hashes := append([]string{prof.Hash}, prof.Previous...)
		for i, h := range hashes {
			if i >= int(*p.PasswordReusePrevention) {
				break
			}
			if ok, _ := secrets.CheckPassword(h, pw); ok {
				return iam.Errorf("PasswordPolicyViolation", "Password cannot be reused for %d password changes", *p.PasswordReusePrevention)
			}
		}
	}
	return nil
}

func isUpper(r rune) bool  { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool  { return r >= 'a' && r <= 'z' }
func isSymbol(r rune) bool { return strings.ContainsRune(passwordSymbols, r) }

func (s *Service) setPassword(prof *iam.LoginProfile, pw string) error {
	h, err := secrets.HashPassword(pw, s.rand)
	if err != nil {
		return err
	}
	if prof.Hash != "" {
		prof.Previous = append([]string{prof.Hash}, prof.Previous...)
		if len(prof.Previous) > 24 {
			prof.Previous = prof.Previous[:24]
		}
	}
	prof.Hash, prof.Changed = h, s.nowUTC()
	return nil
}

func loginOut(user string, p *iam.LoginProfile) *types.LoginProfile {
	return &types.LoginProfile{UserName: ptr(user), CreateDate: ptr(p.Created), PasswordResetRequired: p.ResetRequired}
}

// CreateLoginProfile gives a user a console password.
func (s *Service) CreateLoginProfile(ctx context.Context, c *authn.Caller, in *sdk.CreateLoginProfileInput) (*sdk.CreateLoginProfileOutput, error) {
	user, pw := str(in.UserName), str(in.Password)
	if user == "" && c.UserName != "" {
		user = c.UserName
	}
	if err := iam.CheckName("userName", user, iam.MaxUserName); err != nil {
		return nil, err
	}
	if err := checkPasswordField("password", pw); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:CreateLoginProfile", user, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	// Hash outside the transaction: it is deliberately slow.
	prof := &iam.LoginProfile{Created: s.nowUTC(), ResetRequired: in.PasswordResetRequired}
	if err := s.setPassword(prof, pw); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.CreateLoginProfileOutput, error) {
		u, e, err := load[iam.User](ctx, tx, acct, store.KindUser, user, noSuchUser(user))
		if err != nil {
			return nil, err
		}
		if u.Login != nil {
			return nil, iam.Errorf(iam.CodeEntityAlreadyExists, "Login Profile for user %s already exists.", u.Name)
		}
		p, err := policyFor(ctx, tx, acct)
		if err != nil {
			return nil, err
		}
		if err := checkPassword(p, pw, nil); err != nil {
			return nil, err
		}
		u.Login = prof
		if err := save(ctx, tx, e, u); err != nil {
			return nil, err
		}
		return &sdk.CreateLoginProfileOutput{LoginProfile: loginOut(u.Name, prof)}, nil
	})
}

// GetLoginProfile reports whether a user has a password (never the password).
func (s *Service) GetLoginProfile(ctx context.Context, c *authn.Caller, in *sdk.GetLoginProfileInput) (*sdk.GetLoginProfileOutput, error) {
	user := str(in.UserName)
	if user == "" && c.UserName != "" {
		user = c.UserName
	}
	if err := iam.CheckName("userName", user, iam.MaxUserName); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:GetLoginProfile", user, nil); err != nil {
		return nil, err
	}
	return view(ctx, s, func(r store.Reader) (*sdk.GetLoginProfileOutput, error) {
		u, _, err := load[iam.User](ctx, r, account(c), store.KindUser, user, noSuchUser(user))
		if err != nil {
			return nil, err
		}
		if u.Login == nil {
			return nil, noSuchLoginProfile(u.Name)
		}
		return &sdk.GetLoginProfileOutput{LoginProfile: loginOut(u.Name, u.Login)}, nil
	})
}

// UpdateLoginProfile changes a user's password or its reset flag.
func (s *Service) UpdateLoginProfile(ctx context.Context, c *authn.Caller, in *sdk.UpdateLoginProfileInput) (*sdk.UpdateLoginProfileOutput, error) {
	user := str(in.UserName)
	if err := iam.CheckName("userName", user, iam.MaxUserName); err != nil {
		return nil, err
	}
	if in.Password != nil {
		if err := checkPasswordField("password", *in.Password); err != nil {
			return nil, err
		}
	}
	if err := s.authorizeUser(ctx, c, "iam:UpdateLoginProfile", user, nil); err != nil {
		return nil, err
	}
	acct := account(c)
	var hashed *iam.LoginProfile
	if in.Password != nil {
		hashed = &iam.LoginProfile{}
		if err := s.setPassword(hashed, *in.Password); err != nil {
			return nil, err
		}
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.UpdateLoginProfileOutput, error) {
		u, e, err := load[iam.User](ctx, tx, acct, store.KindUser, user, noSuchUser(user))
		if err != nil {
			return nil, err
		}
		if u.Login == nil {
			return nil, noSuchLoginProfile(u.Name)
		}
		if hashed != nil {
			p, err := policyFor(ctx, tx, acct)
			if err != nil {
				return nil, err
			}
			if err := checkPassword(p, *in.Password, u.Login); err != nil {
				return nil, err
			}
			u.Login.Previous = append([]string{u.Login.Hash}, u.Login.Previous...)
			u.Login.Hash, u.Login.Changed = hashed.Hash, hashed.Changed
		}
		if in.PasswordResetRequired != nil {
			u.Login.ResetRequired = *in.PasswordResetRequired
		}
		return &sdk.UpdateLoginProfileOutput{}, save(ctx, tx, e, u)
	})
}

// DeleteLoginProfile removes a user's password.
func (s *Service) DeleteLoginProfile(ctx context.Context, c *authn.Caller, in *sdk.DeleteLoginProfileInput) (*sdk.DeleteLoginProfileOutput, error) {
	user := str(in.UserName)
	if err := iam.CheckName("userName", user, iam.MaxUserName); err != nil {
		return nil, err
	}
	if err := s.authorizeUser(ctx, c, "iam:DeleteLoginProfile", user, nil); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DeleteLoginProfileOutput, error) {
		u, e, err := load[iam.User](ctx, tx, account(c), store.KindUser, user, noSuchUser(user))
		if err != nil {
			return nil, err
		}
		if u.Login == nil {
			return nil, noSuchLoginProfile(u.Name)
		}
		u.Login = nil
		return &sdk.DeleteLoginProfileOutput{}, save(ctx, tx, e, u)
	})
}

// ChangePassword lets an IAM user change its own password, when the password policy allows
// users to or the user is allowed iam:ChangePassword.
func (s *Service) ChangePassword(ctx context.Context, c *authn.Caller, in *sdk.ChangePasswordInput) (*sdk.ChangePasswordOutput, error) {
	if c.UserName == "" || c.Session != nil {
		return nil, iam.Errorf("InvalidUserType", "Only IAM users can change their own password.")
	}
	oldPW, newPW := str(in.OldPassword), str(in.NewPassword)
	if err := checkPasswordField("oldPassword", oldPW); err != nil {
		return nil, err
	}
	if err := checkPasswordField("newPassword", newPW); err != nil {
		return nil, err
	}
	acct := account(c)
	p, err := view(ctx, s, func(r store.Reader) (*passwordPolicy, error) { return policyFor(ctx, r, acct) })
	if err != nil {
		return nil, err
	}
	if p == nil || !p.AllowUsersToChangePassword {
		if err := s.authorize(ctx, c, "iam:ChangePassword", c.Principal.ARN, nil); err != nil {
			return nil, err
		}
	}
	u, err := view(ctx, s, func(r store.Reader) (*iam.User, error) {
		u, _, err := load[iam.User](ctx, r, acct, store.KindUser, c.UserName, noSuchUser(c.UserName))
		return u, err
	})
	if err != nil {
		return nil, err
	}
	if u.Login == nil {
		return nil, noSuchLoginProfile(u.Name)
	}
	if ok, err := secrets.CheckPassword(u.Login.Hash, oldPW); err != nil || !ok {
		return nil, iam.Errorf(iam.CodeInvalidInput, "The old password was incorrect.")
	}
	hashed := &iam.LoginProfile{}
	if err := s.setPassword(hashed, newPW); err != nil {
		return nil, err
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.ChangePasswordOutput, error) {
		u, e, err := load[iam.User](ctx, tx, acct, store.KindUser, c.UserName, noSuchUser(c.UserName))
		if err != nil {
			return nil, err
		}
		if u.Login == nil {
			return nil, noSuchLoginProfile(u.Name)
		}
		if err := checkPassword(p, newPW, u.Login); err != nil {
			return nil, err
		}
		u.Login.Previous = append([]string{u.Login.Hash}, u.Login.Previous...)
		u.Login.Hash, u.Login.Changed, u.Login.ResetRequired = hashed.Hash, hashed.Changed, false
		return &sdk.ChangePasswordOutput{}, save(ctx, tx, e, u)
	})
}
