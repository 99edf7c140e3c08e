package exposure

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/policy"
	"github.com/iamd-dev/iamd/internal/policy/condition"
)

// Search bounds: how many values are tried per condition key, and how many contexts per
// (caller, action, resource).
const (
	maxValuesPerKey = 8
	maxContexts     = 256
)

// search looks for a confirmed witness of party p in statement st and turns the first one into
// a finding.
func (a *analysis) search(st *policy.Statement, p party) (Finding, bool) {
	keys := a.keyOptions(st)
	for _, caller := range p.cands {
		derived := a.derived(caller)
		iamCaller := caller.Type != policy.PrincipalAnonymous && caller.Type != policy.PrincipalService && caller.Type != policy.PrincipalFederated
		opts, ok := filterOptions(st, keys, derived, a.doc.Version == "2012-10-17", iamCaller)
		if !ok {
			continue
		}
		for _, act := range a.actions(st, caller) {
			for _, res := range a.resources(st) {
				var found Finding
				hit := false
				enumerate(opts, derived, func(ctx map[string][]string) bool {
					w := Witness{
						PrincipalType: caller.Type.String(), Principal: caller.ARN, Account: caller.Account,
						SourceARN: caller.SourceARN, Action: act, Resource: res, ResourceAccount: a.account,
						Context:      ctx,
						CallerPolicy: caller.Type == policy.PrincipalUser || caller.Type == policy.PrincipalRoleSession || caller.Type == policy.PrincipalFederatedUser,
					}
					if !a.confirmed(st, &w) {
						return false
					}
					f, err := a.classify(st, p, w)
					if err != nil {
						return false
					}
					found, hit = f, true
					return true
				})
				if hit {
					return found, true
				}
			}
		}
	}
	return Finding{}, false
}

// confirmed reports whether the engine allows the witness's request by statement st.
func (a *analysis) confirmed(st *policy.Statement, w *Witness) bool {
	tr := policy.Explain(w.Input(a.compiled))
	if !tr.Decision.Allowed() {
		return false
	}
	for _, m := range tr.Matched {
		if m.Policy.Kind == a.kind && m.Index == st.Index && m.Effect == policy.Allow {
			return true
		}
	}
	return false
}

// derivedKeys are the condition keys that describe the caller: they follow from the candidate
// principal and are never chosen freely.
var derivedKeys = map[string]string{
	"aws:principalaccount":          "aws:PrincipalAccount",
	"aws:principalarn":              "aws:PrincipalArn",
	"aws:principaltype":             "aws:PrincipalType",
	"aws:userid":                    "aws:userid",
	"aws:username":                  "aws:username",
	"aws:principalisawsservice":     "aws:PrincipalIsAWSService",
	"aws:principalservicename":      "aws:PrincipalServiceName",
	"aws:principalservicenameslist": "aws:PrincipalServiceNamesList",
}

// derived returns the caller-describing keys of caller that the policy uses.
func (a *analysis) derived(c policy.PrincipalInfo) map[string][]string {
	m := map[string]string{}
	switch c.Type {
	case policy.PrincipalAnonymous:
		m["aws:principaltype"] = "Anonymous"
	case policy.PrincipalRoot:
		m["aws:principalaccount"], m["aws:principalarn"], m["aws:principaltype"], m["aws:userid"] = c.Account, c.ARN, "Account", c.Account
	case policy.PrincipalUser:
		m["aws:principalaccount"], m["aws:principalarn"], m["aws:principaltype"] = c.Account, c.ARN, "User"
		m["aws:userid"], m["aws:username"] = "AIDAWITNESSEXAMPLE", c.ARN[strings.LastIndexByte(c.ARN, '/')+1:]
	case policy.PrincipalRoleSession:
		m["aws:principalaccount"], m["aws:principalarn"], m["aws:principaltype"] = c.Account, c.SourceARN, "AssumedRole"
		m["aws:userid"] = "AROAWITNESSEXAMPLE:" + c.ARN[strings.LastIndexByte(c.ARN, '/')+1:]
	case policy.PrincipalFederatedUser:
		m["aws:principalaccount"], m["aws:principalarn"], m["aws:principaltype"] = c.Account, c.ARN, "FederatedUser"
		m["aws:userid"] = c.Account + ":" + c.ARN[strings.LastIndexByte(c.ARN, '/')+1:]
	case policy.PrincipalService:
		m["aws:principalisawsservice"], m["aws:principalservicename"] = "true", c.ARN
		m["aws:principalservicenameslist"] = c.ARN
	}
	if c.Type != policy.PrincipalService && c.Type != policy.PrincipalFederated && c.Type != policy.PrincipalAnonymous {
		m["aws:principalisawsservice"] = "false"
	}
	out := map[string][]string{}
	for k, v := range m {
		if strings.Contains(a.text, k) {
			out[derivedKeys[k]] = []string{v}
		}
	}
	return out
}

