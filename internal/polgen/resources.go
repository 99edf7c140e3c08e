package polgen

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/iamd-dev/iamd/internal/arn"
	"github.com/iamd-dev/iamd/internal/catalog"
)

// template is a resource type's ARN format split into literal text and ${Variable}s.
type template struct {
	parts []tmplPart
	glob  string // the format with every variable as *, to recognise ARNs of the type
}

type tmplPart struct {
	text  string
	isVar bool
}

func (g *Generator) template(rt *catalog.ResourceType) *template {
	if t, ok := g.templates[rt]; ok {
		return t
	}
	t := &template{}
	var glob strings.Builder
	f := rt.ARNFormat
	for f != "" {
		i := strings.Index(f, "${")
		if i < 0 {
			t.parts = append(t.parts, tmplPart{text: f})
			glob.WriteString(f)
			break
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			t.parts = append(t.parts, tmplPart{text: f})
			glob.WriteString(f)
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tmplPart{text: f[:i]})
			glob.WriteString(f[:i])
		}
		t.parts = append(t.parts, tmplPart{text: f[i+2 : i+j], isVar: true})
		glob.WriteByte('*')
		f = f[i+j+1:]
	}
	t.glob = glob.String()
	g.templates[rt] = t
	return t
}

// params is a record's requestParameters, scanned when first needed.
type params struct {
	raw     json.RawMessage
	decoded bool
	top     []param  // the top-level members whose values are strings
	nested  []param  // the members below the top level whose values are strings
	arns    []string // every string value that is an ARN, at any depth
}

type param struct{ key, value string }

func (p *params) get() *params {
	if p.decoded {
		return p
	}
	p.decoded = true
	if len(p.raw) == 0 || p.raw[0] != '{' {
		return p
	}
	err := eachString(p.raw, func(key []byte, top bool, s string) {
		switch {
		case key == nil:
		case top:
			p.top = append(p.top, param{string(key), s})
		default:
			p.nested = append(p.nested, param{string(key), s})
		}
		if strings.HasPrefix(s, "arn:") {
			p.arns = append(p.arns, s)
		}
	})
	if err != nil {
		p.top, p.nested, p.arns = nil, nil, nil
	}
	return p
}

// str returns a top-level string parameter, trying the keys in order.
func (p *params) str(keys ...string) (string, bool) {
	for _, k := range keys {
		for _, m := range p.top {
			if m.key == k && m.value != "" {
				return m.value, true
			}
		}
	}
	return "", false
}

// resources returns the ARNs an action used in a record and the name of their resource type,
// or none and why the resource must be "*".
func (g *Generator) resources(a *catalog.Action, r *record, p *params) ([]string, string) {
	if len(a.ResourceTypes) == 0 {
		return nil, reasonNoResourceTypes
	}
	svc, ok := g.cat.Service(a.Service)
	if !ok {
		return nil, reasonNotInRecords
	}
	var out []string
	found := ""
	for _, ref := range a.ResourceTypes {
		rt, ok := svc.ResourceType(ref.Name)
		if !ok {
			if ref.Required {
				return nil, reasonNotInRecords
			}
			continue
		}
		t := g.template(rt)
		added := false
		add := func(s string) {
			if arn.GlobFold(t.glob, s) && usable(s) {
				out, added = appendNew(out, policyChars(s)), true
			}
		}
		if src, ok := g.copySource(a, r, p); ok {
			add(src)
		}
		for _, res := range r.Resources {
			if res.ARN != "" && sameType(res.Type, rt.Name) {
				add(res.ARN)
			}
		}
		for _, s := range p.get().arns {
			add(s)
		}
		if !added {
			// A format with no variable from the request (API Gateway's /account) names the
			// resource only when it is the action's one resource type.
			if s, fromRequest, ok := g.fill(t, rt, r, p.get()); ok && (fromRequest || len(a.ResourceTypes) == 1) {
				out, added = appendNew(out, policyChars(s)), true
			}
		}
		if !added && ref.Required {
			// Only for a type the action always acts on: an optional one (CreateTags's image)
			// may be named in a list for another purpose (RunInstances's imageId).
			for _, s := range g.fillEach(t, rt, r, p.get()) {
				out, added = appendNew(out, policyChars(s)), true
			}
		}
		switch {
		case added && found == "":
			found = rt.Name
		case !added && ref.Required:
			return nil, reasonNotInRecords
		}
	}
	if found == "" {
		return nil, reasonNotInRecords
	}
	return out, found
}

