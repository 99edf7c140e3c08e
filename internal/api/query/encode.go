package query

import (
	"encoding/base64"
	"errors"
	"io"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/iamd-dev/iamd/internal/api/awserr"
)

// The XML namespaces of the two Query services.
const (
	IAMNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"
	STSNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// ContentType is the Content-Type of Query protocol responses, errors included.
const ContentType = "text/xml"

// errNotStruct reports a programmer error: EncodeResponse encodes structs.
var errNotStruct = errors.New("query: EncodeResponse needs a nil value or a pointer to a struct")

// EncodeResponse writes the Query protocol response for action to w in a single Write:
// <{action}Response xmlns="{namespace}"><{action}Result>…</{action}Result><ResponseMetadata>
// <RequestId>{requestID}</RequestId></ResponseMetadata></{action}Response>. out is the SDK output
// struct (or a pointer to it). The Result element is left out when out is nil, or when it has no
// members and the SDK does not expect one, as AWS does for actions such as DeleteUser.
func (c *Codec) EncodeResponse(w io.Writer, action, namespace, requestID string, out any) error {
	var p *typePlan
	v := reflect.ValueOf(out)
	if out != nil {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return errNotStruct
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return errNotStruct
		}
		p = c.plan(v.Type())
	}
	b := c.getBuf()
	defer c.putBuf(b)
	buf := (*b)[:0]
	buf = append(buf, '<')
	buf = append(buf, action...)
	buf = append(buf, `Response xmlns="`...)
	buf = appendEscaped(buf, namespace)
	buf = append(buf, `">`...)
	if p != nil && p.result {
		buf = append(buf, '<')
		buf = append(buf, action...)
		buf = append(buf, "Result>"...)
		buf = appendStruct(buf, p, v)
		buf = append(buf, "</"...)
		buf = append(buf, action...)
		buf = append(buf, "Result>"...)
	}
	buf = append(buf, "<ResponseMetadata><RequestId>"...)
	buf = appendEscaped(buf, requestID)
	buf = append(buf, "</RequestId></ResponseMetadata></"...)
	buf = append(buf, action...)
	buf = append(buf, "Response>"...)
	*b = buf
	_, err := w.Write(buf)
	return err
}

// EncodeError writes the Query protocol error response for e to w in a single Write:
// <ErrorResponse xmlns="{namespace}"><Error><Type>{fault}</Type><Code>{code}</Code>
// <Message>{message}</Message></Error><RequestId>{requestID}</RequestId></ErrorResponse>.
// The caller sets the HTTP status from e.Status. A nil e is written as InternalFailure.
func (c *Codec) EncodeError(w io.Writer, namespace, requestID string, e *awserr.Error) error {
	if e == nil {
		e = awserr.InternalFailure("")
	}
	fault := e.Fault
	if fault == "" {
		fault = awserr.Sender
		if e.Status >= 500 {
			fault = awserr.Receiver
		}
	}
	b := c.getBuf()
	defer c.putBuf(b)
	buf := (*b)[:0]
	buf = append(buf, `<ErrorResponse xmlns="`...)
	buf = appendEscaped(buf, namespace)
	buf = append(buf, `"><Error><Type>`...)
	buf = appendEscaped(buf, string(fault))
	buf = append(buf, "</Type><Code>"...)
	buf = appendEscaped(buf, e.Code)
	buf = append(buf, "</Code><Message>"...)
	buf = appendEscaped(buf, e.Message)
	buf = append(buf, "</Message></Error><RequestId>"...)
	buf = appendEscaped(buf, requestID)
	buf = append(buf, "</RequestId></ErrorResponse>"...)
	*b = buf
	_, err := w.Write(buf)
	return err
}

func (c *Codec) getBuf() *[]byte {
	if b, ok := c.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1024)
	return &b
}

func (c *Codec) putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		c.bufs.Put(b)
	}
}

// appendStruct appends the members of struct v as elements.
func appendStruct(buf []byte, p *typePlan, v reflect.Value) []byte {
	for i := range p.fields {
		f := &p.fields[i]
		fv := v.Field(f.index)
		if f.ptr {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		} else if omit(fv) {
			continue
		}
		buf = appendOpen(buf, f.xml)
		if f.policy {
			buf = appendPercentEncoded(buf, fv.String())
		} else {
			buf = appendValue(buf, f.plan, fv)
		}
		buf = appendClose(buf, f.xml)
	}
	return buf
}

