package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/exposure"
	"github.com/iamd-dev/iamd/internal/policy"
)

// policyExplainUsage is the usage of `iamd policy explain`.
const policyExplainUsage = `  iamd policy explain [--type KIND] [--account ACCT] [--json] FILE
      every statement expanded through the AWS action catalog to the actions it allows or
      denies, with their access level; counts per service and level, totals; what is
      dangerous (all actions, NotAction with Allow, Permissions management, iam:PassRole or
      sts:AssumeRole on every resource, wide data reads, privilege-escalation actions); and for
      trust and resource policies the external and public access findings, each with a witness
      request the policy engine allows. ACCT is the account owning the policy (default: none,
      so every account the policy names counts as external). --json prints one JSON object.
`

// noAccount stands for "account not given": an account no policy names.
const noAccount = "000000000000"

// policyExplain runs `iamd policy explain`.
func policyExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("iamd policy explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kindName := fs.String("type", "identity", "policy type: identity, resource, trust, boundary, session, scp or rcp")
	account := fs.String("account", "", "12-digit ID of the account that owns the policy")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	kind, text, err := policyInput(fs, *kindName, stdin)
	if err != nil {
		return err
	}
	if a := *account; a != "" && (len(a) != 12 || strings.Trim(a, "0123456789") != "") {
		return fmt.Errorf("policy: explain: --account %q is not a 12-digit account ID", a)
	}
	r, err := explainPolicy(text, kind, *account)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("policy: explain: write: %w", err)
		}
		return nil
	}
	r.writeText(stdout)
	return nil
}

// The JSON shape of `iamd policy explain --json`.
type (
	explainReport struct {
		Kind       string             `json:"kind"`
		Account    string             `json:"account,omitempty"`
		Statements []explainStatement `json:"statements"`
		// Services counts the catalog actions per effect and service; Totals per effect.
		Services []explainCount      `json:"services"`
		Totals   []explainCount      `json:"totals"`
		Dangers  []explainDanger     `json:"dangers"`
		Exposure []exposure.Finding  `json:"exposure"`
		levels   func(string) string // action → access level
	}
	explainStatement struct {
		Index       int                  `json:"index"`
		Sid         string               `json:"sid,omitempty"`
		Effect      string               `json:"effect"`
		NotAction   bool                 `json:"notAction,omitempty"`
		Patterns    []string             `json:"patterns"`
		NotResource bool                 `json:"notResource,omitempty"`
		Resources   []string             `json:"resources,omitempty"`
		Conditions  []exposure.Condition `json:"conditions,omitempty"`
		Total       int                  `json:"total"`
		Levels      map[string]int       `json:"levels"`
		Actions     []explainAction      `json:"actions"`
	}
	explainAction struct {
		Action string `json:"action"`
		Level  string `json:"level"`
	}
	explainCount struct {
		Effect  string         `json:"effect"`
		Service string         `json:"service,omitempty"`
		Total   int            `json:"total"`
		Levels  map[string]int `json:"levels"`
	}
	// explainDanger is one dangerous grant; Statement is -1 for a combination across statements.
	explainDanger struct {
		Statement int      `json:"statement"`
		Code      string   `json:"code"`
		Severity  string   `json:"severity"`
		Message   string   `json:"message"`
		Actions   []string `json:"actions,omitempty"`
	}
)

// unknownLevel names the level of actions the catalog gives none.
const unknownLevel = "Unknown"

func explainPolicy(text string, kind policy.Kind, account string) (*explainReport, error) {
	doc, err := policy.Parse(text, kind)
	if err != nil {
		return nil, fmt.Errorf("policy: explain: %w", err)
	}
	cat, err := lintCatalog()
	if err != nil {
		return nil, err
	}
	r := &explainReport{Kind: kind.String(), Account: account, Statements: []explainStatement{}, Dangers: []explainDanger{}, Exposure: []exposure.Finding{}}
	r.levels = func(a string) string {
		if l, ok := cat.AccessLevel(a); ok {
			return l
		}
		return unknownLevel
	}
	sums := policy.Summarize(doc, cat)
	for i, s := range sums {
		st := &doc.Statements[i]
		es := explainStatement{
			Index: s.Statement, Sid: s.Sid, Effect: s.Effect.String(), NotAction: st.NotAction != nil,
			Patterns: st.Action, NotResource: st.NotResource != nil, Resources: st.Resource,
			Total: len(s.Actions), Levels: map[string]int{}, Actions: make([]explainAction, 0, len(s.Actions)),
		}
		if es.NotAction {
			es.Patterns = st.NotAction
		}
		if es.NotResource {
			es.Resources = st.NotResource
		}
		for _, c := range st.Conditions {
			es.Conditions = append(es.Conditions, exposure.Condition{Operator: c.Operator, Key: c.Key, Values: c.Values})
		}
		for _, a := range s.Actions {
			l := r.levels(a)
			es.Levels[l]++
			es.Actions = append(es.Actions, explainAction{Action: a, Level: l})
		}
		r.Statements = append(r.Statements, es)
	}
	r.count()
	r.Dangers = dangers(doc, kind, sums, r.levels)
	if kind == policy.Trust || kind == policy.Resource {
		acct := account
		if acct == "" {
			acct = noAccount
		}
		f, err := exposure.Analyze(text, kind, acct)
		if err != nil {
			return nil, fmt.Errorf("policy: explain: %w", err)
		}
		if f != nil {
			r.Exposure = f
		}
	}
	return r, nil
}

