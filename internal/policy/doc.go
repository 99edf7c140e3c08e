// Package policy is the AWS policy language: parsing and validating policy documents, compiling
// them, and evaluating requests against them exactly as AWS's policy evaluation logic does.
//
// The package is pure: it does no I/O, reads no clock and uses no global randomness.
//
// # Evaluation
//
// Compile turns a Document into a Compiled policy once; Evaluate decides one request (an Input:
// action, resource, context, caller and every applicable policy) and returns a Decision with
// three outcomes, explicit deny, allow and implicit deny, plus the deciding statement and, for an
// implicit deny, the policy types that lacked an Allow. Explain returns the same decision with a
// Trace. Evaluate does not allocate; Explain does.
//
// The algorithm follows the IAM User Guide ("Policy evaluation logic", "Policy evaluation for
// requests within a single account", "Cross-account policy evaluation logic", "Permissions
// boundaries for IAM entities", "Session policies") and the Organizations guide ("SCP
// evaluation", "RCP evaluation"):
//
//  1. Every statement of every applicable policy is evaluated; order never matters. A statement
//     applies when its Action (or NotAction) matches the action ignoring case, its Resource (or
//     NotResource) matches the resource ARN part by part and case-sensitively, its Principal (or
//     NotPrincipal) names the caller, and all its conditions hold.
//  2. An applicable Deny in any policy (RCP, SCP, identity-based, boundary, session or
//     resource-based) is an explicit deny.
//  3. RCPs, when present, need an applicable Allow at every level of the organization path; so
//     do SCPs. They never grant anything themselves.
//  4. Within the account, the request is allowed when the identity-based policies allow it and
//     the permissions boundary and session policies (if any) do too; or when the resource-based
//     policy allows it naming the caller itself ("*", the user ARN, the role session or
//     federated user ARN, a service), which needs nothing else; or naming the role behind a
//     role session (or the IAM user behind a federated user session), which the boundary and
//     session policies still limit. Naming the account delegates to the identity-based
//     policies. The root user needs no identity-based policy. A role trust policy must allow
//     even within the account: an identity-based Allow alone cannot assume a role. A federated
//     user session created without a session policy has no permissions of its own.
//  5. Across accounts, both the caller's side (identity-based policies, boundary, session
//     policies; the root user's side always allows) and the resource-based policy must allow.
//     Anonymous, service and web identity or SAML callers need only the resource-based policy.
//  6. Otherwise the request is implicitly denied. Decision.Reason words the AccessDenied clause
//     the way AWS does ("with an explicit deny in a service control policy", "because no
//     permissions boundary allows the iam:CreateUser action"), naming the first policy type
//     without an Allow in evaluation order: RCP, SCP, identity-based, boundary, session,
//     resource-based.
//
// Which policies apply is the caller's business (the authz adapter): for example, it passes no
// SCPs for the management account or for service-linked roles, and a role's trust policy as the
// resource-based policy of sts:AssumeRole*.
//
// # Known differences from AWS
//
//   - A statement that cannot be compiled (an unknown condition operator, an invalid Effect, no
//     Action or NotAction) fails closed: a Deny applies by its action alone and an Allow never
//     allows. AWS rejects such documents when they are stored, so this only matters for
//     documents that bypassed validation.
//   - Principal ARNs are compared as text, and a user's or role's unique ID (AIDA…, AROA…)
//     matches no caller: AWS shows the ID in place of a deleted principal's ARN, and iamd's IAM
//     service rewrites role trust policies that way when it deletes a user or role (the engine
//     itself rewrites nothing). CanonicalUser principals never match. An account root ARN is
//     recognised in any partition.
//   - A Deny with NotPrincipal in a resource-based policy always denies a caller that has a
//     permissions boundary, as the permissions boundary page documents; NotPrincipal exempts a
//     caller only when it lists the caller's account and, except for the root user, the caller's
//     own ARN (for a role session, the assumed-role session ARN).
//   - KMS key policies, which like trust policies must allow even within the account, are not
//     special-cased (iamd has no KMS); a Resource-kind policy follows the general rule.
//   - VPC endpoint policies, permission grants outside policies (S3 ACLs, KMS grants) and the
//     API-level restrictions of particular actions (such as the root user not being allowed to
//     call sts:AssumeRole) are out of scope.
//   - Resource ARN patterns with fewer than six parts match only when their last part ends in
//     '*', which then spans the rest of the ARN (see the condition package for the details of
//     patterns, variables and condition operators).
package policy
