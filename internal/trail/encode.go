package trail

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/audit"
)

// The record encoder writes an SDK value the way CloudTrail shapes parameters, in one pass:
// a struct's members under lowerCamel keys in sorted order, without null members, empty
// arrays, ResultMetadata, or a member whose key names a secret (audit.IsSecretName); a map's
// members under their keys as given (user data: tag keys, SummaryMap keys), in sorted order,
// without null members or empty arrays. Its output is byte for byte what the general path
// (recordJSON, general.go) gives; encode_test.go checks it over every IAM and STS input and
// output type. A value it does not model (JSON struct tags, custom marshalers, floats that are
// not finite, struct keys that would collide, map keys that are not valid UTF-8) makes it
// return errUnsupported, and Build takes the general path.

var errUnsupported = errors.New("trail: value not supported by the record encoder")

// encoder encodes values of one type.
type encoder struct {
	// enc appends v's JSON to dst.
	enc func(dst []byte, v reflect.Value) ([]byte, error)
	// omit reports whether v is written as null or as an empty array, which a member drops.
	omit func(v reflect.Value) bool
	// fields are a struct's members in key order (nil for other kinds).
	fields []field
	// isStruct marks a struct encoder; bad one whose struct the encoder does not model.
	isStruct, bad bool
}

type field struct {
	index  int
	name   string // the lowerCamel key
	key    []byte // `"name":`
	secret bool
	// omitEmpty drops a non-pointer string member left empty: an SDK enum the request did
	// not set (CreateSAMLProviderInput.AssertionEncryptionMode), which CloudTrail does not show.
	omitEmpty bool
	enc       *encoder
}

// encoders caches one *encoder per reflect.Type.
var encoders sync.Map

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshaler     = reflect.TypeFor[json.Marshaler]()
	textMarshaler     = reflect.TypeFor[encoding.TextMarshaler]()
	errEncodeUnsupp   = func(dst []byte, _ reflect.Value) ([]byte, error) { return dst, errUnsupported }
	never             = func(reflect.Value) bool { return false }
	resultMetadataKey = "ResultMetadata"
)

func encoderFor(t reflect.Type) *encoder {
	if e, ok := encoders.Load(t); ok {
		return e.(*encoder)
	}
	building := map[reflect.Type]*encoder{}
	e := compile(t, building)
	for bt, be := range building {
		encoders.LoadOrStore(bt, be)
	}
	return e
}

// compile builds t's encoder. Types being built are in building, so that recursive types
// refer to their (not yet complete) encoder instead of recursing forever.
func compile(t reflect.Type, building map[reflect.Type]*encoder) *encoder {
	if e, ok := building[t]; ok {
		return e
	}
	if e, ok := encoders.Load(t); ok {
		return e.(*encoder)
	}
	e := &encoder{}
	building[t] = e
	if t == timeType {
		e.enc, e.omit = encodeTime, never
		return e
	}
	// A pointer or interface type has its target's methods; the target is checked itself.
	if k := t.Kind(); k != reflect.Pointer && k != reflect.Interface && (t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)) {
		e.enc, e.omit = errEncodeUnsupp, never
		return e
	}
	switch t.Kind() {
	case reflect.String:
		e.enc, e.omit = encodeString, never
	case reflect.Bool:
		e.enc, e.omit = func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendBool(dst, v.Bool()), nil }, never
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.enc, e.omit = func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendInt(dst, v.Int(), 10), nil }, never
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.enc, e.omit = func(dst []byte, v reflect.Value) ([]byte, error) { return strconv.AppendUint(dst, v.Uint(), 10), nil }, never
	case reflect.Float32, reflect.Float64:
		e.enc, e.omit = encodeViaJSON, never
	case reflect.Pointer:
		elem := compile(t.Elem(), building)
		e.enc = func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			return elem.enc(dst, v.Elem())
		}
		e.omit = func(v reflect.Value) bool { return v.IsNil() || elem.omit(v.Elem()) }
	case reflect.Interface:
		e.enc = func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			return encoderFor(v.Elem().Type()).enc(dst, v.Elem())
		}
		e.omit = func(v reflect.Value) bool { return v.IsNil() || encoderFor(v.Elem().Type()).omit(v.Elem()) }
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			e.enc = encodeBytes
			e.omit = func(v reflect.Value) bool { return v.IsNil() }
			break
		}
		elem := compile(t.Elem(), building)
		e.enc = func(dst []byte, v reflect.Value) ([]byte, error) { return encodeList(dst, v, elem) }
		e.omit = func(v reflect.Value) bool { return v.IsNil() || v.Len() == 0 }
	case reflect.Array:
		elem := compile(t.Elem(), building)
		e.enc = func(dst []byte, v reflect.Value) ([]byte, error) { return encodeList(dst, v, elem) }
		e.omit = func(v reflect.Value) bool { return v.Len() == 0 }
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			e.enc, e.omit = errEncodeUnsupp, never
			break
		}
		elem := compile(t.Elem(), building)
		e.enc = func(dst []byte, v reflect.Value) ([]byte, error) { return encodeMap(dst, v, elem) }
		e.omit = func(v reflect.Value) bool { return v.IsNil() }
	case reflect.Struct:
		compileStruct(e, t, building)
	default: // complex numbers, channels, functions: json.Marshal fails on them
		e.enc, e.omit = errEncodeUnsupp, never
	}
	return e
}

