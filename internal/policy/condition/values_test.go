package condition

import (
	"net/netip"
	"testing"
)

func TestParseContextIP(t *testing.T) {
	tests := []string{
		"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..3.4", "a.b.c.d", "",
		"::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
		"::ffff:1.2.3.4", "1::2::3", ":1", "1:", "12345::", "abc", "g::1", "fe80::1%eth0", "::1.2.3", "1:2:3:4:5:6:1.2.3.4",
		"1:2:3:4:5:6:7:1.2.3.4", "1::1.2.3.4", "::ffff:01.2.3.4", ":::", "1:::2", "::1:", "1.2.3.4:5", "1:2:3:4:5:6:7::", ":", "1",
	}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			want, err := netip.ParseAddr(s)
			if err == nil && want.Zone() != "" {
				err = errZone // zones are not request addresses
			}
			got, ok := parseContextIP(s)
			if ok != (err == nil) || (ok && got != want) {
				t.Errorf("parseContextIP(%q) = %v, %v; netip.ParseAddr = %v, %v", s, got, ok, want, err)
			}
		})
	}
}

func FuzzParseContextIP(f *testing.F) {
	f.Add("1.2.3.4")
	f.Add("2001:db8::1")
	f.Add("::ffff:1.2.3.4")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := netip.ParseAddr(s)
		if err == nil && want.Zone() != "" {
			err = errZone
		}
		got, ok := parseContextIP(s)
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("parseContextIP(%q) = %v, %v; netip.ParseAddr = %v, %v", s, got, ok, want, err)
		}
	})
}

type zoneError struct{}

func (zoneError) Error() string { return "zone" }

var errZone error = zoneError{}

func TestParseDate(t *testing.T) {
	utc := func(s string) instant {
		t.Helper()
		i, ok := parseDate(s)
		if !ok {
			t.Fatalf("parseDate(%q) failed", s)
		}
		return i
	}
	base := utc("2020-01-01T00:00:00Z")
	tests := []struct {
		in   string
		want instant
		ok   bool
	}{
		{in: "2020-01-01", want: base, ok: true},
		{in: "2020-01-01T00:00", want: base, ok: true},
		{in: "2020-01-01t00:00:00z", want: base, ok: true},
		{in: "2020-01-01T00:00:00,5Z", want: instant{sec: base.sec, nsec: 500_000_000}, ok: true},
		{in: "2020-01-01T05:30:00+05:30", want: base, ok: true},
		{in: "2019-12-31T18:30:00-0530", want: base, ok: true},
		{in: "2020-02-29", want: instant{sec: base.sec + 59*86400}, ok: true},
		{in: "2000-02-29", want: utc("2000-02-29T00:00:00Z"), ok: true},
		{in: "1577836800", want: base, ok: true},
		{in: "-1", want: instant{sec: -1}, ok: true},
		{in: "1900-02-29"},
		{in: "2019-02-29"},
		{in: "2020-04-31"},
		{in: "2020-00-01"},
		{in: "2020-01-00"},
		{in: "2020/01/01"},
		{in: "2020-01-01X"},
		{in: "2020-01-01T"},
		{in: "2020-01-01T00"},
		{in: "2020-01-01T00-00"},
		{in: "2020-01-01T00:60"},
		{in: "2020-01-01T00:00:6"},
		{in: "2020-01-01T00:00:60"},
		{in: "2020-01-01T00:00:00."},
		{in: "2020-01-01T00:00:00+24:00"},
		{in: "2020-01-01T00:00:00+05:60"},
		{in: "2020-01-01T00:00:00+05-00"},
		{in: "2020-01-01T00:00:00+5"},
		{in: "2020-01-01T00:00:00+aa"},
		{in: "2020-01-01T00:00:00+05:a0"},
		{in: "2020-01-01T00:00:00Q"},
		{in: "2O20-01-01"},
		{in: "1234567890123456"},
		{in: "-"},
		{in: ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDate(tt.in)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("parseDate(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCompareValues(t *testing.T) {
	dec := func(s string) decimal {
		d, ok := parseDecimal(s)
		if !ok {
			t.Fatalf("parseDecimal(%q) failed", s)
		}
		return d
	}
	decTests := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1}, {"2", "1", 1}, {"-1", "1", -1}, {"1", "-1", 1}, {"-2", "-1", -1}, {"-1", "-2", 1},
		{"10", "9", 1}, {"19", "21", -1}, {"1.25", "1.3", -1}, {"1.3", "1.25", 1}, {"1.5", "1.50", 0},
		{"0.001", "0", 1}, {"-0", "0", 0}, {"007", "7", 0},
	}
	for _, tt := range decTests {
		if got := cmpDecimal(dec(tt.a), dec(tt.b)); got != tt.want {
			t.Errorf("cmpDecimal(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for _, bad := range []string{"", "-", "+", ".", "1.2.3", "1e5", "0x10", " 1", "1 ", "inf", "NaN", "1_000"} {
		if _, ok := parseDecimal(bad); ok {
			t.Errorf("parseDecimal(%q) ok, want failure", bad)
		}
	}
	instTests := []struct {
		a, b instant
		want int
	}{
		{instant{1, 0}, instant{2, 0}, -1}, {instant{2, 0}, instant{1, 0}, 1},
		{instant{1, 1}, instant{1, 2}, -1}, {instant{1, 2}, instant{1, 1}, 1}, {instant{1, 1}, instant{1, 1}, 0},
	}
	for _, tt := range instTests {
		if got := cmpInstant(tt.a, tt.b); got != tt.want {
			t.Errorf("cmpInstant(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEqualFoldRune(t *testing.T) {
	tests := []struct {
		a, b rune
		want bool
	}{
		{'a', 'A', true}, {'A', 'a', true}, {'a', 'b', false}, {'é', 'É', true}, {'k', 'K', true},
		{'K', 'k', true}, {'ß', 'x', false}, {'a', 'é', false},
	}
	for _, tt := range tests {
		if got := equalFoldRune(tt.a, tt.b); got != tt.want {
			t.Errorf("equalFoldRune(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
