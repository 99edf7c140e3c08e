package audit

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"
	"time"
)

// The compact form of a record is how the store keeps the records of reads and denials: the
// fields of an Event in binary, about half the bytes of its JSON and a quarter of the time to
// write. The chain hash covers the bytes as stored, so a compact record is hashed compact; its
// JSON (RecordJSON) is made when it is read, and is byte for byte what AppendJSON writes for
// the Event it was made from.
//
// The form: compactFormat, then the fields in the order of Event and UserIdentity, each string
// a uvarint length and its bytes (a few that mostly hold one of a handful of values write a
// code for those: appendCoded), each time its Unix seconds (varint) and nanoseconds (uvarint),
// each pointer a presence byte before its fields, the raw JSON members like strings, and the
// two booleans of Event and the presence of TLSDetails as bits of one byte. A JSON record
// always begins with '{', so the first byte tells the forms apart.
//
// Format 2 (what AppendCompact writes) differs from format 1 in three fields, which format 1
// wrote as strings: the request and event IDs, a UUID each, are their 16 bytes
// (appendCompactID), and an AccessDenied message that names the caller's ARN is its action,
// its resource and the code of its ending (appendCompactMessage): about half a denial's bytes.
// Format 1 records, which earlier versions wrote, are read as before.
const (
	compactFormat1 = 0x01
	compactFormat  = 0x02
)

// Codes of appendCoded, per field. The lists are part of the format: a value may be added at
// the end of one, never moved or removed.
var (
	codedVersions   = []string{"1.11", "1.08", "1.09", "1.10"} // literals: EventVersion may change, code 0 may not
	codedSources    = []string{"iam.amazonaws.com", "sts.amazonaws.com", "cloudtrail.amazonaws.com", "access-analyzer.amazonaws.com"}
	codedTypes      = []string{EventTypeAPICall}
	codedCategories = []string{EventCategoryManagement}
	codedIdentities = []string{"Root", "IAMUser", "AssumedRole", "FederatedUser", "WebIdentityUser", "SAMLUser", "AWSService", "AWSAccount", "Unknown"}
)

// errCompact: bytes that are not a whole compact record.
var errCompact = errors.New("audit: damaged compact record")

// IsCompact reports whether rec is a record in the compact form (AppendCompact), not JSON.
func IsCompact(rec []byte) bool {
	return len(rec) > 0 && (rec[0] == compactFormat || rec[0] == compactFormat1)
}

// RecordJSON returns the JSON of a stored record: rec itself when it is JSON, else the JSON of
// the compact record it is.
func RecordJSON(rec []byte) ([]byte, error) {
	if !IsCompact(rec) {
		return rec, nil
	}
	e, err := ParseCompact(rec)
	if err != nil {
		return nil, err
	}
	// The JSON adds the members' names (about 400 bytes) and escapes to the compact bytes.
	return e.AppendJSON(make([]byte, 0, 2*len(rec)+512)), nil
}

// AppendCompact appends the compact form of e to dst.
func (e *Event) AppendCompact(dst []byte) []byte {
	dst = append(dst, compactFormat)
	dst = appendCoded(dst, e.EventVersion, codedVersions)
	dst = e.UserIdentity.appendCompact(dst)
	dst = appendCompactTime(dst, e.EventTime)
	dst = appendCoded(dst, e.EventSource, codedSources)
	for _, s := range [...]string{e.EventName, e.AWSRegion, e.SourceIPAddress, e.UserAgent, e.ErrorCode} {
		dst = appendCompactString(dst, s)
	}
	dst = e.appendCompactMessage(dst)
	for _, m := range [...][]byte{e.RequestParameters, e.ResponseElements, e.AdditionalEventData} {
		dst = binary.AppendUvarint(dst, uint64(len(m)))
		dst = append(dst, m...)
	}
	dst = appendCompactID(dst, e.RequestID)
	dst = appendCompactID(dst, e.EventID)
	var flags byte
	if e.ReadOnly {
		flags |= 1
	}
	if e.ManagementEvent {
		flags |= 2
	}
	if e.TLSDetails != nil {
		flags |= 4
	}
	dst = append(dst, flags)
	dst = binary.AppendUvarint(dst, uint64(len(e.Resources)))
	for _, r := range e.Resources {
		dst = appendCompactString(dst, r.ARN)
		dst = appendCompactString(dst, r.AccountID)
		dst = appendCompactString(dst, r.Type)
	}
	dst = appendCoded(dst, e.EventType, codedTypes)
	dst = appendCompactString(dst, e.RecipientAccountID)
	dst = appendCoded(dst, e.EventCategory, codedCategories)
	if t := e.TLSDetails; t != nil {
		dst = appendCompactString(dst, t.TLSVersion)
		dst = appendCompactString(dst, t.CipherSuite)
		dst = appendCompactString(dst, t.ClientProvidedHostHeader)
	}
	return dst
}

