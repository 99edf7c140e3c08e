package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/secrets"
	"github.com/iamd-dev/iamd/internal/sigv4"
	"github.com/iamd-dev/iamd/internal/store"
)

// Messages AWS sends for bad credentials.
const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
)

// Credential is a verified-to-exist credential: its secret and the caller it stands for.
type Credential struct {
	Secret string
	Caller Caller
	// Expires is when temporary credentials stop working (zero for long-term keys).
	Expires time.Time
}

// SessionOpener opens the session token of temporary credentials (ASIA… keys). STS provides it;
// it returns an *iam.Error (InvalidClientTokenId, ExpiredToken) for bad tokens.
type SessionOpener interface {
	OpenSession(ctx context.Context, accessKeyID, token string, now time.Time) (*Credential, error)
}

// Authenticator verifies requests.
type Authenticator struct {
	store    store.Store
	keys     *secrets.Keyring
	sessions SessionOpener
	logger   *slog.Logger

	mu       sync.Mutex
	lastUsed map[string]time.Time // access key → last time its LastUsed was written
}

// New returns an Authenticator. sessions may be nil until STS is wired.
func New(s store.Store, keys *secrets.Keyring, sessions SessionOpener, logger *slog.Logger) *Authenticator {
	return &Authenticator{store: s, keys: keys, sessions: sessions, logger: logger, lastUsed: map[string]time.Time{}}
}

// SetSessions sets the session opener (STS is built after the authenticator).
func (a *Authenticator) SetSessions(s SessionOpener) { a.sessions = s }

// Authenticate verifies the signature of r as parsed into auth and returns the caller. Errors are
// *iam.Error with AWS's codes (InvalidClientTokenId, SignatureDoesNotMatch, RequestExpired,
// ExpiredToken, IncompleteSignature).
func (a *Authenticator) Authenticate(ctx context.Context, r *sigv4.Request, auth *sigv4.Auth, now time.Time) (*Caller, error) {
	cred, err := a.credential(ctx, auth, now)
	if err != nil {
		return nil, err
	}
	if err := sigv4.Verify(r, auth, cred.Secret, now); err != nil {
		return nil, FromSigV4(err)
	}
	c := cred.Caller
	c.AccessKeyID = auth.AccessKeyID
	c.Region = auth.Region
	c.Time = now
	if !strings.HasPrefix(auth.AccessKeyID, "ASIA") {
		a.touch(auth, now)
	}
	return &c, nil
}

// FromSigV4 converts a sigv4 error to the domain error with the same code and message.
func FromSigV4(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &iam.Error{Code: se.Code, Message: se.Message}
	}
	return err
}

func (a *Authenticator) credential(ctx context.Context, auth *sigv4.Auth, now time.Time) (*Credential, error) {
	if strings.HasPrefix(auth.AccessKeyID, "ASIA") || auth.SecurityToken != "" {
		if a.sessions == nil || auth.SecurityToken == "" {
			return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
		}
		cred, err := a.sessions.OpenSession(ctx, auth.AccessKeyID, auth.SecurityToken, now)
		if err != nil {
			return nil, err
		}
		if !cred.Expires.IsZero() && !now.Before(cred.Expires) {
			return nil, iam.Errorf(iam.CodeExpiredToken, msgExpiredToken)
		}
		return cred, nil
	}
	var key iam.AccessKey
	var owner *iam.User
	err := a.store.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, "", store.KindAccessKey, auth.AccessKeyID)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(e.Data, &key); err != nil {
			return fmt.Errorf("decode access key: %w", err)
		}
		if key.User == "" {
			return nil
		}
		ue, err := r.Get(ctx, key.Account, store.KindUser, key.User)
		if err != nil {
			return err
		}
		owner = &iam.User{}
		return json.Unmarshal(ue.Data, owner)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	if err != nil {
		return nil, fmt.Errorf("authn: %w", err)
	}
	// Exact match: key IDs are case-sensitive even though the store's names are not.
	if key.ID != auth.AccessKeyID || key.Status != iam.StatusActive {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	secret, err := a.keys.Open(key.Sealed, []byte(key.ID))
	if err != nil {
		return nil, fmt.Errorf("authn: open secret of %s: %w", key.ID, err)
	}
	cred := &Credential{Secret: string(secret)}
	if owner == nil {
		cred.Caller = RootCaller(key.Account)
	} else {
		cred.Caller = UserCaller(key.Account, owner)
	}
	return cred, nil
}

// RootCaller describes an account's root user.
func RootCaller(account string) Caller {
	return Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalRoot, ARN: iam.RootARN(account), Account: account},
		UserID:    account,
	}
}

// UserCaller describes an IAM user.
func UserCaller(account string, u *iam.User) Caller {
	return Caller{
		Principal: policy.PrincipalInfo{Type: policy.PrincipalUser, ARN: iam.UserARN(account, u.Path, u.Name), Account: account},
		UserID:    u.ID,
		UserName:  u.Name,
	}
}

// touch records the key's last use, at most once a minute per key, off the request path.
func (a *Authenticator) touch(auth *sigv4.Auth, now time.Time) {
	a.mu.Lock()
	last, seen := a.lastUsed[auth.AccessKeyID]
	if seen && now.Sub(last) < time.Minute {
		a.mu.Unlock()
		return
	}
	a.lastUsed[auth.AccessKeyID] = now
	a.mu.Unlock()
	id, service, region := auth.AccessKeyID, auth.Service, auth.Region
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := a.store.Update(ctx, func(tx store.Tx) error {
			e, err := tx.Get(ctx, "", store.KindAccessKey, id)
			if err != nil {
				return err
			}
			var k iam.AccessKey
			if err := json.Unmarshal(e.Data, &k); err != nil {
				return err
			}
			k.LastUsed, k.LastUsedService, k.LastUsedRegion = now.UTC().Truncate(time.Second), service, region
			if e.Data, err = json.Marshal(&k); err != nil {
				return err
			}
			return tx.Update(ctx, e)
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			a.logger.Warn("recording access key last use", "key", id, "err", err)
		}
	}()
}
