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

// tree holds the dotted parameter names of a form as a tree: "Tags.member.1.Key" is the path
// Tags → member → 1 → Key. Building the tree first makes decoding independent of the order in
// which url.Values yields its keys. All nodes live in one slice, linked by index, so a request
// costs one allocation for the whole tree; node 0 is the root, and index 0 also means "none".
type tree []node

type node struct {
	name  string
	value string
	has   bool  // a parameter ends at this node
	first int32 // first child
	next  int32 // next sibling
	count int32 // number of children
}

// kid returns the child of n called name, or 0.
func (t tree) kid(n int32, name string) int32 {
	for c := t[n].first; c != 0; c = t[c].next {
		if t[c].name == name {
			return c
		}
	}
	return 0
}

// edge names the child name of node parent, for the index of wide nodes.
type edge struct {
	parent int32
	name   string
}

// wide is the child count from which add finds children through an index rather than by
// walking the siblings, so that a form with many list elements builds in linear time.
const wide = 8

// add returns the child of n called name, creating it if needed. index holds the children of
// wide nodes; add creates it when the first node becomes wide.
func (t *tree) add(n int32, name string, index *map[edge]int32) int32 {
	if (*t)[n].count >= wide {
		if c, ok := (*index)[edge{n, name}]; ok {
			return c
		}
	} else if c := t.kid(n, name); c != 0 {
		return c
	}
	*t = append(*t, node{name: name, next: (*t)[n].first})
	c := int32(len(*t) - 1)
	(*t)[n].first = c
	(*t)[n].count++
	switch {
	case (*t)[n].count == wide:
		if *index == nil {
			*index = map[edge]int32{}
		}
		for k := (*t)[n].first; k != 0; k = (*t)[k].next {
			(*index)[edge{n, (*t)[k].name}] = k
		}
	case (*t)[n].count > wide:
		(*index)[edge{n, name}] = c
	}
	return c
}

// seg is one step of a member path: a member name, a list element (".N.member") or a map
// entry (".entry.N"). The decoder keeps the current path as a stack of segs and renders it
// only when a failure needs it: "tags.1.member.key".
type seg struct {
	name  string // a member name, or "" for an element
	index int    // 1-based element index
	entry bool   // map entry rather than list member
}

// pathString renders the current path, extended by last.
func (d *decoder) pathString(last seg) string {
	var b strings.Builder
	for i, s := range append(d.stack, last) {
		if i > 0 {
			b.WriteByte('.')
		}
		switch {
		case s.name != "":
			b.WriteString(s.name)
		case s.entry:
			b.WriteString("entry.")
			b.WriteString(strconv.Itoa(s.index))
		default:
			b.WriteString(strconv.Itoa(s.index))
			b.WriteString(".member")
		}
	}
	return b.String()
}

func (d *decoder) push(s seg) { d.stack = append(d.stack, s) }
func (d *decoder) pop()       { d.stack = d.stack[:len(d.stack)-1] }

// errNotStructPointer reports a programmer error: DecodeForm needs somewhere to decode into.
var errNotStructPointer = errors.New("query: DecodeForm needs a non-nil pointer to a struct")

// maxReserve caps the tree nodes reserved up front; larger forms grow the tree as needed (the
// API layer's body limit bounds them).
const maxReserve = 1 << 16

// DecodeForm decodes the Query parameters in form into in, which must be a non-nil pointer to a
// struct (an SDK input type such as *iam.CreateUserInput). Parameters that name no member are
// ignored. Values that do not fit their member, and required members that are missing, are
// reported together as one *awserr.Error with code ValidationError. Any other error is a
// programmer error.
func (c *Codec) DecodeForm(form url.Values, in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return errNotStructPointer
	}
	p := c.plan(v.Elem().Type())
	size := 1
	for key, vals := range form {
		if len(vals) > 0 && p.mayHave(key) {
			size += strings.Count(key, ".") + 1
		}
	}
	t := make(tree, 1, min(size, maxReserve))
	var index map[edge]int32
	for key, vals := range form {
		if len(vals) == 0 || !p.mayHave(key) {
			continue
		}
		var n int32
		for rest := key; ; {
			seg, tail, more := strings.Cut(rest, ".")
			n = t.add(n, seg, &index)
			if !more {
				break
			}
			rest = tail
		}
		t[n].value, t[n].has = vals[0], true
	}
	d := decoder{t: t, stack: make([]seg, 0, 8)}
	d.structure(0, p, v.Elem())
	d.checkRequired(p, v.Elem())
	if !c.noModel {
		d.checkModel(p, v.Elem())
	}
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
	t        tree
	stack    []seg
	failures []string
	failed   map[string]bool // paths with a failure, not to be reported again as missing
}