// copySource is the object Amazon S3's CopyObject and UploadPartCopy read: their s3:GetObject
// is on the x-amz-copy-source object ("bucket/key", URL-encoded, maybe with ?versionId=), not
// on the object written.
func (g *Generator) copySource(a *catalog.Action, r *record, p *params) (string, bool) {
	if a.Service != "s3" || a.Name != "GetObject" || (r.EventName != "CopyObject" && r.EventName != "UploadPartCopy") {
		return "", false
	}
	src, ok := p.get().str("x-amz-copy-source")
	if !ok {
		return "", false
	}
	src, _, _ = strings.Cut(strings.TrimPrefix(src, "/"), "?versionId=")
	if u, err := url.PathUnescape(src); err == nil {
		src = u
	}
	if !strings.Contains(src, "/") || !usable(src) {
		return "", false
	}
	return "arn:" + g.partition + ":s3:::" + src, true
}

// sameType reports whether a CloudTrail resource type ("AWS::S3::Bucket") may be the catalog's
// resource type ("bucket"): the last part equal ignoring case and hyphens, or no type given.
func sameType(cloudTrail, catalogName string) bool {
	if cloudTrail == "" {
		return true
	}
	i := strings.LastIndex(cloudTrail, "::")
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }
	return norm(cloudTrail[i+2:]) == norm(catalogName)
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// policyChars replaces the characters IAM does not accept in a policy document (control
// characters, and anything beyond U+00FF) with the wildcard ?, which matches one character.
func policyChars(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || r > 0xFF {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	b := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 0x20 || r > 0xFF {
			r = '?'
		}
		b = append(b, r)
	}
	return string(b)
}

// usable reports whether a name can stand in a Resource element as itself: wildcards and
// policy variables in it would change its meaning.
func usable(s string) bool { return s != "" && !strings.ContainsAny(s, "*?$") }

// fill builds an ARN from a resource type's format, or reports that some variable is unknown.
// An IAM name whose path the record does not show is put at the root path and the ARN noted;
// Result replaces it with the entity's ARN when a record or Options.IAMPath shows its path.
// fromRequest reports whether some variable came from the request's parameters.
func (g *Generator) fill(t *template, rt *catalog.ResourceType, r *record, p *params) (s string, fromRequest, ok bool) {
	var b strings.Builder
	assumed, withPath := false, false
	for _, part := range t.parts {
		if !part.isVar {
			b.WriteString(part.text)
			continue
		}
		v, ok := g.variable(part.text, rt, r, p, &assumed)
		if !ok {
			return "", false, false
		}
		switch part.text {
		case "Partition", "Region", "Account":
		default:
			fromRequest = true
		}
		withPath = withPath || strings.HasSuffix(part.text, "WithPath")
		b.WriteString(v)
	}
	s = b.String()
	switch {
	case assumed:
		g.rootPath[s] = true
	case withPath && rt.Service == "iam":
		g.learn(s)
	}
	return s, fromRequest, true
}

// fillEach builds ARNs from a resource type's format when exactly one of its variables is not
// a top-level request parameter but a member of objects nested in it, as in lists of
// resources (EC2's instancesSet.items[].instanceId): one ARN for each value.
func (g *Generator) fillEach(t *template, rt *catalog.ResourceType, r *record, p *params) []string {
	if len(p.nested) == 0 {
		return nil
	}
	var missing []string
	for _, part := range t.parts {
		if !part.isVar {
			continue
		}
		switch part.text {
		case "Partition", "Region", "Account":
			continue
		}
		keys := variableKeysOf(part.text)
		if _, ok := p.str(keys...); ok {
			continue
		}
		if missing != nil {
			return nil // two variables from lists: their values cannot be paired
		}
		missing = keys
	}
	var out []string
	for _, n := range p.nested {
		if !slices.Contains(missing, n.key) {
			continue
		}
		one := &params{decoded: true, top: append([]param{n}, p.top...)}
		if s, _, ok := g.fill(t, rt, r, one); ok {
			out = appendNew(out, s)
		}
	}
	return out
}