// option is one candidate value of a condition key: absent, or present with these values.
type option struct {
	present bool
	vals    []string
}

func (o option) id() string {
	if !o.present {
		return "\x00"
	}
	return strings.Join(o.vals, "\x00") + "\x01"
}

// keyOpts is a condition key (as the policy first spells it) and its candidate values.
type keyOpts struct {
	key, lower string
	opts       []option
}

// keyOptions collects, for every condition key of the policy that is not derived from the
// caller, candidate values: those of st's own clauses first (likely to satisfy them), then the
// other statements' (likely to escape a Deny), then absent.
func (a *analysis) keyOptions(st *policy.Statement) []keyOpts {
	var out []keyOpts
	idx := map[string]int{}
	seen := map[string]map[string]bool{}
	add := func(c policy.Condition) {
		lk := strings.ToLower(c.Key)
		if _, ok := derivedKeys[lk]; ok {
			return
		}
		i, ok := idx[lk]
		if !ok {
			i = len(out)
			idx[lk] = i
			out = append(out, keyOpts{key: c.Key, lower: lk})
			seen[lk] = map[string]bool{}
		}
		for _, o := range clauseOptions(c, a.fresh) {
			if id := o.id(); !seen[lk][id] {
				seen[lk][id] = true
				out[i].opts = append(out[i].opts, o)
			}
		}
	}
	for _, c := range st.Conditions {
		add(c)
	}
	for i := range a.doc.Statements {
		if i != st.Index {
			for _, c := range a.doc.Statements[i].Conditions {
				add(c)
			}
		}
	}
	for i := range out {
		if !seen[out[i].lower]["\x00"] {
			out[i].opts = append(out[i].opts, option{})
		}
	}
	return out
}

// clauseOptions proposes values for a clause's key that satisfy it or its negation.
func clauseOptions(c policy.Condition, fresh string) []option {
	op := c.Operator
	if _, rest, ok := strings.Cut(op, ":"); ok {
		op = rest
	}
	op = strings.TrimSuffix(op, "IfExists")
	var vals []string
	one := func(v string) { vals = append(vals, v) }
	switch {
	case strings.HasPrefix(op, "String") || strings.HasPrefix(op, "Arn"):
		for _, v := range c.Values {
			if strings.HasPrefix(v, "arn:") {
				one(concreteARN(v, fresh))
			} else {
				one(fill(v))
			}
			if arn.HasWildcard(v) {
				one(strings.NewReplacer("*", "", "?", "x").Replace(v))
			}
		}
		one("witness")
	case strings.HasPrefix(op, "Numeric"):
		for _, v := range c.Values {
			one(v)
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				one(strconv.FormatFloat(f+1, 'f', -1, 64))
				one(strconv.FormatFloat(f-1, 'f', -1, 64))
			}
		}
	case strings.HasPrefix(op, "Date"):
		for _, v := range c.Values {
			one(v)
			if t, ok := parseDate(v); ok {
				one(t.Add(24 * time.Hour).UTC().Format(time.RFC3339))
				one(t.Add(-24 * time.Hour).UTC().Format(time.RFC3339))
			}
		}
	case op == "Bool":
		one("true")
		one("false")
	case op == "BinaryEquals":
		vals = append(vals, c.Values...)
	case op == "IpAddress" || op == "NotIpAddress":
		for _, v := range c.Values {
			if p, err := netip.ParsePrefix(v); err == nil {
				one(p.Masked().Addr().Next().String())
			} else if ad, err := netip.ParseAddr(v); err == nil {
				one(ad.String())
			}
		}
		one("192.0.2.10")
	case op == "Null":
		one("witness")
		return append(toOptions(vals), option{})
	}
	return toOptions(vals)
}

func toOptions(vals []string) []option {
	out := make([]option, 0, len(vals))
	for _, v := range vals {
		out = append(out, option{present: true, vals: []string{v}})
	}
	return out
}

// parseDate reads the date forms AWS accepts in Date conditions.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

