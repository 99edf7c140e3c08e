package query

import (
	"encoding/base64"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// node is one segment of the dotted parameter names of a form: "Tags.member.1.Key" is the path
// Tags → member → 1 → Key. Building the tree first makes decoding independent of the order in
// which url.Values yields its keys.
type node struct {
	value string
	has   bool // a parameter ends at this node
	kids  []child
}

type child struct {
	name string
	n    *node
}

func (n *node) kid(name string) *node {
	for i := range n.kids {
		if n.kids[i].name == name {
			return n.kids[i].n
		}
	}
	return nil
}

func (n *node) add(name string) *node {
	if k := n.kid(name); k != nil {
		return k
	}
	k := &node{}
	n.kids = append(n.kids, child{name: name, n: k})
	return k
}

// errNotStructPointer reports a programmer error: DecodeForm needs somewhere to decode into.
var errNotStructPointer = errors.New("query: DecodeForm needs a non-nil pointer to a struct")

// DecodeForm decodes the Query parameters in form into in, which must be a non-nil pointer to a
// struct (an SDK input type such as *iam.CreateUserInput). Parameters that name no member are
// ignored. Values that do not fit their member, and required members that are missing (see
// Required), are reported together as one *awserr.Error with code ValidationError. Any other
// error is a programmer error.
func (c *Codec) DecodeForm(form url.Values, in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return errNotStructPointer
	}
	p := c.plan(v.Elem().Type())
	root := &node{}
	for key, vals := range form {
		if len(vals) == 0 || !p.mayHave(key) {
			continue
		}
		n := root
		for rest := key; ; {
			seg, tail, more := strings.Cut(rest, ".")
			n = n.add(seg)
			if !more {
				break
			}
			rest = tail
		}
		n.value, n.has = vals[0], true
	}
	d := decoder{}
	d.structure(root, p, v.Elem(), "")
	checkRequired(p, v.Elem(), "", &d)
	if len(d.failures) == 0 {
		return nil
	}
	slices.Sort(d.failures)
	return awserr.Validation(d.failures...)
}

// mayHave reports whether key could name a member of the struct p, by its first segment; this
// skips the protocol parameters without building tree nodes for them.
func (p *typePlan) mayHave(key string) bool {
	first, _, _ := strings.Cut(key, ".")
	_, ok := p.byWire[first]
	return ok
}

type decoder struct {
	failures []string
	failed   map[string]bool // paths with a failure, not to be reported again as missing
}