func (u *UserIdentity) appendCompact(dst []byte) []byte {
	dst = appendCoded(dst, u.Type, codedIdentities)
	for _, s := range [...]string{u.PrincipalID, u.ARN, u.AccountID, u.AccessKeyID, u.UserName, u.InvokedBy, u.IdentityProvider} {
		dst = appendCompactString(dst, s)
	}
	sc := u.SessionContext
	if sc == nil {
		return append(dst, 0)
	}
	dst = append(dst, 1)
	if si := sc.SessionIssuer; si == nil {
		dst = append(dst, 0)
	} else {
		dst = append(dst, 1)
		for _, s := range [...]string{si.Type, si.PrincipalID, si.ARN, si.AccountID, si.UserName} {
			dst = appendCompactString(dst, s)
		}
	}
	if w := sc.WebIDFederationData; w == nil {
		dst = append(dst, 0)
	} else {
		dst = append(dst, 1)
		dst = appendCompactString(dst, w.FederatedProvider)
		if w.Attributes == nil {
			dst = append(dst, 0)
		} else {
			dst = append(dst, 1)
			dst = binary.AppendUvarint(dst, uint64(len(w.Attributes)))
			for _, k := range slices.Sorted(maps.Keys(w.Attributes)) { // the same bytes every time
				dst = appendCompactString(dst, k)
				dst = appendCompactString(dst, w.Attributes[k])
			}
		}
	}
	switch a := sc.Attributes; {
	case a == nil:
		dst = append(dst, 0)
	case a.MFAAuthenticated:
		dst = appendCompactTime(append(dst, 2), a.CreationDate)
	default:
		dst = appendCompactTime(append(dst, 1), a.CreationDate)
	}
	return appendCompactString(dst, sc.SourceIdentity)
}

func appendCompactString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendCoded appends s as the index of its value in codes, or as len(codes) plus its length
// and its bytes.
func appendCoded(dst []byte, s string, codes []string) []byte {
	for i, c := range codes {
		if s == c {
			return binary.AppendUvarint(dst, uint64(i))
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(codes)+len(s)))
	return append(dst, s...)
}

func appendCompactTime(dst []byte, t time.Time) []byte {
	dst = binary.AppendVarint(dst, t.Unix())
	return binary.AppendUvarint(dst, uint64(t.Nanosecond()))
}

// compactReader reads a compact record's fields, remembering the first failure. Varints are
// read from the record (b); strings are cut from one copy of it (s), at the same offset, so
// that parsing a record allocates little.
type compactReader struct {
	b   []byte
	s   string
	off int
	bad bool
}

func (r *compactReader) uvarint() uint64 { return readCompactVarint(r, binary.Uvarint) }

func (r *compactReader) varint() int64 { return readCompactVarint(r, binary.Varint) }

// readCompactVarint reads one value with decode (binary.Uvarint or binary.Varint).
func readCompactVarint[T uint64 | int64](r *compactReader, decode func([]byte) (T, int)) T {
	v, n := decode(r.b[r.off:])
	if n <= 0 {
		r.bad, r.off = true, len(r.b)
		return 0
	}
	r.off += n
	return v
}

// left is how many bytes are still to be read.
func (r *compactReader) left() int { return len(r.b) - r.off }

