package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// createUserEvent is the CloudTrail guide's CreateUser example (Alice creates Bob) with the
// fields a current record carries.
func createUserEvent() Event {
	return Event{
		EventVersion: EventVersion,
		UserIdentity: UserIdentity{
			Type:        "IAMUser",
			PrincipalID: "AIDAJ45Q7YFFAREXAMPLE",
			ARN:         "arn:aws:iam::123456789012:user/Alice",
			AccountID:   "123456789012",
			AccessKeyID: "AKIAIOSFODNN7EXAMPLE",
			UserName:    "Alice",
		},
		EventTime:         time.Date(2014, 3, 24, 21, 11, 59, 0, time.UTC),
		EventSource:       "iam.amazonaws.com",
		EventName:         "CreateUser",
		AWSRegion:         "us-east-1",
		SourceIPAddress:   "127.0.0.1",
		UserAgent:         "aws-cli/1.3.2 Python/2.7.5 Windows/7",
		RequestParameters: json.RawMessage(`{"userName":"Bob"}`),
		ResponseElements: json.RawMessage(`{"user":{"createDate":"Mar 24, 2014 9:11:59 PM","userName":"Bob",` +
			`"arn":"arn:aws:iam::123456789012:user/Bob","path":"/","userId":"AIDACKCEVSQ6C2EXAMPLE"}}`),
		RequestID:          "9d5c7c3a-e0b2-4f6e-9a4b-0f1d2c3e4b5a",
		EventID:            "3b1c2d4e-5f60-4718-8a9b-0c1d2e3f4a5b",
		ReadOnly:           false,
		EventType:          EventTypeAPICall,
		ManagementEvent:    true,
		RecipientAccountID: "123456789012",
		EventCategory:      EventCategoryManagement,
		TLSDetails: &TLSDetails{
			TLSVersion:               "TLSv1.3",
			CipherSuite:              "TLS_AES_128_GCM_SHA256",
			ClientProvidedHostHeader: "iam.amazonaws.com",
		},
	}
}

// assumeRoleEvent is the IAM guide's role-chaining AssumeRole example, with its response
// passed through Redact as iamd records it.
func assumeRoleEvent() Event {
	return Event{
		EventVersion: EventVersion,
		UserIdentity: UserIdentity{
			Type:        "AssumedRole",
			PrincipalID: "AROAIN5ATK5U7KEXAMPLE:JohnRole1",
			ARN:         "arn:aws:sts::111111111111:assumed-role/JohnRole1/JohnRole1",
			AccountID:   "111111111111",
			AccessKeyID: "ASIAI44QH8DHBEXAMPLE",
			SessionContext: &SessionContext{
				SessionIssuer: &SessionIssuer{
					Type:        "Role",
					PrincipalID: "AROAIN5ATK5U7KEXAMPLE",
					ARN:         "arn:aws:iam::111111111111:role/JohnRole1",
					AccountID:   "111111111111",
					UserName:    "JohnRole1",
				},
				WebIDFederationData: &WebIDFederationData{},
				Attributes: &SessionAttributes{
					CreationDate:     time.Date(2019, 10, 2, 21, 50, 54, 0, time.UTC),
					MFAAuthenticated: false,
				},
				SourceIdentity: "JohnDoe",
			},
		},
		EventTime:       time.Date(2019, 10, 2, 22, 12, 29, 0, time.UTC),
		EventSource:     "sts.amazonaws.com",
		EventName:       "AssumeRole",
		AWSRegion:       "us-east-1",
		SourceIPAddress: "192.0.2.89",
		UserAgent:       "aws-cli/1.16.248 Python/3.4.7 botocore/1.12.239",
		RequestParameters: Redact(json.RawMessage(`{"roleArn":"arn:aws:iam::111111111111:role/JohnRole2",` +
			`"roleSessionName":"Role2WithTags","sourceIdentity":"JohnDoe","durationSeconds":3600}`)),
		ResponseElements: Redact(json.RawMessage(`{"credentials":{"accessKeyId":"ASIAWHOJDLGPOEXAMPLE",` +
			`"expiration":"Oct 2, 2019 11:12:29 PM","sessionToken":"AgoJb3JpZ2luX2VjEXAMPLETOKEN",` +
			`"secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},` +
			`"assumedRoleUser":{"assumedRoleId":"AROAIFR7WHDTSOYQYHFUE:Role2WithTags",` +
			`"arn":"arn:aws:sts::111111111111:assumed-role/JohnRole2/Role2WithTags"},"sourceIdentity":"JohnDoe"}`)),
		RequestID: "b96b0e4e-e561-11e9-8b3f-7b396EXAMPLE",
		EventID:   "1917948f-3042-46ec-98e2-62865EXAMPLE",
		Resources: []Resource{{
			ARN:       "arn:aws:iam::111111111111:role/JohnRole2",
			AccountID: "111111111111",
			Type:      "AWS::IAM::Role",
		}},
		EventType:          EventTypeAPICall,
		ManagementEvent:    true,
		RecipientAccountID: "111111111111",
		EventCategory:      EventCategoryManagement,
	}
}

