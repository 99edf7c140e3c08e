package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iamd-dev/iamd/internal/oidc"
	"github.com/iamd-dev/iamd/internal/oidc/oidctest"
)

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

// verify parses token and verifies it, as STS does.
func verify(ctx context.Context, v *oidc.Verifier, issuer string, clientIDs []string, token string, now time.Time) (*oidc.Claims, error) {
	tok, err := oidc.Parse(token)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, issuer, clientIDs, nil, tok, now)
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
	is := oidctest.NewIssuer(t)
	rk, ek := oidctest.RSAKey(t, "rsa-1"), oidctest.ECKey(t, "ec-1")
	is.Publish(rk, ek)
	v := oidc.NewVerifier(is.Client())
	ctx := context.Background()
	ids := []string{"sts.amazonaws.com", "other"}
	other := oidctest.RSAKey(t, "rsa-1") // same kid, different key

	hs := func() string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(s).Claims(claims(is.URL, nil)).Serialize()
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
		return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims(is.URL, nil)) + "."
	}

	tests := []struct {
		name    string
		token   string
		now     time.Time
		want    *oidc.Claims
		kind    oidc.Kind
		message string
	}{
		{name: "rsa", token: oidctest.Sign(t, rk, claims(is.URL, func(c map[string]any) { c["amr"] = []string{"pwd", "mfa"} })), now: t0,
			want: &oidc.Claims{Issuer: is.URL, Subject: "repo:acme/app:ref:refs/heads/main", Audience: []string{"sts.amazonaws.com"}, ClientID: "sts.amazonaws.com",
				AMR: []string{"pwd", "mfa"}, Expiry: t0.Add(lifetime), NotBefore: t0, IssuedAt: t0}},
		{name: "ec with azp", token: oidctest.Sign(t, ek, claims(is.URL, func(c map[string]any) { c["azp"] = "other"; c["aud"] = []string{"x", "y"}; c["amr"] = "pwd" })), now: t0,
			want: &oidc.Claims{Issuer: is.URL, Subject: "repo:acme/app:ref:refs/heads/main", Audience: []string{"x", "y"}, AuthorizedParty: "other", ClientID: "other",
				AMR: []string{"pwd"}, Expiry: t0.Add(lifetime), NotBefore: t0, IssuedAt: t0}},
		{name: "expired", token: oidctest.Sign(t, rk, claims(is.URL, nil)), now: t0.Add(lifetime + oidc.Leeway + time.Second), kind: oidc.KindExpired, message: oidc.MsgExpired},
		{name: "expired within leeway", token: oidctest.Sign(t, rk, claims(is.URL, nil)), now: t0.Add(lifetime + oidc.Leeway),
			want: &oidc.Claims{Issuer: is.URL, Subject: "repo:acme/app:ref:refs/heads/main", Audience: []string{"sts.amazonaws.com"}, ClientID: "sts.amazonaws.com",
				Expiry: t0.Add(lifetime), NotBefore: t0, IssuedAt: t0}},
		{name: "not yet valid", token: oidctest.Sign(t, rk, claims(is.URL, nil)), now: t0.Add(-oidc.Leeway - time.Second), kind: oidc.KindInvalid, message: "Token is not yet valid"},
		{name: "issued in the future", token: oidctest.Sign(t, rk, claims(is.URL, func(c map[string]any) { delete(c, "nbf"); c["iat"] = t0.Add(10 * time.Minute).Unix() })), now: t0,
			kind: oidc.KindInvalid, message: "Token was issued in the future"},
		{name: "no exp", token: oidctest.Sign(t, rk, claims(is.URL, func(c map[string]any) { delete(c, "exp") })), now: t0, kind: oidc.KindInvalid, message: "Missing a required claim: exp"},
		{name: "wrong audience", token: oidctest.Sign(t, rk, claims(is.URL, func(c map[string]any) { c["aud"] = "someone-else" })), now: t0, kind: oidc.KindInvalid, message: oidc.MsgAudience},
		{name: "wrong signature", token: oidctest.Sign(t, other, claims(is.URL, nil)), now: t0, kind: oidc.KindInvalid, message: oidc.MsgSignature},
		{name: "other issuer", token: oidctest.Sign(t, rk, claims("https://evil.example", nil)), now: t0, kind: oidc.KindInvalid, message: "Issuer of the token does not match the provider"},
		{name: "alg none", token: none(), now: t0, kind: oidc.KindInvalid, message: oidc.MsgMalformed},
		{name: "alg HS256", token: hs(), now: t0, kind: oidc.KindInvalid, message: oidc.MsgMalformed},
		{name: "not a JWT", token: "an.opaque-access-token", now: t0, kind: oidc.KindInvalid, message: oidc.MsgMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := verify(ctx, v, is.URL, ids, tc.token, tc.now)
			if tc.want == nil {
				wantKind(t, "Verify", err, tc.kind, tc.message)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(oidc.Claims{}, "Raw")); d != "" {
				t.Errorf("claims (-want +got):\n%s", d)
			}
		})
	}
	if h := is.Hits(); h != 1 {
		t.Errorf("JWKS fetched %d times for tokens with known key IDs, want 1 (cached)", h)
	}
}

