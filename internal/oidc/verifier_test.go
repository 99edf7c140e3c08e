package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/oidc"
)

// issuer is a test OpenID provider: discovery and JWKS over TLS, with the keys it publishes
// changeable and its fetches counted.
type issuer struct {
	srv *httptest.Server

	mu        sync.Mutex
	published []jose.JSONWebKey
	jwksHits  int
	down      bool
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		defer is.mu.Unlock()
		is.jwksHits++
		if is.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.published})
	})
	is.srv = httptest.NewTLSServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

func (is *issuer) publish(keys ...jose.JSONWebKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.published = nil
	for _, k := range keys {
		is.published = append(is.published, k.Public())
	}
}

func (is *issuer) hits() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.jwksHits
}

func rsaKey(t *testing.T, kid string) jose.JSONWebKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}
}

func ecKey(t *testing.T, kid string) jose.JSONWebKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"}
}

func sign(t *testing.T, k jose.JSONWebKey, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Algorithm), Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// lifetime is the test tokens' lifetime (shorter than oidc.MaxKeyAge, so that checking expiry
// does not age the cached keys).
const lifetime = 10 * time.Minute

func claims(iss string, mod func(map[string]any)) map[string]any {
	c := map[string]any{"iss": iss, "sub": "repo:acme/app:ref:refs/heads/main", "aud": "sts.amazonaws.com",
		"iat": t0.Unix(), "nbf": t0.Unix(), "exp": t0.Add(lifetime).Unix()}
	if mod != nil {
		mod(c)
	}
	return c
}

// wantKind checks that err is a refusal of the kind with the message.
func wantKind(t *testing.T, what string, err error, kind oidc.Kind, msg string) {
	t.Helper()
	e, ok := oidc.AsError(err)
	if !ok {
		t.Fatalf("%s: err = %v, want a refusal (kind %d, %q)", what, err, kind, msg)
	}
	if e.Kind != kind || e.Message != msg {
		t.Errorf("%s: refusal = kind %d %q, want kind %d %q", what, e.Kind, e.Message, kind, msg)
	}
}

func TestVerify(t *testing.T) {
	is := newIssuer(t)
	rk, ek := rsaKey(t, "rsa-1"), ecKey(t, "ec-1")
	is.publish(rk, ek)
	v := oidc.NewVerifier(is.srv.Client())
	ctx := context.Background()
	ids := []string{"sts.amazonaws.com", "other"}
	other := rsaKey(t, "rsa-1") // same kid, different key

	hs := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(claims(is.srv.URL, nil)).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	none := func() string {
		enc := func(v any) string {
			b, _ := json.Marshal(v)
			return base64.RawURLEncoding.EncodeToString(b)
		}
		return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims(is.srv.URL, nil)) + "."
	}

	tests := []struct {
		name    string
		token   string
		now     time.Time
		want    *oidc.Claims
		kind    oidc.Kind
		message string
	}{
		{name: "rsa", token: sign(t, rk, claims(is.srv.URL, func(c map[string]any) { c["amr"] = []string{"pwd", "mfa"} })), now: t0,
			want: &oidc.Claims{Issuer: is.srv.URL, Subject: "repo:acme/app:ref:refs/heads/main", Audience: []string{"sts.amazonaws.com"}, ClientID: "sts.amazonaws.com",
				AMR: []string{"pwd", "mfa"}, Expiry: t0.Add(lifetime), NotBefore: t0, IssuedAt: t0}},
		{name: "ec with azp", token: sign(t, ek, claims(is.srv.URL, func(c map[string]any) { c["azp"] = "other"; c["aud"] = []string{"x", "y"}; c["amr"] = "pwd" })), now: t0,
			want: &oidc.Claims{Issuer: is.srv.URL, Subject: "repo:acme/app:ref:refs/heads/main", Audience: []string{"x", "y"}, AuthorizedParty: "other", ClientID: "other",
				AMR: []string{"pwd"}, Expiry: t0.Add(lifetime), NotBefore: t0, IssuedAt: t0}},
		{name: "expired", token: sign(t, rk, claims(is.srv.URL, nil)), now: t0.Add(lifetime + oidc.Leeway + time.Second), kind: oidc.KindExpired, message: oidc.MsgExpired},
		{name: "expired within leeway", token: sign(t, rk, claims(is.srv.URL, nil)), now: t0.Add(lifetime + oidc.Leeway),
			want: &oidc.Claims{Issuer: is.srv.URL, Subject: "repo:acme/app:ref:refs/heads/main", Audience: []string{"sts.amazonaws.com"}, ClientID: "sts.amazonaws.com",
				Expiry: t0.Add(lifetime), NotBefore: t0, IssuedAt: t0}},
		{name: "not yet valid", token: sign(t, rk, claims(is.srv.URL, nil)), now: t0.Add(-oidc.Leeway - time.Second), kind: oidc.KindInvalid, message: "Token is not yet valid"},
		{name: "issued in the future", token: sign(t, rk, claims(is.srv.URL, func(c map[string]any) { delete(c, "nbf"); c["iat"] = t0.Add(10 * time.Minute).Unix() })), now: t0,
			kind: oidc.KindInvalid, message: "Token was issued in the future"},
		{name: "no exp", token: sign(t, rk, claims(is.srv.URL, func(c map[string]any) { delete(c, "exp") })), now: t0, kind: oidc.KindInvalid, message: "Missing a required claim: exp"},
		{name: "wrong audience", token: sign(t, rk, claims(is.srv.URL, func(c map[string]any) { c["aud"] = "someone-else" })), now: t0, kind: oidc.KindInvalid, message: oidc.MsgAudience},
		{name: "wrong signature", token: sign(t, other, claims(is.srv.URL, nil)), now: t0, kind: oidc.KindInvalid, message: oidc.MsgSignature},
		{name: "other issuer", token: sign(t, rk, claims("https://evil.example", nil)), now: t0, kind: oidc.KindInvalid, message: "Issuer of the token does not match the provider"},
		{name: "alg none", token: none(), now: t0, kind: oidc.KindInvalid, message: oidc.MsgMalformed},
		{name: "alg HS256", token: hs(), now: t0, kind: oidc.KindInvalid, message: oidc.MsgMalformed},
		{name: "not a JWT", token: "an.opaque-access-token", now: t0, kind: oidc.KindInvalid, message: oidc.MsgMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(ctx, is.srv.URL, ids, nil, tc.token, tc.now)
			if tc.want == nil {
				wantKind(t, "Verify", err, tc.kind, tc.message)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("claims (-want +got):\n%s", d)
			}
		})
	}
	if h := is.hits(); h != 1 {
		t.Errorf("JWKS fetched %d times for tokens with known key IDs, want 1 (cached)", h)
	}
}

