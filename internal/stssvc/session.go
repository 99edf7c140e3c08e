package stssvc

import (
	"context"
	"crypto/subtle"
	"time"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
)

// token is what a session token carries, sealed.
type token struct {
	AccessKeyID    string            `json:"ak"`
	Secret         string            `json:"sk"`
	Expires        time.Time         `json:"exp"`
	Type           uint8             `json:"pt"`
	ARN            string            `json:"arn"`
	Account        string            `json:"acct"`
	SourceARN      string            `json:"src,omitempty"`
	UserID         string            `json:"uid"`
	UserName       string            `json:"un,omitempty"`
	Policies       []string          `json:"pol,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	TransitiveKeys []string          `json:"ttk,omitempty"`
	MFA            bool              `json:"mfa,omitempty"`
	MFATime        time.Time         `json:"mfat,omitzero"`
	Issued         time.Time         `json:"iat"`
	SourceIdentity string            `json:"sid,omitempty"`
	// Chained is true for role sessions made with role session credentials.
	Chained bool `json:"ch,omitempty"`
	// WebIdentityProvider is the OIDC provider's ARN for a role session from
	// AssumeRoleWithWebIdentity; IssuerID the unique ID (AIDA…) of the IAM user whose
	// GetFederationToken issued a federated user session. Both are "" for other sessions and
	// serve the audit record (authn.Session).
	WebIdentityProvider string `json:"wip,omitempty"`
	IssuerID            string `json:"iid,omitempty"`
}

const msgInvalidToken = "The security token included in the request is invalid."

// openedSession is a session token that opened, and what it carries.
type openedSession struct {
	token string
	cred  *authn.Credential
}

// maxCached bounds each of the service's caches: opened tokens, roles, last-use times (a cache
// empties itself when full).
const maxCached = 10000

// newOpenedCache returns the cache of opened session tokens. A token's content never changes
// (it is sealed), so the cache's generation is never bumped: entries stay valid until their
// expiry, which OpenSession checks on every use.
func newOpenedCache() *authn.Cache[string, openedSession] {
	return authn.NewCache[string, openedSession](&authn.Generation{}, maxCached)
}

// OpenSession implements authn.SessionOpener. A token that opened before is recognised by
// comparing it, whole and in constant time, with the one stored under its access key ID, which
// saves the AEAD open and the decoding on every later request of the session. Only tokens that
// opened are remembered, so invalid tokens cannot flush the cache.
func (s *Service) OpenSession(ctx context.Context, accessKeyID, tok string, now time.Time) (*authn.Credential, error) {
	if s.opened != nil {
		if o, ok, _ := s.opened.Get(accessKeyID); ok && subtle.ConstantTimeCompare([]byte(o.token), []byte(tok)) == 1 {
			if !now.Before(o.cred.Expires) {
				return nil, iam.Errorf(iam.CodeExpiredToken, msgExpiredToken)
			}
			return o.cred, nil
		}
	}
	cred, err := s.openSession(accessKeyID, tok, now)
	if err != nil {
		return nil, err
	}
	if s.opened != nil {
		s.opened.Put(0, accessKeyID, openedSession{token: tok, cred: cred})
	}
	return cred, nil
}

const msgExpiredToken = "The security token included in the request is expired"

// openSession opens and checks a session token.
func (s *Service) openSession(accessKeyID, tok string, now time.Time) (*authn.Credential, error) {
	b, err := s.keys.OpenToken(tok)
	if err != nil {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	t, err := unmarshalToken(b)
	if err != nil || t.AccessKeyID != accessKeyID {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	if !now.Before(t.Expires) {
		return nil, iam.Errorf(iam.CodeExpiredToken, msgExpiredToken)
	}
	return &authn.Credential{Secret: t.Secret, Expires: t.Expires, Caller: callerOf(t)}, nil
}

func callerOf(t *token) authn.Caller {
	return authn.Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalType(t.Type), ARN: t.ARN, Account: t.Account, SourceARN: t.SourceARN},
		UserID:    t.UserID,
		UserName:  t.UserName,
		Session: &authn.Session{Policies: t.Policies, Tags: t.Tags, MFA: t.MFA, MFATime: t.MFATime, Issued: t.Issued,
			SourceIdentity: t.SourceIdentity, Chained: t.Chained, TransitiveKeys: t.TransitiveKeys,
			WebIdentityProvider: t.WebIdentityProvider, IssuerID: t.IssuerID},
	}
}