// count fills Services and Totals: distinct actions per effect (and service), by level.
func (r *explainReport) count() {
	type key struct{ effect, service string }
	seen := map[key]map[string]bool{}
	for _, s := range r.Statements {
		for _, a := range s.Actions {
			svc, _, _ := strings.Cut(strings.ToLower(a.Action), ":")
			for _, k := range []key{{s.Effect, svc}, {s.Effect, ""}} {
				if seen[k] == nil {
					seen[k] = map[string]bool{}
				}
				seen[k][a.Action] = true
			}
		}
	}
	keys := make([]key, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].effect != keys[j].effect {
			return keys[i].effect < keys[j].effect // Allow before Deny
		}
		return keys[i].service < keys[j].service
	})
	r.Services, r.Totals = []explainCount{}, []explainCount{}
	for _, k := range keys {
		c := explainCount{Effect: k.effect, Service: k.service, Total: len(seen[k]), Levels: map[string]int{}}
		for a := range seen[k] {
			c.Levels[r.levels(a)]++
		}
		if k.service == "" {
			r.Totals = append(r.Totals, c)
		} else {
			r.Services = append(r.Services, c)
		}
	}
}

// Privilege escalation: the methods of Rhino Security Labs, "AWS IAM Privilege Escalation –
// Methods and Mitigation" (Spencer Gietzen, 2018,
// https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/), numbered 1 to
// 21 there. escalationActions are the methods that need one action; escalationCombos those
// that need iam:PassRole with other actions.
var (
	escalationActions = []string{
		"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:CreateAccessKey",
		"iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AttachUserPolicy",
		"iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
		"iam:PutRolePolicy", "iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy",
		"lambda:UpdateFunctionCode", "glue:UpdateDevEndpoint",
	}
	escalationCombos = [][]string{
		{"iam:PassRole", "ec2:RunInstances"},
		{"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"},
		{"iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"},
		{"iam:PassRole", "glue:CreateDevEndpoint"},
		{"iam:PassRole", "cloudformation:CreateStack"},
		{"iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"},
	}
	// selfCredentials are escalation actions that only escalate when aimed at another user.
	selfCredentials = map[string]bool{"iam:CreateAccessKey": true, "iam:CreateLoginProfile": true, "iam:UpdateLoginProfile": true}
	// wideReads are reads that copy data out when granted on every resource.
	wideReads = []string{
		"s3:GetObject", "s3:GetObjectVersion", "secretsmanager:GetSecretValue", "ssm:GetParameter",
		"ssm:GetParameters", "ssm:GetParametersByPath", "kms:Decrypt", "dynamodb:Scan",
		"dynamodb:Query",
	}
)

