package iamsvc

import (
	"context"
	"errors"

	sdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/store"
	"github.com/iamd-dev/iamd/internal/trail"
)

// Outbound web identity federation: an account-wide switch that lets the account's principals
// call STS GetWebIdentityToken (stssvc/webtoken.go), and the account's issuer URL.
//
// AWS gives each account an issuer of the form https://ID.tokens.sts.global.api.aws. iamd's is
// SCHEME://HOST/outbound/ACCOUNT, where SCHEME and HOST are those of the request that first
// enabled the feature (the endpoint as its clients reach it); iamd serves the issuer's
// /.well-known/openid-configuration and /.well-known/jwks.json there, unsigned. The issuer stays
// the same when the feature is disabled and enabled again.

// outboundSetting is the account setting that holds the state (stssvc/webtoken.go reads it).
const outboundSetting = "outbound-web-identity-federation"

// outboundPath starts the path of an issuer URL (stssvc.OutboundPathPrefix).
const outboundPath = "/outbound/"

type outboundState struct {
	Enabled bool   `json:"enabled"`
	Issuer  string `json:"issuer"`
}

// The feature's error codes (IAM API Reference), with the API Reference's descriptions as messages.
const (
	codeFeatureEnabled  = "FeatureEnabled"
	codeFeatureDisabled = "FeatureDisabled"
	msgFeatureEnabled   = "The request failed because outbound identity federation is already enabled for your AWS account. You cannot enable the feature multiple times. To fetch the current configuration (including the unique issuer URL), use the GetOutboundWebIdentityFederationInfo operation."
	msgFeatureDisabled  = "The request failed because outbound identity federation is already disabled for your AWS account. You cannot disable the feature multiple times"
)

var errNoOutboundState = errors.New("no outbound federation state")

// loadOutbound reads the account's state; nil (and its entity nil) when never enabled.
func loadOutbound(ctx context.Context, r store.Reader, acct string) (*outboundState, *store.Entity, error) {
	st, e, err := load[outboundState](ctx, r, acct, store.KindSetting, outboundSetting, errNoOutboundState)
	if errors.Is(err, errNoOutboundState) {
		return nil, nil, nil
	}
	return st, e, err
}

// EnableOutboundWebIdentityFederation turns the feature on and returns the account's issuer.
func (s *Service) EnableOutboundWebIdentityFederation(ctx context.Context, c *authn.Caller, in *sdk.EnableOutboundWebIdentityFederationInput) (*sdk.EnableOutboundWebIdentityFederationOutput, error) {
	if err := s.authorize(ctx, c, "iam:EnableOutboundWebIdentityFederation", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	issuer := ""
	if call := trail.FromContext(ctx); call != nil && call.Host != "" {
		scheme := "http"
		if call.TLS {
			scheme = "https"
		}
		issuer = scheme + "://" + call.Host + outboundPath + acct
	}
	return mutate(ctx, s, func(tx store.Tx) (*sdk.EnableOutboundWebIdentityFederationOutput, error) {
		st, e, err := loadOutbound(ctx, tx, acct)
		if err != nil {
			return nil, err
		}
		if st != nil && st.Enabled {
			return nil, iam.Errorf(codeFeatureEnabled, "%s", msgFeatureEnabled)
		}
		if st == nil {
			if issuer == "" {
				return nil, errors.New("iamsvc: no request host to form the outbound issuer URL from")
			}
			st = &outboundState{Enabled: true, Issuer: issuer}
			err = create(ctx, tx, &store.Entity{Account: acct, Kind: store.KindSetting, Name: outboundSetting, Path: "/", Created: s.nowUTC()}, st,
				iam.Errorf(codeFeatureEnabled, "%s", msgFeatureEnabled))
		} else {
			st.Enabled = true
			err = save(ctx, tx, e, st)
		}
		if err != nil {
			return nil, err
		}
		return &sdk.EnableOutboundWebIdentityFederationOutput{IssuerIdentifier: ptr(st.Issuer)}, nil
	})
}

// DisableOutboundWebIdentityFederation turns the feature off. Tokens issued before stay valid
// until they expire: the issuer keeps publishing its keys.
func (s *Service) DisableOutboundWebIdentityFederation(ctx context.Context, c *authn.Caller, in *sdk.DisableOutboundWebIdentityFederationInput) (*sdk.DisableOutboundWebIdentityFederationOutput, error) {
	if err := s.authorize(ctx, c, "iam:DisableOutboundWebIdentityFederation", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return mutate(ctx, s, func(tx store.Tx) (*sdk.DisableOutboundWebIdentityFederationOutput, error) {
		st, e, err := loadOutbound(ctx, tx, acct)
		if err != nil {
			return nil, err
		}
		if st == nil || !st.Enabled {
			return nil, iam.Errorf(codeFeatureDisabled, "%s", msgFeatureDisabled)
		}
		st.Enabled = false
		if err := save(ctx, tx, e, st); err != nil {
			return nil, err
		}
		return &sdk.DisableOutboundWebIdentityFederationOutput{}, nil
	})
}

// GetOutboundWebIdentityFederationInfo returns the issuer and whether the feature is on. An
// account that never enabled it has no issuer yet: FeatureDisabled, as AWS answers.
func (s *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, c *authn.Caller, in *sdk.GetOutboundWebIdentityFederationInfoInput) (*sdk.GetOutboundWebIdentityFederationInfoOutput, error) {
	if err := s.authorize(ctx, c, "iam:GetOutboundWebIdentityFederationInfo", "*", nil); err != nil {
		return nil, err
	}
	acct := account(c)
	return view(ctx, s, func(r store.Reader) (*sdk.GetOutboundWebIdentityFederationInfoOutput, error) {
		st, _, err := loadOutbound(ctx, r, acct)
		if err != nil {
			return nil, err
		}
		if st == nil {
			return nil, iam.Errorf(codeFeatureDisabled, "Outbound identity federation is not enabled for your AWS account.")
		}
		return &sdk.GetOutboundWebIdentityFederationInfoOutput{IssuerIdentifier: ptr(st.Issuer), JwtVendingEnabled: st.Enabled}, nil
	})
}
