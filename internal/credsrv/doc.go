// Package credsrv serves role credentials to programs the way AWS hands them to workloads, so
// that any AWS SDK finds them with no code change: an IMDSv2-compatible instance metadata endpoint
// (IMDS) and an ECS-style container credentials endpoint (Container).
//
// Both endpoints take their credentials from a Source. Refresher is the Source iamd uses: it
// calls a function that obtains credentials and renews them well before they expire, on a
// background timer and, should that be late, on the request that finds them due, so a client is
// never handed a credential that is about to lapse. ServiceSession.Assume obtains them as the
// service would (iamd's STS action AssumeRoleForService: the operator passes the role to
// ec2.amazonaws.com or ecs-tasks.amazonaws.com, which assumes it, and the audit trail records
// the service's call); RoleSession.Assume with plain AssumeRole as the operator.
// ProfileSession.Obtain reads an instance profile at each refresh and assumes the role it holds
// then, so that, as in EC2, the credentials follow RemoveRoleFromInstanceProfile and
// AddRoleToInstanceProfile: with no role the Refresher drops the old role's credentials
// (ErrNoRole) and IMDS lists no role.
//
// IMDS follows EC2's instance metadata service: a session token from PUT /latest/api/token
// (TTL 1-21600 seconds) is required on every GET unless IMDSv1 is switched on, requests that
// carry X-Forwarded-For are refused, and Listen sets the IP TTL (hop limit) of accepted
// connections to 1 where the OS allows. Together these keep the classic server-side request
// forgery (a proxy that forwards GET requests) from reading the credentials. Tokens are
// stateless: an expiry time and an HMAC-SHA256 over it under a random per-endpoint key.
//
// Container follows the ECS agent's endpoint for AWS_CONTAINER_CREDENTIALS_FULL_URI: every
// request must carry the authorization token (AWS_CONTAINER_AUTHORIZATION_TOKEN) in the
// Authorization header, compared in constant time.
package credsrv
