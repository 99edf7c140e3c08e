package stssvc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/iamd-dev/iamd/internal/authn"
	"github.com/iamd-dev/iamd/internal/authz"
	"github.com/iamd-dev/iamd/internal/iam"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/store"
)

// Outbound web identity federation: GetWebIdentityToken signs a JWT asserting the caller's
// identity, for services outside iamd, with a key of the caller's account; the account's issuer
// (its URL chosen by IAM's EnableOutboundWebIdentityFederation, iamsvc/outbound.go) publishes
// the public keys at ISSUER/.well-known/jwks.json, which OutboundDocument serves.
//
// The signing keys (one RSA 2048 key for RS256, one P-384 key for ES384) are made on first use,
// stored in the account's "outbound-signing-keys" setting sealed with the server's keyring, and
// kept when the feature is disabled, so that tokens issued before stay verifiable.

// outboundSetting is the account setting iamsvc writes (iamsvc/outbound.go has the same shape).
const outboundSetting = "outbound-web-identity-federation"

// outboundKeysSetting is the account setting that holds the signing keys.
const outboundKeysSetting = "outbound-signing-keys"

// OutboundPathPrefix starts the path of every issuer URL: ENDPOINT/outbound/ACCOUNT.
const OutboundPathPrefix = "/outbound/"

// The two documents an issuer serves under its URL.
const (
	DiscoveryDocument = "/.well-known/openid-configuration"
	JWKSDocument      = "/.well-known/jwks.json"
)

// claimsNamespace holds the AWS-specific claims, as AWS names it.
const claimsNamespace = "https://sts.amazonaws.com/"

type outboundState struct {
	Enabled bool   `json:"enabled"`
	Issuer  string `json:"issuer"`
}

type signingKeys struct {
	Keys []signingKey `json:"keys"`
}

// signingKey is one signing key: the public key in the clear, the private key sealed.
type signingKey struct {
	ID      string    `json:"kid"`
	Alg     string    `json:"alg"`
	Public  []byte    `json:"pub"`    // PKIX DER
	Sealed  []byte    `json:"sealed"` // PKCS #8 DER, sealed with the keyring
	Created time.Time `json:"created"`
}

// sealAD binds a sealed private key to its account and key ID.
func sealAD(acct, kid string) []byte { return []byte("iamd outbound signing key " + acct + " " + kid) }

// Token lifetimes (GetWebIdentityToken API reference): 60 s to an hour, 5 minutes by default.
const (
	minTokenSeconds     = 60
	maxTokenSeconds     = 3600
	defaultTokenSeconds = 300
)

// maxTokenPayload is the largest claims set iamd signs; beyond it JWTPayloadSizeExceededException.
// AWS documents no number; 8 KiB keeps a token within common HTTP header limits.
const maxTokenPayload = 8192

