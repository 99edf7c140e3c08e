// Package authn turns a signed request into a Caller: it looks up the access key (or opens the
// session token of temporary credentials), verifies the SigV4 signature against the key's
// secret, and describes the principal for the policy engine and the audit trail.
package authn
