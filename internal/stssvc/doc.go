// Package stssvc implements the AWS STS operations: GetCallerIdentity, GetSessionToken (with
// MFA), AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetFederationToken,
// GetAccessKeyInfo and
// DecodeAuthorizationMessage. Temporary credentials are self-contained: the session token
// is an authenticated, encrypted blob (package secrets) carrying the session's principal, secret,
// expiry, session policies and tags, so verifying a request signed with them needs no store
// lookup. The service is also authn's SessionOpener.
package stssvc
