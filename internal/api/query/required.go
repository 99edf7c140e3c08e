package query

import (
	"reflect"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// Required members
//
// The SDK marks required members only in its unexported validators (validators.go of each
// service). required_gen.go is generated from those files by TestRequiredTable (run
// `go test ./internal/api/query -run TestRequiredTable -update` after upgrading the SDK), and
// DecodeForm reports each required member that is absent as AWS does:
// "Value null at 'userName' failed to satisfy constraint: Member must not be null".

// checkRequired appends a failure for every required member of v (a struct of plan p) that is
// missing, descending into nested structures, lists and maps.
// The caller has pushed the struct's own path.
func (d *decoder) checkRequired(p *typePlan, v reflect.Value) {
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		at := seg{name: f.lower}
		if missing(fv) {
			if f.required {
				if s := d.pathString(at); !d.failed[s] {
					d.failures = append(d.failures, awserr.NotNull(s))
				}
			}
			continue
		}
		if f.ptr {
			fv = fv.Elem()
		}
		d.checkNested(f.plan, fv, at)
	}
}

// checkNested checks the value v of member at, of plan p.
func (d *decoder) checkNested(p *typePlan, v reflect.Value, at seg) {
	switch p.kind {
	case kindStruct:
		d.push(at)
		d.checkRequired(p, v)
		d.pop()
	case kindUnion:
		if v.IsNil() || v.Elem().IsNil() {
			return
		}
		for i := range p.members {
			m := &p.members[i]
			if v.Elem().Type() != m.typ {
				continue
			}
			fv := v.Elem().Elem().Field(m.valueIdx)
			if m.valuePtr {
				if fv.IsNil() {
					return
				}
				fv = fv.Elem()
			}
			d.push(at)
			d.checkNested(m.plan, fv, seg{name: lowerFirst(m.wire)})
			d.pop()
		}
	case kindList:
		if !p.elem.composite() {
			return
		}
		d.push(at)
		defer d.pop()
		for i := range v.Len() {
			ev := v.Index(i)
			if p.elemPtr {
				if ev.IsNil() {
					continue
				}
				ev = ev.Elem()
			}
			d.checkNested(p.elem, ev, seg{index: i + 1})
		}
	case kindMap:
		if !p.elem.composite() {
			return
		}
		d.push(at)
		defer d.pop()
		iter := v.MapRange()
		for iter.Next() {
			ev := iter.Value()
			if p.elemPtr {
				if ev.IsNil() {
					continue
				}
				ev = ev.Elem()
			}
			d.checkNested(p.elem, ev, seg{name: iter.Key().String()})
		}
	}
}

func (p *typePlan) composite() bool {
	return p.kind == kindStruct || p.kind == kindList || p.kind == kindMap || p.kind == kindUnion
}

// missing reports whether a member has no value, as the SDK's validators judge it: a nil
// pointer, slice or map, or an empty enum string.
func missing(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}
