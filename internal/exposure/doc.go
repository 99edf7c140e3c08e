// Package exposure finds the external and public access that a role trust policy or a
// resource-based policy grants, the way IAM Access Analyzer's external access analyzer does for
// an analyzer whose zone of trust is one account: every Allow statement is checked for
// principals outside the account, and each finding carries a concrete witness, a principal
// and request context for which policy.Explain, the engine that enforces policies, returns
// Allow by that statement.
//
// Witnesses are built from the policy itself, never guessed at random: the Principal element's
// entries (accounts, IAM ARNs, services, identity providers; for "*" and NotPrincipal an
// anonymous caller and the root, or for trust policies a user, of an account the policy never
// mentions), accounts and ARNs written in condition values (aws:PrincipalAccount,
// aws:PrincipalArn), and for each condition key a few values that satisfy the statement's
// clauses on it and values that falsify the other statements' clauses (so that a Deny that only
// applies to some requests can be escaped). Keys that describe the caller (aws:PrincipalAccount,
// aws:PrincipalArn, aws:PrincipalType, aws:userid, aws:username, aws:PrincipalIsAWSService,
// aws:PrincipalServiceName) are derived from the candidate principal and never chosen freely.
// Every candidate is checked with the engine; only confirmed ones become findings.
//
// Classification (Access) and severity:
//   - Public (high): an anonymous caller, or a principal of an account that the policy does not
//     name, is allowed: anyone can get in.
//   - CrossAccount (medium): principals of a named other account.
//   - Organization (low): principals of other accounts, but only with a positive condition on
//     aws:PrincipalOrgID or aws:PrincipalOrgPaths. The organization's membership is unknown
//     here, so this is "external within organization o-…"; an organization-wide analyzer
//     would not report it at all.
//   - Federated: a web identity or SAML provider's users. High for an OIDC provider without a
//     condition on its subject (provider:sub; for Cognito, the identity pool aud), since any
//     identity of the provider qualifies (for GitHub Actions, any repository); medium otherwise.
//   - Service: an AWS service principal. Acting for any account (no aws:SourceAccount,
//     aws:SourceArn or aws:SourceOwner limit: the confused-deputy case) is medium in a
//     resource policy and low in a trust policy; acting for a named other account is low; a
//     service limited to the own account is not reported.
//
// Conditions the caller controls, such as sts:ExternalId, aws:SourceIp, aws:SecureTransport,
// tags or OIDC claims other than the subject, do not make a statement internal: the finding
// lists them, and the witness carries values satisfying them.
//
// Differences from IAM Access Analyzer:
//   - Access Analyzer decides with an SMT solver (Zelkova) and errs towards false positives; this
//     package reports only what a witness confirms, so a statement whose conditions the
//     candidate search cannot satisfy (unusual operator mixes, policy variables in condition
//     values) is missed rather than over-reported.
//   - Access Analyzer does not report AWS service principals; this package does (see Service
//     above), because a service principal without aws:SourceAccount is a confused deputy.
//   - One finding per statement and Principal entry ("AWS:*", "AWS:111122223333",
//     "Service:sns.amazonaws.com", "NotPrincipal"), not one per (principal, condition) class,
//     and the actions are listed as written rather than expanded.
//   - aws:SourceVpc, aws:SourceVpce and aws:SourceIp with private ranges do not make a statement
//     internal, and RCPs and SCPs are not taken into account.
//   - An IAM principal of another account needs its own account to allow the request too; the
//     witness assumes it does (Witness.CallerPolicy), as Access Analyzer ignores the other
//     account's state. For trust policies the witness is an IAM user rather than the root user,
//     which AWS does not let call sts:AssumeRole.
package exposure
