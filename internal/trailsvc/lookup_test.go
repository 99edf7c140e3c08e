package trailsvc

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/api/awserr"
	"github.com/iamd-dev/iamd/internal/store"
)

func ptr[T any](v T) *T { return &v }

func TestFilter(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name  string
		in    LookupEventsInput
		want  store.EventFilter
		limit int
	}{
		{"empty", LookupEventsInput{}, store.EventFilter{Account: "a"}, 50},
		{"EventName", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyEventName, "CreateUser"}}, MaxResults: ptr[int32](7)}, store.EventFilter{Account: "a", Name: "CreateUser"}, 7},
		{"ReadOnly", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyReadOnly, "true"}}}, store.EventFilter{Account: "a", ReadOnly: &yes}, 50},
		{"ResourceType", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyResourceType, "AWS::IAM::User"}}}, store.EventFilter{Account: "a", Resource: "AWS::IAM::User\x00"}, 50},
		{"ResourceName", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyResourceName, "bob"}}}, store.EventFilter{Account: "a", Resource: "\x00bob"}, 50},
		{"times", LookupEventsInput{StartTime: ptr(100.5), EndTime: ptr(200.0)},
			store.EventFilter{Account: "a", Start: time.Unix(100, 5e8).UTC(), End: time.Unix(200, 999999999).UTC()}, 50},
		{"one second", LookupEventsInput{StartTime: ptr(100.0), EndTime: ptr(100.0)},
			store.EventFilter{Account: "a", Start: time.Unix(100, 0).UTC(), End: time.Unix(100, 999999999).UTC()}, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, limit, err := Filter("a", &tc.in)
			if err != nil {
				t.Fatalf("Filter(%+v): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, f); diff != "" || limit != tc.limit {
				t.Errorf("Filter(%+v) limit %d, want %d; filter (-want +got):\n%s", tc.in, limit, tc.limit, diff)
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	other := &LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyUsername, "root"}}}
	tok := nextToken(42, lookupHash(other))
	for _, tc := range []struct {
		name string
		in   LookupEventsInput
		code string
	}{
		{"two attributes", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyEventName, "x"}, {KeyUsername, "y"}}}, CodeInvalidLookupAttributes},
		{"unknown key", LookupEventsInput{LookupAttributes: []LookupAttribute{{"Region", "x"}}}, CodeInvalidLookupAttributes},
		{"empty value", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyEventName, ""}}}, CodeInvalidLookupAttributes},
		{"ReadOnly TRUE", LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyReadOnly, "TRUE"}}}, CodeInvalidLookupAttributes},
		{"start after end", LookupEventsInput{StartTime: ptr(201.0), EndTime: ptr(200.0)}, CodeInvalidTimeRange},
		{"negative start", LookupEventsInput{StartTime: ptr(-1.0)}, CodeInvalidTimeRange},
		{"MaxResults 0", LookupEventsInput{MaxResults: ptr[int32](0)}, CodeInvalidMaxResults},
		{"MaxResults 51", LookupEventsInput{MaxResults: ptr[int32](51)}, CodeInvalidMaxResults},
		{"token garbage", LookupEventsInput{NextToken: ptr("!!")}, CodeInvalidNextToken},
		{"token of another lookup", LookupEventsInput{NextToken: &tok}, CodeInvalidNextToken},
		{"event category", LookupEventsInput{EventCategory: ptr("data")}, CodeInvalidEventCategory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Filter("a", &tc.in)
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.Status != 400 {
				t.Errorf("Filter(%+v) = %v, want 400 %s", tc.in, err, tc.code)
			}
		})
	}
}

func TestNextToken(t *testing.T) {
	in := &LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyUsername, "root"}}, MaxResults: ptr[int32](2)}
	tok := nextToken(42, lookupHash(in))
	if again := nextToken(42, lookupHash(&LookupEventsInput{LookupAttributes: []LookupAttribute{{KeyUsername, "root"}}})); again != tok {
		t.Errorf("token depends on MaxResults: %q vs %q", tok, again)
	}
	in.NextToken = &tok
	f, _, err := Filter("a", in)
	if err != nil || f.BeforeSeq != 42 {
		t.Errorf("Filter with token %q: BeforeSeq %d, %v; want 42", tok, f.BeforeSeq, err)
	}
}
