package audit

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestCompactRoundTrip: the compact form of each varied record parses back to the same
// record, whose JSON is byte for byte the original's.
func TestCompactRoundTrip(t *testing.T) {
	events := variedEvents()
	events["every field"] = everyField()
	for name, e := range events {
		t.Run(name, func(t *testing.T) {
			c := e.AppendCompact([]byte("prefix"))
			if !bytes.HasPrefix(c, []byte("prefix")) {
				t.Fatalf("AppendCompact did not append: %q", c)
			}
			c = c[len("prefix"):]
			if !IsCompact(c) {
				t.Fatalf("IsCompact(%q) = false", c)
			}
			got, err := ParseCompact(c)
			if err != nil {
				t.Fatal(err)
			}
			if want := inUTC(e); !reflect.DeepEqual(*got, want) {
				t.Errorf("parsed:\n%#v\nwant:\n%#v", *got, want)
			}
			want := e.AppendJSON(nil)
			if j := got.AppendJSON(nil); !bytes.Equal(j, want) {
				t.Errorf("JSON of the parsed record:\n%s\nof the original:\n%s", j, want)
			}
			if j, err := RecordJSON(c); err != nil || !bytes.Equal(j, want) {
				t.Errorf("RecordJSON = %s, %v; want %s", j, err, want)
			}
		})
	}
}

// everyField returns a record with every field of Event set, through its pointers, maps and
// slices, each string to a value of its own, so that a field the compact form leaves out
// fails TestCompactRoundTrip.
func everyField() Event {
	var e Event
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		n++
		switch v.Kind() {
		case reflect.String:
			v.SetString(fmt.Sprintf("s%d", n))
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem())
		case reflect.Map:
			v.Set(reflect.MakeMap(v.Type()))
			v.SetMapIndex(reflect.ValueOf(fmt.Sprintf("k%d", n)), reflect.ValueOf(fmt.Sprintf("v%d", n)))
			v.SetMapIndex(reflect.ValueOf(fmt.Sprintf("l%d", n)), reflect.ValueOf(""))
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Uint8 { // json.RawMessage
				v.SetBytes([]byte(fmt.Sprintf(`{"m%d":true}`, n)))
				return
			}
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			fill(v.Index(0))
			fill(v.Index(1))
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				v.Set(reflect.ValueOf(time.Date(2026, 12, 2, 3, 4, 5, n, time.UTC)))
				return
			}
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		default:
			panic(fmt.Sprintf("everyField: a %s field; teach it and the compact form that kind", v.Kind()))
		}
	}
	fill(reflect.ValueOf(&e).Elem())
	return e
}

// inUTC returns e with its times in UTC, as ParseCompact gives them (JSON writes them so).
func inUTC(e Event) Event {
	e.EventTime = e.EventTime.UTC()
	if sc := e.UserIdentity.SessionContext; sc != nil && sc.Attributes != nil {
		a := *sc.Attributes
		a.CreationDate = a.CreationDate.UTC()
		c := *sc
		c.Attributes = &a
		e.UserIdentity.SessionContext = &c
	}
	return e
}

// TestCompactSmaller: a read's record takes well under two thirds of its JSON's bytes.
func TestCompactSmaller(t *testing.T) {
	e := deniedEvent()
	c, j := e.AppendCompact(nil), e.AppendJSON(nil)
	if 3*len(c) > 2*len(j) {
		t.Errorf("compact record %d bytes, JSON %d", len(c), len(j))
	}
}

