package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iamd-dev/iamd/internal/catalog"
)

// wantFinding is a finding the validate tests expect: its code and path, and the text of the
// element its span must cover ("" for a finding without a location).
type wantFinding struct {
	Type, Code, Path, At string
}

// The JSON shape of Access Analyzer's ValidatePolicyFinding, written out here independently of
// the encoder, so that decoding with DisallowUnknownFields checks the output's shape.
type (
	vpFinding struct {
		FindingType    string       `json:"findingType"`
		IssueCode      string       `json:"issueCode"`
		FindingDetails string       `json:"findingDetails"`
		LearnMoreLink  string       `json:"learnMoreLink,omitempty"`
		Locations      []vpLocation `json:"locations"`
	}
	vpLocation struct {
		Path []vpPathElement `json:"path"`
		Span vpSpan          `json:"span"`
	}
	// vpPathElement is a union: an array index or an object member's name.
	vpPathElement struct {
		Index *int    `json:"index,omitempty"`
		Value *string `json:"value,omitempty"`
	}
	vpSpan struct {
		Start vpPosition `json:"start"`
		End   vpPosition `json:"end"`
	}
	// vpPosition counts lines from 1 and columns and offsets from 0, in characters.
	vpPosition struct {
		Line   int `json:"line"`
		Column int `json:"column"`
		Offset int `json:"offset"`
	}
)

// pathString renders a ValidatePolicy path as Statement[0].Action[1].
func pathString(p []vpPathElement) string {
	var b strings.Builder
	for _, e := range p {
		switch {
		case e.Index != nil:
			fmt.Fprintf(&b, "[%d]", *e.Index)
		case e.Value != nil:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(*e.Value)
		}
	}
	return b.String()
}