// TestRawClaims: the verified claims carry every claim of the token as it was signed, the
// ones Claims decodes and the others alike.
func TestRawClaims(t *testing.T) {
	is := oidctest.NewIssuer(t)
	k := oidctest.ECKey(t, "k")
	is.Publish(k)
	c := claims(is.URL, func(c map[string]any) {
		c["https://aws.amazon.com/source_identity"] = "alice"
		c["https://aws.amazon.com/tags"] = map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}, "transitive_tag_keys": []string{"team"}}
		c["amr"] = []string{"pwd"}
	})
	got, err := verify(context.Background(), oidc.NewVerifier(is.Client()), is.URL, []string{"sts.amazonaws.com"}, oidctest.Sign(t, k, c), t0)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// Both sides as JSON decodes them (numbers as float64, lists as []any).
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	decoded := map[string]any{}
	for name, raw := range got.Raw {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("Raw[%q] = %s: %v", name, raw, err)
		}
		decoded[name] = v
	}
	if d := cmp.Diff(want, decoded); d != "" {
		t.Errorf("Raw claims (-signed +got):\n%s", d)
	}
}

func TestParse(t *testing.T) {
	k := oidctest.RSAKey(t, "a")
	signRaw := func(payload string) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.Sign([]byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		name, token, want string // want: the issuer; "" for a malformed token
	}{
		{"issuer", oidctest.Sign(t, k, claims("https://issuer.example/tenant", nil)), "https://issuer.example/tenant"},
		{"no iss", oidctest.Sign(t, k, claims("", nil)), ""},
		{"iss not a string", signRaw(`{"iss":5,"sub":"s"}`), ""},
		{"payload a list", signRaw(`["https://issuer.example"]`), ""},
		{"payload null", signRaw(`null`), ""},
		{"payload not JSON", signRaw(`iss`), ""},
		{"not a JWT", "an.opaque-access-token", ""},
		{"JSON serialization", `{"payload":"e30","signatures":[]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := oidc.Parse(tc.token)
			if tc.want == "" {
				wantKind(t, "Parse", err, oidc.KindInvalid, oidc.MsgMalformed)
				return
			}
			if err != nil || tok.Issuer() != tc.want {
				t.Fatalf("Parse(%s): %v, %v; want issuer %s", tc.token, tok, err, tc.want)
			}
		})
	}
}

// TestKeyRotation: a token signed by a key the cache does not know makes the verifier fetch
// the key set again, but at most once per RefreshInterval.
func TestKeyRotation(t *testing.T) {
	is := oidctest.NewIssuer(t)
	old, next, later := oidctest.RSAKey(t, "k1"), oidctest.ECKey(t, "k2"), oidctest.RSAKey(t, "k3")
	is.Publish(old)
	v := oidc.NewVerifier(is.Client())
	ctx := context.Background()
	ids := []string{"sts.amazonaws.com"}
	verify := func(k jose.JSONWebKey, now time.Time) error {
		_, err := verify(ctx, v, is.URL, ids, oidctest.Sign(t, k, claims(is.URL, func(c map[string]any) { c["exp"] = now.Add(time.Minute).Unix() })), now)
		return err
	}
	wantHits := func(what string, n int) {
		t.Helper()
		if h := is.Hits(); h != n {
			t.Errorf("%s: key set fetched %d times, want %d", what, h, n)
		}
	}

	if err := verify(old, t0); err != nil {
		t.Fatalf("old key: %v", err)
	}
	wantHits("first token", 1)
	// Rotation: the first unknown kid fetches the key set again at once.
	is.Publish(next)
	if err := verify(next, t0.Add(time.Second)); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	wantHits("after rotation", 2)
	// Within RefreshInterval of that refresh, unknown kids fetch nothing, even when the key
	// has since been published.
	is.Publish(next, later)
	for i := range 3 {
		wantKind(t, "key unknown to the cache", verify(later, t0.Add(time.Second+RefreshSoon+time.Duration(i)*time.Second)), oidc.KindInvalid, oidc.MsgSignature)
	}
	wantHits("unknown kids within the interval", 2)
	if err := verify(later, t0.Add(time.Second+oidc.RefreshInterval)); err != nil {
		t.Fatalf("key published earlier, after the interval: %v", err)
	}
	wantHits("after the interval", 3)
	if err := verify(old, t0.Add(time.Second+oidc.RefreshInterval)); err == nil {
		t.Errorf("retired key: verified, want refused")
	}
	// Aged keys are fetched again; during an outage the known keys stay in use.
	is.SetDown(true)
	if err := verify(next, t0.Add(2*oidc.MaxKeyAge)); err != nil {
		t.Errorf("known key during an outage: %v", err)
	}
	wantHits("aged keys", 4)
	if err := verify(next, t0.Add(2*oidc.MaxKeyAge+RefreshSoon)); err != nil {
		t.Errorf("known key during an outage: %v", err)
	}
	wantHits("failed refresh retried within the interval", 4)
}

// RefreshSoon is a time within RefreshInterval of the last fetch.
const RefreshSoon = 30 * time.Second

func TestUnreachable(t *testing.T) {
	is := oidctest.NewIssuer(t)
	is.SetDown(true)
	v := oidc.NewVerifier(is.Client())
	k := oidctest.RSAKey(t, "k")
	_, err := verify(context.Background(), v, is.URL, []string{"sts.amazonaws.com"}, oidctest.Sign(t, k, claims(is.URL, nil)), t0)
	wantKind(t, "JWKS down", err, oidc.KindUnreachable, oidc.MsgUnreachable)
	if e, _ := oidc.AsError(err); e == nil || e.Err == nil || !strings.Contains(e.Error(), "503") {
		t.Errorf("internal cause = %v, want the HTTP status", err)
	}

	// An untrusted TLS certificate is unreachable too (the default client does not trust the
	// test server).
	_, err = verify(context.Background(), oidc.NewVerifier(nil), is.URL, nil, oidctest.Sign(t, k, claims(is.URL, nil)), t0)
	wantKind(t, "untrusted certificate", err, oidc.KindUnreachable, oidc.MsgUnreachable)
}
