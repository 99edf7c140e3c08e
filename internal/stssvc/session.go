package stssvc

import (
	"context"
	"encoding/json"
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
}

const msgInvalidToken = "The security token included in the request is invalid."

// OpenSession implements authn.SessionOpener.
func (s *Service) OpenSession(ctx context.Context, accessKeyID, tok string, now time.Time) (*authn.Credential, error) {
	b, err := s.keys.OpenToken(tok)
	if err != nil {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	var t token
	if err := json.Unmarshal(b, &t); err != nil || t.AccessKeyID != accessKeyID {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	if !now.Before(t.Expires) {
		return nil, iam.Errorf(iam.CodeExpiredToken, "The security token included in the request is expired")
	}
	return &authn.Credential{Secret: t.Secret, Expires: t.Expires, Caller: callerOf(&t)}, nil
}

func callerOf(t *token) authn.Caller {
	return authn.Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalType(t.Type), ARN: t.ARN, Account: t.Account, SourceARN: t.SourceARN},
		UserID:    t.UserID,
		UserName:  t.UserName,
		Session: &authn.Session{Policies: t.Policies, Tags: t.Tags, MFA: t.MFA, MFATime: t.MFATime, Issued: t.Issued,
			SourceIdentity: t.SourceIdentity, Chained: t.Chained, TransitiveKeys: t.TransitiveKeys},
	}
}
