package oidc

import (
	"encoding/json"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Claims are the verified claims of a web identity token that STS uses.
type Claims struct {
	Issuer  string
	Subject string
	// Audience is every aud value; AuthorizedParty is azp ("" when absent).
	Audience        []string
	AuthorizedParty string
	// ClientID is the provider client ID the token was accepted for (azp or an aud value).
	ClientID string
	// AMR is the amr claim (authentication methods), a string or a list in the token.
	AMR []string
	// Expiry, NotBefore and IssuedAt are exp, nbf and iat (zero when absent).
	Expiry, NotBefore, IssuedAt time.Time
	// Raw is every claim of the token, undecoded, for the claims STS reads beyond these (AWS's
	// source identity and session tags).
	Raw map[string]json.RawMessage
}

// Kind classifies why a token was refused; STS maps it to its wire error code.
type Kind uint8

// The ways a token is refused.
const (
	// KindInvalid: malformed, badly signed, wrong issuer or audience, not yet valid.
	KindInvalid Kind = iota
	// KindExpired: past its exp.
	KindExpired
	// KindUnreachable: the provider's discovery document or key set could not be fetched.
	KindUnreachable
)

// Error is a refused token. Message is AWS's text, safe for the client; Err is the internal
// cause, for the log.
type Error struct {
	Kind    Kind
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "oidc: " + e.Message + ": " + e.Err.Error()
	}
	return "oidc: " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// AWS's messages for refused tokens.
const (
	MsgMalformed   = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	MsgSignature   = "Signature validation failed"
	MsgExpired     = "Token is expired"
	MsgAudience    = "Incorrect token audience"
	MsgUnreachable = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
)

func invalid(msg string, err error) *Error { return &Error{Kind: KindInvalid, Message: msg, Err: err} }

// Algorithms are the signature algorithms a token may use: asymmetric ones only. "none" and
// HS256/384/512 are refused at parse time (a provider's public key must never serve as an HMAC
// secret).
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// Leeway is the clock skew allowed when checking exp, nbf and iat.
const Leeway = time.Minute

// rawClaims is the JSON form of the claims iamd reads.
type rawClaims struct {
	Iss string           `json:"iss"`
	Sub string           `json:"sub"`
	Aud jwt.Audience     `json:"aud"`
	Azp string           `json:"azp"`
	AMR json.RawMessage  `json:"amr"`
	Exp *jwt.NumericDate `json:"exp"`
	Nbf *jwt.NumericDate `json:"nbf"`
	Iat *jwt.NumericDate `json:"iat"`
}

// Token is a web identity token parsed once: its one signature and its claims, decoded but not
// verified. Parse makes it; Verifier.Verify checks it. A compact JWS has exactly one payload, so
// the claims decoded here are the ones the signature covers once it verifies.
type Token struct {
	jws    *jose.JSONWebSignature
	claims rawClaims
	raw    map[string]json.RawMessage
}

// Parse parses a compact JWS restricted to Algorithms, with exactly one signature and an iss
// claim, and decodes its claims. It checks nothing but the token's form.
func Parse(token string) (*Token, error) {
	jws, err := jose.ParseSignedCompact(token, Algorithms)
	if err != nil {
		return nil, invalid(MsgMalformed, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid(MsgMalformed, nil)
	}
	t := &Token{jws: jws}
	payload := jws.UnsafePayloadWithoutVerification()
	if err := json.Unmarshal(payload, &t.claims); err != nil || t.claims.Iss == "" {
		return nil, invalid(MsgMalformed, err)
	}
	if err := json.Unmarshal(payload, &t.raw); err != nil {
		return nil, invalid(MsgMalformed, err)
	}
	return t, nil
}

// Issuer is the token's iss claim, not verified: STS needs it to find the provider whose keys
// then verify the token.
func (t *Token) Issuer() string { return t.claims.Iss }

// keyID is the kid of the token's signature header ("" when absent).
func (t *Token) keyID() string { return t.jws.Signatures[0].Header.KeyID }

// verifyWith checks token's signature with the first of keys that verifies it, then its issuer,
// lifetime and audience, at time now.
func verifyWith(tok *Token, keys []jose.JSONWebKey, issuer string, clientIDs []string, now time.Time) (*Claims, error) {
	verified := false
	alg := tok.jws.Signatures[0].Header.Algorithm
	for _, k := range keys {
		if k.Use == "enc" || k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		// The payload Verify returns is the one Parse decoded.
		if _, err := tok.jws.Verify(k.Key); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, invalid(MsgSignature, nil)
	}
	c := &tok.claims
	if c.Iss != issuer {
		return nil, invalid("Issuer of the token does not match the provider", nil)
	}
	if c.Exp == nil {
		return nil, invalid("Missing a required claim: exp", nil)
	}
	out := &Claims{Issuer: c.Iss, Subject: c.Sub, Audience: c.Aud, AuthorizedParty: c.Azp, Expiry: c.Exp.Time().UTC(), Raw: tok.raw}
	if c.Nbf != nil {
		out.NotBefore = c.Nbf.Time().UTC()
	}
	if c.Iat != nil {
		out.IssuedAt = c.Iat.Time().UTC()
	}
	switch {
	case now.After(out.Expiry.Add(Leeway)):
		return nil, &Error{Kind: KindExpired, Message: MsgExpired}
	case !out.NotBefore.IsZero() && now.Add(Leeway).Before(out.NotBefore):
		return nil, invalid("Token is not yet valid", nil)
	case !out.IssuedAt.IsZero() && now.Add(Leeway).Before(out.IssuedAt):
		return nil, invalid("Token was issued in the future", nil)
	}
	switch {
	case c.Azp != "" && slices.Contains(clientIDs, c.Azp):
		out.ClientID = c.Azp
	default:
		for _, a := range c.Aud {
			if slices.Contains(clientIDs, a) {
				out.ClientID = a
				break
			}
		}
	}
	if out.ClientID == "" {
		return nil, invalid(MsgAudience, nil)
	}
	out.AMR = stringOrList(c.AMR)
	return out, nil
}

// stringOrList decodes a claim that is a string or a list of strings (others give nil).
func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	return nil
}
