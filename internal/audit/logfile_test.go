package audit

import (
	"bytes"
	"strings"
	"testing"

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
