package audit

import (
	"bytes"
	"strings"
	"testing"

	"github.com/iamd-dev/iamd/internal/policy"
)

// TestCompactMessage: every AccessDenied message iamd writes about the caller is coded (its
// action, resource and ending: far fewer bytes), any other message is written whole, and
// each reads back the same.
func TestCompactMessage(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:user/Alice"
	base := deniedEvent()
	denied := func(action, resource, ending string) string {
		return "User: " + arn + " is not authorized to perform: " + action + " on resource: " + resource + ending
	}
	// Each coded message with the ending splitDenied must find in it.
	type want struct {
		msg    string
		ending int
	}
	coded := map[string]want{
		"no ending":                 {denied("iam:DeleteUser", "user Bob", ""), 0},
		"AssumeRole":                {denied("sts:AssumeRole", "arn:aws:iam::123456789012:role/R", ""), 0},
		"another action":            {denied("iam:PassRole", "arn:aws:iam::123456789012:role/R", " because no identity-based policy allows the iam:PassRole action"), 1},
		"an ending naming another":  {denied("iam:DeleteUser", "x", " because no session policy allows the iam:PassRole action"), 0},
		"resource with the infix":   {denied("iam:DeleteUser", "a on resource: b", " with an explicit deny in a permissions boundary"), 10},
		"empty resource":            {denied("iam:DeleteUser", "", " because no resource control policy allows the iam:DeleteUser action"), 3},
		"ending without its action": {denied("iam:DeleteUser", "r because no session policy allows the  action", ""), 0},
		// Actions that are nearly the implied iam:DeleteUser must be written.
		"action with a longer name":    {denied("iam:XDeleteUser", "x", ""), 0},
		"action of a longer service":   {denied("iamx:DeleteUser", "x", ""), 0},
		"action with a longer end":     {denied("iam:DeleteUsers", "x", ""), 0},
		"action with a shorter name":   {denied("iam:DeleteUse", "x", ""), 0},
		"action without the separator": {denied("iam.DeleteUser", "x", ""), 0},
	}
	for _, k := range policyEndings("iam:DeleteUser") {
		coded["policy's "+k] = want{denied("iam:DeleteUser", "arn:aws:iam::123456789012:user/Bob", " "+k), -1}
	}
	whole := map[string]string{
		"empty":             "",
		"another caller":    strings.Replace(denied("iam:DeleteUser", "user Bob", ""), "Alice", "Mallory", 1),
		"no resource infix": "User: " + arn + " is not authorized to perform: iam:DeleteUser",
		"another error":     "The user with name Bob cannot be found.",
		"cut short":         "User: " + arn[:10],
	}
	check := func(name, msg string, wantCoded bool) {
		e := base
		e.ErrorMessage = msg
		c := e.AppendCompact(nil)
		got, err := ParseCompact(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.ErrorMessage != msg {
			t.Errorf("%s: message read back as %q, want %q", name, got.ErrorMessage, msg)
		}
		e.ErrorMessage = ""
		saved := len(e.AppendCompact(nil)) + len(msg) - len(c) // the message's bytes not written
		if isCoded := saved > len(deniedUser+arn+deniedPerform+deniedResource)-4; isCoded != wantCoded {
			t.Errorf("%s: %d of the message's %d bytes saved; coded %v, want %v", name, saved, len(msg), isCoded, wantCoded)
		}
	}
	for name, w := range coded {
		check(name, w.msg, true)
		_, _, ending, _ := splitDenied(w.msg, arn)
		switch {
		case w.ending < 0 && ending == 0: // package policy's endings are each in the list
			t.Errorf("%s: the ending is not in deniedEndings", name)
		case w.ending >= 0 && ending != w.ending:
			t.Errorf("%s: ending %d, want %d", name, ending, w.ending)
		}
	}
	for name, msg := range whole {
		check(name, msg, false)
	}
	// With no caller ARN a message cannot be coded (and "User: " + "" must not be taken for one).
	e := base
	e.UserIdentity.ARN = ""
	e.ErrorMessage = "User:  is not authorized to perform: iam:DeleteUser on resource: x"
	if got, err := ParseCompact(e.AppendCompact(nil)); err != nil || got.ErrorMessage != e.ErrorMessage {
		t.Errorf("no caller ARN: %v, %v", got, err)
	}
}

// policyEndings returns the endings package policy gives its AccessDenied messages
// (Decision.Reason), for each kind of policy and effect.
func policyEndings(action string) []string {
	var out []string
	for k := policy.Identity; k <= policy.RCP; k++ {
		out = append(out,
			policy.Decision{Effect: policy.DecisionExplicitDeny, By: policy.DecisionStatement{Policy: policy.PolicyRef{Kind: k}}}.Reason(action),
			policy.Decision{Effect: policy.DecisionImplicitDeny, Missing: policy.DecisionKinds(1) << k}.Reason(action))
	}
	return out
}

// TestCompactMessageDamage: a coded message with a kind, action length or ending of no
// meaning does not parse.
func TestCompactMessageDamage(t *testing.T) {
	e := deniedEvent()
	e.ErrorMessage += " with an explicit deny in a session policy"
	c := e.AppendCompact(nil)
	at := bytes.Index(c, []byte("AccessDenied")) + len("AccessDenied") // the message follows the error code
	if c[at] != 1 || c[at+1] != 0 {
		t.Fatalf("bytes %d, %d are %d, %d: not a coded message with the implied action", at, at+1, c[at], c[at+1])
	}
	for name, edit := range map[string]func(b []byte){
		"kind 2":              func(b []byte) { b[at] = 2 },
		"action past the end": func(b []byte) { b[at+1] = 0x7f },
		"ending out of range": func(b []byte) { b[at+2+1+len("user Bob")] = byte(len(deniedEndings)) },
		"request ID kind 2":   func(b []byte) { b[bytes.Index(b, []byte(`"Bob"}`))+len(`"Bob"}`)+2] = 2 },
	} { // a request ID cut short: the loop below
		b := bytes.Clone(c)
		edit(b)
		if _, err := ParseCompact(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	for i := range len(c) {
		if _, err := ParseCompact(c[:i]); err == nil {
			t.Fatalf("the record cut to %d of %d bytes parsed", i, len(c))
		}
	}
}

// TestCompactIDs: request and event IDs that are lower case UUIDs take their 16 bytes; any
// other ID is written whole; each reads back the same.
func TestCompactIDs(t *testing.T) {
	for _, tc := range []struct {
		id    string
		bytes bool
	}{
		{"9d5c7c3a-e0b2-4f6e-9a4b-0f1d2c3e4b5a", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
		{"9D5C7C3A-E0B2-4F6E-9A4B-0F1D2C3E4B5A", false}, // upper case would read back lower
		{"9d5c7c3a-e0b2-4f6e-9a4b-0f1d2c3e4b5", false},
		{"9d5c7c3a-e0b2-4f6e-9a4b-0f1d2c3e4b5ag", false},
		{"9d5c7c3ae0b24f6e9a4b0f1d2c3e4b5a0000", false},
		{"9d5c7c3a-e0b2-4f6e-9a4b_0f1d2c3e4b5a", false},
		{"9d5c7c3a-e0b2-4f6e-9a4b-0f1d2c3e4b5g", false},
		{"b96b0e4e-e561-11e9-8b3f-7b396EXAMPLE", false},
		{"", false},
	} {
		b := appendCompactID(nil, tc.id)
		if got := len(b) == 17; got != tc.bytes {
			t.Errorf("%q: %d bytes", tc.id, len(b))
		}
		r := &compactReader{b: b, s: string(b)}
		if got := r.id(); got != tc.id || r.bad || r.left() != 0 {
			t.Errorf("%q read back as %q (bad %v, %d left)", tc.id, got, r.bad, r.left())
		}
	}
}

// TestCompactDenialSmaller: a denial's compact record is under a third of its JSON's bytes
// (format 1 took about a half).
func TestCompactDenialSmaller(t *testing.T) {
	e := deniedEvent()
	e.ErrorMessage += " because no identity-based policy allows the iam:DeleteUser action"
	c, j := e.AppendCompact(nil), e.AppendJSON(nil)
	if 3*len(c) > len(j) {
		t.Errorf("compact record %d bytes, JSON %d", len(c), len(j))
	}
}

// TestDeniedEndingsPinned: the endings' codes are part of format 2 (stored records hold
// them and are hashed so): the list may only grow at its end.
func TestDeniedEndingsPinned(t *testing.T) {
	pinned := []string{
		"",
		" because no identity-based policy allows the ACTION action",
		" because no service control policy allows the ACTION action",
		" because no resource control policy allows the ACTION action",
		" because no permissions boundary allows the ACTION action",
		" because no session policy allows the ACTION action",
		" because no resource-based policy allows the ACTION action",
		" with an explicit deny in an identity-based policy",
		" with an explicit deny in a service control policy",
		" with an explicit deny in a resource control policy",
		" with an explicit deny in a permissions boundary",
		" with an explicit deny in a session policy",
		" with an explicit deny in a resource-based policy",
	}
	if len(deniedEndings) < len(pinned) {
		t.Fatalf("%d endings, %d pinned", len(deniedEndings), len(pinned))
	}
	for code, want := range pinned {
		if got := joinDenied("A", "ACTION", "R", code); got != "User: A is not authorized to perform: ACTION on resource: R"+want {
			t.Errorf("ending %d makes %q, want the ending %q", code, got, want)
		}
	}
}
