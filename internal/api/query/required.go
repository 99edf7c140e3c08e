package query

import (
	"reflect"
	"strconv"

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
func checkRequired(p *typePlan, v reflect.Value, path string, d *decoder) {
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		fpath := join(path, f.lower)
		if missing(fv) {
			if f.required && !d.failed[fpath] {
				d.failures = append(d.failures, awserr.NotNull(fpath))
			}
			continue
		}
		if f.ptr {
			fv = fv.Elem()
		}
		checkNested(f.plan, fv, fpath, d)
	}
}

func checkNested(p *typePlan, v reflect.Value, path string, d *decoder) {
	switch p.kind {
	case kindStruct:
		checkRequired(p, v, path, d)
	case kindList:
		if !p.elem.composite() {
			return
		}
		for i := range v.Len() {
			ev := v.Index(i)
			if p.elemPtr {
				if ev.IsNil() {
					continue
				}
				ev = ev.Elem()
			}
			checkNested(p.elem, ev, path+"."+strconv.Itoa(i+1)+".member", d)
		}
	case kindMap:
		if !p.elem.composite() {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			ev := iter.Value()
			if p.elemPtr {
				if ev.IsNil() {
					continue
				}
				ev = ev.Elem()
			}
			checkNested(p.elem, ev, path+"."+iter.Key().String(), d)
		}
	}
}

func (p *typePlan) composite() bool {
	return p.kind == kindStruct || p.kind == kindList || p.kind == kindMap
}

// missing reports whether a member has no value, as the SDK's validators judge it: a nil
// pointer, slice or map, or an empty enum string.
func missing(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}
