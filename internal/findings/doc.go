// Package findings checks an IAM account against least-privilege practices: it takes a
// [Snapshot] of the account (users, groups, roles, policies, the credential report, the password
// policy, last-accessed data), gathered elsewhere through the IAM API, and returns [Finding]s,
// each with a stable code, a severity, the resource's ARN, a message and the evidence (which
// policy statement, which access key). It does no I/O: the current time and the number of days
// that make access "unused" are in [Options], and the AWS action catalog comes in as a
// policy.Catalog (access levels and action expansion).
//
// The checks, their codes and default severities are listed by [Checks]. Where IAM Access
// Analyzer has a finding type for the same thing, its name is the code: UnusedIAMRole,
// UnusedIAMUserAccessKey, UnusedIAMUserPassword and UnusedPermission. As Access Analyzer does,
// the unused-access checks only judge what has existed for the whole tracking period (Days):
// a role, key or password created more recently is not reported as unused. Service-linked
// roles (path /aws-service-role/) are never reported as unused.
//
// Precise meanings:
//   - STAR_STAR_GRANT: an Allow statement whose Action has "*" (or "*:*", which IAM rejects as
//     a wildcard vendor) on Resource "*" or with NotResource, whatever its conditions. Such a
//     statement is not reported again by PASSROLE_STAR or PERMISSIONS_MANAGEMENT_BROAD.
//   - PASSROLE_STAR: Access Analyzer's PASS_ROLE_WITH_* security warnings (policy.Lint): an Allow
//     statement granting iam:PassRole, by name, through a wildcard (iam:Pass*, iam:*, *) or
//     through NotAction, on "*", on every role, or with NotResource; a condition on
//     iam:PassedToService silences the star-in-resource cases, as AWS advises.
//   - PERMISSIONS_MANAGEMENT_BROAD: an Allow statement on Resource "*" (or NotResource) that
//     covers actions of the "Permissions management" access level, Action patterns and
//     NotAction expanded through the catalog.
//   - CROSS_ACCOUNT_TRUST_NO_EXTERNAL_ID: a role trust statement allowing sts:AssumeRole to an
//     AWS principal of another account, to "*" or through NotPrincipal, with no condition on
//     sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalAccount (a Null check does not count).
//     Critical when the principal is "*".
//   - OIDC_TRUST_NO_SUB: a trust statement allowing sts:AssumeRoleWithWebIdentity to an OIDC
//     provider (a Federated oidc-provider ARN, or a bare provider name other than Amazon
//     Cognito, whose audience key plays that part) with no condition on <provider>:sub, or
//     one whose every value is "*". Critical for GitHub Actions
//     (token.actions.githubusercontent.com): any repository's workflow could assume the role.
//   - EXTERNAL_ACCESS: each finding of package exposure on a role trust policy (public,
//     cross-account, organization or federated access, with a witness request the engine
//     allows), at exposure's severity. Service principals are left out, as Access Analyzer
//     leaves them out. This overlaps CROSS_ACCOUNT_TRUST_NO_EXTERNAL_ID and OIDC_TRUST_NO_SUB on
//     purpose: those name a missing condition, this one who gets in.
//   - FORALLVALUES_ALLOW_ABSENT_KEY: ForAllValues in an Allow statement without a Null "false"
//     check of the same key; ForAllValues is true when the key is absent from the request, so
//     the statement allows requests that carry no value at all (AWS's guidance).
//   - FORALLVALUES_SINGLE_VALUED_KEY: Access Analyzer's FORALLVALUES_WITH_SINGLE_VALUED_KEY.
//   - WEAK_PASSWORD_POLICY: no password policy, or one below the CIS AWS Foundations Benchmark
//     v1.2.0 controls 1.5-1.11: an uppercase letter, a lowercase letter, a symbol and a number
//     required, a minimum length of 14, reuse prevention of 24 passwords, expiry within 90
//     days.
//   - ROOT_USED_RECENTLY: the root user's password or an access key used within Days.
//   - ACCESS_KEY_NOT_ROTATED: an active access key created more than Days ago.
//   - USER_DIRECT_POLICY: a user with managed policies attached or inline policies (CIS 1.16:
//     grant through groups); INLINE_ONLY_POLICIES: a user, group or role whose permissions are
//     inline policies only (AWS advises managed policies); a user's managed policies include
//     those attached to her groups, as her effective permissions do.
package findings