func compileStruct(e *encoder, t reflect.Type, building map[reflect.Type]*encoder) {
	e.omit, e.isStruct = never, true
	unsupported := func() { e.enc, e.bad, e.fields = errEncodeUnsupp, true, nil }
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			// Only the SDK's embedded marker (an unexported struct without exported fields)
			// is understood; other embedded fields are promoted by encoding/json.
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() != reflect.Struct || !noExportedFields(ft) {
				unsupported()
				return
			}
			continue
		}
		if !f.IsExported() || f.Name == resultMetadataKey {
			continue
		}
		if _, tagged := f.Tag.Lookup("json"); tagged {
			unsupported()
			return
		}
		name := camelKey(f.Name)
		if seen[name] {
			unsupported()
			return
		}
		seen[name] = true
		fe := compile(f.Type, building)
		if layout := dateLayout(t); layout != "" && isTime(f.Type) {
			fe = timeEncoder(f.Type, layout)
		} else if percentEncodedField(t, f.Name) && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.String {
			fe = percentEncoder
		}
		e.fields = append(e.fields, field{index: i, name: name, key: append(audit.AppendString(nil, name), ':'),
			secret: audit.IsSecretName(name), omitEmpty: f.Type.Kind() == reflect.String, enc: fe})
	}
	slices.SortFunc(e.fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	e.enc = func(dst []byte, v reflect.Value) ([]byte, error) {
		dst, _, err := encodeFields(append(dst, '{'), v, e.fields)
		return append(dst, '}'), err
	}
}

func noExportedFields(t reflect.Type) bool {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() || f.Anonymous {
			return false
		}
	}
	return true
}

// encodeFields appends a struct's members and returns how many it had before secrets were
// removed (recordJSON's test for an empty object).
func encodeFields(dst []byte, v reflect.Value, fields []field) ([]byte, int, error) {
	n, wrote := 0, false
	for i := range fields {
		f := &fields[i]
		fv := v.Field(f.index)
		if f.enc.omit(fv) || f.omitEmpty && fv.Len() == 0 {
			continue
		}
		n++
		if f.secret {
			continue
		}
		if wrote {
			dst = append(dst, ',')
		}
		wrote = true
		dst = append(dst, f.key...)
		var err error
		if dst, err = f.enc.enc(dst, fv); err != nil {
			return dst, n, err
		}
	}
	return dst, n, nil
}

func encodeList(dst []byte, v reflect.Value, elem *encoder) ([]byte, error) {
	dst = append(dst, '[')
	for i := range v.Len() {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = elem.enc(dst, v.Index(i)); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

func encodeMap(dst []byte, v reflect.Value, elem *encoder) ([]byte, error) {
	type member struct {
		key string
		val reflect.Value
	}
	members := make([]member, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		if elem.omit(iter.Value()) {
			continue
		}
		k := iter.Key().String()
		if !utf8.ValidString(k) {
			// encoding/json writes each bad byte as U+FFFD: two keys could become one.
			return dst, errUnsupported
		}
		members = append(members, member{k, iter.Value()})
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.key, b.key) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(audit.AppendString(dst, m.key), ':')
		var err error
		if dst, err = elem.enc(dst, m.val); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// camelKey lower-cases the first letter of a struct member's name.
func camelKey(k string) string {
	r, n := utf8.DecodeRuneInString(k)
	if l := unicode.ToLower(r); l != r || r == utf8.RuneError {
		return string(l) + k[n:]
	}
	return k
}

func encodeString(dst []byte, v reflect.Value) ([]byte, error) {
	return audit.AppendString(dst, audit.ValidString(v.String())), nil
}

func encodeTime(dst []byte, v reflect.Value) ([]byte, error) {
	t := v.Interface().(time.Time)
	dst = append(dst, '"')
	dst, err := t.AppendText(dst)
	if err != nil {
		return dst, errUnsupported
	}
	return append(dst, '"'), nil
}

func encodeBytes(dst []byte, v reflect.Value) ([]byte, error) {
	if v.IsNil() {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, v.Bytes())
	return append(dst, '"'), nil
}

func encodeViaJSON(dst []byte, v reflect.Value) ([]byte, error) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return dst, errUnsupported
	}
	return append(dst, b...), nil
}

// encodeTop appends the record form of an SDK input or output (a pointer to a struct) to dst.
// empty reports that the value has no members (recordJSON gives nil: the record says null).
// When res is non-nil, the LookupEvents resources the value names are appended to *res.
func encodeTop(dst []byte, v any, res *[]string) (out []byte, empty bool, err error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return dst, false, errUnsupported
	}
	rv = rv.Elem()
	e := encoderFor(rv.Type())
	if !e.isStruct || e.bad {
		return dst, false, errUnsupported
	}
	start := len(dst)
	dst, n, err := encodeFields(append(dst, '{'), rv, e.fields)
	if err != nil {
		return dst[:start], false, err
	}
	if n == 0 {
		return dst[:start], true, nil
	}
	if res != nil {
		for i := range e.fields {
			f := &e.fields[i]
			typ, ok := audit.ParamResourceType(f.name)
			if !ok {
				continue
			}
			fv := rv.Field(f.index)
			for fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.String && fv.String() != "" {
				*res = append(*res, typ+"\x00"+audit.ValidString(fv.String()))
			}
		}
	}
	return append(dst, '}'), false, nil
}
