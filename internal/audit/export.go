package audit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// JSONLines writes records to w as JSON Lines: each record compacted onto one line and
// followed by a newline, in one Write call per record, so a log sink gets whole lines. It
// stops at the first record that is not valid JSON and writes nothing of that record.
func JSONLines(w io.Writer, records ...[]byte) error {
	var buf bytes.Buffer
	for i, rec := range records {
		buf.Reset()
		if err := json.Compact(&buf, rec); err != nil {
			return fmt.Errorf("audit: record %d is not valid JSON: %w", i, err)
		}
		buf.WriteByte('\n')
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("audit: write record %d: %w", i, err)
		}
	}
	return nil
}

// LogFileName returns the object key CloudTrail delivers a log file under:
//
//	AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_ID.json.gz
//
// t is the delivery time, taken in UTC. id is the 16-character string CloudTrail uses to
// keep files of the same minute apart; the caller makes it (this package has no randomness)
// and LogFileName does not check it.
func LogFileName(account, region string, t time.Time, id string) string {
	t = t.UTC()
	return "AWSLogs/" + account + "/CloudTrail/" + region + "/" + t.Format("2006/01/02") + "/" +
		account + "_CloudTrail_" + region + "_" + t.Format("20060102T1504Z") + "_" + id + ".json.gz"
}

// WriteLogFile writes a CloudTrail log file to w: the gzip-compressed JSON object
// {"Records":[...]} holding events, each a JSON record copied byte for byte. The gzip
// header carries no name and no time, so the same events always give the same file.
func WriteLogFile(w io.Writer, events [][]byte) error {
	for i, ev := range events {
		if !json.Valid(ev) {
			return fmt.Errorf("audit: event %d is not valid JSON", i)
		}
	}
	zw := gzip.NewWriter(w)
	// Errors from the gzip writer are sticky: Close reports any earlier write error.
	_, _ = io.WriteString(zw, `{"Records":[`)
	for i, ev := range events {
		if i > 0 {
			_, _ = io.WriteString(zw, ",")
		}
		_, _ = zw.Write(ev)
	}
	_, _ = io.WriteString(zw, "]}")
	if err := zw.Close(); err != nil {
		return fmt.Errorf("audit: write log file: %w", err)
	}
	return nil
}
