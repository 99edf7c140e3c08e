package findings

import (
	"fmt"
	"strings"

	"github.com/iamd-dev/iamd/internal/exposure"
	"github.com/iamd-dev/iamd/internal/policy"
)

// externalAccess reports what package exposure finds in each role trust policy: who outside
// the account can assume the role, with a request the policy engine allows (the witness).
// Exposure's severities carry over. Service principals are left out, as IAM Access Analyzer
// leaves them out: a service assumes a role only for the account that passed it (iam:PassRole),
// and every service role would otherwise be reported.
func (a *auditor) externalAccess() {
	for _, s := range a.trustSources() {
		fs, err := exposure.Analyze(s.text, policy.Trust, a.s.Account)
		if err != nil {
			continue
		}
		for _, f := range fs {
			if f.Access == exposure.Service {
				continue
			}
			sev, err := ParseSeverity(string(f.Severity))
			if err != nil {
				sev = a.check.Severity
			}
			w := f.Witness
			who := w.Principal
			if who == "" {
				who = w.PrincipalType
			}
			ev := Evidence{Policy: s.policy, Statement: intPtr(f.Statement), Sid: f.Sid, Actions: f.Actions,
				Detail: fmt.Sprintf("%s access by %s (principal entry %s); witness: %s %s calling %s", f.Access, f.External, f.Principal, w.PrincipalType, who, w.Action)}
			a.addAt(sev, s.resource, fmt.Sprintf("In %s: %s.", s.label, strings.TrimSuffix(f.Reason, ".")), ev)
		}
	}
}
