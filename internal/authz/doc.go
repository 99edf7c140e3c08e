// Package authz is the adapter between requests and the policy engine: it gathers everything a
// decision depends on (the caller's identity-based policies, its groups' policies, its
// permissions boundary, its session policies, the request context keys) into one policy.Input and
// evaluates it. It reads the store; the engine itself fetches nothing.
//
// Credentials act only as the user or role they were issued for. Users and roles are stored by
// name, but AWS identifies them by unique ID: one deleted and created again under its name is
// another principal. Each caller's unique ID (authn.Caller.UserID) is compared with the stored
// namesake's (for a federated user, whose token carries no ID of its IAM user: the token must not
// predate the user), on every request, also when the principal comes from the cache; a caller whose
// user or role is gone or replaced has no policies, and every request it makes is implicitly
// denied (sts:GetCallerIdentity, which needs no permission, still answers).
//
// Compiled policies are cached by kind, policy identity and a hash of the document text, so a
// policy is parsed and compiled once however many requests use it.
package authz
