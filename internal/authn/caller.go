package authn

import (
	"time"

	"github.com/iamd-dev/iamd/internal/policy"
)

// Caller is who made a request and the request facts that condition keys are drawn from. The
// middleware builds it once per request; services and the authz adapter only read it.
type Caller struct {
	// Principal is the caller as the policy engine sees it (type, ARN, account, and the role
	// or user behind a session).
	Principal policy.PrincipalInfo
	// UserID is aws:userid: the user's unique ID (AIDA…) for IAM users, the account ID for the
	// root user, "AROA…:session" for role sessions.
	UserID string
	// UserName is the IAM user's name (aws:username); "" for other principals.
	UserName string
	// AccessKeyID is the access key that signed the request.
	AccessKeyID string
	// Session carries what a temporary credential adds (nil for long-term keys).
	Session *Session

	// Request facts.
	RequestID       string
	SourceIP        string
	UserAgent       string
	SecureTransport bool
	Region          string // the SigV4 credential scope's region (aws:RequestedRegion)
	Time            time.Time
}

// Session is the state a session token carries: filled in by STS.
type Session struct {
	// Policies are the session policy documents (inline and the managed policies' documents).
	Policies []string
	// Tags are the session tags (aws:PrincipalTag/* for the session).
	Tags map[string]string
	// MFA reports aws:MultiFactorAuthPresent; MFATime is when MFA was presented.
	MFA     bool
	MFATime time.Time
	// Issued is when the credentials were issued (aws:TokenIssueTime).
	Issued time.Time
	// SourceIdentity is sts:SourceIdentity.
	SourceIdentity string
	// Chained is true for role sessions created with role session credentials (role chaining).
	Chained bool
	// TransitiveKeys are the session tag keys that pass on to chained role sessions.
	TransitiveKeys []string
	// WebIdentityProvider is the ARN of the OIDC provider whose token created the role
	// session (AssumeRoleWithWebIdentity), "" for other sessions; the audit record names it
	// in sessionContext.webIdFederationData.federatedProvider.
	WebIdentityProvider string
	// IssuerID is the unique ID (AIDA…) of the IAM user whose GetFederationToken created a
	// federated user session, "" for other sessions; the audit record's
	// sessionContext.sessionIssuer.principalId.
	IssuerID string
}

// IsRoot reports whether the caller is an account's root user.
func (c *Caller) IsRoot() bool { return c.Principal.Type == policy.PrincipalRoot }