// fail records that value breaks constraint at the member last (within the current path).
func (d *decoder) fail(value string, last seg, constraint string) {
	s := d.pathString(last)
	d.failures = append(d.failures, awserr.Constraint(value, s, constraint))
	if d.failed == nil {
		d.failed = map[string]bool{}
	}
	d.failed[s] = true
}

// structure decodes the members of a struct, at node n, into v. The caller has pushed the
// struct's own path.
func (d *decoder) structure(n int32, p *typePlan, v reflect.Value) {
	for k := d.t[n].first; k != 0; k = d.t[k].next {
		i, ok := p.byWire[d.t[k].name]
		if !ok {
			continue
		}
		f := &p.fields[i]
		if !d.present(k, f.plan) {
			continue
		}
		fv := v.Field(f.index)
		at := seg{name: f.lower}
		if f.bareEnum && !slices.Contains(f.plan.enum, d.t[k].value) {
			d.failModel("", true, at, "Member must satisfy enum value set")
			continue
		}
		if f.ptr {
			ptr := reflect.New(f.plan.typ)
			d.value(k, f.plan, ptr.Elem(), at)
			fv.Set(ptr)
			continue
		}
		d.value(k, f.plan, fv, at)
	}
}

// present reports whether node n carries a value of plan p's kind, so that absent members
// stay nil.
func (d *decoder) present(n int32, p *typePlan) bool {
	switch p.kind {
	case kindStruct:
		return d.t[n].first != 0
	case kindList:
		return d.t[n].has || d.t.kid(n, "member") != 0
	case kindMap:
		return d.t.kid(n, "entry") != 0
	case kindUnion:
		for _, m := range p.members {
			if k := d.t.kid(n, m.wire); k != 0 && d.present(k, m.plan) {
				return true
			}
		}
		return false
	default:
		return d.t[n].has
	}
}

// value decodes node n, the member at, into v, which has plan p's type.
func (d *decoder) value(n int32, p *typePlan, v reflect.Value, at seg) {
	switch p.kind {
	case kindStruct:
		d.push(at)
		d.structure(n, p, v)
		d.pop()
	case kindList:
		d.list(n, p, v, at)
	case kindMap:
		d.mapping(n, p, v, at)
	case kindUnion:
		d.union(n, p, v, at)
	default:
		d.scalar(d.t[n].value, p, v, at)
	}
}

// union decodes the one member of a union present at node n into the interface v.
func (d *decoder) union(n int32, p *typePlan, v reflect.Value, at seg) {
	var chosen *unionMember
	var node int32
	for i := range p.members {
		m := &p.members[i]
		k := d.t.kid(n, m.wire)
		if k == 0 || !d.present(k, m.plan) {
			continue
		}
		if chosen != nil {
			names := make([]string, len(p.members))
			for j, m := range p.members {
				names[j] = m.wire
			}
			d.fail("", at, "Member must have exactly one of ["+strings.Join(names, ", ")+"] set")
			return
		}
		chosen, node = m, k
	}
	if chosen == nil {
		return // an element with no known member: leave it nil
	}
	mv := reflect.New(chosen.typ.Elem())
	fv := mv.Elem().Field(chosen.valueIdx)
	d.push(at)
	if chosen.valuePtr {
		ptr := reflect.New(chosen.plan.typ)
		d.value(node, chosen.plan, ptr.Elem(), seg{name: lowerFirst(chosen.wire)})
		fv.Set(ptr)
	} else {
		d.value(node, chosen.plan, fv, seg{name: lowerFirst(chosen.wire)})
	}
	d.pop()
	v.Set(mv)
}