// deniedEvent is a request the policy engine refused: errorCode and errorMessage are
// present, responseElements is null.
func deniedEvent() Event {
	e := createUserEvent()
	e.EventName = "DeleteUser"
	e.ErrorCode = "AccessDenied"
	e.ErrorMessage = "User: arn:aws:iam::123456789012:user/Alice is not authorized to perform: iam:DeleteUser on resource: user Bob"
	e.ResponseElements = nil
	e.TLSDetails = nil
	return e
}

// deniedByBoundary is deniedEvent for another action than the call's, with an ending: the
// parts of a denial's message the compact form codes (compact_fields.go).
func deniedByBoundary() Event {
	e := deniedEvent()
	e.ErrorMessage = "User: arn:aws:iam::123456789012:user/Alice is not authorized to perform: iam:PassRole on resource: " +
		"arn:aws:iam::123456789012:role/R because no permissions boundary allows the iam:PassRole action"
	return e
}

func TestEventGolden(t *testing.T) {
	tests := []struct {
		name  string
		event Event
	}{
		{"CreateUser", createUserEvent()},
		{"AssumeRole", assumeRoleEvent()},
		{"AccessDenied", deniedEvent()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.event)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "    "); err != nil {
				t.Fatalf("Indent(%s): %v", got, err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), pretty.String()); diff != "" {
				t.Errorf("json.Marshal(%s event) differs from %s (-want +got):\n%s", tt.name, path, diff)
			}
		})
	}
}

// TestMatchesCloudTrailExamples reads records from the AWS documentation and checks that
// iamd writes the keys they share in the same order, at the top level and in userIdentity,
// and that the only keys it drops are ones it does not model.
func TestMatchesCloudTrailExamples(t *testing.T) {
	notModelled := map[string]bool{"sharedEventID": true, "apiVersion": true}
	for _, name := range []string{"CreateUser", "AssumeRole"} {
		t.Run(name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", "cloudtrail", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var e Event
			if err := json.Unmarshal(doc, &e); err != nil {
				t.Fatalf("Unmarshal documented record: %v", err)
			}
			if e.EventName != name {
				t.Fatalf("EventName = %q, want %q", e.EventName, name)
			}
			ours, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range [][]string{nil, {"userIdentity"}} {
				docKeys := objectKeys(t, doc, path...)
				ourKeys := objectKeys(t, ours, path...)
				var shared []string
				for _, k := range docKeys {
					switch {
					case contains(ourKeys, k):
						shared = append(shared, k)
					case !notModelled[k]:
						t.Errorf("%s: documented key %q is missing from iamd's record %s", strings.Join(path, "."), k, ours)
					}
				}
				var ourShared []string
				for _, k := range ourKeys {
					if contains(shared, k) {
						ourShared = append(ourShared, k)
					}
				}
				if diff := cmp.Diff(shared, ourShared); diff != "" {
					t.Errorf("%s: key order differs from the documented record (-doc +iamd):\n%s", strings.Join(path, "."), diff)
				}
			}
			// The parameters and response pass through unchanged, member order included.
			for _, k := range []string{"requestParameters", "responseElements"} {
				if diff := cmp.Diff(compact(t, member(t, doc, k)), compact(t, member(t, ours, k))); diff != "" {
					t.Errorf("%s changed on the way through Event (-doc +iamd):\n%s", k, diff)
				}
			}
		})
	}
}

func TestEventRoundTrip(t *testing.T) {
	for _, e := range []Event{createUserEvent(), assumeRoleEvent(), deniedEvent(), {}} {
		t.Run(e.EventName, func(t *testing.T) {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			var got Event
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", b, err)
			}
			want := e
			if want.EventTime.IsZero() {
				want.EventTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Marshal then Unmarshal of %s (-want +got):\n%s", b, diff)
			}
			again, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, again) {
				t.Errorf("second Marshal differs:\nfirst  %s\nsecond %s", b, again)
			}
		})
	}
}