func TestUnverifiedIssuer(t *testing.T) {
	k := rsaKey(t, "a")
	got, err := oidc.UnverifiedIssuer(sign(t, k, claims("https://issuer.example/tenant", nil)))
	if err != nil || got != "https://issuer.example/tenant" {
		t.Errorf("UnverifiedIssuer = %q, %v; want https://issuer.example/tenant", got, err)
	}
	_, err = oidc.UnverifiedIssuer(sign(t, k, claims("", nil)))
	wantKind(t, "UnverifiedIssuer without iss", err, oidc.KindInvalid, oidc.MsgMalformed)
}

// TestKeyRotation: a token signed by a key the cache does not know makes the verifier fetch
// the key set again, but at most once per RefreshInterval.
func TestKeyRotation(t *testing.T) {
	is := newIssuer(t)
	old, next, later := rsaKey(t, "k1"), ecKey(t, "k2"), rsaKey(t, "k3")
	is.publish(old)
	v := oidc.NewVerifier(is.srv.Client())
	ctx := context.Background()
	ids := []string{"sts.amazonaws.com"}
	verify := func(k jose.JSONWebKey, now time.Time) error {
		_, err := v.Verify(ctx, is.srv.URL, ids, nil, sign(t, k, claims(is.srv.URL, func(c map[string]any) { c["exp"] = now.Add(time.Minute).Unix() })), now)
		return err
	}

	if err := verify(old, t0); err != nil {
		t.Fatalf("old key: %v", err)
	}
	is.publish(old, next)
	// The last fetch was at t0: an unknown kid within RefreshInterval of it fetches nothing.
	if err := verify(next, t0.Add(RefreshSoon)); err == nil {
		t.Fatalf("new key before the refresh interval: verified, want refused (no refetch yet)")
	}
	if h := is.hits(); h != 1 {
		t.Errorf("fetches within the refresh interval = %d, want 1", h)
	}
	if err := verify(next, t0.Add(oidc.RefreshInterval)); err != nil {
		t.Fatalf("new key after the refresh interval: %v", err)
	}
	if h := is.hits(); h != 2 {
		t.Errorf("fetches after rotation = %d, want 2", h)
	}
	// Unknown kids do not cause a fetch per token.
	for i := range 3 {
		wantKind(t, "unpublished key", verify(later, t0.Add(oidc.RefreshInterval+time.Duration(i)*time.Second)), oidc.KindInvalid, oidc.MsgSignature)
	}
	if h := is.hits(); h != 2 {
		t.Errorf("fetches after unknown kids within a minute = %d, want 2", h)
	}
	// An outage keeps the known keys in use.
	is.mu.Lock()
	is.down = true
	is.mu.Unlock()
	if err := verify(old, t0.Add(2*oidc.MaxKeyAge)); err != nil {
		t.Errorf("known key during an outage: %v", err)
	}
	if h := is.hits(); h != 3 {
		t.Errorf("fetches after the key set aged = %d, want 3", h)
	}
}

// RefreshSoon is a time within RefreshInterval of the last fetch.
const RefreshSoon = 30 * time.Second

func TestUnreachable(t *testing.T) {
	is := newIssuer(t)
	is.mu.Lock()
	is.down = true
	is.mu.Unlock()
	v := oidc.NewVerifier(is.srv.Client())
	k := rsaKey(t, "k")
	_, err := v.Verify(context.Background(), is.srv.URL, []string{"sts.amazonaws.com"}, nil, sign(t, k, claims(is.srv.URL, nil)), t0)
	wantKind(t, "JWKS down", err, oidc.KindUnreachable, oidc.MsgUnreachable)
	if e, _ := oidc.AsError(err); e == nil || e.Err == nil || !strings.Contains(e.Error(), "503") {
		t.Errorf("internal cause = %v, want the HTTP status", err)
	}

	// An untrusted TLS certificate is unreachable too (the default client does not trust the
	// test server).
	_, err = oidc.NewVerifier(nil).Verify(context.Background(), is.srv.URL, nil, nil, sign(t, k, claims(is.srv.URL, nil)), t0)
	wantKind(t, "untrusted certificate", err, oidc.KindUnreachable, oidc.MsgUnreachable)
}