func (d *decoder) fail(value, path, constraint string) {
	d.failures = append(d.failures, awserr.Constraint(value, path, constraint))
	if d.failed == nil {
		d.failed = map[string]bool{}
	}
	d.failed[path] = true
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// structure decodes the children of n into the struct v.
func (d *decoder) structure(n *node, p *typePlan, v reflect.Value, path string) {
	for _, k := range n.kids {
		i, ok := p.byWire[k.name]
		if !ok {
			continue
		}
		f := &p.fields[i]
		fv := v.Field(f.index)
		fpath := join(path, f.lower)
		if !present(k.n, f.plan) {
			continue
		}
		if f.ptr {
			ptr := reflect.New(f.plan.typ)
			d.value(k.n, f.plan, ptr.Elem(), fpath)
			fv.Set(ptr)
			continue
		}
		d.value(k.n, f.plan, fv, fpath)
	}
}

// present reports whether n carries a value of plan p's kind, so that absent members stay nil.
func present(n *node, p *typePlan) bool {
	switch p.kind {
	case kindStruct:
		return len(n.kids) > 0
	case kindList:
		return n.has || n.kid("member") != nil
	case kindMap:
		return n.kid("entry") != nil
	default:
		return n.has
	}
}

// value decodes n into v, which has plan p's type.
func (d *decoder) value(n *node, p *typePlan, v reflect.Value, path string) {
	switch p.kind {
	case kindStruct:
		d.structure(n, p, v, path)
	case kindList:
		d.list(n, p, v, path)
	case kindMap:
		d.mapping(n, p, v, path)
	default:
		d.scalar(n.value, p, v, path)
	}
}

// indexes returns the children of n as a slice ordered by their 1-based index, or false
// (after recording a failure) when an index is malformed, repeated or leaves a gap.
func (d *decoder) indexes(n *node, path string) ([]*node, bool) {
	out := make([]*node, len(n.kids))
	for _, k := range n.kids {
		i, err := strconv.Atoi(k.name)
		if err != nil || i < 1 || i > len(out) || strconv.Itoa(i) != k.name || out[i-1] != nil {
			d.fail(k.name, path, "Member must be indexed by contiguous integers starting at 1")
			return nil, false
		}
		out[i-1] = k.n
	}
	return out, true
}

func (d *decoder) list(n *node, p *typePlan, v reflect.Value, path string) {
	var elems []*node
	if m := n.kid("member"); m != nil {
		var ok bool
		if elems, ok = d.indexes(m, path); !ok {
			return
		}
	}
	s := reflect.MakeSlice(p.typ, len(elems), len(elems))
	for i, e := range elems {
		epath := path + "." + strconv.Itoa(i+1) + ".member"
		ev := s.Index(i)
		if p.elemPtr {
			ptr := reflect.New(p.elem.typ)
			ev.Set(ptr)
			ev = ptr.Elem()
		}
		d.value(e, p.elem, ev, epath)
	}
	v.Set(s)
}

func (d *decoder) mapping(n *node, p *typePlan, v reflect.Value, path string) {
	entries, ok := d.indexes(n.kid("entry"), path)
	if !ok {
		return
	}
	m := reflect.MakeMapWithSize(p.typ, len(entries))
	for i, e := range entries {
		epath := path + ".entry." + strconv.Itoa(i+1)
		key := e.kid("key")
		if key == nil || !key.has {
			d.failures = append(d.failures, awserr.NotNull(epath+".key"))
			continue
		}
		ev := reflect.New(p.elem.typ).Elem()
		if val := e.kid("value"); val != nil {
			d.value(val, p.elem, ev, epath+".value")
		}
		if p.elemPtr {
			ev = ev.Addr()
		}
		m.SetMapIndex(reflect.ValueOf(key.value).Convert(p.typ.Key()), ev)
	}
	v.Set(m)
}

// scalar parses s into v according to p.
func (d *decoder) scalar(s string, p *typePlan, v reflect.Value, path string) {
	switch p.kind {
	case kindString:
		if p.enum != nil && !slices.Contains(p.enum, s) {
			d.fail(s, path, "Member must satisfy enum value set: ["+strings.Join(p.enum, ", ")+"]")
			return
		}
		v.SetString(s)
	case kindBool:
		switch {
		case strings.EqualFold(s, "true"):
			v.SetBool(true)
		case strings.EqualFold(s, "false"):
			v.SetBool(false)
		default:
			d.fail(s, path, "Member must be a boolean")
		}
	case kindInt:
		i, err := strconv.ParseInt(s, 10, p.bits)
		if err != nil {
			d.fail(s, path, "Member must be an integer")
			return
		}
		v.SetInt(i)
	case kindUint:
		u, err := strconv.ParseUint(s, 10, p.bits)
		if err != nil {
			d.fail(s, path, "Member must be a non-negative integer")
			return
		}
		v.SetUint(u)
	case kindFloat:
		f, err := strconv.ParseFloat(s, p.bits)
		if err != nil {
			d.fail(s, path, "Member must be a number")
			return
		}
		v.SetFloat(f)
	case kindTime:
		t, err := parseTime(s)
		if err != nil {
			d.fail(s, path, "Member must be a timestamp in ISO 8601 format")
			return
		}
		v.Set(reflect.ValueOf(t))
	case kindBlob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			d.fail(s, path, "Member must be base64-encoded binary data")
			return
		}
		v.SetBytes(b)
	}
}

// parseTime accepts the ISO 8601 forms the SDKs send: RFC 3339 with or without fractional
// seconds, with Z or an offset. The result is in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
