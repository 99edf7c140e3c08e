package findings

import (
	"fmt"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy"
)

// Checks of role trust policies.

// allowsAction reports whether the statement's Action or NotAction covers action.
func allowsAction(st *policy.Statement, action string) bool {
	if st.NotAction != nil {
		for _, p := range st.NotAction {
			if arn.GlobFold(p, action) {
				return false
			}
		}
		return true
	}
	for _, p := range st.Action {
		if arn.GlobFold(p, action) {
			return true
		}
	}
	return false
}

// restricted reports whether a condition (other than a Null check) names one of the keys.
func restricted(st *policy.Statement, keys ...string) bool {
	for _, c := range st.Conditions {
		if strings.HasPrefix(strings.ToLower(c.Operator), "null") {
			continue
		}
		for _, k := range keys {
			if strings.EqualFold(c.Key, k) {
				return true
			}
		}
	}
	return false
}

// principalAccount returns the account of an AWS principal value: the ID itself, the account
// of an ARN, or "*"; "" for what is neither (unique IDs).
func principalAccount(v string) string {
	if v == "*" || arn.IsAccountID(v) {
		return v
	}
	if a, err := arn.Parse(v); err == nil {
		return a.Account
	}
	return ""
}

func (a *auditor) crossAccountTrust() {
	for _, s := range a.trustSources() {
		for _, st := range allowStatements(a.parse(&s)) {
			if !allowsAction(st, "sts:AssumeRole") || restricted(st, "sts:ExternalId", "aws:PrincipalOrgID", "aws:PrincipalAccount") {
				continue
			}
			var others []string
			public := false
			switch p := st.Principal; {
			case st.NotPrincipal != nil:
				public = true
				others = append(others, "NotPrincipal")
			case p == nil:
			case p.Wildcard:
				public = true
				others = append(others, "*")
			default:
				for _, v := range p.AWS {
					acct := principalAccount(v)
					if acct == "*" {
						public = true
					}
					if acct != "" && acct != a.s.Account {
						others = append(others, v)
					}
				}
			}
			if len(others) == 0 {
				continue
			}
			ev := s.evidence(st)
			ev.Detail = "principal " + strings.Join(others, ", ")
			sev, what := a.check.Severity, "another account"
			if public {
				sev, what = Critical, "any AWS account"
			}
			a.addAt(sev, s.resource, fmt.Sprintf("Statement %d of %s lets %s (%s) assume the role without an sts:ExternalId, aws:PrincipalOrgID or aws:PrincipalAccount condition.",
				st.Index, s.label, what, strings.Join(others, ", ")), ev)
		}
	}
}

const githubActions = "token.actions.githubusercontent.com"

// oidcHost returns the provider name of a Federated principal that is an OpenID Connect
// provider, or "" (SAML providers, Amazon Cognito).
func oidcHost(v string) string {
	if _, after, ok := strings.Cut(v, ":oidc-provider/"); ok {
		return after
	}
	if strings.HasPrefix(v, "arn:") || strings.EqualFold(v, "cognito-identity.amazonaws.com") || !strings.Contains(v, ".") {
		return ""
	}
	return v
}

// subRestricted reports whether the statement has a condition on host:sub (not a Null check)
// with a value other than "*".
func subRestricted(st *policy.Statement, host string) bool {
	for _, c := range st.Conditions {
		if strings.HasPrefix(strings.ToLower(c.Operator), "null") || !strings.EqualFold(c.Key, host+":sub") {
			continue
		}
		for _, v := range c.Values {
			if v != "*" {
				return true
			}
		}
	}
	return false
}

func (a *auditor) oidcTrust() {
	for _, s := range a.trustSources() {
		for _, st := range allowStatements(a.parse(&s)) {
			if st.Principal == nil || !allowsAction(st, "sts:AssumeRoleWithWebIdentity") {
				continue
			}
			for _, v := range st.Principal.Federated {
				host := oidcHost(v)
				if host == "" || subRestricted(st, host) {
					continue
				}
				ev := s.evidence(st)
				ev.Detail = "federated principal " + v + a.audiences(v)
				sev, msg := a.check.Severity, fmt.Sprintf("Statement %d of %s lets any identity of %s assume the role: it has no condition on %s:sub.", st.Index, s.label, host, host)
				if strings.EqualFold(host, githubActions) {
					sev = Critical
					msg = fmt.Sprintf("Statement %d of %s lets a GitHub Actions workflow of any repository assume the role: it has no condition on %s:sub (such as repo:ORG/REPO:ref:refs/heads/main).", st.Index, s.label, host)
				}
				a.addAt(sev, s.resource, msg, ev)
			}
		}
	}
}

// audiences describes the client IDs of the account's provider with this ARN.
func (a *auditor) audiences(providerARN string) string {
	for _, p := range a.s.OIDCProviders {
		if strings.EqualFold(p.ARN, providerARN) {
			return "; provider client IDs: " + strings.Join(p.ClientIDs, ", ")
		}
	}
	return ""
}
