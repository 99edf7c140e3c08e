package policy

import (
	"fmt"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
)

// This file holds Lint's checks of resource ARNs and of policy variables.

// lintRegions are the AWS Regions of every partition. A Region AWS adds later is reported as
// invalid until this list learns it.
var lintRegions = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range strings.Fields(`
		us-east-1 us-east-2 us-west-1 us-west-2 af-south-1 ap-east-1 ap-east-2 ap-south-1
		ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5
		ap-southeast-6 ap-southeast-7 ap-northeast-1 ap-northeast-2 ap-northeast-3 ca-central-1
		ca-west-1 eu-central-1 eu-central-2 eu-west-1 eu-west-2 eu-west-3 eu-south-1 eu-south-2
		eu-north-1 il-central-1 me-south-1 me-central-1 mx-central-1 sa-east-1 cn-north-1
		cn-northwest-1 us-gov-east-1 us-gov-west-1 us-iso-east-1 us-iso-west-1 us-isob-east-1
		us-isof-south-1 us-isof-east-1 eu-isoe-west-1 eusc-de-east-1`) {
		m[r] = true
	}
	return m
}()

func lintGlobFold(pattern, s string) bool { return arn.GlobFold(pattern, s) }

// arnFormat is a catalog ARN template split for matching.
type arnFormat struct {
	region, account string // "${Region}", "" or a literal
	template        string // the resource part as the catalog writes it
	prefix          string // its text before the first variable
	resource        string // the resource part as a glob, variables replaced by *; set when needed
}

// glob returns the resource part as a glob.
func (f *arnFormat) glob() string {
	if f.resource == "" {
		f.resource = lintVarsToStar(f.template)
	}
	return f.resource
}

func (l *linter) arnFormats(service string) []arnFormat {
	if l.cat.ARNFormats == nil {
		return nil
	}
	if f, ok := l.formats[service]; ok {
		return f
	}
	var out []arnFormat
	for _, t := range l.cat.ARNFormats(service) {
		// arn:partition:service:region:account:resource
		var cut [5]int
		n := 0
		for k := 0; k < len(t) && n < 5; k++ {
			if t[k] == ':' {
				cut[n] = k
				n++
			}
		}
		if n < 5 {
			continue
		}
		f := arnFormat{region: t[cut[2]+1 : cut[3]], account: t[cut[3]+1 : cut[4]], template: t[cut[4]+1:]}
		f.prefix = f.template
		if k := strings.Index(f.template, "${"); k >= 0 {
			f.prefix = f.template[:k]
		}
		out = append(out, f)
	}
	if l.formats == nil {
		l.formats = map[string][]arnFormat{}
	}
	l.formats[service] = out
	return out
}