// indexes returns the children of n ordered by their 1-based index, or false (after recording
// a failure) when an index is malformed, repeated or leaves a gap.
func (d *decoder) indexes(n int32, at seg) ([]int32, bool) {
	out := make([]int32, d.t[n].count)
	bad, ok := "", true
	for k := d.t[n].first; k != 0; k = d.t[k].next {
		name := d.t[k].name
		// Names are distinct and canonical, so count of them in 1..count leaves no gap.
		i, err := strconv.Atoi(name)
		if err != nil || i < 1 || i > len(out) || strconv.Itoa(i) != name {
			// Report the smallest bad index, whatever order the form's keys came in.
			if ok || name < bad {
				bad = name
			}
			ok = false
			continue
		}
		out[i-1] = k
	}
	if !ok {
		d.fail(bad, at, "Member must be indexed by contiguous integers starting at 1")
		return nil, false
	}
	return out, true
}

func (d *decoder) list(n int32, p *typePlan, v reflect.Value, at seg) {
	var elems []int32
	if m := d.t.kid(n, "member"); m != 0 {
		var ok bool
		if elems, ok = d.indexes(m, at); !ok {
			return
		}
	}
	if p.elem.kind == kindString && p.elem.enum != nil && d.badEnumElem(elems, p.elem.enum) {
		// AWS names the list, not the element, and leaves its value out: "Value at 'filter'
		// failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy
		// enum value set: [...], Member must not be null]" (see elemConstraint).
		d.failModel("", true, at, "Member must satisfy constraint: [Member must satisfy enum value set: ["+strings.Join(p.elem.enum, ", ")+"], Member must not be null]")
		return
	}
	s := reflect.MakeSlice(p.typ, len(elems), len(elems))
	d.push(at)
	for i, e := range elems {
		ev := s.Index(i)
		if p.elemPtr {
			ptr := reflect.New(p.elem.typ)
			ev.Set(ptr)
			ev = ptr.Elem()
		}
		d.value(e, p.elem, ev, seg{index: i + 1})
	}
	d.pop()
	v.Set(s)
}

// badEnumElem reports whether an element of a list of enum values is outside the enum.
func (d *decoder) badEnumElem(elems []int32, enum []string) bool {
	for _, e := range elems {
		if !slices.Contains(enum, d.t[e].value) {
			return true
		}
	}
	return false
}

func (d *decoder) mapping(n int32, p *typePlan, v reflect.Value, at seg) {
	entries, ok := d.indexes(d.t.kid(n, "entry"), at)
	if !ok {
		return
	}
	m := reflect.MakeMapWithSize(p.typ, len(entries))
	d.push(at)
	for i, e := range entries {
		d.push(seg{index: i + 1, entry: true})
		key := d.t.kid(e, "key")
		if key == 0 || !d.t[key].has {
			d.failures = append(d.failures, awserr.NotNull(d.pathString(seg{name: "key"})))
			d.pop()
			continue
		}
		ev := reflect.New(p.elem.typ).Elem()
		if val := d.t.kid(e, "value"); val != 0 {
			d.value(val, p.elem, ev, seg{name: "value"})
		}
		d.pop()
		if p.elemPtr {
			ev = ev.Addr()
		}
		m.SetMapIndex(reflect.ValueOf(d.t[key].value).Convert(p.typ.Key()), ev)
	}
	d.pop()
	v.Set(m)
}

// scalar parses s into v according to p.
func (d *decoder) scalar(s string, p *typePlan, v reflect.Value, at seg) {
	switch p.kind {
	case kindString:
		if p.enum != nil && !slices.Contains(p.enum, s) {
			d.fail(s, at, "Member must satisfy enum value set: ["+strings.Join(p.enum, ", ")+"]")
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
			d.fail(s, at, "Member must be a boolean")
		}
	case kindInt:
		i, err := strconv.ParseInt(s, 10, p.bits)
		if err != nil {
			d.fail(s, at, "Member must be an integer")
			return
		}
		v.SetInt(i)
	case kindUint:
		u, err := strconv.ParseUint(s, 10, p.bits)
		if err != nil {
			d.fail(s, at, "Member must be a non-negative integer")
			return
		}
		v.SetUint(u)
	case kindFloat:
		f, err := strconv.ParseFloat(s, p.bits)
		if err != nil {
			d.fail(s, at, "Member must be a number")
			return
		}
		v.SetFloat(f)
	case kindTime:
		t, err := parseTime(s)
		if err != nil {
			d.fail(s, at, "Member must be a timestamp in ISO 8601 format")
			return
		}
		v.Set(reflect.ValueOf(t))
	case kindBlob:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			d.fail(s, at, "Member must be base64-encoded binary data")
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