// filterOptions keeps, per key, the options that satisfy every clause of st on that key
// (evaluated with the caller's derived keys for policy variables). Keys that only IAM
// principals have (organization, principal tags) stay absent unless iamCaller. ok is false
// when some key has none left: no context can satisfy st for this caller.
func filterOptions(st *policy.Statement, keys []keyOpts, derived map[string][]string, variables, iamCaller bool) ([]keyOpts, bool) {
	ctx := condition.NewMap(derived)
	clauses := map[string][]*condition.Clause{}
	for _, c := range st.Conditions {
		cl, err := condition.Compile(c.Operator, c.Key, c.Values, condition.Options{Variables: variables})
		if err != nil {
			return nil, false // a broken statement never allows
		}
		clauses[cl.LowerKey()] = append(clauses[cl.LowerKey()], cl)
	}
	out := make([]keyOpts, 0, len(keys))
	for _, k := range keys {
		kept := keyOpts{key: k.key, lower: k.lower}
		for _, o := range k.opts {
			if o.present && !iamCaller && iamOnly(k.lower) {
				continue
			}
			ok := true
			for _, cl := range clauses[k.lower] {
				if !cl.EvalValues(o.vals, o.present, ctx).Match {
					ok = false
					break
				}
			}
			if ok && len(kept.opts) < maxValuesPerKey {
				kept.opts = append(kept.opts, o)
			}
		}
		if len(kept.opts) == 0 {
			return nil, false
		}
		out = append(out, kept)
	}
	return out, true
}

// iamOnly reports whether a key describes an IAM principal's organization or tags, which
// anonymous, service and web identity callers do not have.
func iamOnly(lowerKey string) bool {
	return strings.HasPrefix(lowerKey, "aws:principalorg") || strings.HasPrefix(lowerKey, "aws:principaltag/")
}