// omit reports whether a non-pointer member has no value to write: a nil slice or map, or an
// empty string (unset SDK enums are empty strings). Non-pointer booleans and numbers are always
// written, as AWS writes <IsTruncated>false</IsTruncated>.
func omit(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

func appendOpen(buf []byte, name string) []byte {
	buf = append(buf, '<')
	buf = append(buf, name...)
	return append(buf, '>')
}

func appendClose(buf []byte, name string) []byte {
	buf = append(buf, "</"...)
	buf = append(buf, name...)
	return append(buf, '>')
}

// appendValue appends the content of an element holding v, of plan p.
func appendValue(buf []byte, p *typePlan, v reflect.Value) []byte {
	switch p.kind {
	case kindString:
		return appendEscaped(buf, v.String())
	case kindBool:
		return strconv.AppendBool(buf, v.Bool())
	case kindInt:
		return strconv.AppendInt(buf, v.Int(), 10)
	case kindUint:
		return strconv.AppendUint(buf, v.Uint(), 10)
	case kindFloat:
		return strconv.AppendFloat(buf, v.Float(), 'g', -1, p.bits)
	case kindTime:
		if v.CanAddr() {
			// A pointer fits an interface without allocating; a time.Time does not.
			return appendTime(buf, *v.Addr().Interface().(*time.Time))
		}
		return appendTime(buf, v.Interface().(time.Time))
	case kindBlob:
		return base64.StdEncoding.AppendEncode(buf, v.Bytes())
	case kindStruct:
		return appendStruct(buf, p, v)
	case kindList:
		for i := range v.Len() {
			ev := v.Index(i)
			buf = append(buf, "<member>"...)
			if p.elemPtr {
				if ev.IsNil() {
					buf = append(buf, "</member>"...)
					continue
				}
				ev = ev.Elem()
			}
			buf = appendValue(buf, p.elem, ev)
			buf = append(buf, "</member>"...)
		}
		return buf
	case kindUnion:
		if v.IsNil() {
			return buf
		}
		e := v.Elem()
		for i := range p.members {
			m := &p.members[i]
			if e.Type() != m.typ || e.IsNil() {
				continue
			}
			fv := e.Elem().Field(m.valueIdx)
			if m.valuePtr {
				if fv.IsNil() {
					return buf
				}
				fv = fv.Elem()
			}
			buf = appendOpen(buf, m.wire)
			buf = appendValue(buf, m.plan, fv)
			return appendClose(buf, m.wire)
		}
		return buf
	case kindMap:
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		kt := p.typ.Key()
		for _, k := range keys {
			ev := v.MapIndex(reflect.ValueOf(k).Convert(kt))
			buf = append(buf, "<entry><key>"...)
			buf = appendEscaped(buf, k)
			buf = append(buf, "</key><value>"...)
			if p.elemPtr {
				ev = ev.Elem()
			}
			if ev.IsValid() {
				buf = appendValue(buf, p.elem, ev)
			}
			buf = append(buf, "</value></entry>"...)
		}
		return buf
	}
	return buf
}

// appendTime appends t as ISO 8601 in UTC with millisecond precision, leaving the fraction out
// when it is zero: 2026-01-02T03:04:05Z, 2026-01-02T03:04:05.5Z. This is the SDK's own
// date-time format.
func appendTime(buf []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(buf, "2006-01-02T15:04:05.999Z")
}

// appendEscaped appends s as XML character data. Besides the markup characters it escapes
// carriage returns, which XML parsers would otherwise normalize away, and replaces characters
// XML cannot carry (invalid UTF-8, most control characters) with U+FFFD.
func appendEscaped(buf []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch {
		case r == '&':
			esc = "&amp;"
		case r == '<':
			esc = "&lt;"
		case r == '>':
			esc = "&gt;"
		case r == '"':
			esc = "&quot;"
		case r == '\r':
			esc = "&#xD;"
		case r == utf8.RuneError && width == 1, !xmlChar(r):
			esc = "\uFFFD"
		default:
			i += width
			continue
		}
		buf = append(buf, s[last:i]...)
		buf = append(buf, esc...)
		i += width
		last = i
	}
	return append(buf, s[last:]...)
}

// xmlChar reports whether r is in the XML 1.0 Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// appendPercentEncoded appends s percent-encoded as RFC 3986 describes: every byte outside the
// unreserved set (ALPHA / DIGIT / "-" / "." / "_" / "~") becomes %XX. IAM returns policy
// documents this way.
func appendPercentEncoded(buf []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			buf = append(buf, c)
			continue
		}
		buf = append(buf, '%', hex[c>>4], hex[c&15])
	}
	return buf
}
