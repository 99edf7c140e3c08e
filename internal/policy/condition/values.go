package condition

import (
	"encoding/base64"
	"net/netip"
	"strings"
	"time"
)

// decimal is an exact decimal number held as substrings of its text: no float rounding, no
// allocation. Zero is never negative.
type decimal struct {
	neg  bool
	intg string // integer digits without leading zeros
	frac string // fraction digits without trailing zeros
}

// parseDecimal accepts [+-]digits[.digits] and [+-].digits (no exponent, no spaces).
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	intg, frac, _ := strings.Cut(s, ".")
	if intg == "" && frac == "" {
		return decimal{}, false
	}
	if !allDigits(intg) || !allDigits(frac) {
		return decimal{}, false
	}
	d.intg = strings.TrimLeft(intg, "0")
	d.frac = strings.TrimRight(frac, "0")
	if d.intg == "" && d.frac == "" {
		d.neg = false
	}
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cmpDecimal returns -1, 0 or 1 as a is less than, equal to or greater than b.
func cmpDecimal(a, b decimal) int {
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := cmpMagnitude(a, b)
	if a.neg {
		return -c
	}
	return c
}

func cmpMagnitude(a, b decimal) int {
	if len(a.intg) != len(b.intg) {
		if len(a.intg) < len(b.intg) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.intg, b.intg); c != 0 {
		return c
	}
	// Compare fractions digit by digit, padding the shorter with zeros.
	n := max(len(a.frac), len(b.frac))
	for i := range n {
		var x, y byte = '0', '0'
		if i < len(a.frac) {
			x = a.frac[i]
		}
		if i < len(b.frac) {
			y = b.frac[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// instant is a point in time as Unix seconds and nanoseconds.
type instant struct {
	sec  int64
	nsec int32
}

func cmpInstant(a, b instant) int {
	switch {
	case a.sec < b.sec:
		return -1
	case a.sec > b.sec:
		return 1
	case a.nsec < b.nsec:
		return -1
	case a.nsec > b.nsec:
		return 1
	}
	return 0
}

// parseDate accepts integer epoch seconds or an ISO 8601 extended-format date or date-time:
// YYYY-MM-DD, optionally followed by T (or t) hh:mm[:ss[.fraction]] and Z, ±hh:mm, ±hhmm or ±hh
// (no zone means UTC). It does not allocate.
func parseDate(s string) (instant, bool) {
	if s == "" {
		return instant{}, false
	}
	if digits := strings.TrimPrefix(s, "-"); allDigits(digits) && digits != "" {
		if len(digits) > 15 { // beyond year ±30 million: refuse rather than overflow
			return instant{}, false
		}
		var v int64
		for i := 0; i < len(digits); i++ {
			v = v*10 + int64(digits[i]-'0')
		}
		if s[0] == '-' {
			v = -v
		}
		return instant{sec: v}, true
	}
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return instant{}, false
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return instant{}, false
	}
	rest := s[10:]
	var hour, minute, sec, nsec, offset int
	if rest != "" {
		if rest[0] != 'T' && rest[0] != 't' {
			return instant{}, false
		}
		rest = rest[1:]
		if len(rest) < 5 || rest[2] != ':' {
			return instant{}, false
		}
		var ok1, ok2 bool
		hour, ok1 = num(rest[0:2])
		minute, ok2 = num(rest[3:5])
		if !ok1 || !ok2 || hour > 23 || minute > 59 {
			return instant{}, false
		}
		rest = rest[5:]
		if rest != "" && rest[0] == ':' {
			if len(rest) < 3 {
				return instant{}, false
			}
			var ok bool
			if sec, ok = num(rest[1:3]); !ok || sec > 59 {
				return instant{}, false
			}
			rest = rest[3:]
			if rest != "" && (rest[0] == '.' || rest[0] == ',') {
				i := 1
				scale := 100_000_000
				for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
					nsec += int(rest[i]-'0') * scale
					scale /= 10
					i++
				}
				if i == 1 {
					return instant{}, false
				}
				rest = rest[i:]
			}
		}
		var ok bool
		if offset, ok = parseZone(rest); !ok {
			return instant{}, false
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return instant{sec: t.Unix() - int64(offset), nsec: int32(t.Nanosecond())}, true
}

// parseZone parses "", Z, ±hh:mm, ±hhmm or ±hh and returns the offset east of UTC in seconds.
func parseZone(z string) (int, bool) {
	switch {
	case z == "" || z == "Z" || z == "z":
		return 0, true
	case z[0] != '+' && z[0] != '-':
		return 0, false
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	z = z[1:]
	var hh, mm string
	switch len(z) {
	case 2:
		hh = z
	case 4:
		hh, mm = z[:2], z[2:]
	case 5:
		if z[2] != ':' {
			return 0, false
		}
		hh, mm = z[:2], z[3:]
	default:
		return 0, false
	}
	h, ok := num(hh)
	if !ok || h > 23 {
		return 0, false
	}
	m := 0
	if mm != "" {
		if m, ok = num(mm); !ok || m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

func num(s string) (int, bool) {
	if s == "" || !allDigits(s) {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parsePolicyIP accepts a CIDR block or a bare address (treated as /32 or /128), IPv4 or IPv6.
func parsePolicyIP(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseContextIP parses a request's address without allocating: IPv4 is parsed here, and IPv6
// text is checked against the address grammar before netip.ParseAddr sees it (whose errors
// allocate).
func parseContextIP(s string) (netip.Addr, bool) {
	if strings.IndexByte(s, ':') < 0 {
		return parseIPv4(s)
	}
	if !validIPv6(s) {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

// parseIPv4 parses dotted-quad IPv4 as netip does (no leading zeros), in one pass.
func parseIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	i := 0
	for n := range 4 {
		if n > 0 {
			if i >= len(s) || s[i] != '.' {
				return netip.Addr{}, false
			}
			i++
		}
		start, v := i, 0
		for i < len(s) && i-start < 4 && '0' <= s[i] && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
		}
		if l := i - start; l == 0 || l > 3 || l > 1 && s[start] == '0' || v > 255 {
			return netip.Addr{}, false
		}
		b[n] = byte(v)
	}
	if i != len(s) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

// validIPv6 checks the textual form of an IPv6 address without zone: hex groups of one to four
// digits, at most one "::", and optionally a trailing dotted-quad IPv4 address.
func validIPv6(s string) bool {
	if len(s) < 2 || len(s) > 45 {
		return false
	}
	groups := 0
	elided := false
	i := 0
	if strings.HasPrefix(s, "::") {
		elided = true
		i = 2
		if i == len(s) {
			return true
		}
	} else if s[0] == ':' {
		return false
	}
	for i < len(s) {
		j := i
		for j < len(s) && j-i < 5 && isHex(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			// Embedded IPv4 must be last and takes two groups.
			if _, ok := parseIPv4(s[i:]); !ok {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if j == len(s) {
			break
		}
		if s[j] != ':' {
			return false
		}
		if j+1 < len(s) && s[j+1] == ':' {
			if elided {
				return false
			}
			elided = true
			j++
			if j+1 == len(s) {
				break
			}
		} else if j+1 == len(s) {
			return false
		}
		i = j + 1
	}
	if elided {
		return groups < 8
	}
	return groups == 8
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// ipMatch reports whether the address is in the prefix. An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is also tested as its IPv4 address, and an IPv4 address is also tested in its
// mapped form, so that an IPv4 CIDR covers the mapped form of its addresses and vice versa.
func ipMatch(p netip.Prefix, a netip.Addr) bool {
	if p.Contains(a) {
		return true
	}
	if a.Is4In6() {
		return p.Contains(a.Unmap())
	}
	if a.Is4() {
		return p.Contains(netip.AddrFrom16(a.As16()))
	}
	return false
}

// parseBinary decodes a base64 policy value (standard alphabet, padding optional).
func parseBinary(s string) ([]byte, bool) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, false
	}
	return b, true
}

// binaryEqual reports whether the base64 text s decodes to want, decoding four characters at a
// time into a stack buffer. ok is false when s is not valid base64.
func binaryEqual(s string, want []byte) (equal, ok bool) {
	var buf [3]byte
	pos := 0
	equal = true
	for len(s) > 0 {
		q := s
		enc := base64.StdEncoding
		if len(q) > 4 {
			q = q[:4]
			if strings.IndexByte(q, '=') >= 0 {
				return false, false
			}
		} else if len(q) < 4 {
			enc = base64.RawStdEncoding
		}
		n, err := enc.Decode(buf[:], []byte(q))
		if err != nil {
			return false, false
		}
		if equal {
			if pos+n > len(want) || string(buf[:n]) != string(want[pos:pos+n]) {
				equal = false
			}
		}
		pos += n
		s = s[len(q):]
	}
	return equal && pos == len(want), true
}
