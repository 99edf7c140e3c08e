package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name, rec string
		want      Summary
		wantErr   string
	}{
		{
			name: "IAM user",
			rec: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Alice","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Alice"},
				"eventTime":"2024-05-01T12:00:01Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"e1","readOnly":false,
				"requestParameters":{"userName":"Bob","path":"/","tags":[{"key":"userName","value":"x"}]},
				"resources":[{"ARN":"arn:aws:iam::111122223333:user/Bob","accountId":"111122223333","type":"AWS::IAM::User"}],"recipientAccountId":"111122223333"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 1, 0, time.UTC), Account: "111122223333", Source: "iam.amazonaws.com", Name: "CreateUser", ID: "e1",
				Username: "Alice", AccessKey: "AKIAIOSFODNN7EXAMPLE", Resources: []string{"AWS::IAM::User\x00Bob", "AWS::IAM::User\x00arn:aws:iam::111122223333:user/Bob"}},
		},
		{
			name: "assumed role, readOnly as a string, no recipient",
			rec: `{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/session-1","accountId":"111122223333"},
				"eventTime":"2024-05-01T12:00:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e2","readOnly":"true","requestParameters":null}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 2, 0, time.UTC), Account: "111122223333", Source: "s3.amazonaws.com", Name: "ListBuckets", ID: "e2",
				Username: "session-1", ReadOnly: true},
		},
		{
			name: "root",
			rec:  `{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"eventTime":"2024-05-01T12:00:03Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"e3","recipientAccountId":"111122223333"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 3, 0, time.UTC), Account: "111122223333", Source: "signin.amazonaws.com", Name: "ConsoleLogin", ID: "e3", Username: "root"},
		},
		{
			name: "web identity user: userName, no ARN",
			rec:  `{"userIdentity":{"type":"WebIdentityUser","userName":"sub-1","identityProvider":"accounts.google.com"},"eventTime":"2024-05-01T12:00:04Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","eventID":"e4","recipientAccountId":"111122223333"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 4, 0, time.UTC), Account: "111122223333", Source: "sts.amazonaws.com", Name: "AssumeRoleWithWebIdentity", ID: "e4", Username: "sub-1"},
		},
		{
			name: "assumed role names the role by parameter and resource",
			rec: `{"userIdentity":{"type":"IAMUser","userName":"u"},"eventTime":"2024-05-01T12:00:05Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventID":"e5",
				"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/deploy","roleSessionName":"s"},
				"resources":[{"ARN":"arn:aws:iam::111122223333:role/deploy","accountId":"111122223333","type":"AWS::IAM::Role"}],"recipientAccountId":"111122223333"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 5, 0, time.UTC), Account: "111122223333", Source: "sts.amazonaws.com", Name: "AssumeRole", ID: "e5", Username: "u",
				Resources: []string{"AWS::IAM::Role\x00arn:aws:iam::111122223333:role/deploy", "AWS::IAM::Role\x00deploy"}},
		},
		{
			name: "parameters that are not names: empty, not strings, newline, NUL",
			rec: `{"userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"eventTime":"2024-05-01T12:00:06Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","eventID":"e6",
				"requestParameters":{"userName":"a\nb","groupName":"","roleName":7,"policyArn":"p\u0000q","accessKeyId":"AKIA1","instanceProfileName":"\ufffd"},"recipientAccountId":"1"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 6, 0, time.UTC), Account: "1", Source: "iam.amazonaws.com", Name: "AttachUserPolicy", ID: "e6", Username: "root",
				Resources: []string{"AWS::IAM::AccessKey\x00AKIA1", "AWS::IAM::InstanceProfile\x00\ufffd"}},
		},
		{name: "no eventID", rec: `{"eventTime":"2024-05-01T12:00:03Z","eventSource":"s","eventName":"n"}`, wantErr: "no eventID"},
		{name: "bad eventTime", rec: `{"eventTime":"yesterday","eventSource":"s","eventName":"n","eventID":"e"}`, wantErr: "eventTime"},
		{name: "not JSON", rec: `{"eventTime":`, wantErr: "record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Summarize([]byte(tc.rec))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Summarize = %+v, %v; want an error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Summarize(%.60s…) (-want +got):\n%s", tc.rec, diff)
			}
		})
	}
}

// TestEventSummaryMatchesSummarize: the columns derived from an Event equal those derived
// from the bytes it writes (up to the second Time is truncated to), for events drawn from
// awkward strings.
func TestEventSummaryMatchesSummarize(t *testing.T) {
	strs := []string{"", "alice", "arn:aws:iam::123456789012:user/path/alice", "arn:aws:iam::123456789012:root", "bad \xff\xfe utf8 \xc3",
		"tab\tnew\nline", "nul\x00", "<&>", "\u2028", "ends/", "ends:", "AWS::IAM::Role"}
	r := rand.New(rand.NewPCG(5, 6))
	s := func() string { return strs[r.IntN(len(strs))] }
	for i := range 2000 {
		e := Event{EventVersion: EventVersion, EventTime: time.Unix(1700000000+int64(i), int64(r.IntN(1e9))).In(time.FixedZone("x", -3600)),
			EventSource: "iam.amazonaws.com", EventName: "CreateUser", EventID: fmt.Sprint("id-", i), ReadOnly: r.IntN(2) == 0, RecipientAccountID: s(),
			UserIdentity: UserIdentity{Type: "IAMUser", ARN: s(), AccountID: s(), AccessKeyID: s(), UserName: s()}}
		if r.IntN(3) > 0 {
			e.Resources = []Resource{{ARN: s(), Type: s()}, {ARN: s(), Type: "AWS::IAM::Role"}}
		}
		params := map[string]any{"userName": s(), "roleArn": s(), "path": s(), "groupName": r.IntN(3)}
		b, err := json.Marshal(params)
		if err != nil {
			t.Fatal(err)
		}
		e.RequestParameters = b
		rec := e.AppendJSON(nil)
		want, err := Summarize(rec)
		if err != nil {
			t.Fatalf("Summarize(%s): %v", rec, err)
		}
		got := e.Summary(ParamResources(e.RequestParameters))
		if !got.Time.Truncate(time.Second).Equal(want.Time) {
			t.Fatalf("record %s: Event.Summary time %v, Summarize %v", rec, got.Time, want.Time)
		}
		got.Time = want.Time
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("record %s: Event.Summary (-Summarize +Event.Summary):\n%s", rec, diff)
		}
	}
}

func TestCheckIndex(t *testing.T) {
	rec := []byte(`{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accessKeyId":"AKIAROOT"},"eventTime":"2024-05-01T12:00:01Z",
		"eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"e1","readOnly":false,"requestParameters":{"userName":"bob"},"recipientAccountId":"111122223333"}`)
	good := Summary{Time: time.Date(2024, 5, 1, 12, 0, 1, 0, time.UTC), Account: "111122223333", Source: "iam.amazonaws.com", Name: "CreateUser", ID: "e1",
		Username: "root", AccessKey: "AKIAROOT", Resources: []string{"AWS::IAM::User\x00bob"}}
	for _, tc := range []struct {
		name      string
		edit      func(s *Summary)
		rec       []byte
		wantField string
		wantText  string
	}{
		{name: "intact", edit: func(*Summary) {}},
		{name: "time within the second", edit: func(s *Summary) { s.Time = s.Time.Add(999 * time.Millisecond) }},
		{name: "repeated resource", edit: func(s *Summary) { s.Resources = append(s.Resources, s.Resources[0]) }},
		{name: "time", edit: func(s *Summary) { s.Time = s.Time.Add(time.Second) }, wantField: "time", wantText: "2024-05-01T12:00:02Z, the record says 2024-05-01T12:00:01Z"},
		{name: "time before", edit: func(s *Summary) { s.Time = s.Time.Add(-time.Nanosecond) }, wantField: "time"},
		{name: "account", edit: func(s *Summary) { s.Account = "444455556666" }, wantField: "account", wantText: `"444455556666", the record says "111122223333"`},
		{name: "source", edit: func(s *Summary) { s.Source = "sts.amazonaws.com" }, wantField: "source"},
		{name: "name", edit: func(s *Summary) { s.Name = "GetUser" }, wantField: "name"},
		{name: "event ID", edit: func(s *Summary) { s.ID = "e2" }, wantField: "event_id"},
		{name: "username", edit: func(s *Summary) { s.Username = "alice" }, wantField: "username", wantText: `username column is "alice", the record says "root"`},
		{name: "access key", edit: func(s *Summary) { s.AccessKey = "AKIAALICE" }, wantField: "access_key"},
		{name: "read only", edit: func(s *Summary) { s.ReadOnly = true }, wantField: "read_only", wantText: "true, the record says false"},
		{name: "resource renamed", edit: func(s *Summary) { s.Resources = []string{"AWS::IAM::User\x00alice"} }, wantField: "resources",
			wantText: `[AWS::IAM::User "alice"], the record says [AWS::IAM::User "bob"]`},
		{name: "resource added", edit: func(s *Summary) { s.Resources = append(s.Resources, "AWS::IAM::Role\x00r") }, wantField: "resources"},
		{name: "resources removed", edit: func(s *Summary) { s.Resources = nil }, wantField: "resources"},
		{name: "two columns: the first is named", edit: func(s *Summary) { s.Username, s.Name = "alice", "GetUser" }, wantField: "name"},
		{name: "record without an event ID", rec: []byte(`{"eventTime":"2024-05-01T12:00:01Z"}`), edit: func(*Summary) {}, wantField: "record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stored := good
			stored.Resources = append([]string(nil), good.Resources...)
			tc.edit(&stored)
			r := rec
			if tc.rec != nil {
				r = tc.rec
			}
			want, err := CheckIndex(7, r, stored)
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("CheckIndex(%+v) = %v, want nil", stored, err)
				}
				if diff := cmp.Diff(good, want); diff != "" {
					t.Errorf("CheckIndex summary (-want +got):\n%s", diff)
				}
				return
			}
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Seq != 7 || ce.Kind != Edited || ce.Field != tc.wantField || !strings.Contains(ce.Detail, tc.wantText) {
				t.Fatalf("CheckIndex(%+v) = %v; want record 7 edited, field %q, detail containing %q", stored, err, tc.wantField, tc.wantText)
			}
		})
	}
}

