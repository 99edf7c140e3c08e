package findings

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteText(t *testing.T) {
	s := clean()
	s.Root.MFA = false
	addPolicy(s, `{"Effect":"Allow","Action":"*","Resource":"*"}`)
	r := NewReport(acct, now, 90, Audit(s, Options{Now: now, Catalog: testCatalog(), Only: notExternal()}))
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `CRITICAL ROOT_NO_MFA arn:aws:iam::111122223333:root
  The root user has no MFA device.
HIGH     STAR_STAR_GRANT arn:aws:iam::111122223333:policy/extra
  Statement 0 of policy extra allows every action on every resource.
    - policy arn:aws:iam::111122223333:policy/extra; statement 0
2 finding(s) in account 111122223333 (tracking period 90 days): 1 critical, 1 high
`
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("text (-want +got):\n%s", d)
	}
	b.Reset()
	if err := NewReport(acct, now, 30, nil).WriteText(&b); err != nil || b.String() != "0 finding(s) in account 111122223333 (tracking period 30 days)\n" {
		t.Errorf("empty report: %q, %v", b.String(), err)
	}
}

func TestWriteJSON(t *testing.T) {
	s := clean()
	s.Root.AccessKeys = []AccessKey{{ID: "access_key_1", Created: daysAgo(500)}}
	r := NewReport(acct, now, 90, Audit(s, Options{Now: now, Catalog: testCatalog(), Only: notExternal()}))
	var b bytes.Buffer
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%s: %v", b.String(), err)
	}
	want := map[string]any{
		"account": acct, "generated": "2026-06-01T12:00:00Z", "days": 90.0,
		"summary": map[string]any{"critical": 1.0},
		"findings": []any{map[string]any{
			"code": "ROOT_ACCESS_KEYS", "severity": "critical", "resource": rootARN,
			"message":  "The root user has 1 access key(s); delete them and use IAM roles or users instead.",
			"evidence": []any{map[string]any{"accessKey": "access_key_1", "created": "2025-01-17T12:00:00Z", "detail": "inactive"}},
		}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("JSON (-want +got):\n%s\n%s", d, b.String())
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Findings[0].Severity != Critical {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"findings":[{"severity":"severe"}]}`), &back); err == nil || !strings.Contains(err.Error(), "severe") {
		t.Errorf("unknown severity: %v", err)
	}
	if n := AtOrAbove(r.Findings, High); n != 1 {
		t.Errorf("AtOrAbove(high) = %d, want 1", n)
	}
	if n := AtOrAbove(r.Findings, Critical+1); n != 0 {
		t.Errorf("AtOrAbove(above critical) = %d, want 0", n)
	}
}