// lintVarsToStar replaces each ${...} with *.
func lintVarsToStar(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// resources checks each Resource or NotResource entry.
func (l *linter) resources(i int, list []strElem) {
	for _, r := range list {
		if r.s == "*" {
			continue
		}
		where := lintLoc{stmt: i, steps: r.steps, start: r.off, end: lintEnd(l.text, r.off)}
		s := lintVarsToStar(r.s)
		if !strings.HasPrefix(s, "arn:") {
			l.add(FindingError, CodeInvalidARNPrefix, "Add the required prefix (arn) to the resource ARN.", where)
			continue
		}
		parts := strings.SplitN(s, ":", 6)
		if len(parts) < 6 {
			if !strings.Contains(parts[len(parts)-1], "*") {
				l.add(FindingError, CodeMissingARNField,
					"Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource", where)
			}
			continue
		}
		partition, service, region, account, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
		if !arn.HasWildcard(partition) && !validPartition(partition) {
			l.add(FindingError, CodeInvalidPartition,
				fmt.Sprintf("The resource ARN for the service %s does not support the partition %s. Use the supported values: %s", service, partition, strings.Join(partitions, ", ")), where)
		}
		if arn.HasWildcard(service) {
			l.add(FindingSuggestion, CodeWildcardInServiceName,
				"Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.", where)
			continue
		}
		if service != strings.ToLower(service) {
			l.add(FindingError, CodeInvalidARNServiceCase,
				fmt.Sprintf("Update the service name %s in the resource ARN to use all lowercase letters.", service), where)
			continue
		}
		if region != "" && !arn.HasWildcard(region) && !lintRegions[region] {
			l.add(FindingError, CodeInvalidARNRegion,
				fmt.Sprintf("The Region %s is not valid for this resource. Update the resource ARN to include a supported Region.", region), where)
		}
		if account != "" && !arn.HasWildcard(account) && account != "aws" && !arn.IsAccountID(account) {
			l.add(FindingError, CodeInvalidARNAccount,
				fmt.Sprintf("The resource ARN account ID %s is not valid. Provide a 12-digit account ID.", account), where)
		}
		l.arnAgainstFormats(service, region, account, resource, where)
	}
}

// arnAgainstFormats checks an ARN against the catalog's formats for its service.
func (l *linter) arnAgainstFormats(service, region, account, resource string, where lintLoc) {
	formats := l.arnFormats(service)
	if len(formats) == 0 || service == "sts" && strings.HasPrefix(resource, "assumed-role/") {
		// The service authorization reference writes role session ARNs with the iam service;
		// STS issues them with sts.
		return
	}
	var regionOK, regionEmptyOK, accountOK, accountEmptyOK, any bool
	lit := resource
	if k := strings.IndexAny(resource, "*?"); k >= 0 {
		lit = resource[:k]
	}
	for k := range formats {
		f := &formats[k]
		if n := min(len(lit), len(f.prefix)); lit[:n] != f.prefix[:n] || !l.globsIntersect(resource, f.glob()) {
			continue
		}
		any = true
		regionEmptyOK = regionEmptyOK || f.region == ""
		regionOK = regionOK || f.region != ""
		accountEmptyOK = accountEmptyOK || f.account == ""
		accountOK = accountOK || f.account != ""
	}
	if !any {
		l.add(FindingError, CodeInvalidARNResource,
			"Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.", where)
		return
	}
	switch {
	case region == "" && !regionEmptyOK:
		l.add(FindingError, CodeMissingARNRegion, fmt.Sprintf("Add a Region to the %s resource ARN.", service), where)
	case region != "" && !arn.HasWildcard(region) && !regionOK:
		l.add(FindingError, CodeARNRegionNotAllowed,
			fmt.Sprintf("The service %s does not support specifying a Region in the resource ARN.", service), where)
	}
	switch {
	case account == "" && !accountEmptyOK && !lintAWSOwned[service]:
		l.add(FindingError, CodeMissingARNAccount,
			fmt.Sprintf("The resource %s in the arn is missing an account id. Please provide a 12 digit account id.", resource), where)
	case account != "" && !arn.HasWildcard(account) && !accountOK:
		l.add(FindingError, CodeARNAccountNotAllowed,
			fmt.Sprintf("The service %s does not support specifying an account ID in the resource ARN.", service), where)
	}
}

// lintAWSOwned are services whose resources AWS itself owns as well, named without an account
// (SSM documents and public parameters, Resource Explorer service views, public AMIs and
// snapshots): an empty account is normal for them.
var lintAWSOwned = map[string]bool{"ssm": true, "resource-explorer-2": true, "ec2": true, "imagebuilder": true}

// lintGlobsIntersect reports whether some string matches both patterns (* any run, ? one
// character), comparing case-sensitively as ARNs are.
func lintGlobsIntersect(a, b string) bool {
	// Literal prefixes must agree before any work.
	pa, pb := a, b
	if k := strings.IndexAny(a, "*?"); k >= 0 {
		pa = a[:k]
	}
	if k := strings.IndexAny(b, "*?"); k >= 0 {
		pb = b[:k]
	}
	n := min(len(pa), len(pb))
	if pa[:n] != pb[:n] {
		return false
	}
	sa, sb := a, b
	if k := strings.LastIndexAny(a, "*?"); k >= 0 {
		sa = a[k+1:]
	}
	if k := strings.LastIndexAny(b, "*?"); k >= 0 {
		sb = b[k+1:]
	}
	n = min(len(sa), len(sb))
	if sa[len(sa)-n:] != sb[len(sb)-n:] {
		return false
	}
	if !strings.ContainsAny(a, "*?") {
		return arn.Glob(b, a)
	}
	if !strings.ContainsAny(b, "*?") {
		return arn.Glob(a, b)
	}
	// A pattern that is a literal prefix and one trailing * meets any ?-free pattern whose
	// prefix agrees with it (checked above): the stars absorb the rest.
	if (lintTrailingStar(a) || lintTrailingStar(b)) && !strings.Contains(a, "?") && !strings.Contains(b, "?") {
		return true
	}
	// dp[i*w+j]: some string matches both a[i:] and b[j:].
	la, lb, w := len(a), len(b), len(b)+1
	dp := make([]bool, (la+1)*w)
	for i := la; i >= 0; i-- {
		for j := lb; j >= 0; j-- {
			ok := i == la && j == lb
			if !ok && i < la && a[i] == '*' {
				ok = dp[(i+1)*w+j] || j < lb && dp[i*w+j+1]
			}
			if !ok && j < lb && b[j] == '*' {
				ok = dp[i*w+j+1] || i < la && dp[(i+1)*w+j]
			}
			if !ok && i < la && j < lb && a[i] != '*' && b[j] != '*' && (a[i] == '?' || b[j] == '?' || a[i] == b[j]) {
				ok = dp[(i+1)*w+j+1]
			}
			dp[i*w+j] = ok
		}
	}
	return dp[0]
}

func lintTrailingStar(p string) bool {
	return strings.IndexAny(p, "*?") == len(p)-1 && p[len(p)-1] == '*'
}

// redundantResources reports Resource entries another entry already covers.
func (l *linter) redundantResources(i int, list []strElem) {
	if len(list) < 2 {
		return
	}
	covers := func(p, s string) bool { return p == s || p == "*" || arn.HasWildcard(p) && arn.Glob(p, s) }
	var redundant []strElem
	for j, r := range list {
		for k, o := range list {
			if k == j || !covers(o.s, r.s) {
				continue
			}
			if covers(r.s, o.s) && k > j {
				continue // mutual cover: the later one is redundant
			}
			redundant = append(redundant, r)
			break
		}
	}
	if len(redundant) == 0 {
		return
	}
	first := redundant[0]
	l.add(FindingSuggestion, CodeRedundantResource,
		fmt.Sprintf("The %d resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)", len(redundant)),
		lintLoc{stmt: i, steps: first.steps, start: first.off, end: lintEnd(l.text, first.off)})
}

// lintHasVariable reports whether s contains a policy variable.
func lintHasVariable(s string) bool { return strings.Contains(s, "${") }

// lintStripVariables removes policy variables, so that ${*} is not taken for a wildcard.
func lintStripVariables(s string) string {
	if !lintHasVariable(s) {
		return s
	}
	return strings.ReplaceAll(lintVarsToStar(s), "*", "")
}

// variables checks policy variables: where they may appear, under which Version, and their
// syntax.
func (l *linter) variables(f *stmtFacts) {
	check := func(e strElem, allowed bool) {
		if !lintHasVariable(e.s) {
			return
		}
		where := lintLoc{stmt: f.index, steps: e.steps, start: e.off, end: lintEnd(l.text, e.off)}
		if !allowed {
			l.add(FindingError, CodeVariableUnsupportedInElement,
				fmt.Sprintf("Policy variables are supported in the Resource and Condition elements. Remove the policy variable %s from this element.", lintFirstVariable(e.s)), where)
			return
		}
		if l.variableSyntax(e.s, where) && l.version != Version2012 {
			l.add(FindingError, CodeVariableUnsupportedInVersion,
				"To include variables in your policy, use the policy version 2012-10-17 or later.", where)
		}
	}
	for _, list := range [][]strElem{f.actions, f.notActions} {
		for _, e := range list {
			check(e, false)
		}
	}
	for _, p := range f.principals {
		check(p.strElem, false)
	}
	for _, e := range f.resources {
		check(e, true)
	}
	if f.notResource != nil && f.notResource.val.kind != kindObject {
		list, _ := l.quietStrs(f.base, f.notResource)
		for _, e := range list {
			check(e, true)
		}
	}
	for _, c := range f.conds {
		for j := range c.values {
			if c.values[j].kind == kindString {
				check(strElem{c.values[j].str, c.values[j].off, c.where.steps}, true)
			}
		}
	}
}

// quietStrs lists the strings of a member without reporting anything.
func (l *linter) quietStrs(base []PathStep, m *member) ([]strElem, bool) {
	switch m.val.kind {
	case kindString:
		return []strElem{{m.val.str, m.val.off, l.at(base, 0, 0, 0, lintStep(m.key)).steps}}, true
	case kindArray:
		var out []strElem
		for j, e := range m.val.arr {
			if e.kind == kindString {
				out = append(out, strElem{e.str, e.off, l.at(base, 0, 0, 0, lintStep(m.key), lintStepAt(j)).steps})
			}
		}
		return out, true
	}
	return nil, false
}

func lintFirstVariable(s string) string {
	i := strings.Index(s, "${")
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+1]
}

// variableSyntax reports malformed variables in s; ok is true when all are well formed.
func (l *linter) variableSyntax(s string, where lintLoc) bool {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			l.add(FindingError, CodeMissingBraceInVariable,
				"The policy variable is missing a closing curly brace. Add } after the variable text.", where)
			return false
		}
		inner := s[i+2 : i+j]
		s = s[i+j+1:]
		name, def, hasDef := strings.Cut(inner, ",")
		switch {
		case strings.TrimSpace(inner) == "":
			l.add(FindingError, CodeEmptyVariable,
				"Empty policy variable. Remove the ${ } variable structure or provide a variable within the structure.", where)
			return false
		case strings.ContainsAny(name, " \t"):
			l.add(FindingError, CodeUnsupportedSpaceInVariable,
				"A space is not supported within the policy variable text. Remove the space.", where)
			return false
		case hasDef:
			d := strings.TrimSpace(def)
			if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
				l.add(FindingError, CodeMissingQuoteInVariable,
					"The policy variable default value must begin and end with a single quote. Add the missing quote.", where)
				return false
			}
		}
	}
}
