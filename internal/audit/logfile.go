package audit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ReadLogFile parses a CloudTrail log file, gzip-compressed (recognised by its magic bytes)
// or not: the JSON object {"Records":[...]}. It returns each record's bytes unchanged, and
// an error for anything else (truncated gzip, invalid JSON, no Records array, a record that
// is not an object), so a caller can take or refuse a file whole.
func ReadLogFile(data []byte) ([][]byte, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("audit: log file: %w", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("audit: log file: %w", err)
		}
	}
	var f struct {
		Records *[]json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("audit: log file: %w", err)
	}
	if f.Records == nil {
		return nil, errors.New(`audit: log file: no "Records" array`)
	}
	out := make([][]byte, len(*f.Records))
	for i, r := range *f.Records {
		if len(r) == 0 || r[0] != '{' {
			return nil, fmt.Errorf("audit: log file: record %d is not a JSON object", i)
		}
		out[i] = r
	}
	return out, nil
}
