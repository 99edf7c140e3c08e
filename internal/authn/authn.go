package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
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

	// keyCache caches long-term access keys by ID; nil until UseGeneration.
	keyCache *Cache[string, *keyEntry]
}

// keyEntry is an active long-term access key as loaded from the store, with the signing key of
// the last credential scope it signed with.
type keyEntry struct {
	secret string
	caller Caller
	scoped atomic.Pointer[scopedKey]
}

type scopedKey struct {
	date, region, service string
	key                   []byte
}

// signingKey returns the SigV4 signing key for auth's scope, deriving it when the scope
// changed (once a day per key and region).
func (k *keyEntry) signingKey(auth *sigv4.Auth) []byte {
	if s := k.scoped.Load(); s != nil && s.date == auth.Date && s.region == auth.Region && s.service == auth.Service {
		return s.key
	}
	s := &scopedKey{date: auth.Date, region: auth.Region, service: auth.Service, key: sigv4.SigningKey(k.secret, auth.Date, auth.Region, auth.Service)}
	k.scoped.Store(s)
	return s.key
}

// maxCachedKeys bounds the access key cache.
const maxCachedKeys = 100_000

// UseGeneration turns on the access key cache, invalidated by g: every committed change to
// access keys or users must bump g (authz.Authorizer.Generation is the server's). Call it
// before serving.
func (a *Authenticator) UseGeneration(g *Generation) {
	a.keyCache = NewCache[string, *keyEntry](g, maxCachedKeys)
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
	var c Caller
	if isSession(auth) {
		cred, err := a.session(ctx, auth, now)
		if err != nil {
			return nil, err
		}
		if err := sigv4.Verify(r, auth, cred.Secret, now); err != nil {
			return nil, FromSigV4(err)
		}
		c = cred.Caller
	} else {
		k, err := a.longTerm(ctx, auth.AccessKeyID)
		if err != nil {
			return nil, err
		}
		if err := sigv4.VerifyWithKey(r, auth, k.signingKey(auth), now); err != nil {
			return nil, FromSigV4(err)
		}
		c = k.caller
	}
	c.AccessKeyID = auth.AccessKeyID
	c.Region = auth.Region
	c.Time = now
	if !isSession(auth) {
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

// isSession reports whether auth is signed with temporary credentials.
func isSession(auth *sigv4.Auth) bool {
	return strings.HasPrefix(auth.AccessKeyID, "ASIA") || auth.SecurityToken != ""
}

// session opens the session token of temporary credentials.
func (a *Authenticator) session(ctx context.Context, auth *sigv4.Auth, now time.Time) (*Credential, error) {
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

// longTerm returns the active access key id, from the cache when it holds the key at the
// current generation. Only active keys are cached: unknown and inactive keys are looked up
// every time, so that guessing key IDs cannot flush the cache.
func (a *Authenticator) longTerm(ctx context.Context, id string) (*keyEntry, error) {
	if a.keyCache == nil {
		return a.loadKey(ctx, id)
	}
	k, ok, gen := a.keyCache.Get(id)
	if ok {
		return k, nil
	}
	k, err := a.loadKey(ctx, id)
	if err != nil {
		return nil, err
	}
	a.keyCache.Put(gen, id, k)
	return k, nil
}

// loadKey reads an access key and its user from the store and opens its secret.
func (a *Authenticator) loadKey(ctx context.Context, id string) (*keyEntry, error) {
	var key iam.AccessKey
	var owner *iam.User
	err := a.store.View(ctx, func(r store.Reader) error {
		e, err := r.Get(ctx, "", store.KindAccessKey, id)
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
	if key.ID != id || key.Status != iam.StatusActive {
		return nil, iam.Errorf(iam.CodeInvalidClientTokenID, msgInvalidToken)
	}
	secret, err := a.keys.Open(key.Sealed, []byte(key.ID))
	if err != nil {
		return nil, fmt.Errorf("authn: open secret of %s: %w", key.ID, err)
	}
	k := &keyEntry{secret: string(secret)}
	if owner == nil {
		k.caller = RootCaller(key.Account)
	} else {
		k.caller = UserCaller(key.Account, owner)
	}
	return k, nil
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
