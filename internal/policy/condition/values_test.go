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
		"1:2:3:4:5:6:7:1.2.3.4", "1::1.2.3.4", "::ffff:01.2.3.4", ":::", "1:::2", "::1:", "1.2.3.4:5", "1:2:3:4:5:6:7::",
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