// dangers marks what a policy allows that deserves a second look. Actions that an
// unconditional Deny on every resource removes are not counted.
func dangers(doc *policy.Document, kind policy.Kind, sums []policy.StatementLevels, level func(string) string) []explainDanger {
	denied := map[string]bool{}
	for i, st := range doc.Statements {
		everyone := st.Principal == nil || st.Principal.Wildcard || slices.Contains(st.Principal.AWS, "*")
		if st.Effect == policy.Deny && len(st.Conditions) == 0 && everyone && st.NotPrincipal == nil && slices.Contains(st.Resource, "*") {
			for _, a := range sums[i].Actions {
				denied[strings.ToLower(a)] = true
			}
		}
	}
	out := []explainDanger{}
	allowed := map[string]bool{} // every action any Allow statement grants, lower-case
	allActions := false          // some statement allows (nearly) everything: the combinations add nothing
	for i, st := range doc.Statements {
		if st.Effect != policy.Allow {
			continue
		}
		acts := map[string]string{}
		for _, a := range sums[i].Actions {
			if l := strings.ToLower(a); !denied[l] {
				acts[l] = a
				allowed[l] = true
			}
		}
		if len(acts) == 0 {
			continue
		}
		wide := wideResource(&st, kind)
		on := ""
		if wide {
			on = " on every resource"
		}
		add := func(code, sev, msg string, actions []string) {
			out = append(out, explainDanger{Statement: st.Index, Code: code, Severity: sev, Message: msg, Actions: actions})
		}
		if slices.Contains(st.Action, "*") || slices.Contains(st.Action, "*:*") {
			allActions = true
			add("ALL_ACTIONS", "high", "allows every action (*:*)"+on, nil)
		}
		if st.NotAction != nil {
			allActions = true
			sev := "medium"
			if wide {
				sev = "high"
			}
			add("ALLOW_NOT_ACTION", sev, "Allow with NotAction allows every action it does not list"+on+", including actions AWS adds later", nil)
		}
		var pm []string
		for _, a := range acts {
			if level(a) == "Permissions management" {
				pm = append(pm, a)
			}
		}
		if len(pm) > 0 {
			sort.Slice(pm, func(a, b int) bool { return strings.ToLower(pm[a]) < strings.ToLower(pm[b]) })
			sev := "medium"
			if wide {
				sev = "high"
			}
			add("PERMISSIONS_MANAGEMENT", sev, fmt.Sprintf("allows %d Permissions management action(s)%s: %s", len(pm), on, strings.Join(capList(pm, 5), ", ")), pm)
		}
		if wide && acts["iam:passrole"] != "" {
			add("PASSROLE_STAR", "high", "allows iam:PassRole on every role: any service can be given any role", []string{"iam:PassRole"})
		}
		if wide && acts["sts:assumerole"] != "" {
			add("ASSUME_ROLE_STAR", "high", "allows sts:AssumeRole on every role (limited only by the roles' trust policies)", []string{"sts:AssumeRole"})
		}
		if wide {
			if reads := present(acts, wideReads); len(reads) > 0 {
				add("WIDE_DATA_READ", "medium", "allows reading data from every resource: "+strings.Join(reads, ", "), reads)
			}
		}
		esc := present(acts, escalationActions)
		if selfOnly(&st) {
			// Credentials for the caller's own user (the IAM guide's "rotate your own access
			// keys" example) escalate nothing; the escalation is doing it to another user.
			esc = slices.DeleteFunc(esc, func(a string) bool { return selfCredentials[a] })
		}
		if len(esc) > 0 {
			add("PRIVILEGE_ESCALATION", "high", "allows actions that can grant their caller more permissions: "+strings.Join(capList(esc, 8), ", "), esc)
		}
	}
	if !allActions {
		for _, combo := range escalationCombos {
			if len(present(allowed, combo)) == len(combo) {
				out = append(out, explainDanger{
					Statement: -1, Code: "PRIVILEGE_ESCALATION", Severity: "high", Actions: combo,
					Message: "allows " + strings.Join(combo, " + ") + ": running code with a more privileged role",
				})
			}
		}
	}
	return out
}

// present returns those of names that set (lower-case keys) holds, as names spells them.
func present[V comparable](set map[string]V, names []string) []string {
	var zero V
	var out []string
	for _, n := range names {
		if v, ok := set[strings.ToLower(n)]; ok && v != zero {
			out = append(out, n)
		}
	}
	return out
}

func capList(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(append([]string(nil), l[:n]...), fmt.Sprintf("… %d more", len(l)-n))
}

// wideResource reports whether an identity-side statement covers every resource: NotResource,
// "*", or an ARN pattern whose resource part is only a wildcard ("arn:aws:s3:::*",
// "arn:aws:iam::*:role/*", but not "arn:aws:s3:::bucket/*"). In trust and resource policies "*" means the policy's own resource.
func wideResource(st *policy.Statement, kind policy.Kind) bool {
	if kind == policy.Trust || kind == policy.Resource {
		return false
	}
	if st.NotResource != nil {
		return true
	}
	for _, r := range st.Resource {
		if r == "*" {
			return true
		}
		a, err := arn.Parse(r)
		if err != nil {
			continue
		}
		// "TYPE/*" is every resource of a type, except in S3 where "bucket/*" is one bucket.
		typ, rest, _ := strings.Cut(a.Resource, "/")
		if a.Resource == "*" || typ == "*" || rest == "*" && !arn.HasWildcard(typ) && a.Service != "s3" {
			return true
		}
	}
	return false
}

