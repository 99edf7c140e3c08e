package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestAdditionalEventData: additionalEventData is written after responseElements and before
// requestID, as in AWS's STS records (`"responseElements":{…},"additionalEventData":
// {"RequestDetails":{…}},"requestID":…`), by AppendJSON and MarshalJSON alike; it is left out when
// empty or null, and UnmarshalJSON keeps it.
func TestAdditionalEventData(t *testing.T) {
	details := `{"RequestDetails":{"awsServingRegion":"us-east-1","endpointType":"regional"}}`
	odd, _ := json.Marshal(map[string]string{"k\u2028<": "bad\xff"})
	for _, tc := range []struct {
		name string
		data json.RawMessage
		want string // the record's text from responseElements to requestID
	}{
		{"STS request details", json.RawMessage(details), `"responseElements":null,"additionalEventData":` + details + `,"requestID"`},
		{"escaped", odd, `"responseElements":null,"additionalEventData":` + string(odd) + `,"requestID"`},
		{"absent", nil, `"responseElements":null,"requestID"`},
		{"null", json.RawMessage("null"), `"responseElements":null,"requestID"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := assumeRoleEvent()
			e.ResponseElements, e.AdditionalEventData = nil, tc.data
			_, back := writtenAsMarshal(t, e, tc.want)
			if wantBack := nilIfNull(tc.data); !bytes.Equal(back.AdditionalEventData, wantBack) {
				t.Errorf("read back additionalEventData %s, want %s", back.AdditionalEventData, wantBack)
			}
		})
	}
}

// TestWebIDFederationDataAttributes: a web identity session's webIdFederationData carries
// "attributes": {} when it has none (AWS's records of EKS and GitHub Actions role sessions), a
// federated user's is {} (no provider, no attributes), and both read back as written.
func TestWebIDFederationDataAttributes(t *testing.T) {
	prov := "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	for _, tc := range []struct {
		name string
		w    *WebIDFederationData
		want string
	}{
		{"empty attributes", &WebIDFederationData{FederatedProvider: prov, Attributes: map[string]string{}},
			`"webIdFederationData":{"federatedProvider":"` + prov + `","attributes":{}}`},
		{"attributes", &WebIDFederationData{FederatedProvider: prov, Attributes: map[string]string{"sub": "repo:o/r", "aud": "sts.amazonaws.com"}},
			`"webIdFederationData":{"federatedProvider":"` + prov + `","attributes":{"aud":"sts.amazonaws.com","sub":"repo:o/r"}}`},
		{"federated user", &WebIDFederationData{}, `"webIdFederationData":{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := assumeRoleEvent()
			e.UserIdentity.SessionContext = &SessionContext{WebIDFederationData: tc.w}
			got, back := writtenAsMarshal(t, e, tc.want)
			if again := back.AppendJSON(nil); !bytes.Equal(again, got) {
				t.Errorf("read back and written again:\n%s\nwant\n%s", again, got)
			}
		})
	}
}

// writtenAsMarshal checks that e.AppendJSON writes what json.Marshal does and that it holds
// want, and returns it with the event it reads back as.
func writtenAsMarshal(t *testing.T, e Event, want string) ([]byte, Event) {
	t.Helper()
	got := e.AppendJSON(nil)
	marshalled, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, marshalled) {
		t.Errorf("AppendJSON:\n%s\njson.Marshal:\n%s", got, marshalled)
	}
	if !strings.Contains(string(got), want) {
		t.Errorf("record %s\ndoes not hold %s", got, want)
	}
	var back Event
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	return got, back
}
