package stssvc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/mfa"
	"github.com/iamd-dev/iamd/internal/store"
)

const msgMFAFailed = "MultiFactorAuthentication failed with invalid MFA one time pass code."

var errMFA = iam.Errorf(iam.CodeAccessDenied, msgMFAFailed)

// checkTokenCode checks an MFA code against the STS model's constraints on TokenCode: 6
// characters of [\d]* (tokenCodePattern). The error leaves the code out, as IAM's
// AuthenticationCode errors do (internal/iamsvc/mfa.go): AWS's ValidationError would echo it
// ("Value '12345a' at 'tokenCode' …"), but a code is a credential, and the message reaches the
// client, the log and the audit record's errorMessage.
func checkTokenCode(code string) error {
	err := checkMember("tokenCode", code, 6, 6, isDigit, tokenCodePattern)
	if fe, ok := err.(*iam.FieldError); ok {
		fe.Value, fe.Sensitive = "", true
	}
	return err
}

// checkMFA verifies a code from the caller's own MFA device, once per time step, and returns
// when MFA was presented. Both serial and code must be given together.
func (s *Service) checkMFA(ctx context.Context, c *authn.Caller, serial, code *string) (time.Time, error) {
	if serial == nil && code == nil {
		return time.Time{}, nil
	}
	if serial == nil || code == nil {
		return time.Time{}, errMFA
	}
	sn, tc := *serial, *code
	if len(sn) < 9 || len(sn) > 256 {
		return time.Time{}, validation("serialNumber", sn, iam.LengthConstraint(len(sn), 9, 256))
	}
	if err := checkTokenCode(tc); err != nil {
		return time.Time{}, err
	}
	owner := c.UserName
	if c.IsRoot() {
		owner = mfa.RootUser
	}
	acct := c.Principal.Account
	name, ok := mfa.DeviceName(acct, sn)
	if !ok || owner == "" {
		return time.Time{}, errMFA
	}
	now := s.now()
	err := s.store.Update(ctx, func(tx store.Tx) error {
		e, err := tx.Get(ctx, acct, store.KindMFADevice, name)
		if errors.Is(err, store.ErrNotFound) {
			return errMFA
		}
		if err != nil {
			return err
		}
		var d mfa.Device
		if err := json.Unmarshal(e.Data, &d); err != nil {
			return err
		}
		if d.Serial != sn || d.User == "" || !strings.EqualFold(d.User, owner) {
			return errMFA
		}
		seed, err := s.keys.Open(d.Sealed, []byte(d.Serial))
		if err != nil {
			return err
		}
		st, ok := mfa.Check(string(seed), tc, d.LastStep, now)
		if !ok {
			return errMFA
		}
		d.LastStep = st
		if e.Data, err = d.Encode(); err != nil {
			return err
		}
		return tx.Update(ctx, e)
	})
	if err != nil {
		return time.Time{}, err
	}
	return now.UTC().Truncate(time.Second), nil
}
