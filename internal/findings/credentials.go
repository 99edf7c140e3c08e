package findings

import (
	"fmt"
	"strings"
	"time"
)

// Checks of the root user's and the users' credentials, from the credential report.

func keyEvidence(k AccessKey) Evidence {
	e := Evidence{AccessKey: k.ID, Created: timePtr(k.Created), LastUsed: timePtr(k.LastUsed)}
	if !k.Active {
		e.Detail = "inactive"
	}
	return e
}

func (a *auditor) rootAccessKeys() {
	if len(a.s.Root.AccessKeys) == 0 {
		return
	}
	var ev []Evidence
	for _, k := range a.s.Root.AccessKeys {
		ev = append(ev, keyEvidence(k))
	}
	a.add(a.s.Root.ARN, fmt.Sprintf("The root user has %d access key(s); delete them and use IAM roles or users instead.", len(ev)), ev...)
}

func (a *auditor) rootNoMFA() {
	if !a.s.Root.MFA {
		a.add(a.s.Root.ARN, "The root user has no MFA device.")
	}
}

// recent reports whether t is within the tracking period.
func (a *auditor) recent(t time.Time) bool { return !t.IsZero() && !t.Before(a.since) }

func (a *auditor) rootUsedRecently() {
	var ev []Evidence
	if a.recent(a.s.Root.PasswordLastUsed) {
		ev = append(ev, Evidence{Detail: "password", LastUsed: timePtr(a.s.Root.PasswordLastUsed)})
	}
	for _, k := range a.s.Root.AccessKeys {
		if a.recent(k.LastUsed) {
			ev = append(ev, keyEvidence(k))
		}
	}
	if len(ev) > 0 {
		a.add(a.s.Root.ARN, fmt.Sprintf("The root user was used in the last %d days; use it only for the tasks that require it.", a.o.Days), ev...)
	}
}

func (a *auditor) consoleNoMFA() {
	for _, u := range a.s.Users {
		if u.Password != nil && !u.MFA {
			a.add(u.ARN, fmt.Sprintf("User %s has a console password and no MFA device.", u.Name),
				Evidence{Detail: "password", LastUsed: timePtr(u.Password.LastUsed)})
		}
	}
}

func (a *auditor) keysNotRotated() {
	for _, u := range a.s.Users {
		for _, k := range u.AccessKeys {
			if k.Active && !k.Created.IsZero() && k.Created.Before(a.since) {
				a.add(u.ARN, fmt.Sprintf("User %s's access key %s was created %s; rotate keys at least every %d days.", u.Name, k.ID, a.ago(k.Created), a.o.Days), keyEvidence(k))
			}
		}
	}
}

// unusedKeys reports active keys that existed for the whole period and were not used in it.
func (a *auditor) unusedKeys() {
	for _, u := range a.s.Users {
		for _, k := range u.AccessKeys {
			if k.Active && !k.Created.IsZero() && k.Created.Before(a.since) && !a.recent(k.LastUsed) {
				a.add(u.ARN, fmt.Sprintf("User %s's access key %s was last used: %s.", u.Name, k.ID, a.ago(k.LastUsed)), keyEvidence(k))
			}
		}
	}
}

func (a *auditor) twoActiveKeys() {
	for _, u := range a.s.Users {
		var ev []Evidence
		for _, k := range u.AccessKeys {
			if k.Active {
				ev = append(ev, keyEvidence(k))
			}
		}
		if len(ev) > 1 {
			a.add(u.ARN, fmt.Sprintf("User %s has %d active access keys; keep one, except while rotating.", u.Name, len(ev)), ev...)
		}
	}
}

// unusedPasswords reports passwords set before the period and not used in it. A user created
// within the period is not judged, even if the password's date is missing.
func (a *auditor) unusedPasswords() {
	for _, u := range a.s.Users {
		p := u.Password
		if p == nil {
			continue
		}
		set := p.Changed
		if set.IsZero() {
			set = u.Created
		}
		if set.IsZero() || !set.Before(a.since) || a.recent(p.LastUsed) {
			continue
		}
		a.add(u.ARN, fmt.Sprintf("User %s's console password was last used: %s.", u.Name, a.ago(p.LastUsed)),
			Evidence{Detail: "password", Created: timePtr(p.Changed), LastUsed: timePtr(p.LastUsed)})
	}
}

// weakPasswordPolicy compares the policy with CIS AWS Foundations Benchmark v1.2.0, 1.5-1.11.
func (a *auditor) weakPasswordPolicy() {
	resource := "arn:aws:iam::" + a.s.Account + ":root"
	if a.s.Root.ARN != "" {
		resource = a.s.Root.ARN
	}
	p := a.s.PasswordPolicy
	if p == nil {
		a.add(resource, "The account has no password policy; IAM's default allows 8-character passwords that never expire.",
			Evidence{Detail: "no password policy"})
		return
	}
	var failed []string
	for _, c := range []struct {
		ok   bool
		what string
	}{
		{p.RequireUppercase, "CIS 1.5: require at least one uppercase letter"},
		{p.RequireLowercase, "CIS 1.6: require at least one lowercase letter"},
		{p.RequireSymbols, "CIS 1.7: require at least one symbol"},
		{p.RequireNumbers, "CIS 1.8: require at least one number"},
		{p.MinimumLength >= 14, fmt.Sprintf("CIS 1.9: minimum length 14 or more (is %d)", p.MinimumLength)},
		{p.ReusePrevention >= 24, fmt.Sprintf("CIS 1.10: prevent reuse of the last 24 passwords (is %d)", p.ReusePrevention)},
		{p.MaxAge > 0 && p.MaxAge <= 90, fmt.Sprintf("CIS 1.11: expire passwords within 90 days (is %s)", maxAge(p.MaxAge))},
	} {
		if !c.ok {
			failed = append(failed, c.what)
		}
	}
	if len(failed) == 0 {
		return
	}
	ev := make([]Evidence, len(failed))
	for i, f := range failed {
		ev[i] = Evidence{Detail: f}
	}
	a.add(resource, fmt.Sprintf("The password policy is below the CIS benchmark on %d point(s): %s.", len(failed), strings.Join(failed, "; ")), ev...)
}

func maxAge(d int) string {
	if d <= 0 {
		return "never"
	}
	return fmt.Sprintf("%d days", d)
}