func BenchmarkSummarize(b *testing.B) {
	rec := []byte(`{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE","userName":"alice"},"eventTime":"2026-12-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"aws-cli/2.27.0","requestParameters":{"userName":"bob","path":"/","tags":[{"key":"team","value":"a"}]},"responseElements":{"user":{"path":"/","userName":"bob","userId":"AIDAEXAMPLEEXAMPLE01","arn":"arn:aws:iam::123456789012:user/bob","createDate":"2026-12-01T10:00:00Z","tags":[{"key":"team","value":"a"}]}},"requestID":"6b1c4a0e-8f1e-4c1e-9d7a-0a1b2c3d4e5f","eventID":"0193c1a0-0000-7000-8000-000000000000","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Summarize(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummarizeCompact: what deriving a journaled read's columns costs when its frame is
// read (the journal keeps a compact record without them).
func BenchmarkSummarizeCompact(b *testing.B) {
	e := Event{EventVersion: EventVersion, EventTime: time.Date(2026, 12, 1, 10, 0, 0, 123, time.UTC), EventSource: "iam.amazonaws.com", EventName: "GetUser",
		UserIdentity: UserIdentity{Type: "Root", PrincipalID: "123456789012", ARN: "arn:aws:iam::123456789012:root", AccountID: "123456789012", AccessKeyID: "AKIAEXAMPLE"},
		AWSRegion:    "us-east-1", SourceIPAddress: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.39.2 os/linux lang/go#1.26 api/iam#1.64.9",
		RequestParameters: []byte(`{"userName":"alice"}`), RequestID: "6b1c4a0e-8f1e-4c1e-9d7a-0a1b2c3d4e5f", EventID: "0193c1a0-0000-7000-8000-000000000000",
		ReadOnly: true, EventType: EventTypeAPICall, ManagementEvent: true, RecipientAccountID: "123456789012", EventCategory: EventCategoryManagement}
	rec := e.AppendCompact(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SummarizeCompact(rec); err != nil {
			b.Fatal(err)
		}
	}
}