// TestParseCompactRejectsDamage: a record cut short anywhere, with bytes after its end, or
// with flag bits or presence bytes of no meaning, does not parse; JSON does not either, and
// RecordJSON passes it through.
func TestParseCompactRejectsDamage(t *testing.T) {
	e := everyField()
	c := e.AppendCompact(nil)
	for i := range len(c) {
		if _, err := ParseCompact(c[:i]); err == nil {
			t.Fatalf("the record cut to %d of %d bytes parsed", i, len(c))
		}
	}
	if _, err := ParseCompact(append(c[:len(c):len(c)], 0)); err == nil {
		t.Error("a record with a byte after its end parsed")
	}
	j := e.AppendJSON(nil)
	if _, err := ParseCompact(j); err == nil || IsCompact(j) {
		t.Error("JSON parsed as a compact record")
	}
	if got, err := RecordJSON(j); err != nil || !bytes.Equal(got, j) {
		t.Errorf("RecordJSON of JSON = %s, %v", got, err)
	}
	if _, err := RecordJSON(c[:len(c)-1]); err == nil {
		t.Error("RecordJSON of a damaged compact record succeeded")
	}
	// The session context's presence byte follows the identity's eight strings.
	r := deniedEvent()
	r.UserIdentity.SessionContext = nil
	b := r.AppendCompact(nil)
	at := 1 + len(appendCoded(nil, r.EventVersion, codedVersions)) + len(appendCoded(nil, r.UserIdentity.Type, codedIdentities))
	u := r.UserIdentity
	for _, s := range []string{u.PrincipalID, u.ARN, u.AccountID, u.AccessKeyID, u.UserName, u.InvokedBy, u.IdentityProvider} {
		at += len(appendCompactString(nil, s))
	}
	if b[at] != 0 {
		t.Fatalf("byte %d is %d, not the absent session context", at, b[at])
	}
	b[at] = 7
	if _, err := ParseCompact(b); err == nil {
		t.Error("a presence byte of 7 parsed")
	}
}

// TestParseCompactNoPanic: random changes to compact records make ParseCompact fail or give a
// record, never panic.
func TestParseCompactNoPanic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := [][]byte{}
	for _, e := range variedEvents() {
		base = append(base, e.AppendCompact(nil))
	}
	for i := range 20000 {
		b := bytes.Clone(base[i%len(base)])
		for range 1 + rng.IntN(4) {
			b[1+rng.IntN(len(b)-1)] = byte(rng.Uint32())
		}
		if e, err := ParseCompact(b); err == nil {
			e.AppendJSON(nil)
		}
	}
}

// TestCompactCodes: a field holding a coded value round-trips, and so does a value of the
// same length as a code's index would be read as.
func TestCompactCodes(t *testing.T) {
	for _, codes := range [][]string{codedVersions, codedSources, codedTypes, codedCategories, codedIdentities} {
		for _, s := range append([]string{"", "x", "xx", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}, codes...) {
			b := appendCoded(nil, s, codes)
			r := &compactReader{b: b, s: string(b)}
			if got := r.coded(codes); got != s || r.bad || r.left() != 0 {
				t.Errorf("coded %q read back as %q (bad %v, %d left)", s, got, r.bad, r.left())
			}
		}
	}
}

// TestCompactJSONOfStored: json.Marshal of the parsed record agrees too (AppendJSON is
// checked against it elsewhere; this catches a parsed record AppendJSON alone would hide).
func TestCompactJSONOfStored(t *testing.T) {
	e := assumeRoleEvent()
	p, err := ParseCompact(e.AppendCompact(nil))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(e)
	b, _ := json.Marshal(p)
	if !bytes.Equal(a, b) {
		t.Errorf("json.Marshal differs:\n%s\n%s", a, b)
	}
}