func TestEventTimeFormat(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"utc", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), "2024-02-29T23:59:59Z"},
		{"other zone becomes UTC", time.Date(2024, 3, 1, 8, 59, 59, 0, tokyo), "2024-02-29T23:59:59Z"},
		{"fraction dropped, not rounded", time.Date(2024, 2, 29, 23, 59, 59, 999_999_999, time.UTC), "2024-02-29T23:59:59Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(Event{EventTime: tt.in})
			if err != nil {
				t.Fatal(err)
			}
			if got := string(member(t, b, "eventTime")); got != `"`+tt.want+`"` {
				t.Errorf("eventTime of %v = %s, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEventNullsAndOmissions(t *testing.T) {
	b, err := json.Marshal(Event{RequestParameters: json.RawMessage{}, UserIdentity: UserIdentity{Type: "Root"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"requestParameters", "responseElements"} {
		if got := string(member(t, b, k)); got != "null" {
			t.Errorf("%s = %s, want null", k, got)
		}
	}
	keys := objectKeys(t, b)
	for _, k := range []string{"errorCode", "errorMessage", "resources", "tlsDetails"} {
		if contains(keys, k) {
			t.Errorf("empty %s was written: %s", k, b)
		}
	}
	if got, want := objectKeys(t, b, "userIdentity"), []string{"type"}; !cmp.Equal(got, want) {
		t.Errorf("userIdentity keys = %v, want %v", got, want)
	}
}

func TestEventMarshalRejectsBadJSON(t *testing.T) {
	e := createUserEvent()
	e.RequestParameters = json.RawMessage(`{"userName":`)
	if b, err := json.Marshal(e); err == nil {
		t.Errorf("Marshal with invalid requestParameters = %s, want an error", b)
	}
}

func TestEventUnmarshalErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not json", `{`},
		{"wrong type", `{"eventVersion":1}`},
		{"bad eventTime", `{"eventTime":"24 Mar 2014"}`},
		{"missing eventTime", `{"eventName":"CreateUser"}`},
		{"bad creationDate", `{"eventTime":"2014-03-24T21:11:59Z","userIdentity":{"sessionContext":{"attributes":{"creationDate":"yesterday"}}}}`},
		{"bad mfaAuthenticated", `{"eventTime":"2014-03-24T21:11:59Z","userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"yes"}}}}`},
		{"attributes not an object", `{"eventTime":"2014-03-24T21:11:59Z","userIdentity":{"sessionContext":{"attributes":[]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Event
			if err := json.Unmarshal([]byte(tt.in), &e); err == nil {
				t.Errorf("Unmarshal(%s) = %+v, want an error", tt.in, e)
			}
		})
	}
}

func TestSessionAttributes(t *testing.T) {
	created := time.Date(2013, 11, 2, 1, 6, 28, 0, time.UTC)
	tests := []struct {
		name     string
		in       string
		want     SessionAttributes
		marshals string
	}{
		{"documented", `{"mfaAuthenticated":"true","creationDate":"2013-11-02T01:06:28Z"}`,
			SessionAttributes{CreationDate: created, MFAAuthenticated: true},
			`{"creationDate":"2013-11-02T01:06:28Z","mfaAuthenticated":"true"}`},
		{"ISO 8601 basic", `{"mfaAuthenticated":"false","creationDate":"20131102T010628Z"}`,
			SessionAttributes{CreationDate: created},
			`{"creationDate":"2013-11-02T01:06:28Z","mfaAuthenticated":"false"}`},
		{"empty", `{}`, SessionAttributes{}, `{"mfaAuthenticated":"false"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got SessionAttributes
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
			}
			b, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.marshals {
				t.Errorf("Marshal(%+v) = %s, want %s", got, b, tt.marshals)
			}
		})
	}
}

// objectKeys returns the keys of the object at path inside doc, in document order.
func objectKeys(t *testing.T, doc []byte, path ...string) []string {
	t.Helper()
	for _, p := range path {
		doc = member(t, doc, p)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("objectKeys(%v): not an object: %s", path, doc)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// member returns the raw value of key in the JSON object doc.
func member(t *testing.T, doc []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("member %q: %v in %s", key, err, doc)
	}
	v, ok := m[key]
	if !ok {
		t.Fatalf("no %q in %s", key, doc)
	}
	return v
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestAppendTime: appendTime writes what AppendFormat with timeLayout writes, for times across
// the four-digit years, fractions of a second, other zones, and years it hands to AppendFormat.
func TestAppendTime(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 23, 59, 59, 500, time.FixedZone("x", -5*3600)),
	}
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(253402300800), r.Int64N(1e9)).In(time.FixedZone("y", int(r.Int64N(86400))-43200)))
	}
	for _, tm := range times {
		want := tm.UTC().Truncate(time.Second).Format(timeLayout)
		if got := string(appendTime([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("appendTime(%v) = %q, want %q", tm, got[1:], want)
		}
	}
}