// learn remembers the ARN of an IAM entity, by kind and name, for rootPath ARNs.
func (g *Generator) learn(s string) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Account != g.account {
		return
	}
	kind, _, ok := strings.Cut(a.Resource, "/")
	if !ok {
		return
	}
	g.paths[kind+"/"+strings.ToLower(a.Resource[strings.LastIndexByte(a.Resource, '/')+1:])] = s
}

// learnResponse remembers the IAM ARNs in a call's responseElements (CreateUser's user.arn).
func (g *Generator) learnResponse(resp json.RawMessage) {
	needle := ":iam::" + g.account + ":"
	if len(resp) == 0 || resp[0] != '{' || !strings.Contains(string(resp), needle) {
		return
	}
	_ = eachString(resp, func(_ []byte, _ bool, v string) {
		if strings.HasPrefix(v, "arn:") && strings.Contains(v, needle) {
			g.learn(v)
		}
	})
}

// canonical returns an ARN built with an assumed root path as the entity's real ARN, when
// known.
func (g *Generator) canonical(s string) string {
	if !g.rootPath[s] {
		return s
	}
	a, err := arn.Parse(s)
	if err != nil {
		return s
	}
	kind, name, ok := strings.Cut(a.Resource, "/")
	if !ok {
		return s
	}
	if known, ok := g.paths[kind+"/"+strings.ToLower(name)]; ok {
		return known
	}
	if g.o.IAMPath != nil {
		if path, ok := g.o.IAMPath(kind, name); ok && strings.HasPrefix(path, "/") && strings.HasSuffix(path, "/") {
			a.Resource = kind + path + name
			return a.String()
		}
	}
	return s
}

// variableKeys lists requestParameters keys for ARN-format variables whose key is not the
// variable's name with a lower-case first letter.
var variableKeys = map[string][]string{
	"ObjectName":     {"key"},
	"BucketName":     {"bucketName", "bucket"},
	"DistributionId": {"id", "distributionId"},
}

// variable resolves one ${Variable} of an ARN format from a record.
func (g *Generator) variable(name string, rt *catalog.ResourceType, r *record, p *params, assumedPath *bool) (string, bool) {
	switch name {
	case "Partition":
		return g.partition, true
	case "Region":
		return r.AWSRegion, r.AWSRegion != ""
	case "Account":
		if r.Recipient != "" {
			return r.Recipient, true
		}
		return g.account, true
	}
	base, withPath := strings.CutSuffix(name, "WithPath")
	v, ok := p.str(variableKeysOf(name)...)
	if !ok && rt.Service == "iam" && base == "UserName" && !g.isRole {
		// IAM's user actions without a UserName act on the caller itself.
		return strings.TrimPrefix(g.resourceOfPrincipal(), "user/"), true
	}
	if ok && withPath && strings.HasPrefix(v, "arn:") {
		return "", false // an ARN where a name goes: the ARN scan handles it
	}
	if !ok && base == "QueueName" {
		if u, ok := p.str("queueUrl"); ok {
			v = u[strings.LastIndexByte(u, '/')+1:]
		}
	}
	if !usable(v) {
		return "", false
	}
	if withPath {
		if path, ok := p.str("path"); ok && strings.HasPrefix(path, "/") && strings.HasSuffix(path, "/") && usable(path) {
			v = path[1:] + v
		} else if !strings.Contains(v, "/") {
			*assumedPath = true
		}
	}
	if rt.Service == "secretsmanager" && name == "SecretId" {
		v += "-??????" // Secrets Manager appends six random characters to a secret's name
	}
	return v, true
}

// variableKeysOf returns the requestParameters keys that may hold an ARN-format variable.
func variableKeysOf(name string) []string {
	base, _ := strings.CutSuffix(name, "WithPath")
	if keys := variableKeys[base]; keys != nil {
		return keys
	}
	return []string{lowerFirst(base)}
}

func (g *Generator) resourceOfPrincipal() string {
	a, _ := arn.Parse(g.o.Principal)
	return a.Resource
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
