package audit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writes records each Write call separately.
type writes struct{ calls []string }

func (w *writes) Write(p []byte) (int, error) {
	w.calls = append(w.calls, string(p))
	return len(p), nil
}

// failAfter accepts n bytes, then fails.
type failAfter struct{ n int }

var errSink = errors.New("sink full")

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errSink
	}
	w.n -= len(p)
	return len(p), nil
}

func TestJSONLines(t *testing.T) {
	var w writes
	recs := [][]byte{
		[]byte(`{"eventID":"1"}`),
		[]byte("{\n  \"eventID\": \"2\",\n  \"a\": [1, 2]\n}"),
		[]byte(`{"eventName":"line\nbreak"}`),
	}
	if err := JSONLines(&w, recs...); err != nil {
		t.Fatal(err)
	}
	want := []string{"{\"eventID\":\"1\"}\n", "{\"eventID\":\"2\",\"a\":[1,2]}\n", "{\"eventName\":\"line\\nbreak\"}\n"}
	if diff := cmp.Diff(want, w.calls); diff != "" {
		t.Errorf("JSONLines writes (-want +got):\n%s", diff)
	}
}

func TestJSONLinesErrors(t *testing.T) {
	t.Run("invalid record", func(t *testing.T) {
		var w writes
		err := JSONLines(&w, []byte(`{"a":1}`), []byte(`{"a":`), []byte(`{"b":2}`))
		if err == nil {
			t.Fatal("no error for an invalid record")
		}
		if diff := cmp.Diff([]string{"{\"a\":1}\n"}, w.calls); diff != "" {
			t.Errorf("writes before the invalid record (-want +got):\n%s", diff)
		}
	})
	t.Run("writer fails", func(t *testing.T) {
		err := JSONLines(&failAfter{n: 3}, []byte(`{"a":1}`))
		if !errors.Is(err, errSink) {
			t.Errorf("got %v, want the writer's error", err)
		}
	})
}

func TestLogFileName(t *testing.T) {
	pdt := time.FixedZone("PDT", -7*3600)
	tests := []struct {
		name    string
		account string
		region  string
		t       time.Time
		id      string
		want    string
	}{
		{
			// CloudTrail User Guide, "CloudTrail log file name format", and the S3 prefix from
			// "Finding your CloudTrail log files".
			"documented", "111122223333", "us-east-2", time.Date(2015, 8, 1, 2, 10, 0, 0, time.UTC), "Mu0KsOhtH1ar15ZZ",
			"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
		},
		{
			"local time is converted, seconds dropped", "123456789012", "us-west-1", time.Date(2014, 6, 19, 21, 55, 59, 0, pdt), "HdkvFTXOA3Vnhbc0",
			"AWSLogs/123456789012/CloudTrail/us-west-1/2014/06/20/123456789012_CloudTrail_us-west-1_20140620T0455Z_HdkvFTXOA3Vnhbc0.json.gz",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LogFileName(tt.account, tt.region, tt.t, tt.id); got != tt.want {
				t.Errorf("LogFileName(%q, %q, %v, %q)\n got %s\nwant %s", tt.account, tt.region, tt.t, tt.id, got, tt.want)
			}
		})
	}
}

func TestWriteLogFile(t *testing.T) {
	ev, err := json.Marshal(createUserEvent())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		events [][]byte
	}{
		{"none", nil},
		{"one", [][]byte{ev}},
		{"several, byte for byte", [][]byte{ev, []byte("{ \"eventID\" : \"x\" }"), []byte(`{"eventName":"<&>"}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteLogFile(&buf, tt.events); err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(&buf)
			if err != nil {
				t.Fatalf("not gzip: %v", err)
			}
			if !zr.ModTime.IsZero() || zr.Name != "" {
				t.Errorf("gzip header has ModTime %v, Name %q; want neither", zr.ModTime, zr.Name)
			}
			body, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			var file struct{ Records []json.RawMessage }
			if err := json.Unmarshal(body, &file); err != nil {
				t.Fatalf("Unmarshal(%s): %v", body, err)
			}
			if file.Records == nil {
				t.Errorf("%s has no Records array", body)
			}
			if len(file.Records) != len(tt.events) {
				t.Fatalf("%d records, want %d", len(file.Records), len(tt.events))
			}
			for i := range tt.events {
				if !bytes.Equal(file.Records[i], tt.events[i]) {
					t.Errorf("record %d = %s, want %s", i, file.Records[i], tt.events[i])
				}
			}
		})
	}
}

func TestWriteLogFileDeterministic(t *testing.T) {
	events := [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`)}
	var a, b bytes.Buffer
	if err := WriteLogFile(&a, events); err != nil {
		t.Fatal(err)
	}
	if err := WriteLogFile(&b, events); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of the same events differ")
	}
}

func TestWriteLogFileErrors(t *testing.T) {
	t.Run("invalid event", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteLogFile(&buf, [][]byte{[]byte(`{}`), []byte(`{"a"`)}); err == nil {
			t.Error("no error for an invalid event")
		}
		if buf.Len() != 0 {
			t.Errorf("wrote %d bytes before rejecting the events", buf.Len())
		}
	})
	t.Run("writer fails", func(t *testing.T) {
		err := WriteLogFile(&failAfter{n: 5}, [][]byte{[]byte(`{}`)})
		if !errors.Is(err, errSink) {
			t.Errorf("got %v, want the writer's error", err)
		}
	})
}
