// Package authz is the adapter between requests and the policy engine: it gathers everything a
// decision depends on (the caller's identity-based policies, its groups' policies, its
// permissions boundary, its session policies, the request context keys) into one policy.Input and
// evaluates it. It reads the store; the engine itself fetches nothing.
//
// Compiled policies are cached by kind, policy identity and a hash of the document text, so a
// policy is parsed and compiled once however many requests use it.
package authz