func decodeFindings(t *testing.T, out string) []vpFinding {
	t.Helper()
	var fs []vpFinding
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	for dec.More() {
		var f vpFinding
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
		fs = append(fs, f)
	}
	if out != "" && !strings.HasSuffix(out, "}\n") {
		t.Errorf("output %q is not JSON lines", out)
	}
	return fs
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		file    string
		kind    string
		wantErr bool
		want    []wantFinding
	}{
		{"clean.json", "identity", false, nil},
		{"errors.json", "identity", true, []wantFinding{
			{"ERROR", "INVALID_ACTION", "Statement[0].Action[0]", `"s3:GetObjekt"`},
			{"ERROR", "INVALID_SERVICE_IN_ACTION", "Statement[0].Action[1]", `"s4:GetObject"`},
			{"SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE", "Statement[0].Resource", `"*"`},
			{"WARNING", "TYPE_MISMATCH", "Statement[0].Condition.IpAddress.aws:username", `"aws:username"`},
		}},
		{"warnings.json", "identity", false, []wantFinding{
			{"WARNING", "MISSING_VERSION", "", "{"},
			{"SUGGESTION", "REDUNDANT_ACTION", "Statement.Action[1]", `"iam:GetUser"`},
		}},
		{"trust.json", "trust", false, []wantFinding{
			{"SECURITY_WARNING", "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "Statement[0].Condition.ForAllValues:StringEquals.aws:SourceAccount", `"aws:SourceAccount"`},
		}},
		{"trust.json", "identity", true, []wantFinding{
			{"ERROR", "MISSING_RESOURCE", "Statement[0]", "{"},
			{"ERROR", "UNSUPPORTED_PRINCIPAL", "Statement[0].Principal", `"Principal": {"Service": "ec2.amazonaws.com"}`},
			{"SECURITY_WARNING", "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "Statement[0].Condition.ForAllValues:StringEquals.aws:SourceAccount", `"aws:SourceAccount"`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.kind, func(t *testing.T) {
			path := filepath.Join("testdata", "policy", tt.file)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			var stdout, stderr bytes.Buffer
			err = policyCommand([]string{"validate", "--type", tt.kind, path}, nil, &stdout, &stderr)
			if gotErr := errors.Is(err, errFindings); gotErr != tt.wantErr || (err != nil && !gotErr) {
				t.Fatalf("validate %s: err = %v, want errFindings: %v", path, err, tt.wantErr)
			}
			got := []wantFinding{}
			for _, f := range decodeFindings(t, stdout.String()) {
				w := wantFinding{Type: f.FindingType, Code: f.IssueCode}
				if f.FindingDetails == "" {
					t.Errorf("%s: empty findingDetails", f.IssueCode)
				}
				if len(f.Locations) > 0 {
					l := f.Locations[0]
					w.Path = pathString(l.Path)
					start, end := l.Span.Start, l.Span.End
					if start.Offset < 0 || end.Offset > len(text) || start.Offset > end.Offset {
						t.Fatalf("%s: span %+v outside the text", f.IssueCode, l.Span)
					}
					w.At = text[start.Offset:end.Offset]
					if w.At == "" { // a position without extent (IAM's syntax errors)
						w.At, w.Path = "", ""
					}
					for _, p := range []vpPosition{start, end} {
						before := text[:p.Offset]
						line := strings.Count(before, "\n") + 1
						col := p.Offset - (strings.LastIndexByte(before, '\n') + 1)
						if p.Line != line || p.Column != col {
							t.Errorf("%s: position %+v, want line %d column %d (0-based) for offset %d", f.IssueCode, p, line, col, p.Offset)
						}
					}
				}
				got = append(got, w)
			}
			want := tt.want
			if want == nil {
				want = []wantFinding{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("validate %s (-want +got):\n%s\noutput:\n%s", path, diff, stdout.String())
			}
		})
	}
}

func TestPolicyValidateStdin(t *testing.T) {
	var stdout, stderr bytes.Buffer
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"nosuchsvc:Do","Resource":"*"}}`
	err := policyCommand([]string{"validate", "-"}, strings.NewReader(doc), &stdout, &stderr)
	if !errors.Is(err, errFindings) {
		t.Fatalf("validate - : err = %v, want errFindings", err)
	}
	fs := decodeFindings(t, stdout.String())
	if len(fs) != 1 || fs[0].IssueCode != "INVALID_SERVICE_IN_ACTION" || fs[0].LearnMoreLink == "" {
		t.Errorf("validate - (%s) = %+v, want one INVALID_SERVICE_IN_ACTION with a link", doc, fs)
	}
}

func TestPolicyUsageErrors(t *testing.T) {
	clean := filepath.Join("testdata", "policy", "clean.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "no subcommand"},
		{"unknown subcommand", []string{"frobnicate"}, "unknown subcommand"},
		{"unknown type", []string{"validate", "--type", "kms", clean}, "unknown --type"},
		{"no file", []string{"validate"}, "one FILE"},
		{"two files", []string{"levels", clean, clean}, "one FILE"},
		{"missing file", []string{"validate", filepath.Join(t.TempDir(), "none.json")}, "read"},
		{"bad flag", []string{"validate", "--nope", clean}, "flag provided but not defined"},
		{"levels of a rejected document", []string{"levels", "--type", "identity", filepath.Join("testdata", "policy", "trust.json")}, "should not specify a principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := policyCommand(tt.args, strings.NewReader(""), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("policy %v: err = %v, want one containing %q", tt.args, err, tt.want)
			}
			if errors.Is(err, errFindings) {
				t.Errorf("policy %v: usage error reported as findings: %v", tt.args, err)
			}
		})
	}
	var stdout bytes.Buffer
	if err := policyCommand([]string{"help"}, nil, &stdout, &stdout); err != nil || !strings.Contains(stdout.String(), "iamd policy validate") {
		t.Errorf("policy help: err %v, output %q", err, stdout.String())
	}
}

func TestPolicyLevels(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The expected counts come straight from the catalog.
	counts := func(patterns ...string) (int, map[string]int) {
		seen := map[string]bool{}
		levels := map[string]int{}
		for _, p := range patterns {
			for _, a := range c.Match(p) {
				if !seen[a.String()] {
					seen[a.String()] = true
					levels[a.AccessLevel.String()]++
				}
			}
		}
		return len(seen), levels
	}
	line := func(prefix string, patterns ...string) string {
		n, levels := counts(patterns...)
		return fmt.Sprintf("%s: %d actions, List %d, Read %d, Write %d, Permissions management %d, Tagging %d",
			prefix, n, levels["List"], levels["Read"], levels["Write"], levels["Permissions management"], levels["Tagging"])
	}
	want := line("Statement[0] IAMRead Allow", "iam:Get*", "iam:List*") + "\n" +
		line("Statement[1] Deny", "s3:DeleteBucket") + "\n"
	var stdout, stderr bytes.Buffer
	if err := policyCommand([]string{"levels", filepath.Join("testdata", "policy", "levels.json")}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("levels: %v (stderr %s)", err, stderr.String())
	}
	if diff := cmp.Diff(want, stdout.String()); diff != "" {
		t.Errorf("levels (-want +got):\n%s", diff)
	}

	stdout.Reset()
	if err := policyCommand([]string{"levels", "--actions", "-"}, strings.NewReader(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:DeleteBucket","Resource":"*"}}`), &stdout, &stderr); err != nil {
		t.Fatalf("levels --actions: %v", err)
	}
	if want := line("Statement[0] Allow", "s3:DeleteBucket") + "\n  s3:DeleteBucket\tWrite\n"; stdout.String() != want {
		t.Errorf("levels --actions = %q, want %q", stdout.String(), want)
	}
}

// TestPolicyExitStatus runs the binary: validate exits 1 when there is an ERROR finding.
func TestPolicyExitStatus(t *testing.T) {
	for _, tt := range []struct {
		file string
		code int
	}{{"clean.json", 0}, {"warnings.json", 0}, {"errors.json", 1}} {
		cmd := exec.Command(os.Args[0], "policy", "validate", filepath.Join("testdata", "policy", tt.file))
		cmd.Env = append(os.Environ(), "IAMD_TEST_MAIN=1")
		out, err := cmd.Output()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("run %s: %v", tt.file, err)
		}
		if code != tt.code {
			t.Errorf("iamd policy validate %s: exit %d, want %d (stdout %s)", tt.file, code, tt.code, out)
		}
	}
}
