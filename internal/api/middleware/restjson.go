package middleware

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	smithytime "github.com/aws/smithy-go/time"
)

// The restJson1 codec maps AWS SDK for Go v2 types to the JSON documents of AWS's restJson1
// protocol: a member's JSON name is its Go field name with the first letter lower-cased
// (PolicyDocument ↔ "policyDocument"), absent (nil or empty) members are left out, timestamps
// are RFC 3339 date-time strings (the format the Access Analyzer model names for its
// timestamps; a number is read as epoch seconds too), blobs are base64, and a union is an object
// with one member named after the union member's type (PathElementMemberIndex{Value: 1} ↔
// {"index": 1}). SDK bookkeeping fields (ResultMetadata, ErrorCodeOverride) are never encoded.

var timeType = reflect.TypeFor[time.Time]()

// EncodeJSON encodes an SDK value (a pointer to an input, output, shape or exception struct) as
// a restJson1 document.
func EncodeJSON(v any) ([]byte, error) {
	x, ok := jsonOf(reflect.ValueOf(v))
	if !ok {
		x = map[string]any{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// jsonOf returns the JSON value of v and whether it is present.
func jsonOf(v reflect.Value) (any, bool) {
	switch v.Kind() {
	case reflect.Invalid:
		return nil, false
	case reflect.Pointer:
		if v.IsNil() {
			return nil, false
		}
		return jsonOf(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		e := v.Elem()
		for e.Kind() == reflect.Pointer && !e.IsNil() {
			e = e.Elem()
		}
		if name, ok := unionMember(e.Type()); ok {
			x, _ := jsonOf(e.FieldByName("Value"))
			return map[string]any{name: x}, true
		}
		return jsonOf(e)
	case reflect.Struct:
		if v.Type() == timeType {
			return smithytime.FormatDateTime(v.Interface().(time.Time)), true
		}
		m := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !wireField(f) {
				continue
			}
			if x, ok := jsonOf(v.Field(i)); ok {
				m[memberName(f.Name)] = x
			}
		}
		return m, true
	case reflect.String:
		if v.Len() == 0 {
			return nil, false // an unset enum
		}
		return v.String(), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i], _ = jsonOf(v.Index(i))
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()], _ = jsonOf(it.Value())
		}
		return out, true
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return v.Interface(), true
	}
	return nil, false
}

// wireField reports whether a struct field is a member on the wire.
func wireField(f reflect.StructField) bool {
	return f.IsExported() && !f.Anonymous && f.Name != "ResultMetadata" && f.Name != "ErrorCodeOverride"
}

// unionMember returns the member name of an SDK union member type (PathElementMemberIndex →
// "index"): a struct named …Member<Name> whose one wire field is Value.
func unionMember(t reflect.Type) (string, bool) {
	if t.Kind() != reflect.Struct {
		return "", false
	}
	i := strings.LastIndex(t.Name(), "Member")
	if i <= 0 || i+len("Member") == len(t.Name()) {
		return "", false
	}
	if f, ok := t.FieldByName("Value"); !ok || !f.IsExported() {
		return "", false
	}
	return memberName(t.Name()[i+len("Member"):]), true
}

// memberName is the JSON name of a Go field: its first letter lower-cased.
func memberName(field string) string {
	r, n := utf8.DecodeRuneInString(field)
	return string(unicode.ToLower(r)) + field[n:]
}

// errShape is what DecodeJSON returns for a body that is not the input's JSON shape.
var errShape = errors.New("restjson: body does not match the input shape")

// DecodeJSON decodes a restJson1 request body into v, a pointer to an SDK input struct. An
// empty body leaves v as it is; unknown members are ignored, as AWS services do for forward
// compatibility. Unions cannot be decoded (no operation served here takes one).
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return fmt.Errorf("%w: %w", errShape, err)
	}
	if d.More() {
		return fmt.Errorf("%w: data after the document", errShape)
	}
	if _, ok := x.(map[string]any); !ok {
		return fmt.Errorf("%w: not an object", errShape)
	}
	return assign(reflect.ValueOf(v).Elem(), x, "")
}

// assign stores the JSON value x (decoded with UseNumber) in dst; at is the member path for
// errors.
func assign(dst reflect.Value, x any, at string) error {
	if x == nil {
		return nil
	}
	bad := func() error { return fmt.Errorf("%w: member %s: unexpected %T", errShape, at, x) }
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := assign(p.Elem(), x, at); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Struct:
		if dst.Type() == timeType {
			t, err := timeOf(x)
			if err != nil {
				return fmt.Errorf("%w: member %s: %w", errShape, at, err)
			}
			dst.Set(reflect.ValueOf(t))
			return nil
		}
		m, ok := x.(map[string]any)
		if !ok {
			return bad()
		}
		t := dst.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !wireField(f) {
				continue
			}
			name := memberName(f.Name)
			if e, ok := m[name]; ok {
				if err := assign(dst.Field(i), e, strings.TrimPrefix(at+"."+name, ".")); err != nil {
					return err
				}
			}
		}
		return nil
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return bad()
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return bad()
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		i, err := n.Int64()
		if err != nil || dst.OverflowInt(i) {
			return bad()
		}
		dst.SetInt(i)
		return nil
	case reflect.Float32, reflect.Float64:
		n, ok := x.(json.Number)
		if !ok {
			return bad()
		}
		f, err := n.Float64()
		if err != nil {
			return bad()
		}
		dst.SetFloat(f)
		return nil
	case reflect.Slice:
		if dst.Type().Elem().Kind() == reflect.Uint8 {
			s, ok := x.(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if !ok || err != nil {
				return bad()
			}
			dst.SetBytes(b)
			return nil
		}
		a, ok := x.([]any)
		if !ok {
			return bad()
		}
		s := reflect.MakeSlice(dst.Type(), len(a), len(a))
		for i, e := range a {
			if err := assign(s.Index(i), e, at+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || dst.Type().Key().Kind() != reflect.String {
			return bad()
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for k, e := range m {
			ev := reflect.New(dst.Type().Elem()).Elem()
			if err := assign(ev, e, at+"."+k); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), ev)
		}
		dst.Set(out)
		return nil
	}
	return bad()
}

// timeOf reads a timestamp: an RFC 3339 date-time string, or epoch seconds.
func timeOf(x any) (time.Time, error) {
	switch v := x.(type) {
	case string:
		return smithytime.ParseDateTime(v)
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return time.Time{}, errors.New("not a timestamp")
		}
		return smithytime.ParseEpochSeconds(f), nil
	}
	return time.Time{}, errors.New("not a timestamp")
}

// bindParam stores a path label or query parameter in the input member named field: strings
// (and enums), integers and booleans, as restJson1 binds them.
func bindParam(in reflect.Value, field, raw string) error {
	f := in.FieldByName(field)
	if !f.IsValid() {
		return fmt.Errorf("restjson: input %s has no member %s", in.Type(), field)
	}
	t := f.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil || (raw != "true" && raw != "false") {
			return fmt.Errorf("%w: %s is not a boolean", errShape, memberName(field))
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(raw, 10, t.Bits())
		if err != nil {
			return fmt.Errorf("%w: %s is not an integer", errShape, memberName(field))
		}
		v.SetInt(i)
	default:
		return fmt.Errorf("restjson: member %s of type %s cannot be bound", field, t)
	}
	if f.Kind() == reflect.Pointer {
		p := reflect.New(t)
		p.Elem().Set(v)
		f.Set(p)
		return nil
	}
	f.Set(v)
	return nil
}
