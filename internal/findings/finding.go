package findings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/policy"
)

// Severity ranks findings; the zero value is no severity.
type Severity uint8

// The severities, lowest first (Security Hub's scale).
const (
	Info Severity = iota + 1
	Low
	Medium
	High
	Critical
)

var severityNames = []string{"", "info", "low", "medium", "high", "critical"}

// String returns the severity's name in lower case, "critical".
func (s Severity) String() string {
	if int(s) < len(severityNames) && s > 0 {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// MarshalText writes the severity as its name, so JSON shows "high".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads a severity's name, ignoring case.
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames[1:] {
		if strings.EqualFold(name, n) {
			return Severity(i + 1), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want critical, high, medium, low or info)", name)
}

// The finding codes. Each is produced by one check (see Checks).
const (
	CodeRootAccessKeys         = "ROOT_ACCESS_KEYS"
	CodeRootNoMFA              = "ROOT_NO_MFA"
	CodeRootUsedRecently       = "ROOT_USED_RECENTLY"
	CodeUserConsoleNoMFA       = "USER_CONSOLE_NO_MFA"
	CodeAccessKeyNotRotated    = "ACCESS_KEY_NOT_ROTATED"
	CodeUserTwoActiveKeys      = "USER_TWO_ACTIVE_KEYS"
	CodeUserDirectPolicy       = "USER_DIRECT_POLICY"
	CodeInlineOnlyPolicies     = "INLINE_ONLY_POLICIES"
	CodeStarStarGrant          = "STAR_STAR_GRANT"
	CodePassRoleStar           = "PASSROLE_STAR"
	CodePermissionsMgmtBroad   = "PERMISSIONS_MANAGEMENT_BROAD"
	CodeCrossAccountNoExtID    = "CROSS_ACCOUNT_TRUST_NO_EXTERNAL_ID"
	CodeOIDCTrustNoSub         = "OIDC_TRUST_NO_SUB"
	CodeForAllValuesAbsentKey  = "FORALLVALUES_ALLOW_ABSENT_KEY"
	CodeForAllValuesSingleKey  = "FORALLVALUES_SINGLE_VALUED_KEY"
	CodeWeakPasswordPolicy     = "WEAK_PASSWORD_POLICY"
	CodeUnusedIAMRole          = "UnusedIAMRole"
	CodeUnusedIAMUserAccessKey = "UnusedIAMUserAccessKey"
	CodeUnusedIAMUserPassword  = "UnusedIAMUserPassword"
	CodeUnusedPermission       = "UnusedPermission"
	CodeExternalAccess         = "EXTERNAL_ACCESS"
)

// Finding is one result of Audit.
type Finding struct {
	Code     string     `json:"code"`
	Severity Severity   `json:"severity"`
	Resource string     `json:"resource"` // the ARN of the root user, user, group, role or policy
	Message  string     `json:"message"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is what a finding rests on; only the fields that apply are set.
type Evidence struct {
	// Policy is a managed policy's ARN, "inline:NAME" for an inline policy, or "trust" for a
	// role's trust policy.
	Policy string `json:"policy,omitempty"`
	// Statement is the zero-based index of the statement in the policy.
	Statement *int   `json:"statement,omitempty"`
	Sid       string `json:"sid,omitempty"`
	// AccessKey is the key's ID (access_key_1 or access_key_2 for the root user's keys).
	AccessKey string     `json:"accessKey,omitempty"`
	Service   string     `json:"service,omitempty"`
	Actions   []string   `json:"actions,omitempty"`
	Created   *time.Time `json:"created,omitempty"`
	LastUsed  *time.Time `json:"lastUsed,omitempty"`
	Detail    string     `json:"detail,omitempty"`
}

// Check describes one check.
type Check struct {
	Code string
	// Severity is the check's severity; a few findings are raised above it (see the package doc).
	Severity Severity
	Title    string
	run      func(a *auditor)
}

// Checks returns every check, in the order Audit runs them.
func Checks() []Check {
	return []Check{
		{CodeRootAccessKeys, Critical, "root user with access keys", (*auditor).rootAccessKeys},
		{CodeRootNoMFA, Critical, "root user without MFA", (*auditor).rootNoMFA},
		{CodeRootUsedRecently, High, "root user used within the tracking period", (*auditor).rootUsedRecently},
		{CodeUserConsoleNoMFA, Medium, "console users without MFA", (*auditor).consoleNoMFA},
		{CodeAccessKeyNotRotated, Medium, "active access keys older than the tracking period", (*auditor).keysNotRotated},
		{CodeUnusedIAMUserAccessKey, Medium, "access keys unused for the tracking period", (*auditor).unusedKeys},
		{CodeUserTwoActiveKeys, Medium, "users with two active access keys", (*auditor).twoActiveKeys},
		{CodeUnusedIAMUserPassword, Medium, "console passwords unused for the tracking period", (*auditor).unusedPasswords},
		{CodeUserDirectPolicy, Low, "users with policies attached directly instead of through groups", (*auditor).directPolicies},
		{CodeInlineOnlyPolicies, Low, "users, groups and roles with inline policies only", (*auditor).inlineOnly},
		{CodeStarStarGrant, High, `policies allowing "*" on "*"`, (*auditor).starStar},
		{CodePassRoleStar, High, "iam:PassRole allowed on every role", (*auditor).passRoleStar},
		{CodePermissionsMgmtBroad, Medium, `"Permissions management" actions allowed on every resource`, (*auditor).permissionsManagement},
		{CodeCrossAccountNoExtID, High, "roles trusting other accounts without sts:ExternalId", (*auditor).crossAccountTrust},
		{CodeOIDCTrustNoSub, High, "roles trusting an OIDC provider without a sub condition", (*auditor).oidcTrust},
		{CodeExternalAccess, Medium, "roles others can assume: other accounts, the public, identity providers (package exposure)", (*auditor).externalAccess},
		{CodeForAllValuesAbsentKey, Medium, "ForAllValues in Allow statements on keys that may be absent", (*auditor).forAllValuesAbsent},
		{CodeForAllValuesSingleKey, Medium, "ForAllValues with single-valued keys", (*auditor).forAllValuesSingle},
		{CodeWeakPasswordPolicy, Medium, "password policy absent or below CIS", (*auditor).weakPasswordPolicy},
		{CodeUnusedIAMRole, Low, "roles unused for the tracking period", (*auditor).unusedRoles},
		{CodeUnusedPermission, Low, "services and actions unused for the tracking period", (*auditor).unusedPermissions},
	}
}

// Options are the parameters of an audit.
type Options struct {
	// Now is the time the audit is run at.
	Now time.Time
	// Days is the tracking period: keys older than this, and roles, keys, passwords and
	// permissions unused for this long, are reported. 0 means 90.
	Days int
	// Catalog expands action patterns and gives access levels (usually from internal/catalog);
	// checks that need a missing function find nothing.
	Catalog policy.Catalog
	// Only, when not empty, names the codes of the checks to run.
	Only []string
}

// auditor is one run of the checks.
type auditor struct {
	s     *Snapshot
	o     Options
	since time.Time // Now minus Days
	out   []Finding
	check *Check
	docs  map[string]*policy.Document // parsed documents by kind and text
	lints map[string][]policy.Finding // policy.Lint's findings by kind and text
	// starStmts are the statements STAR_STAR_GRANT covers ("policy\x00index" by source key).
	starStmts map[string]bool
}

// Audit runs the checks over the snapshot and returns the findings sorted by severity (highest
// first), code, resource and evidence. Policies that do not parse are skipped.
func Audit(s *Snapshot, o Options) []Finding {
	if o.Days <= 0 {
		o.Days = 90
	}
	a := &auditor{s: s, o: o, since: o.Now.AddDate(0, 0, -o.Days), docs: map[string]*policy.Document{},
		lints: map[string][]policy.Finding{}}
	a.markStarStar()
	for _, c := range Checks() {
		if len(o.Only) > 0 && !slices.ContainsFunc(o.Only, func(code string) bool { return strings.EqualFold(code, c.Code) }) {
			continue
		}
		a.check = &c
		c.run(a)
	}
	slices.SortStableFunc(a.out, func(x, y Finding) int {
		return cmp.Or(cmp.Compare(y.Severity, x.Severity), strings.Compare(x.Code, y.Code),
			strings.Compare(x.Resource, y.Resource), strings.Compare(evidenceKey(x.Evidence), evidenceKey(y.Evidence)))
	})
	return a.out
}

func evidenceKey(ev []Evidence) string {
	var b strings.Builder
	for _, e := range ev {
		st := -1
		if e.Statement != nil {
			st = *e.Statement
		}
		fmt.Fprintf(&b, "%s\x00%06d\x00%s\x00%s\x00", e.Policy, st, e.AccessKey, e.Service)
	}
	return b.String()
}

// add records a finding of the running check at its severity.
func (a *auditor) add(resource, msg string, ev ...Evidence) {
	a.addAt(a.check.Severity, resource, msg, ev...)
}

func (a *auditor) addAt(sev Severity, resource, msg string, ev ...Evidence) {
	a.out = append(a.out, Finding{Code: a.check.Code, Severity: sev, Resource: resource, Message: msg, Evidence: ev})
}

// KnownCode reports whether code (ignoring case) is one of Checks' codes.
func KnownCode(code string) bool {
	return slices.ContainsFunc(Checks(), func(c Check) bool { return strings.EqualFold(c.Code, code) })
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func intPtr(i int) *int { return &i }

// days formats how long ago t was, relative to now, in whole days.
func (a *auditor) ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := int(a.o.Now.Sub(t).Hours() / 24)
	return fmt.Sprintf("%d days ago", d)
}
