package findings

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is the JSON form of an audit.
type Report struct {
	Account   string    `json:"account"`
	Generated time.Time `json:"generated"`
	Days      int       `json:"days"`
	Findings  []Finding `json:"findings"`
	// Summary counts the findings by severity name.
	Summary map[string]int `json:"summary"`
}

// NewReport wraps the findings of an audit of account at now over days.
func NewReport(account string, now time.Time, days int, fs []Finding) Report {
	r := Report{Account: account, Generated: now.UTC(), Days: days, Findings: fs, Summary: map[string]int{}}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	for _, f := range fs {
		r.Summary[f.Severity.String()]++
	}
	return r
}

// WriteJSON writes the report as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes one line per finding (severity, code, resource, message), its evidence
// indented below it, and a summary line.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%-8s %s %s\n  %s\n", strings.ToUpper(f.Severity.String()), f.Code, f.Resource, f.Message)
		for _, e := range f.Evidence {
			if s := e.String(); s != "" {
				fmt.Fprintf(&b, "    - %s\n", s)
			}
		}
	}
	fmt.Fprintf(&b, "%d finding(s) in account %s (tracking period %d days)", len(r.Findings), r.Account, r.Days)
	sep := ": "
	for s := Critical; s >= Info; s-- {
		if n := r.Summary[s.String()]; n > 0 {
			fmt.Fprintf(&b, "%s%d %s", sep, n, s)
			sep = ", "
		}
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// String is the evidence on one line.
func (e Evidence) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	add("policy", e.Policy)
	if e.Statement != nil {
		add("statement", fmt.Sprint(*e.Statement))
	}
	add("sid", e.Sid)
	add("access key", e.AccessKey)
	add("service", e.Service)
	add("actions", strings.Join(e.Actions, " "))
	if e.Created != nil {
		add("created", e.Created.UTC().Format(time.RFC3339))
	}
	if e.LastUsed != nil {
		add("last used", e.LastUsed.UTC().Format(time.RFC3339))
	}
	if e.Detail != "" {
		parts = append(parts, e.Detail)
	}
	return strings.Join(parts, "; ")
}

// AtOrAbove counts the findings at or above a severity.
func AtOrAbove(fs []Finding, s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= s {
			n++
		}
	}
	return n
}
