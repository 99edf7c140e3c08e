package polgen

import (
	"encoding/json"
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

// params is a record's requestParameters, decoded when first needed.
type params struct {
	raw     json.RawMessage
	decoded bool
	top     map[string]any
	arns    []string // every string value that is an ARN, at any depth
}

func (p *params) get() *params {
	if p.decoded {
		return p
	}
	p.decoded = true
	if len(p.raw) == 0 || p.raw[0] != '{' {
		return p
	}
	if err := json.Unmarshal(p.raw, &p.top); err != nil {
		p.top = nil
		return p
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch v := v.(type) {
		case string:
			if strings.HasPrefix(v, "arn:") {
				p.arns = append(p.arns, v)
			}
		case []any:
			for _, e := range v {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, e := range v {
				walk(e, depth+1)
			}
		}
	}
	walk(p.top, 0)
	return p
}

// str returns a top-level string parameter, trying the keys in order (ignoring the case of
// the first letter, as services differ).
func (p *params) str(keys ...string) (string, bool) {
	for _, k := range keys {
		if v, ok := p.top[k].(string); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

// resources returns the ARNs an action used in a record, or none and why the resource must be
// "*".
func (g *Generator) resources(a *catalog.Action, r *record, p *params) ([]string, string) {
	if len(a.ResourceTypes) == 0 {
		return nil, reasonNoResourceTypes
	}
	svc, ok := g.cat.Service(a.Service)
	if !ok {
		return nil, reasonNotInRecords
	}
	var out []string
	found := false
	for _, ref := range a.ResourceTypes {
		rt, ok := svc.ResourceType(ref.Name)
		if !ok {
			if ref.Required {
				return nil, reasonNotInRecords
			}
			continue
		}
		t := g.template(rt)
		n := len(out)
		for _, res := range r.Resources {
			if res.ARN != "" && arn.GlobFold(t.glob, res.ARN) && usable(res.ARN) {
				out = appendNew(out, res.ARN)
			}
		}
		for _, s := range p.get().arns {
			if arn.GlobFold(t.glob, s) && usable(s) {
				out = appendNew(out, s)
			}
		}
		if len(out) == n {
			if s, ok := g.fill(t, rt, r, p.get()); ok {
				out = appendNew(out, s)
			}
		}
		switch {
		case len(out) > n:
			found = true
		case ref.Required:
			return nil, reasonNotInRecords
		}
	}
	if !found {
		return nil, reasonNotInRecords
	}
	return out, ""
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// usable reports whether a name can stand in a Resource element as itself: wildcards and
// policy variables in it would change its meaning.
func usable(s string) bool { return s != "" && !strings.ContainsAny(s, "*?$") }

// fill builds an ARN from a resource type's format, or reports that some variable is unknown.
func (g *Generator) fill(t *template, rt *catalog.ResourceType, r *record, p *params) (string, bool) {
	var b strings.Builder
	for _, part := range t.parts {
		if !part.isVar {
			b.WriteString(part.text)
			continue
		}
		v, ok := g.variable(part.text, rt, r, p)
		if !ok {
			return "", false
		}
		b.WriteString(v)
	}
	return b.String(), true
}

// variableKeys lists requestParameters keys for ARN-format variables whose key is not the
// variable's name with a lower-case first letter.
var variableKeys = map[string][]string{
	"ObjectName": {"key"},
	"BucketName": {"bucketName", "bucket"},
}

// variable resolves one ${Variable} of an ARN format from a record.
func (g *Generator) variable(name string, rt *catalog.ResourceType, r *record, p *params) (string, bool) {
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
	keys := variableKeys[base]
	if keys == nil {
		keys = []string{lowerFirst(base)}
	}
	v, ok := p.str(keys...)
	if !ok && rt.Service == "iam" && base == "UserName" && !g.isRole {
		// IAM's user actions without a UserName act on the caller itself.
		return strings.TrimPrefix(g.resourceOfPrincipal(), "user/"), true
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
		}
	}
	if rt.Service == "secretsmanager" && name == "SecretId" {
		v += "-??????" // Secrets Manager appends six random characters to a secret's name
	}
	return v, true
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
