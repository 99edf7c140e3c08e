// Package oidc is iamd's OpenID Connect adapter: the stored form of an IAM OIDC identity
// provider (its URL rules and ARN), and a Verifier that checks a web identity token (a JWT) for
// AssumeRoleWithWebIdentity. Parse decodes a token once (STS needs its issuer to find the
// provider); Verify checks that parsed Token, and the Claims it returns carry every claim (Raw),
// so that nothing parses the token again.
//
// The Verifier is the only part of iamd that makes outbound HTTP requests. It discovers an
// issuer's key set from <issuer>/.well-known/openid-configuration (jwks_uri), caches it, and
// fetches it again when a token names a key ID it does not know — at most once a minute per
// issuer, so that tokens with made-up key IDs cannot make iamd hammer the provider. The price: a
// token signed with a key published after such a fetch is refused until that minute has passed
// (AWS does not document its own rule). Time comes in as a parameter, so cache expiry and token
// lifetimes are tested without sleeping.
//
// Tokens must be signed with an asymmetric algorithm (RS*, PS*, ES*, EdDSA): "none" and the HMAC
// algorithms are refused before any key is looked at, which rules out algorithm confusion (a
// public key used as an HMAC secret).
//
// Known differences from AWS: certificate thumbprints are stored and returned but not used to
// pin the provider's TLS certificate; the HTTP client's trusted roots decide (as AWS does for
// providers whose certificate chains to a CA it trusts).
package oidc
