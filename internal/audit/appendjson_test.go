package audit

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// odd are strings json.Marshal escapes in every way it can.
var odd = []string{"", "plain", "<a href=\"x\">&amp;</a>", "tab\tnl\ncr\r\x00\x1f\x7f\b\f", "back\\slash", "\u2028\u2029", "bad\xff\xfeutf8\xc3", "ünï ✓ 𝄞", "\xed\xa0\x80"}

// TestAppendJSONMatchesMarshal checks AppendJSON against MarshalJSON for the example records
// and for records whose every string field holds strings that need escaping, with each
// optional part present and absent.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	for name, e := range variedEvents() {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.AppendJSON([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("AppendJSON:\n%s\njson.Marshal:\nprefix%s", got, want)
			}
		})
	}
}

// variedEvents are the example records and records whose every string field holds strings
// that need escaping, with each optional part present and absent.
func variedEvents() map[string]Event {
	events := map[string]Event{"CreateUser": createUserEvent(), "AssumeRole": assumeRoleEvent(), "Denied": deniedEvent(),
		"Denied by a boundary": deniedByBoundary(), "zero": {}}
	for i, s := range odd {
		e := assumeRoleEvent()
		e.EventVersion, e.EventSource, e.EventName, e.AWSRegion, e.SourceIPAddress, e.UserAgent = s, s, s, s, s, s
		e.ErrorCode, e.ErrorMessage, e.RequestID, e.EventID, e.EventType, e.RecipientAccountID, e.EventCategory = s, s, s, s, s, s, s
		e.EventTime = time.Date(2026, 1, 2, 3, 4, 5, 999, time.FixedZone("z", -7*3600))
		e.ReadOnly, e.ManagementEvent = i%2 == 0, i%2 == 1
		u := &e.UserIdentity
		u.Type, u.PrincipalID, u.ARN, u.AccountID, u.AccessKeyID, u.UserName, u.InvokedBy, u.IdentityProvider = s, s, s, s, s, s, s, s
		u.SessionContext = &SessionContext{SourceIdentity: s}
		switch i % 3 {
		case 0:
			u.SessionContext.SessionIssuer = &SessionIssuer{Type: s, PrincipalID: s, ARN: s, AccountID: s, UserName: s}
			u.SessionContext.Attributes = &SessionAttributes{MFAAuthenticated: true}
		case 1:
			u.SessionContext.SessionIssuer = &SessionIssuer{}
			u.SessionContext.WebIDFederationData = &WebIDFederationData{FederatedProvider: s, Attributes: map[string]string{s: s, "b": "c", "a" + s: "<"}}
			e.Resources = append(e.Resources, Resource{}, Resource{ARN: s, Type: s})
		case 2:
			u.SessionContext.WebIDFederationData = &WebIDFederationData{}
			e.TLSDetails = &TLSDetails{ClientProvidedHostHeader: s}
			e.Resources = nil
		}
		events["odd "+s] = e
	}
	return events
}

func TestAppendString(t *testing.T) {
	cases := append(odd, "\"", "<", ">", "&", "\u00e9\u2027\u202a")
	for b := range 256 { // every byte alone and inside text
		cases = append(cases, string([]byte{byte(b)}), "ab"+string([]byte{byte(b)})+"cd\u2028")
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestIsSecretName(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"secretAccessKey", true}, {"SECRETACCESSKEY", true}, {"ſecretAccessKey", true}, {"password", true},
		{"passwords", false}, {"userName", false}, {"", false}, {"servicecredentialsecretx", false},
	} {
		if got := IsSecretName(tc.key); got != tc.want {
			t.Errorf("IsSecretName(%q) = %v, want %v", tc.key, got, tc.want)
		}
		// Redact must agree.
		in := json.RawMessage(`{` + string(AppendString(nil, tc.key)) + `:1}`)
		if dropped := string(Redact(in)) == `{}`; dropped != tc.want {
			t.Errorf("Redact(%s) dropped it: %v, IsSecretName says %v", in, dropped, tc.want)
		}
	}
}
