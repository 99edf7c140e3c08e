package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Cache timing.
const (
	// RefreshInterval is the least time between two fetches of an issuer's keys because a token
	// named an unknown key ID (and between retries of a failed refresh of aged keys).
	RefreshInterval = time.Minute
	// MaxKeyAge is how long fetched keys are used before they are fetched again.
	MaxKeyAge = time.Hour
	// maxDocument caps a discovery document or key set.
	maxDocument = 1 << 20
	// fetchTimeout bounds one fetch (discovery and key set).
	fetchTimeout = 10 * time.Second
)

// Verifier verifies web identity tokens against their issuers' published keys. It is safe for
// concurrent use.
type Verifier struct {
	client *http.Client

	mu   sync.Mutex
	sets map[string]*keySet // by issuer URL
}

// keySet is one issuer's cached keys. Its mutex is held while fetching, so that concurrent
// requests for one issuer wait for a single fetch.
type keySet struct {
	mu         sync.Mutex
	keys       jose.JSONWebKeySet
	fetched    time.Time // last successful fetch (zero: never)
	attempted  time.Time // last fetch attempt
	kidRefresh time.Time // last fetch an unknown key ID caused
}

// NewVerifier returns a Verifier that fetches with client (http.DefaultClient when nil). The
// client's TLS configuration decides which provider certificates are trusted.
func NewVerifier(client *http.Client) *Verifier {
	if client == nil {
		client = http.DefaultClient
	}
	return &Verifier{client: client, sets: map[string]*keySet{}}
}

// Verify checks a web identity token (as Parse parsed it) issued by issuerURL: its signature
// against the issuer's key set, its lifetime at now, and that azp or an aud value is one of
// clientIDs. Refusals are *Error values. Thumbprints are accepted for the interface's sake and
// not used: the HTTP client's roots decide whether the provider is trusted (see the package doc).
func (v *Verifier) Verify(ctx context.Context, issuerURL string, clientIDs, thumbprints []string, tok *Token, now time.Time) (*Claims, error) {
	keys, err := v.keys(ctx, issuerURL, tok.keyID(), now)
	if err != nil {
		return nil, err
	}
	return verifyWith(tok, keys, issuerURL, clientIDs, now)
}

func (v *Verifier) set(issuer string) *keySet {
	v.mu.Lock()
	defer v.mu.Unlock()
	ks := v.sets[issuer]
	if ks == nil {
		ks = &keySet{}
		v.sets[issuer] = ks
	}
	return ks
}

// keys returns the keys that may have signed a token with key ID kid (every key when kid is
// ""). It fetches the issuer's key set when it has none; when the set is older than MaxKeyAge
// (retrying a failed refresh after RefreshInterval, and using the old keys meanwhile); and when
// kid is unknown, but not within RefreshInterval of the last refresh an unknown kid caused.
func (v *Verifier) keys(ctx context.Context, issuer, kid string, now time.Time) ([]jose.JSONWebKey, error) {
	ks := v.set(issuer)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	have := !ks.fetched.IsZero()
	var due bool
	switch {
	case !have:
		due = true
	case now.Sub(ks.fetched) >= MaxKeyAge:
		due = now.Sub(ks.attempted) >= RefreshInterval
	case kid != "" && len(ks.keys.Key(kid)) == 0:
		due = ks.kidRefresh.IsZero() || now.Sub(ks.kidRefresh) >= RefreshInterval
		if due {
			ks.kidRefresh = now
		}
	}
	if due {
		ks.attempted = now
		set, err := v.fetch(ctx, issuer)
		switch {
		case err == nil:
			ks.keys, ks.fetched = *set, now
		case !have:
			return nil, err
		}
		// A failed refresh keeps serving the keys already known.
	}
	if kid == "" {
		return ks.keys.Keys, nil
	}
	return ks.keys.Key(kid), nil
}

// discovery is the part of an OpenID Provider Configuration document iamd reads.
type discovery struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

// fetch reads the issuer's discovery document and then its key set.
func (v *Verifier) fetch(ctx context.Context, issuer string) (*jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	var d discovery
	if err := v.getJSON(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &d); err != nil {
		return nil, err
	}
	if d.Issuer != issuer {
		return nil, &Error{Kind: KindInvalid, Message: "The issuer in the provider's discovery document does not match the token's issuer",
			Err: fmt.Errorf("discovery issuer %q, token issuer %q", d.Issuer, issuer)}
	}
	if u, err := url.Parse(d.JWKSURI); err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, unreachable(fmt.Errorf("jwks_uri %q is not an https URL", d.JWKSURI))
	}
	var set jose.JSONWebKeySet
	if err := v.getJSON(ctx, d.JWKSURI, &set); err != nil {
		return nil, err
	}
	// Only public keys may verify tokens.
	keys := set.Keys[:0]
	for _, k := range set.Keys {
		if k.Valid() && k.IsPublic() {
			keys = append(keys, k)
		}
	}
	set.Keys = keys
	return &set, nil
}

func unreachable(err error) *Error {
	return &Error{Kind: KindUnreachable, Message: MsgUnreachable, Err: err}
}

func (v *Verifier) getJSON(ctx context.Context, u string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return unreachable(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.client.Do(req)
	if err != nil {
		return unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return unreachable(fmt.Errorf("GET %s: %s", u, resp.Status))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return unreachable(fmt.Errorf("GET %s: %w", u, err))
	}
	if len(b) > maxDocument {
		return unreachable(fmt.Errorf("GET %s: larger than %d bytes", u, maxDocument))
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return unreachable(fmt.Errorf("GET %s: %w", u, err))
	}
	return nil
}

// AsError returns the refusal in err's chain, and false when err is not a refusal.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
