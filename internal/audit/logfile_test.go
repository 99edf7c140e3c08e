package audit

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadLogFile(t *testing.T) {
	rec1, rec2 := `{"eventID":"a","x":[1, 2]}`, `{"eventID":"b"}`
	plain := `{"Records":[` + rec1 + `,` + rec2 + `]}`
	var gz bytes.Buffer
	if err := WriteLogFile(&gz, [][]byte{[]byte(rec1), []byte(rec2)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data string
		want       []string
		wantErr    string
	}{
		{name: "plain", data: plain, want: []string{rec1, rec2}},
		{name: "gzipped", data: gz.String(), want: []string{rec1, rec2}},
		{name: "no records", data: `{"Records":[]}`, want: []string{}},
		{name: "truncated gzip", data: gz.String()[:gz.Len()-10], wantErr: "log file"},
		{name: "invalid JSON", data: plain[:len(plain)-2], wantErr: "log file"},
		{name: "no Records", data: `{"events":[]}`, wantErr: `no "Records" array`},
		{name: "record not an object", data: `{"Records":[` + rec1 + `,"x"]}`, wantErr: "record 1 is not a JSON object"},
		{name: "not an object", data: `[1]`, wantErr: "log file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadLogFile([]byte(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ReadLogFile(%.40q) = %d records, %v; want an error containing %q", tc.data, len(got), err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gotS := make([]string, len(got))
			for i, r := range got {
				gotS[i] = string(r)
			}
			if diff := cmp.Diff(tc.want, gotS); diff != "" {
				t.Errorf("ReadLogFile records (-want +got):\n%s", diff)
			}
		})
	}
}

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
				"resources":[{"ARN":"arn:aws:iam::111122223333:user/Bob","accountId":"111122223333","type":"AWS::IAM::User"}],"recipientAccountId":"111122223333"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 1, 0, time.UTC), Account: "111122223333", Source: "iam.amazonaws.com", Name: "CreateUser", ID: "e1",
				Username: "Alice", AccessKey: "AKIAIOSFODNN7EXAMPLE", Resources: []Resource{{ARN: "arn:aws:iam::111122223333:user/Bob", AccountID: "111122223333", Type: "AWS::IAM::User"}}},
		},
		{
			name: "assumed role, readOnly as a string, no recipient",
			rec: `{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/Admin/session-1","accountId":"111122223333"},
				"eventTime":"2024-05-01T12:00:02Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e2","readOnly":"true"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 2, 0, time.UTC), Account: "111122223333", Source: "s3.amazonaws.com", Name: "ListBuckets", ID: "e2",
				Username: "session-1", ReadOnly: true},
		},
		{
			name: "root",
			rec:  `{"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"eventTime":"2024-05-01T12:00:03Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"e3","recipientAccountId":"111122223333"}`,
			want: Summary{Time: time.Date(2024, 5, 1, 12, 0, 3, 0, time.UTC), Account: "111122223333", Source: "signin.amazonaws.com", Name: "ConsoleLogin", ID: "e3", Username: "root"},
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
				t.Errorf("Summarize (-want +got):\n%s", diff)
			}
		})
	}
}
