package policy

import (
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
)

// PrincipalType says what kind of caller made a request.
type PrincipalType uint8

// The caller types the evaluator distinguishes.
const (
	// PrincipalAnonymous is an unauthenticated caller; only a "*" principal matches it.
	PrincipalAnonymous PrincipalType = iota
	// PrincipalRoot is an account's root user (ARN arn:aws:iam::ACCOUNT:root).
	PrincipalRoot
	// PrincipalUser is an IAM user (ARN arn:aws:iam::ACCOUNT:user/path/name).
	PrincipalUser
	// PrincipalRoleSession is an assumed-role session (ARN
	// arn:aws:sts::ACCOUNT:assumed-role/name/session); SourceARN is the role's ARN.
	PrincipalRoleSession
	// PrincipalFederatedUser is an STS federated user session from GetFederationToken (ARN
	// arn:aws:sts::ACCOUNT:federated-user/name); SourceARN is the IAM user that created it.
	PrincipalFederatedUser
	// PrincipalService is an AWS service principal; ARN is its name ("ec2.amazonaws.com").
	PrincipalService
	// PrincipalFederated is a web identity or SAML caller before it assumes a role (only trust
	// policies see it); ARN is the provider ("accounts.google.com" or a SAML provider ARN).
	PrincipalFederated
)

// String returns the type's name.
func (t PrincipalType) String() string {
	switch t {
	case PrincipalAnonymous:
		return "Anonymous"
	case PrincipalRoot:
		return "Root"
	case PrincipalUser:
		return "User"
	case PrincipalRoleSession:
		return "RoleSession"
	case PrincipalFederatedUser:
		return "FederatedUser"
	case PrincipalService:
		return "Service"
	case PrincipalFederated:
		return "Federated"
	}
	return "Invalid"
}

// PrincipalInfo describes the caller for Principal/NotPrincipal matching and for the
// same-account/cross-account rules. It is plain data so that it can be recorded and replayed.
type PrincipalInfo struct {
	Type PrincipalType
	// ARN is the caller's ARN as AWS reports it (for a role session the assumed-role ARN), a
	// service name for PrincipalService, or the identity provider for PrincipalFederated.
	ARN string
	// Account is the 12-digit account the caller belongs to ("" for anonymous, service and
	// federated callers).
	Account string
	// SourceARN is the IAM entity behind a session: the role ARN (with its path) for a role
	// session, the IAM user ARN for a federated user session; "" otherwise.
	SourceARN string
}

// How a resource-based policy's Principal element named the caller. The value decides which
// other policy types must still allow a same-account request (see Input).
const (
	// grantAccount: the caller's account (12-digit ID or arn:...:iam::ID:root) was named; the
	// account must still delegate through identity-based policies.
	grantAccount uint8 = 1 << iota
	// grantEntity: the IAM role behind a role session, or the IAM user behind a federated user
	// session, was named; the boundary and session policies still limit it.
	grantEntity
	// grantDirect: the caller itself was named ("*", its user ARN, its session ARN, its service
	// or provider); nothing else needs to allow a same-account request.
	grantDirect
)

// principalMatcher is a compiled Principal or NotPrincipal element.
type principalMatcher struct {
	all       bool     // "*" or {"AWS": "*"}
	accounts  []string // account IDs, from "123456789012" or "arn:aws:iam::123456789012:root"
	arns      []string // other AWS principal ARNs, compared exactly
	services  []string // compared ignoring case
	federated []string
}

func compilePrincipal(p *Principal) *principalMatcher {
	m := &principalMatcher{all: p.Wildcard}
	for _, v := range p.AWS {
		switch {
		case v == "*":
			m.all = true
		case arn.IsAccountID(v):
			m.accounts = append(m.accounts, v)
		default:
			if acct, ok := rootAccount(v); ok {
				m.accounts = append(m.accounts, acct)
			} else {
				m.arns = append(m.arns, v)
			}
		}
	}
	m.services = append(m.services, p.Service...)
	m.federated = append(m.federated, p.Federated...)
	// CanonicalUser values name S3 canonical users, which iamd does not have: they never match.
	return m
}

// rootAccount returns the account of an "arn:PARTITION:iam::ACCOUNT:root" ARN.
func rootAccount(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return "", false
	}
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return "", false
	}
	rest, ok = strings.CutPrefix(rest[i+1:], "iam::")
	if !ok {
		return "", false
	}
	acct, ok := strings.CutSuffix(rest, ":root")
	if !ok || !arn.IsAccountID(acct) {
		return "", false
	}
	return acct, true
}

// match returns how the element names the caller: a grant* bit set, 0 when it does not.
func (m *principalMatcher) match(p *PrincipalInfo) uint8 {
	var g uint8
	if m.all {
		g |= grantDirect
	}
	switch p.Type {
	case PrincipalService:
		for _, s := range m.services {
			if strings.EqualFold(s, p.ARN) {
				g |= grantDirect
			}
		}
		return g
	case PrincipalFederated:
		for _, s := range m.federated {
			if s == p.ARN {
				g |= grantDirect
			}
		}
		return g
	case PrincipalAnonymous:
		return g
	}
	if p.Account != "" {
		for _, a := range m.accounts {
			if a == p.Account {
				g |= grantAccount
			}
		}
	}
	for _, a := range m.arns {
		switch {
		case a == p.ARN:
			g |= grantDirect
		case p.SourceARN != "" && a == p.SourceARN:
			g |= grantEntity
		}
	}
	return g
}

// excludes reports whether a NotPrincipal element exempts the caller. AWS exempts a caller only
// when the element lists everything the caller is evaluated as: its account and, for a user or
// session, its own ARN (for a role session the assumed-role session ARN). Naming only a user,
// without its account, therefore exempts nobody, as the IAM User Guide's NotPrincipal page warns.
func (m *principalMatcher) excludes(p *PrincipalInfo) bool {
	if m.all {
		return true
	}
	switch p.Type {
	case PrincipalService, PrincipalFederated:
		return m.match(p) != 0
	case PrincipalAnonymous:
		return false
	}
	acct := false
	for _, a := range m.accounts {
		if a == p.Account {
			acct = true
		}
	}
	if !acct {
		return false
	}
	if p.Type == PrincipalRoot {
		return true
	}
	for _, a := range m.arns {
		if a == p.ARN {
			return true
		}
	}
	return false
}