// selfOnly reports whether every resource of st is the caller's own user (${aws:username}).
func selfOnly(st *policy.Statement) bool {
	if len(st.Resource) == 0 {
		return false
	}
	for _, r := range st.Resource {
		if !strings.HasSuffix(r, ":user/${aws:username}") {
			return false
		}
	}
	return true
}

// levelsText renders counts in the console's level order: "List 2, Read 5".
func levelsText(levels map[string]int) string {
	var parts []string
	for _, l := range append(append([]string(nil), accessLevels...), unknownLevel) {
		if n := levels[l]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Text output limits; --json has everything.
const (
	textActions  = 40
	textServices = 40
)

func (r *explainReport) writeText(w io.Writer) {
	fmt.Fprintf(w, "Policy kind: %s\n", r.Kind)
	for _, s := range r.Statements {
		sid := ""
		if s.Sid != "" {
			sid = " " + s.Sid
		}
		fmt.Fprintf(w, "\nStatement[%d]%s %s: %d actions (%s)\n", s.Index, sid, s.Effect, s.Total, levelsText(s.Levels))
		elem := "Action"
		if s.NotAction {
			elem = "NotAction"
		}
		fmt.Fprintf(w, "  %s: %s\n", elem, strings.Join(s.Patterns, ", "))
		if len(s.Resources) > 0 {
			elem = "Resource"
			if s.NotResource {
				elem = "NotResource"
			}
			fmt.Fprintf(w, "  %s: %s\n", elem, strings.Join(s.Resources, ", "))
		}
		for _, c := range s.Conditions {
			fmt.Fprintf(w, "  Condition: %s %s = %s\n", c.Operator, c.Key, strings.Join(c.Values, ", "))
		}
		for i, a := range s.Actions {
			if i == textActions {
				fmt.Fprintf(w, "    … %d more (--json lists them all)\n", len(s.Actions)-textActions)
				break
			}
			fmt.Fprintf(w, "    %-50s %s\n", a.Action, a.Level)
		}
	}
	fmt.Fprintln(w, "\nBy service:")
	services := r.Services
	if len(services) > textServices {
		services = services[:textServices]
	}
	for _, c := range services {
		fmt.Fprintf(w, "  %-5s %-28s %5d  %s\n", c.Effect, c.Service, c.Total, levelsText(c.Levels))
	}
	if n := len(r.Services) - len(services); n > 0 {
		fmt.Fprintf(w, "  … %d more services (--json lists them all)\n", n)
	}
	fmt.Fprintln(w, "\nTotals:")
	for _, c := range r.Totals {
		fmt.Fprintf(w, "  %-5s %5d actions  %s\n", c.Effect, c.Total, levelsText(c.Levels))
	}
	fmt.Fprintln(w, "\nDangerous:")
	if len(r.Dangers) == 0 {
		fmt.Fprintln(w, "  nothing")
	}
	for _, d := range r.Dangers {
		where := "policy"
		if d.Statement >= 0 {
			where = fmt.Sprintf("Statement[%d]", d.Statement)
		}
		fmt.Fprintf(w, "  [%s] %s %s: %s\n", d.Severity, where, d.Code, d.Message)
	}
	if r.Kind != policy.Trust.String() && r.Kind != policy.Resource.String() {
		return
	}
	fmt.Fprintln(w, "\nExternal access:")
	if r.Account == "" {
		fmt.Fprintln(w, "  (no --account: every account the policy names counts as external)")
	}
	if len(r.Exposure) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, f := range r.Exposure {
		fmt.Fprintf(w, "  [%s] %s: %s (Principal %s)\n    %s\n", f.Severity, f.Access, f.External, f.Principal, f.Reason)
		wt := f.Witness
		who := wt.PrincipalType
		if wt.Principal != "" {
			who += " " + wt.Principal
		}
		fmt.Fprintf(w, "    witness: %s calls %s on %s", who, wt.Action, wt.Resource)
		if wt.CallerPolicy {
			fmt.Fprint(w, " (its own account allowing it)")
		}
		fmt.Fprintln(w)
		keys := make([]string, 0, len(wt.Context))
		for k := range wt.Context {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "      %s = %s\n", k, strings.Join(wt.Context[k], ", "))
		}
	}
}