func BenchmarkAppendCompact(b *testing.B) {
	e := deniedEvent()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = e.AppendCompact(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// TestSummarizeCompact: a compact record summarizes as its JSON does, and a damaged one does
// not summarize.
func TestSummarizeCompact(t *testing.T) {
	for name, e := range map[string]Event{"CreateUser": createUserEvent(), "AssumeRole": assumeRoleEvent(), "Denied": deniedEvent()} {
		want, err := Summarize(e.AppendJSON(nil))
		if err != nil {
			t.Fatal(err)
		}
		c := e.AppendCompact(nil)
		got, err := Summarize(c)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Summarize(compact) = %+v, %v; want %+v", name, got, err, want)
		}
		if _, err := Summarize(c[:len(c)-1]); err == nil {
			t.Errorf("%s: a damaged compact record summarized", name)
		}
	}
}

// TestCompactFormatPinned: the compact form of two example records is what it was when the
// format was made. Stored records are hashed as they are, so a change to the codes, the order
// of the fields or their encoding must be a new format, never an edit of this one. The records
// earlier versions wrote in format 1 still read back as the same records.
func TestCompactFormatPinned(t *testing.T) {
	role := assumeRoleEvent()
	role.UserIdentity.SessionContext.WebIDFederationData = &WebIDFederationData{FederatedProvider: "p", Attributes: map[string]string{"b": "2", "a": "1"}}
	for _, tc := range []struct {
		name   string
		e      Event
		v1, v2 string
	}{
		{"Denied", deniedEvent(), "01000115414944414a3435513759464641524558414d504c452461726e3a6177733a69616d3a3a3132333435363738393031323a757365722f416c6963650c31323334353637383930313214414b4941494f53464f444e4e374558414d504c4505416c696365000000befe84b30a00000a44656c657465557365720975732d656173742d31093132372e302e302e31246177732d636c692f312e332e3220507974686f6e2f322e372e352057696e646f77732f370c41636365737344656e6965646d557365723a2061726e3a6177733a69616d3a3a3132333435363738393031323a757365722f416c696365206973206e6f7420617574686f72697a656420746f20706572666f726d3a2069616d3a44656c65746555736572206f6e207265736f757263653a207573657220426f62127b22757365724e616d65223a22426f62227d00002439643563376333612d653062322d346636652d396134622d3066316432633365346235612433623163326434652d356636302d343731382d386139622d3063316432653366346135620200000c31323334353637383930313200", "02000115414944414a3435513759464641524558414d504c452461726e3a6177733a69616d3a3a3132333435363738393031323a757365722f416c6963650c31323334353637383930313214414b4941494f53464f444e4e374558414d504c4505416c696365000000befe84b30a00000a44656c657465557365720975732d656173742d31093132372e302e302e31246177732d636c692f312e332e3220507974686f6e2f322e372e352057696e646f77732f370c41636365737344656e6965640100087573657220426f6200127b22757365724e616d65223a22426f62227d0000019d5c7c3ae0b24f6e9a4b0f1d2c3e4b5a013b1c2d4e5f6047188a9b0c1d2e3f4a5b0200000c31323334353637383930313200"},
		{"Denied by a boundary", deniedByBoundary(), "", "02000115414944414a3435513759464641524558414d504c452461726e3a6177733a69616d3a3a3132333435363738393031323a757365722f416c6963650c31323334353637383930313214414b4941494f53464f444e4e374558414d504c4505416c696365000000befe84b30a00000a44656c657465557365720975732d656173742d31093132372e302e302e31246177732d636c692f312e332e3220507974686f6e2f322e372e352057696e646f77732f370c41636365737344656e696564010d69616d3a50617373526f6c652061726e3a6177733a69616d3a3a3132333435363738393031323a726f6c652f5204127b22757365724e616d65223a22426f62227d0000019d5c7c3ae0b24f6e9a4b0f1d2c3e4b5a013b1c2d4e5f6047188a9b0c1d2e3f4a5b0200000c31323334353637383930313200"},
		{"AssumeRole with web identity attributes", role, "0100021f41524f41494e3541544b3555374b4558414d504c453a4a6f686e526f6c65313a61726e3a6177733a7374733a3a3131313131313131313131313a617373756d65642d726f6c652f4a6f686e526f6c65312f4a6f686e526f6c65310c31313131313131313131313114415349414934345148384448424558414d504c45000000010104526f6c651541524f41494e3541544b3555374b4558414d504c452861726e3a6177733a69616d3a3a3131313131313131313131313a726f6c652f4a6f686e526f6c65310c313131313131313131313131094a6f686e526f6c65310101700102016101310162013201fceea8d90b00074a6f686e446f659a83a9d90b00010a417373756d65526f6c650975732d656173742d310a3139322e302e322e38392f6177732d636c692f312e31362e32343820507974686f6e2f332e342e3720626f746f636f72652f312e31322e32333900008a017b22726f6c6541726e223a2261726e3a6177733a69616d3a3a3131313131313131313131313a726f6c652f4a6f686e526f6c6532222c22726f6c6553657373696f6e4e616d65223a22526f6c65325769746854616773222c22736f757263654964656e74697479223a224a6f686e446f65222c226475726174696f6e5365636f6e6473223a333630307d89027b2263726564656e7469616c73223a7b226163636573734b65794964223a224153494157484f4a444c47504f4558414d504c45222c2265787069726174696f6e223a224f637420322c20323031392031313a31323a323920504d227d2c22617373756d6564526f6c6555736572223a7b22617373756d6564526f6c654964223a2241524f414946523757484454534f595159484655453a526f6c65325769746854616773222c2261726e223a2261726e3a6177733a7374733a3a3131313131313131313131313a617373756d65642d726f6c652f4a6f686e526f6c65322f526f6c65325769746854616773227d2c22736f757263654964656e74697479223a224a6f686e446f65227d002462393662306534652d653536312d313165392d386233662d37623339364558414d504c452431393137393438662d333034322d343665632d393865322d36323836354558414d504c4502012861726e3a6177733a69616d3a3a3131313131313131313131313a726f6c652f4a6f686e526f6c65320c3131313131313131313131310e4157533a3a49414d3a3a526f6c65000c31313131313131313131313100", "0200021f41524f41494e3541544b3555374b4558414d504c453a4a6f686e526f6c65313a61726e3a6177733a7374733a3a3131313131313131313131313a617373756d65642d726f6c652f4a6f686e526f6c65312f4a6f686e526f6c65310c31313131313131313131313114415349414934345148384448424558414d504c45000000010104526f6c651541524f41494e3541544b3555374b4558414d504c452861726e3a6177733a69616d3a3a3131313131313131313131313a726f6c652f4a6f686e526f6c65310c313131313131313131313131094a6f686e526f6c65310101700102016101310162013201fceea8d90b00074a6f686e446f659a83a9d90b00010a417373756d65526f6c650975732d656173742d310a3139322e302e322e38392f6177732d636c692f312e31362e32343820507974686f6e2f332e342e3720626f746f636f72652f312e31322e3233390000008a017b22726f6c6541726e223a2261726e3a6177733a69616d3a3a3131313131313131313131313a726f6c652f4a6f686e526f6c6532222c22726f6c6553657373696f6e4e616d65223a22526f6c65325769746854616773222c22736f757263654964656e74697479223a224a6f686e446f65222c226475726174696f6e5365636f6e6473223a333630307d89027b2263726564656e7469616c73223a7b226163636573734b65794964223a224153494157484f4a444c47504f4558414d504c45222c2265787069726174696f6e223a224f637420322c20323031392031313a31323a323920504d227d2c22617373756d6564526f6c6555736572223a7b22617373756d6564526f6c654964223a2241524f414946523757484454534f595159484655453a526f6c65325769746854616773222c2261726e223a2261726e3a6177733a7374733a3a3131313131313131313131313a617373756d65642d726f6c652f4a6f686e526f6c65322f526f6c65325769746854616773227d2c22736f757263654964656e74697479223a224a6f686e446f65227d00002462393662306534652d653536312d313165392d386233662d37623339364558414d504c45002431393137393438662d333034322d343665632d393865322d36323836354558414d504c4502012861726e3a6177733a69616d3a3a3131313131313131313131313a726f6c652f4a6f686e526f6c65320c3131313131313131313131310e4157533a3a49414d3a3a526f6c65000c31313131313131313131313100"},
	} {
		for range 5 { // attributes are a map: its order must not show
			if got := hex.EncodeToString(tc.e.AppendCompact(nil)); got != tc.v2 {
				t.Fatalf("%s: compact form\n%s\nwant\n%s", tc.name, got, tc.v2)
			}
		}
		want := tc.e.AppendJSON(nil)
		for _, h := range []string{tc.v1, tc.v2} {
			if h == "" {
				continue // made in format 2 only
			}
			b, _ := hex.DecodeString(h)
			if got, err := RecordJSON(b); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: format %d reads back as %s, %v; want %s", tc.name, b[0], got, err, want)
			}
		}
	}
}

// BenchmarkRecordJSON is what reading a compact record back costs (every record Events and
// Chain return: LookupEvents, export, last-accessed reports, policy generation).
func BenchmarkRecordJSON(b *testing.B) {
	e := deniedEvent()
	c := e.AppendCompact(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := RecordJSON(c); err != nil {
			b.Fatal(err)
		}
	}
}
