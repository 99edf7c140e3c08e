package audit

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// The fields format 2 of the compact form codes (compact.go).

// AccessDenied messages as iamd writes them (package authz's DeniedMessage, and package
// stssvc's for AssumeRole and the like): "User: ARN is not authorized to perform: ACTION on
// resource: RESOURCE", then one of deniedEndings.
const (
	deniedUser     = "User: "
	deniedPerform  = " is not authorized to perform: "
	deniedResource = " on resource: "
)

// deniedEnding is the end of an AccessDenied message: head, then, when withAction, the action
// and " action" (policy.Decision's Reason).
type deniedEnding struct {
	head       string
	withAction bool
}

// deniedEndings are the endings a coded message may have, by code. The list is part of the
// format: an ending may be added at the end, never changed, moved or removed. A message with
// another ending is written whole.
var deniedEndings = []deniedEnding{
	{"", false},
	{" because no identity-based policy allows the ", true},
	{" because no service control policy allows the ", true},
	{" because no resource control policy allows the ", true},
	{" because no permissions boundary allows the ", true},
	{" because no session policy allows the ", true},
	{" because no resource-based policy allows the ", true},
	{" with an explicit deny in an identity-based policy", false},
	{" with an explicit deny in a service control policy", false},
	{" with an explicit deny in a resource control policy", false},
	{" with an explicit deny in a permissions boundary", false},
	{" with an explicit deny in a session policy", false},
	{" with an explicit deny in a resource-based policy", false},
}

const endingAction = " action"

// splitDenied splits an AccessDenied message about the caller arn into its action, its
// resource and the code of its ending; ok is false for any other message. The message is
// exactly what joinDenied makes of the parts.
func splitDenied(msg, arn string) (action, resource string, ending int, ok bool) {
	rest, ok := strings.CutPrefix(msg, deniedUser)
	if !ok || arn == "" {
		return "", "", 0, false
	}
	if rest, ok = strings.CutPrefix(rest, arn); !ok {
		return "", "", 0, false
	}
	if rest, ok = strings.CutPrefix(rest, deniedPerform); !ok {
		return "", "", 0, false
	}
	if action, rest, ok = strings.Cut(rest, deniedResource); !ok {
		return "", "", 0, false
	}
	for code := len(deniedEndings) - 1; code > 0; code-- {
		if res, ok := cutEnding(rest, deniedEndings[code], action); ok {
			return action, res, code, true
		}
	}
	return action, rest, 0, true
}

// cutEnding returns s without the ending end (for action), and whether s had it.
func cutEnding(s string, end deniedEnding, action string) (string, bool) {
	if end.withAction {
		var ok bool
		if s, ok = strings.CutSuffix(s, endingAction); !ok {
			return "", false
		}
		if s, ok = strings.CutSuffix(s, action); !ok {
			return "", false
		}
	}
	return strings.CutSuffix(s, end.head)
}

// joinDenied is the message splitDenied split.
func joinDenied(arn, action, resource string, ending int) string {
	end := deniedEndings[ending]
	if end.withAction {
		return deniedUser + arn + deniedPerform + action + deniedResource + resource + end.head + action + endingAction
	}
	return deniedUser + arn + deniedPerform + action + deniedResource + resource + end.head
}

// impliedAction reports whether action is the one e's call is named for: the event source's
// service prefix, ':' and the event name ("iam:ListUsers" for ListUsers in iam.amazonaws.com).
func (e *Event) impliedAction(action string) bool {
	svc := e.sourceLabel()
	return len(action) == len(svc)+1+len(e.EventName) && strings.HasPrefix(action, svc) &&
		action[len(svc)] == ':' && strings.HasSuffix(action, e.EventName)
}

// sourceLabel is the first label of e's event source: the service prefix of its implied action.
func (e *Event) sourceLabel() string {
	svc, _, _ := strings.Cut(e.EventSource, ".")
	return svc
}

// appendCompactMessage appends e's error message: 0 and the message, or 1 and the parts of an
// AccessDenied message about the caller (splitDenied): the action (0 when it is the implied
// one, else one more than its length, and its bytes), the resource and the ending's code.
func (e *Event) appendCompactMessage(dst []byte) []byte {
	action, resource, ending, ok := splitDenied(e.ErrorMessage, e.UserIdentity.ARN)
	if !ok {
		return appendCompactString(append(dst, 0), e.ErrorMessage)
	}
	dst = append(dst, 1)
	if e.impliedAction(action) {
		dst = append(dst, 0)
	} else {
		dst = binary.AppendUvarint(dst, uint64(len(action))+1)
		dst = append(dst, action...)
	}
	dst = appendCompactString(dst, resource)
	return binary.AppendUvarint(dst, uint64(ending))
}

// message reads what appendCompactMessage wrote; e's user identity, event source and name
// are read already.
func (r *compactReader) message(e *Event) string {
	if s, coded := r.whole(); !coded {
		return s
	}
	var action string
	if n := r.uvarint(); n == 0 {
		action = e.sourceLabel() + ":" + e.EventName
	} else {
		action = r.take(n - 1)
	}
	resource := r.string()
	ending := r.uvarint()
	if r.bad || ending >= uint64(len(deniedEndings)) || e.UserIdentity.ARN == "" {
		r.bad = true
		return ""
	}
	return joinDenied(e.UserIdentity.ARN, action, resource, int(ending))
}

// whole reads the byte before a field that may be coded: for 0 it reads the field, written
// whole (a string); for 1 it reports that the coded form follows; any other byte is damage.
func (r *compactReader) whole() (s string, coded bool) {
	switch r.byte() {
	case 0:
		return r.string(), false
	case 1:
		return "", true
	}
	r.bad = true
	return "", false
}

// appendCompactID appends id: 1 and its 16 bytes when it is a UUID in lower case hex (as iamd
// makes request and event IDs), else 0 and the string.
func appendCompactID(dst []byte, id string) []byte {
	var u [16]byte
	if !parseUUID(id, &u) {
		return appendCompactString(append(dst, 0), id)
	}
	return append(append(dst, 1), u[:]...)
}

// id reads what appendCompactID wrote.
func (r *compactReader) id() string {
	if s, coded := r.whole(); !coded {
		return s
	}
	if r.left() < 16 {
		r.bad = true
		return ""
	}
	u := r.b[r.off : r.off+16]
	r.off += 16
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	hex.Encode(s[9:13], u[4:6])
	hex.Encode(s[14:18], u[6:8])
	hex.Encode(s[19:23], u[8:10])
	hex.Encode(s[24:], u[10:])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}

// parseUUID reads s, a UUID in lower case hex with hyphens, into u; false for anything else
// (upper case too: it would not read back the same).
func parseUUID(s string, u *[16]byte) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	for j, i := range uuidDigits {
		hi, lo := lowerHex[s[i]], lowerHex[s[i+1]]
		if hi|lo > 15 {
			return false
		}
		u[j] = hi<<4 | lo
	}
	return true
}

// uuidDigits are where each byte's two hex digits begin in a UUID's 36 characters.
var uuidDigits = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// lowerHex is the value of each lower case hex digit, and 255 for every other byte.
var lowerHex = func() (t [256]byte) {
	for i := range t {
		t[i] = 255
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	return t
}()
