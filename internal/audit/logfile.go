package audit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
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

// Summary is what an index of CloudTrail records (LookupEvents' attributes) needs from one
// record.
type Summary struct {
	Time time.Time
	// Account is recipientAccountId, or userIdentity.accountId when that is absent.
	Account, Source, Name, ID string
	// Username is userIdentity.userName, or the last element of userIdentity.arn (the
	// session name of an assumed role, "root" for the root user).
	Username  string
	AccessKey string
	ReadOnly  bool
	Resources []Resource
}

// Summarize reads the indexed fields of one CloudTrail record. eventTime, eventID,
// eventSource and eventName are required; readOnly may be a boolean or, as some services
// write it, the string "true" or "false".
func Summarize(rec []byte) (Summary, error) {
	var r struct {
		EventTime    string `json:"eventTime"`
		EventSource  string `json:"eventSource"`
		EventName    string `json:"eventName"`
		EventID      string `json:"eventID"`
		Recipient    string `json:"recipientAccountId"`
		ReadOnly     any    `json:"readOnly"`
		UserIdentity struct {
			ARN         string `json:"arn"`
			AccountID   string `json:"accountId"`
			AccessKeyID string `json:"accessKeyId"`
			UserName    string `json:"userName"`
		} `json:"userIdentity"`
		Resources []Resource `json:"resources"`
	}
	if err := json.Unmarshal(rec, &r); err != nil {
		return Summary{}, fmt.Errorf("audit: record: %w", err)
	}
	for _, f := range []struct{ name, v string }{{"eventTime", r.EventTime}, {"eventID", r.EventID}, {"eventSource", r.EventSource}, {"eventName", r.EventName}} {
		if f.v == "" {
			return Summary{}, fmt.Errorf("audit: record %s: no %s", r.EventID, f.name)
		}
	}
	t, err := parseTime(r.EventTime)
	if err != nil {
		return Summary{}, fmt.Errorf("audit: record %s: eventTime: %w", r.EventID, err)
	}
	s := Summary{Time: t, Account: r.Recipient, Source: r.EventSource, Name: r.EventName, ID: r.EventID,
		Username: r.UserIdentity.UserName, AccessKey: r.UserIdentity.AccessKeyID, Resources: r.Resources}
	if s.Account == "" {
		s.Account = r.UserIdentity.AccountID
	}
	if s.Username == "" && r.UserIdentity.ARN != "" {
		s.Username = arnTail(r.UserIdentity.ARN)
	}
	switch v := r.ReadOnly.(type) {
	case bool:
		s.ReadOnly = v
	case string:
		s.ReadOnly = v == "true"
	}
	return s, nil
}

// arnTail is an ARN's last path element, or its resource after the last colon.
func arnTail(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn[strings.LastIndexByte(arn, ':')+1:]
}