// enumerate calls try with up to maxContexts contexts, the combinations of the keys' options in
// order (the first option of every key first), until try returns true.
func enumerate(keys []keyOpts, derived map[string][]string, try func(map[string][]string) bool) {
	pos := make([]int, len(keys))
	for n := 0; n < maxContexts; n++ {
		ctx := make(map[string][]string, len(derived)+len(keys))
		for k, v := range derived {
			ctx[k] = v
		}
		for i, k := range keys {
			if o := k.opts[pos[i]]; o.present {
				ctx[k.key] = o.vals
			}
		}
		if len(ctx) == 0 {
			ctx = nil
		}
		if try(ctx) {
			return
		}
		i := len(keys) - 1
		for ; i >= 0; i-- {
			if pos[i]++; pos[i] < len(keys[i].opts) {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// sampleActions are concrete actions tried for wildcard Action patterns and for NotAction.
var sampleActions = []string{
	"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML",
	"s3:GetObject", "s3:ListBucket", "s3:PutObject", "sqs:SendMessage", "sns:Publish",
	"kms:Decrypt", "lambda:InvokeFunction", "secretsmanager:GetSecretValue",
	"ecr:BatchGetImage", "logs:PutLogEvents", "events:PutEvents",
}

// actions returns up to three concrete actions the statement allows, preferring the STS action
// that the caller type uses.
func (a *analysis) actions(st *policy.Statement, c policy.PrincipalInfo) []string {
	samples := sampleActions
	if c.Type == policy.PrincipalFederated {
		first := "sts:AssumeRoleWithWebIdentity"
		if strings.Contains(c.ARN, ":saml-provider/") {
			first = "sts:AssumeRoleWithSAML"
		}
		samples = append([]string{first}, sampleActions...)
	}
	var out []string
	add := func(s string) {
		for _, x := range out {
			if strings.EqualFold(x, s) {
				return
			}
		}
		if len(out) < 3 {
			out = append(out, s)
		}
	}
	if st.NotAction != nil {
		for _, s := range samples {
			excluded := false
			for _, p := range st.NotAction {
				excluded = excluded || arn.GlobFold(p, s)
			}
			if !excluded {
				add(s)
			}
		}
		add("witness:Witness")
		return out
	}
	for _, p := range st.Action {
		matched := false
		for _, s := range samples {
			if arn.GlobFold(p, s) {
				add(s)
				matched = true
				break
			}
		}
		if !matched {
			add(fill(p))
		}
	}
	return out
}

// resources returns up to two concrete resources the statement covers.
func (a *analysis) resources(st *policy.Statement) []string {
	def := "*"
	if a.kind == policy.Trust {
		def = "arn:aws:iam::" + a.account + ":role/witness"
	}
	switch {
	case st.NotResource != nil:
		return []string{def, "arn:aws:s3:::iamd-witness/witness"}
	case st.Resource == nil:
		return []string{def}
	}
	var out []string
	for _, r := range st.Resource {
		if len(out) == 2 {
			break
		}
		if r == "*" {
			out = append(out, def)
			continue
		}
		out = append(out, concreteARN(r, a.account))
	}
	return out
}

// classify turns a confirmed witness into a finding, or errNotExternal when its caller is inside
// the account after all (a service acting for the own account).
func (a *analysis) classify(st *policy.Statement, p party, w Witness) (Finding, error) {
	f := Finding{
		Statement: st.Index, Sid: st.Sid, Principal: p.label,
		Actions: append([]string(nil), st.Action...), Witness: w,
	}
	if st.NotAction != nil {
		f.Actions, f.NotAction = append([]string(nil), st.NotAction...), true
	}
	for _, c := range st.Conditions {
		f.Conditions = append(f.Conditions, Condition{Operator: c.Operator, Key: c.Key, Values: append([]string(nil), c.Values...)})
	}
	var why string
	switch w.PrincipalType {
	case policy.PrincipalAnonymous.String():
		f.Access, f.Severity, f.External = Public, High, "*"
		why = "anyone, including anonymous callers"
	case policy.PrincipalService.String():
		src, ok := sourceOf(w.Context)
		switch {
		case ok && src == a.account:
			return Finding{}, errNotExternal
		case ok:
			f.Access, f.Severity, f.External = Service, Low, w.Principal+" for "+src
			why = "the service " + w.Principal + " acting for " + src
		default:
			f.Access, f.Severity, f.External = Service, Medium, w.Principal+" for any account"
			if a.kind == policy.Trust {
				f.Severity = Low
			}
			why = "the service " + w.Principal + " acting for any account (no aws:SourceAccount or aws:SourceArn condition: a confused deputy)"
		}
	case policy.PrincipalFederated.String():
		host := w.Principal
		if _, h, ok := strings.Cut(host, ":oidc-provider/"); ok {
			host = h
		}
		f.Access, f.External = Federated, w.Principal
		switch {
		case strings.Contains(w.Principal, ":saml-provider/"):
			f.Severity = Medium
			why = "users of the SAML provider " + w.Principal
		case a.constrained(st, host+":sub") || host == "cognito-identity.amazonaws.com" && a.constrained(st, host+":aud"):
			f.Severity = Medium
			why = "identities of " + host + " whose token claims meet the conditions"
		default:
			f.Severity = High
			why = "any identity of " + host + " (no condition on its subject)"
		}
	default:
		if w.Account == a.account {
			return Finding{}, errNotExternal
		}
		org, isOrg := "", false
		for _, k := range []string{"aws:PrincipalOrgID", "aws:PrincipalOrgPaths"} {
			if v, ok := lookup(w.Context, k); ok && a.constrained(st, k) {
				org, isOrg = v, true
				break
			}
		}
		switch {
		case isOrg:
			f.Access, f.Severity, f.External = Organization, Low, "organization "+org
			why = "principals of other accounts within organization " + org
		case p.any && w.Account == a.fresh:
			f.Access, f.Severity, f.External = Public, High, "*"
			why = "principals of any AWS account"
		default:
			f.Access, f.Severity, f.External = CrossAccount, Medium, w.Account
			why = "principals of account " + w.Account
		}
	}
	var verb string
	if f.NotAction {
		verb = "allows every action except " + strings.Join(f.Actions, ", ") + " to"
	} else {
		verb = "allows " + strings.Join(f.Actions, ", ") + " to"
	}
	f.Reason = "Statement[" + strconv.Itoa(st.Index) + "] " + verb + " " + why
	if a.constrained(st, "sts:ExternalId") {
		f.Reason += ", given the sts:ExternalId the caller supplies"
	}
	return f, nil
}

// constrained reports whether st has a positive condition on key: one that fails when the key
// is absent (not negated, no IfExists, not Null, not ForAllValues).
func (a *analysis) constrained(st *policy.Statement, key string) bool {
	for _, c := range st.Conditions {
		if !strings.EqualFold(c.Key, key) {
			continue
		}
		op := c.Operator
		if strings.HasPrefix(op, "ForAllValues:") || strings.HasSuffix(op, "IfExists") || op == "Null" || strings.Contains(op, "Not") {
			continue
		}
		return true
	}
	return false
}

// sourceOf returns the account a service acts for, from aws:SourceAccount, aws:SourceOwner or
// the account part of aws:SourceArn (the ARN itself when it has no account, as S3 bucket ARNs).
func sourceOf(ctx map[string][]string) (string, bool) {
	for _, k := range []string{"aws:SourceAccount", "aws:SourceOwner"} {
		if v, ok := lookup(ctx, k); ok {
			return v, true
		}
	}
	if v, ok := lookup(ctx, "aws:SourceArn"); ok {
		if r, err := arn.Parse(v); err == nil && r.Account != "" {
			return r.Account, true
		}
		return v, true
	}
	return "", false
}

// lookup returns the first value of key in ctx, ignoring the key's case.
func lookup(ctx map[string][]string, key string) (string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0], true
		}
	}
	return "", false
}