// GetWebIdentityToken returns a JWT signed by the caller's account's outbound issuer: sub is
// the caller's ARN (a role session's role), aud the requested audiences, AWS's claims under the
// https://sts.amazonaws.com/ namespace (aws_account, source_region, principal_id,
// principal_tags, request_tags).
func (s *Service) GetWebIdentityToken(ctx context.Context, c *authn.Caller, in *sdk.GetWebIdentityTokenInput) (*sdk.GetWebIdentityTokenOutput, error) {
	if len(in.Audience) < 1 {
		return nil, validation("audience", "[]", "Member must have length greater than or equal to 1")
	}
	if len(in.Audience) > 10 {
		return nil, validation("audience", "["+strings.Join(in.Audience, ", ")+"]", "Member must have length less than or equal to 10")
	}
	for _, a := range in.Audience {
		if len(a) < 1 || len(a) > 1000 {
			return nil, validation("audience", a, "Member must have length between 1 and 1000")
		}
	}
	alg := str(in.SigningAlgorithm)
	if alg != string(jose.RS256) && alg != string(jose.ES384) {
		return nil, validation("signingAlgorithm", alg, "Member must satisfy enum value set: [RS256, ES384]")
	}
	dur := int32(defaultTokenSeconds)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
		if dur < minTokenSeconds {
			return nil, validation("durationSeconds", strconv.Itoa(int(dur)), "Member must have value greater than or equal to 60")
		}
		if dur > maxTokenSeconds {
			return nil, validation("durationSeconds", strconv.Itoa(int(dur)), "Member must have value less than or equal to 3600")
		}
	}
	if len(in.Tags) > iam.MaxTags {
		return nil, tooManyTags(len(in.Tags))
	}
	requestTags := map[string]string{}
	extra := map[string][]string{
		"sts:IdentityTokenAudience": in.Audience,
		"sts:DurationSeconds":       {strconv.Itoa(int(dur))},
		"sts:SigningAlgorithm":      {alg},
	}
	var tagKeys []string
	for i, t := range in.Tags {
		k, v := str(t.Key), str(t.Value)
		if err := iam.CheckTagAt(i, iam.Tag{Key: k, Value: v}); err != nil {
			return nil, err
		}
		requestTags[k] = v
		extra["aws:RequestTag/"+k] = []string{v}
		tagKeys = append(tagKeys, k)
	}
	if len(tagKeys) > 0 {
		extra["aws:TagKeys"] = tagKeys
	}
	if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:GetWebIdentityToken", Resource: "*", Context: extra}); err != nil {
		return nil, err
	}
	if len(tagKeys) > 0 {
		if err := s.authz.Authorize(ctx, c, authz.Request{Action: "sts:TagGetWebIdentityToken", Resource: "*", Context: extra}); err != nil {
			return nil, err
		}
	}

	acct := c.Principal.Account
	var state *outboundState
	var principalTags []iam.Tag
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		if state, err = decodeEntity[outboundState](ctx, r, acct, store.KindSetting, outboundSetting); err != nil {
			return err
		}
		p, err := s.authz.Load(ctx, r, c)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		principalTags = p.Tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	if state == nil || !state.Enabled {
		return nil, iam.Errorf("OutboundWebIdentityFederationDisabledException",
			"The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
	}

	now := s.now().UTC().Truncate(time.Second)
	exp := now.Add(time.Duration(dur) * time.Second)
	jti, err := randomHex(s.rand, 16)
	if err != nil {
		return nil, err
	}
	subject := c.Principal.ARN
	if c.Principal.Type == policy.PrincipalRoleSession && c.Principal.SourceARN != "" {
		subject = c.Principal.SourceARN
	}
	ns := map[string]any{"aws_account": acct, "principal_id": subject}
	if c.Region != "" {
		ns["source_region"] = c.Region
	}
	if len(principalTags) > 0 {
		pt := make(map[string]string, len(principalTags))
		for _, t := range principalTags {
			pt[t.Key] = t.Value
		}
		ns["principal_tags"] = pt
	}
	if len(requestTags) > 0 {
		ns["request_tags"] = requestTags
	}
	claims := map[string]any{
		"iss": state.Issuer, "sub": subject, "aud": jwt.Audience(in.Audience),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(), "jti": jti,
		claimsNamespace: ns,
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	if len(payload) > maxTokenPayload {
		return nil, iam.Errorf("JWTPayloadSizeExceededException",
			"The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags included in the GetWebIdentityToken API call to reduce the token payload size.")
	}
	kid, signer, err := s.outboundSigner(ctx, acct, alg)
	if err != nil {
		return nil, err
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: jose.JSONWebKey{Key: signer, KeyID: kid, Algorithm: alg}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("web identity token signer: %w", err)
	}
	jws, err := sig.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("sign web identity token: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return nil, err
	}
	return &sdk.GetWebIdentityTokenOutput{WebIdentityToken: ptr(tok), Expiration: ptr(exp)}, nil
}

func randomHex(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// outboundSigner returns the account's key for alg, making and storing it on first use.
func (s *Service) outboundSigner(ctx context.Context, acct, alg string) (string, crypto.Signer, error) {
	find := func(r store.Reader) (*signingKey, error) {
		ks, err := decodeEntity[signingKeys](ctx, r, acct, store.KindSetting, outboundKeysSetting)
		if err != nil || ks == nil {
			return nil, err
		}
		for i := range ks.Keys {
			if ks.Keys[i].Alg == alg {
				return &ks.Keys[i], nil
			}
		}
		return nil, nil
	}
	var k *signingKey
	if err := s.store.View(ctx, func(r store.Reader) (err error) { k, err = find(r); return err }); err != nil {
		return "", nil, err
	}
	if k == nil {
		// Generate outside the transaction (which may run more than once); keep the key another
		// request stored meanwhile.
		fresh, err := s.newSigningKey(acct, alg)
		if err != nil {
			return "", nil, err
		}
		for attempt := 0; ; attempt++ {
			err = s.store.Update(ctx, func(tx store.Tx) error {
				if k, err = find(tx); err != nil || k != nil {
					return err
				}
				k = fresh
				e, err := tx.Get(ctx, acct, store.KindSetting, outboundKeysSetting)
				if errors.Is(err, store.ErrNotFound) {
					b, _ := json.Marshal(&signingKeys{Keys: []signingKey{*fresh}})
					return tx.Create(ctx, &store.Entity{Account: acct, Kind: store.KindSetting, Name: outboundKeysSetting, Path: "/", Created: fresh.Created, Data: b})
				}
				if err != nil {
					return err
				}
				var ks signingKeys
				if err := json.Unmarshal(e.Data, &ks); err != nil {
					return err
				}
				ks.Keys = append(ks.Keys, *fresh)
				if e.Data, err = json.Marshal(&ks); err != nil {
					return err
				}
				return tx.Update(ctx, e)
			})
			if errors.Is(err, store.ErrExists) && attempt == 0 {
				continue // another request created the setting first: add to it
			}
			if err != nil {
				return "", nil, fmt.Errorf("store outbound signing key: %w", err)
			}
			break
		}
	}
	der, err := s.keys.Open(k.Sealed, sealAD(acct, k.ID))
	if err != nil {
		return "", nil, fmt.Errorf("open outbound signing key %s: %w", k.ID, err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return "", nil, fmt.Errorf("parse outbound signing key %s: %w", k.ID, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return "", nil, fmt.Errorf("outbound signing key %s is a %T", k.ID, priv)
	}
	return k.ID, signer, nil
}

// newSigningKey makes a key for alg; its ID is its RFC 7638 thumbprint.
func (s *Service) newSigningKey(acct, alg string) (*signingKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case string(jose.RS256):
		priv, err = rsa.GenerateKey(s.rand, 2048)
	case string(jose.ES384):
		priv, err = ecdsa.GenerateKey(elliptic.P384(), s.rand)
	default:
		return nil, fmt.Errorf("no key type for %s", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", alg, err)
	}
	pub, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	tp, err := (&jose.JSONWebKey{Key: priv.Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	sealed, err := s.keys.Seal(der, sealAD(acct, kid), s.rand)
	if err != nil {
		return nil, err
	}
	return &signingKey{ID: kid, Alg: alg, Public: pub, Sealed: sealed, Created: s.now().UTC().Truncate(time.Second)}, nil
}

// OutboundPath splits a request path ENDPOINT-relative "/outbound/ACCOUNT/.well-known/…" into
// the account and the document (DiscoveryDocument or JWKSDocument); ok is false for any other
// path.
func OutboundPath(path string) (acct, doc string, ok bool) {
	rest, ok := strings.CutPrefix(path, OutboundPathPrefix)
	if !ok {
		return "", "", false
	}
	for _, d := range []string{DiscoveryDocument, JWKSDocument} {
		if a, found := strings.CutSuffix(rest, d); found && len(a) == 12 && strings.Trim(a, "0123456789") == "" {
			return a, d, true
		}
	}
	return "", "", false
}

// ErrNoIssuer is OutboundDocument's answer for an account that never enabled outbound web
// identity federation.
var ErrNoIssuer = errors.New("no outbound web identity issuer")

// OutboundDocument returns an account's issuer document (DiscoveryDocument or JWKSDocument) as
// JSON. It answers unsigned requests: both are public. An account that enabled the feature and
// later disabled it still publishes its keys, so that tokens issued before stay verifiable.
func (s *Service) OutboundDocument(ctx context.Context, acct, doc string) ([]byte, error) {
	var state *outboundState
	var keys *signingKeys
	err := s.store.View(ctx, func(r store.Reader) error {
		var err error
		if state, err = decodeEntity[outboundState](ctx, r, acct, store.KindSetting, outboundSetting); err != nil || state == nil {
			return err
		}
		keys, err = decodeEntity[signingKeys](ctx, r, acct, store.KindSetting, outboundKeysSetting)
		return err
	})
	if err != nil {
		return nil, err
	}
	if state == nil || state.Issuer == "" {
		return nil, ErrNoIssuer
	}
	switch doc {
	case DiscoveryDocument:
		return json.Marshal(map[string]any{
			"issuer":                                state.Issuer,
			"jwks_uri":                              state.Issuer + JWKSDocument,
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{string(jose.RS256), string(jose.ES384)},
			"scopes_supported":                      []string{"openid"},
			"claims_supported":                      []string{"aud", "exp", "iat", "iss", "jti", "nbf", "sub", claimsNamespace},
		})
	case JWKSDocument:
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
		if keys != nil {
			for _, k := range keys.Keys {
				pub, err := x509.ParsePKIXPublicKey(k.Public)
				if err != nil {
					return nil, fmt.Errorf("outbound signing key %s: %w", k.ID, err)
				}
				set.Keys = append(set.Keys, jose.JSONWebKey{Key: pub, KeyID: k.ID, Algorithm: k.Alg, Use: "sig"})
			}
		}
		return json.Marshal(set)
	}
	return nil, ErrNoIssuer
}
