package query

import (
	"reflect"
	"strconv"
	"time"
)

// filler sets every member of a value to a generated, deterministic value, so that
// round-trip tests exercise every member of every SDK type without listing them.
type filler struct {
	// unions lists the members of SDK unions; see sdkUnions.
	unions map[reflect.Type][]reflect.Type
	n      int
	depth  int
	// tricky makes strings carry characters that need escaping on the wire.
	tricky bool
}

func (f *filler) next() int {
	f.n++
	return f.n
}

// fill sets v (addressable) to a generated value.
func (f *filler) fill(v reflect.Value) {
	t := v.Type()
	switch {
	case t == timeType:
		base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		n := f.next()
		// Alternate whole seconds and milliseconds, the precision the wire keeps.
		v.Set(reflect.ValueOf(base.Add(time.Duration(n)*time.Hour + time.Duration(n%2)*123*time.Millisecond)))
		return
	case t == bytesType:
		v.SetBytes([]byte("blob\x00\xff" + strconv.Itoa(f.next())))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.String:
		if vals := enumValues(t); vals != nil {
			v.SetString(vals[f.next()%len(vals)])
			return
		}
		s := "v" + strconv.Itoa(f.next())
		if f.tricky {
			s += " <&>\"' \r\n\té😀+%="
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(f.next()%2 == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.next()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.next()) + 0.5)
	case reflect.Slice:
		n := 2
		if f.depth > 3 {
			n = 0
		}
		f.depth++
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			f.fill(s.Index(i))
		}
		f.depth--
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(t)
		f.depth++
		for range 2 {
			k := reflect.New(t.Key()).Elem()
			f.fill(k)
			e := reflect.New(t.Elem()).Elem()
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		f.depth--
		v.Set(m)
	case reflect.Struct:
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() || sf.Name == "ResultMetadata" {
				continue
			}
			f.fill(v.Field(i))
		}
	case reflect.Interface:
		members := f.unions[t]
		if len(members) == 0 {
			return // an interface the codec does not know: it stays nil
		}
		m := reflect.New(members[f.next()%len(members)].Elem())
		f.fill(m.Elem().FieldByName("Value"))
		v.Set(m)
	}
}
