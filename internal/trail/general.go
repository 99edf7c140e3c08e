package trail

import (
	"bytes"
	"encoding"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/iamd-dev/iamd/internal/audit"
)

// The general path writes what the record encoder (encode.go) writes, for values the encoder
// does not model: the value goes through encoding/json, and the result is shaped with the Go
// value beside it, so that an object written for a struct and one written for a map are told
// apart. A struct's members get lowerCamel keys and lose null members, empty arrays,
// ResultMetadata and secrets (audit.IsSecretName); a map's members lose only null members and
// empty arrays, and keep their keys as given: they are user data (tag keys, SummaryMap keys),
// which CloudTrail records verbatim. An object whose Go value is not known (one written by a
// custom marshaler) is shaped as a struct's, so that secrets stay out of it.

// recordJSON returns the record form of v (nil when it has no members).
func recordJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var x any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&x) != nil {
		return nil
	}
	var secrets int
	x = shape(x, reflect.ValueOf(v), &secrets)
	if m, ok := x.(map[string]any); ok && len(m) == 0 && secrets == 0 {
		// No members at all (secrets count: the encoder writes {} for secrets only).
		return nil
	}
	out, err := json.Marshal(x)
	if err != nil {
		return nil
	}
	return out
}

// shape shapes x, the JSON encoding/json wrote for v. v is the zero Value when unknown. The
// secrets dropped from x's own members (not nested ones) are added to *secrets when it is
// non-nil.
func shape(x any, v reflect.Value, secrets *int) any {
	v = concrete(v)
	switch x := x.(type) {
	case map[string]any:
		if v.IsValid() && v.Kind() == reflect.Map {
			return shapeMap(x, v)
		}
		return shapeObject(x, v, secrets)
	case []any:
		list := v.IsValid() && (v.Kind() == reflect.Slice || v.Kind() == reflect.Array)
		for i := range x {
			var e reflect.Value
			if list && i < v.Len() {
				e = v.Index(i)
			}
			x[i] = shape(x[i], e, nil)
		}
		return x
	}
	return x
}

// concrete follows pointers and interfaces to the value encoding/json wrote; the zero Value
// for nil, and for a value whose type writes itself (json.Marshaler, encoding.TextMarshaler),
// whose JSON says nothing of its Go structure.
func concrete(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		if v.Kind() == reflect.Pointer && marshals(v.Type()) {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	if v.IsValid() && (marshals(v.Type()) || marshals(reflect.PointerTo(v.Type()))) {
		return reflect.Value{}
	}
	return v
}

func marshals(t reflect.Type) bool {
	return t.Implements(reflect.TypeFor[json.Marshaler]()) || t.Implements(reflect.TypeFor[encoding.TextMarshaler]())
}

// dropped reports whether a member whose value is e is left out: null or an empty array.
func dropped(e any) bool {
	arr, isArr := e.([]any)
	return e == nil || isArr && len(arr) == 0
}

// shapeMap shapes a map's object: keys as given.
func shapeMap(x map[string]any, v reflect.Value) map[string]any {
	kt := v.Type().Key()
	out := make(map[string]any, len(x))
	for k, e := range x {
		if dropped(e) {
			continue
		}
		var ev reflect.Value
		if kt.Kind() == reflect.String {
			ev = v.MapIndex(reflect.ValueOf(k).Convert(kt)) // zero when the key was not valid UTF-8
		}
		out[k] = shape(e, ev, nil)
	}
	return out
}

// shapeObject shapes a struct's object, or one whose Go value is unknown: lowerCamel keys, no
// ResultMetadata, no secrets. Keys are taken in order, so that of two that fold to one
// lowerCamel key the later wins every time.
func shapeObject(x map[string]any, v reflect.Value, secrets *int) map[string]any {
	out := make(map[string]any, len(x))
	layout := ""
	if v.IsValid() && v.Kind() == reflect.Struct {
		layout = dateLayout(v.Type())
	}
	for _, k := range slices.Sorted(maps.Keys(x)) {
		e := x[k]
		if dropped(e) || k == resultMetadataKey {
			continue
		}
		fv := jsonField(v, k)
		if fv.IsValid() && fv.Kind() == reflect.String && fv.Len() == 0 {
			continue // an SDK enum left unset (the encoder's omitEmpty)
		}
		name := camelKey(k)
		if audit.IsSecretName(name) {
			if secrets != nil {
				*secrets++
			}
			continue
		}
		if tm, ok := timeOf(fv); ok && layout != "" {
			d, _ := formatDate(nil, tm, layout) // encoding/json wrote it, so its year is in range
			out[name] = string(d)
			continue
		}
		if str, ok := e.(string); ok && fv.IsValid() && fv.Kind() == reflect.Pointer && percentEncodedField(v.Type(), k) {
			out[name] = percentEncode(str)
			continue
		}
		out[name] = shape(e, fv, nil)
	}
	return out
}

// jsonField returns the field of struct v that encoding/json writes under key, or the zero
// Value when v is not a known struct or no single field has that key.
func jsonField(v reflect.Value, key string) reflect.Value {
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	index := jsonFieldsOf(v.Type())[key]
	if index == nil {
		return reflect.Value{}
	}
	fv, err := v.FieldByIndexErr(index)
	if err != nil { // through a nil embedded pointer
		return reflect.Value{}
	}
	return fv
}

// jsonFields caches jsonFieldsOf per struct type.
var jsonFields sync.Map

// jsonFieldsOf maps the keys encoding/json writes for struct type t to their fields' index
// paths; a key more than one field claims maps to nil (treated as unknown).
func jsonFieldsOf(t reflect.Type) map[string][]int {
	if m, ok := jsonFields.Load(t); ok {
		return m.(map[string][]int)
	}
	m := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if !f.IsExported() || tag == "-" || f.Anonymous && name == "" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, seen := m[name]; seen {
			m[name] = nil
			continue
		}
		m[name] = f.Index
	}
	jsonFields.Store(t, m)
	return m
}

// resourcesOf is what encodeTop finds for res, from recordJSON's output.
func resourcesOf(raw json.RawMessage) []string {
	if raw == nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		typ, ok := audit.ParamResourceType(k)
		if v, isStr := m[k].(string); ok && isStr && v != "" {
			out = append(out, typ+"\x00"+v)
		}
	}
	return out
}
