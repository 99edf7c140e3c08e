package policy

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, that every rejection is a *SyntaxError with a sane
// position, and that an accepted document survives parse → print → parse unchanged.
func FuzzParse(f *testing.F) {
	for name, text := range readTestdata(f) {
		f.Add(text, uint8(kindOf(name)-1))
	}
	f.Add(allow(`"Condition":{"DateEquals":{"a:b":["2020-01-01T00:00:00+01:00",1700000000]}}`), uint8(Identity-1))
	f.Add(`{"Id":"\ud83d\ude00\u00e9","Statement":{"Effect":"Deny","NotAction":"*","NotResource":"*"}}`, uint8(Identity-1))
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`, uint8(Resource-1))
	f.Fuzz(func(t *testing.T, text string, k uint8) {
		kind := Kind(k%uint8(RCP)) + Identity
		d, err := Parse(text, kind)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q, %v) error %v is not a *SyntaxError", text, kind, err)
			}
			if se.Message == "" || (se.Line == 0) != (se.Column == 0) || se.Line < 0 || se.Column < 0 {
				t.Fatalf("Parse(%q, %v) = %#v: bad message or position", text, kind, se)
			}
			return
		}
		if n := Size(text); n > len(text) || n <= 0 {
			t.Fatalf("Size(%q) = %d, want 1..%d", text, n, len(text))
		}
		again, err := Parse(text, kind)
		if err != nil || !cmp.Equal(d, again) {
			t.Fatalf("Parse(%q, %v) is not deterministic: %v", text, kind, err)
		}
		printed := printDocument(d)
		re, err := Parse(printed, kind)
		if err != nil {
			t.Fatalf("Parse(print(Parse(%q))) = %v\nprinted: %s", text, err, printed)
		}
		if diff := cmp.Diff(d, re); diff != "" {
			t.Fatalf("parse → print → parse changed the document (-first +second):\n%s\ntext: %q\nprinted: %s", diff, text, printed)
		}
	})
}

func TestParsePrintRoundTrip(t *testing.T) {
	for name, text := range readTestdata(t) {
		d, err := Parse(text, kindOf(name))
		if err != nil {
			t.Fatalf("Parse(%s): %v", name, err)
		}
		re, err := Parse(printDocument(d), kindOf(name))
		if err != nil {
			t.Fatalf("Parse(print(%s)): %v", name, err)
		}
		if diff := cmp.Diff(d, re); diff != "" {
			t.Errorf("%s: round trip mismatch (-want +got):\n%s", name, diff)
		}
	}
}

// printDocument writes a Document back as policy JSON, all in ASCII. Condition values are printed
// as strings, which Parse reads back to the same text.
func printDocument(d *Document) string {
	var b strings.Builder
	b.WriteString("{")
	if d.Version != "" {
		fmt.Fprintf(&b, `"Version":%s,`, quote(d.Version))
	}
	if d.ID != "" {
		fmt.Fprintf(&b, `"Id":%s,`, quote(d.ID))
	}
	b.WriteString(`"Statement":[`)
	for i, s := range d.Statements {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"Effect":%s`, quote(s.Effect.String()))
		if s.Sid != "" {
			fmt.Fprintf(&b, `,"Sid":%s`, quote(s.Sid))
		}
		printList(&b, "Action", s.Action)
		printList(&b, "NotAction", s.NotAction)
		printList(&b, "Resource", s.Resource)
		printList(&b, "NotResource", s.NotResource)
		printPrincipal(&b, "Principal", s.Principal)
		printPrincipal(&b, "NotPrincipal", s.NotPrincipal)
		if len(s.Conditions) > 0 {
			b.WriteString(`,"Condition":{`)
			byOp := map[string][]Condition{}
			var ops []string
			for _, c := range s.Conditions {
				if _, ok := byOp[c.Operator]; !ok {
					ops = append(ops, c.Operator)
				}
				byOp[c.Operator] = append(byOp[c.Operator], c)
			}
			sort.Strings(ops)
			for j, op := range ops {
				if j > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `%s:{`, quote(op))
				for n, c := range byOp[op] {
					if n > 0 {
						b.WriteString(",")
					}
					fmt.Fprintf(&b, `%s:%s`, quote(c.Key), quoteList(c.Values))
				}
				b.WriteString("}")
			}
			b.WriteString("}")
		}
		b.WriteString("}")
	}
	b.WriteString("]}")
	return b.String()
}

func printList(b *strings.Builder, name string, list []string) {
	if list != nil {
		fmt.Fprintf(b, `,%q:%s`, name, quoteList(list))
	}
}

func printPrincipal(b *strings.Builder, name string, p *Principal) {
	if p == nil {
		return
	}
	if p.Wildcard {
		fmt.Fprintf(b, `,%q:"*"`, name)
		return
	}
	fmt.Fprintf(b, `,%q:{`, name)
	sep := ""
	for _, t := range []struct {
		typ  string
		vals []string
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}, {"CanonicalUser", p.CanonicalUser}} {
		if t.vals != nil {
			fmt.Fprintf(b, `%s%q:%s`, sep, t.typ, quoteList(t.vals))
			sep = ","
		}
	}
	b.WriteString("}")
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// quote writes s as a JSON string using only printable ASCII.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7F:
			b.WriteRune(r)
		case r > 0xFFFF:
			r1, r2 := surrogates(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func surrogates(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}