func (r *compactReader) byte() byte {
	if r.left() == 0 {
		r.bad = true
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *compactReader) take(n uint64) string {
	if n > uint64(r.left()) {
		r.bad, r.off = true, len(r.b)
		return ""
	}
	v := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return v
}

func (r *compactReader) string() string { return r.take(r.uvarint()) }

func (r *compactReader) raw() []byte {
	if s := r.string(); s != "" {
		return []byte(s)
	}
	return nil
}

func (r *compactReader) coded(codes []string) string {
	n := r.uvarint()
	if n < uint64(len(codes)) {
		return codes[n]
	}
	return r.take(n - uint64(len(codes)))
}

func (r *compactReader) time() time.Time {
	sec, ns := r.varint(), r.uvarint()
	if ns >= uint64(time.Second) {
		r.bad = true
		return time.Time{}
	}
	return time.Unix(sec, int64(ns)).UTC()
}

// present reads a presence byte: 0 or 1.
func (r *compactReader) present() bool {
	switch r.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	r.bad = true
	return false
}

// ParseCompact parses a record in the compact form.
func ParseCompact(rec []byte) (*Event, error) {
	if !IsCompact(rec) {
		return nil, errCompact
	}
	r := &compactReader{b: rec, s: string(rec), off: 1}
	e := &Event{EventVersion: r.coded(codedVersions)}
	r.userIdentity(&e.UserIdentity)
	e.EventTime = r.time()
	e.EventSource = r.coded(codedSources)
	for _, p := range [...]*string{&e.EventName, &e.AWSRegion, &e.SourceIPAddress, &e.UserAgent, &e.ErrorCode} {
		*p = r.string()
	}
	v1 := rec[0] == compactFormat1
	if v1 {
		e.ErrorMessage = r.string()
	} else {
		e.ErrorMessage = r.message(e)
	}
	e.RequestParameters, e.ResponseElements, e.AdditionalEventData = r.raw(), r.raw(), r.raw()
	if v1 {
		e.RequestID, e.EventID = r.string(), r.string()
	} else {
		e.RequestID, e.EventID = r.id(), r.id()
	}
	flags := r.byte()
	e.ReadOnly, e.ManagementEvent = flags&1 != 0, flags&2 != 0
	n := r.uvarint()
	if n > uint64(r.left()) { // each resource takes at least three bytes
		r.bad = true
	}
	for i := uint64(0); i < n && !r.bad; i++ {
		e.Resources = append(e.Resources, Resource{ARN: r.string(), AccountID: r.string(), Type: r.string()})
	}
	e.EventType = r.coded(codedTypes)
	e.RecipientAccountID = r.string()
	e.EventCategory = r.coded(codedCategories)
	if flags&4 != 0 {
		e.TLSDetails = &TLSDetails{TLSVersion: r.string(), CipherSuite: r.string(), ClientProvidedHostHeader: r.string()}
	}
	if r.bad || flags&^7 != 0 || r.left() != 0 {
		return nil, errCompact
	}
	return e, nil
}

func (r *compactReader) userIdentity(u *UserIdentity) {
	u.Type = r.coded(codedIdentities)
	for _, p := range [...]*string{&u.PrincipalID, &u.ARN, &u.AccountID, &u.AccessKeyID, &u.UserName, &u.InvokedBy, &u.IdentityProvider} {
		*p = r.string()
	}
	if !r.present() {
		return
	}
	sc := &SessionContext{}
	u.SessionContext = sc
	if r.present() {
		sc.SessionIssuer = &SessionIssuer{Type: r.string(), PrincipalID: r.string(), ARN: r.string(), AccountID: r.string(), UserName: r.string()}
	}
	if r.present() {
		w := &WebIDFederationData{FederatedProvider: r.string()}
		sc.WebIDFederationData = w
		if r.present() {
			n := r.uvarint()
			if n > uint64(r.left()) { // each attribute takes at least two bytes
				r.bad = true
				return
			}
			w.Attributes = make(map[string]string, n)
			for i := uint64(0); i < n && !r.bad; i++ {
				k := r.string()
				w.Attributes[k] = r.string()
			}
		}
	}
	switch a := r.byte(); a {
	case 0:
	case 1, 2:
		sc.Attributes = &SessionAttributes{CreationDate: r.time(), MFAAuthenticated: a == 2}
	default:
		r.bad = true
	}
	sc.SourceIdentity = r.string()
}
