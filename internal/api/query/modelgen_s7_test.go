package query

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// modelServices are the botocore service models that feed model_gen.go, with the SDK package
// whose types carry their shapes.
var modelServices = []struct{ name, version, pkg string }{
	{"iam", "2010-05-08", "github.com/aws/aws-sdk-go-v2/service/iam"},
	{"sts", "2011-06-15", "github.com/aws/aws-sdk-go-v2/service/sts"},
}

// botocoreData returns the directory of botocore's service models: $IAMD_BOTOCORE_DATA, or the
// copies pinned for TestModelConstraints (internal/server/testdata/model), so that the check
// does not depend on which botocore the machine has (Debian's is years older).
func botocoreData(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("IAMD_BOTOCORE_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "server", "testdata", "model")
}

// modelShape is the part of a botocore shape that model_gen.go needs.
type modelShape struct {
	Type      string   `json:"type"`
	Min       *int64   `json:"min"`
	Max       *int64   `json:"max"`
	Pattern   string   `json:"pattern"`
	Enum      []string `json:"enum"`
	Sensitive bool     `json:"sensitive"`
	Members   map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member struct {
		Shape string `json:"shape"`
	} `json:"member"`
}

type serviceModel struct {
	Operations map[string]struct {
		Input *struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]modelShape `json:"shapes"`
}

func loadModel(t *testing.T, dir, name, version string) serviceModel {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name, version, "service-2.json.gz"))
	if err != nil {
		t.Skipf("botocore model: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var m serviceModel
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		t.Fatalf("decode %s model: %v", name, err)
	}
	return m
}

// javaUnicode matches the \uXXXX escapes of the models' Java patterns: exactly four hex digits,
// as Java's (and Python's) regular expressions read them. The ARN pattern's
// "\u10000-\u10FFFF" was meant as the supplementary planes, but the services read it as U+1000,
// a range from '0' to U+10FF and two 'F's, so they refuse characters beyond U+FFFF.
var javaUnicode = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// re2Pattern translates a model pattern (a Java regular expression that must match the whole
// value) into Go's syntax, and returns the substring its lookahead forbids, if any.
func re2Pattern(t *testing.T, java string) (re, forbid string) {
	t.Helper()
	// accountAliasType's ([a-z0-9]|-(?!-)): a hyphen not followed by a hyphen.
	if strings.Contains(java, "-(?!-)") {
		java, forbid = strings.Replace(java, "([a-z0-9]|-(?!-))", "[a-z0-9-]", 1), "--"
	}
	if strings.Contains(java, "(?") {
		t.Fatalf("pattern %q has a construct Go cannot translate", java)
	}
	re = "^(?:" + javaUnicode.ReplaceAllString(java, `\x{$1}`) + ")$"
	if _, err := regexp.Compile(re); err != nil {
		t.Fatalf("pattern %q as %q: %v", java, re, err)
	}
	return re, forbid
}

// secretShapes are shapes whose values iamd leaves out of messages although the model does not
// mark them sensitive: MFA codes are one-time secrets, and an error message is echoed to the
// caller and recorded in the audit trail.
var secretShapes = map[string]bool{"authenticationCodeType": true, "tokenCodeType": true}

// unprintedPatternShapes are shapes whose value AWS leaves out of a pattern failure, as LocalStack
// recorded it against AWS (tests/aws/services/iam/test_iam.py, test_user_match_id_mismatch and
// test_invalid_update_parameters, aws.validated): "Value at 'serviceSpecificCredentialId' failed
// to satisfy constraint: Member must satisfy regular expression pattern: [\w]+".
var unprintedPatternShapes = map[string]bool{"serviceSpecificCredentialId": true}

// handlerShapes are shapes whose constraints iamd leaves to the handlers, because AWS answers
// otherwise than the model says: a thumbprint that is not 40 characters long is InvalidInput
// "Thumbprint must be exactly 40 characters." (as other IAM emulators record it).
var handlerShapes = map[string]bool{"thumbprintType": true}

// ruleLiteral renders the constraints of shape s as a modelRule literal, or "" when it has none.
func ruleLiteral(t *testing.T, m serviceModel, name string) string {
	t.Helper()
	s := m.Shapes[name]
	if handlerShapes[name] {
		return ""
	}
	var parts []string
	if s.Min != nil && (*s.Min > 0 || s.Type == "integer" || s.Type == "long") {
		parts = append(parts, fmt.Sprintf("hasMin: true, min: %d", *s.Min))
	}
	if s.Max != nil {
		parts = append(parts, fmt.Sprintf("hasMax: true, max: %d", *s.Max))
	}
	if s.Pattern != "" && s.Enum == nil {
		re, forbid := re2Pattern(t, s.Pattern)
		parts = append(parts, fmt.Sprintf("pattern: %s, re: %s", goString(s.Pattern), goString(re)))
		if forbid != "" {
			parts = append(parts, fmt.Sprintf("forbid: %q", forbid))
		}
	}
	if s.Type == "list" {
		if e := m.Shapes[s.Member.Shape]; e.Type == "string" {
			if lit := ruleLiteral(t, m, s.Member.Shape); lit != "" {
				parts = append(parts, "elem: &"+lit)
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if unprintedPatternShapes[name] {
		parts = append(parts, "hidePattern: true")
	}
	if s.Sensitive || secretShapes[name] {
		parts = append(parts, "sensitive: true")
	}
	return "modelRule{" + strings.Join(parts, ", ") + "}"
}

// goString quotes s as a raw string literal when it can, for readable patterns.
func goString(s string) string {
	if !strings.Contains(s, "`") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// TestModelTables regenerates model_gen.go from botocore's IAM and STS service models and fails
// if the committed file differs; -update rewrites it.
func TestModelTables(t *testing.T) {
	dir := botocoreData(t)
	rules := map[string]string{} // "pkg.Type.Field" → modelRule literal
	for _, svc := range modelServices {
		m := loadModel(t, dir, svc.name, svc.version)
		seen := map[string]bool{}
		var walk func(shape, goKey string)
		walk = func(shape, goKey string) {
			for name, mem := range m.Shapes[shape].Members {
				ms := m.Shapes[mem.Shape]
				field := strings.ToUpper(name[:1]) + name[1:]
				switch ms.Type {
				case "string", "integer", "long", "list":
					if lit := ruleLiteral(t, m, mem.Shape); lit != "" {
						rules[goKey+"."+field] = lit
					}
				}
				switch ms.Type {
				case "structure":
					if !seen[mem.Shape] {
						seen[mem.Shape] = true
						walk(mem.Shape, svc.pkg+"/types."+mem.Shape)
					}
				case "list":
					if e := ms.Member.Shape; m.Shapes[e].Type == "structure" && !seen[e] {
						seen[e] = true
						walk(e, svc.pkg+"/types."+e)
					}
				}
			}
		}
		for op, o := range m.Operations {
			if o.Input != nil {
				walk(o.Input.Shape, svc.pkg+"."+op+"Input")
			}
		}
	}
	checkGenerated(t, "model_gen.go", renderModelTables(t, rules), "TestModelTables")
}

func renderModelTables(t *testing.T, rules map[string]string) []byte {
	t.Helper()
	byRule := map[string][]string{}
	for k, r := range rules {
		byRule[r] = append(byRule[r], k)
	}
	lits := make([]string, 0, len(byRule))
	for r := range byRule {
		lits = append(lits, r)
	}
	slices.Sort(lits)
	var b bytes.Buffer
	b.WriteString(`// Code generated by TestModelTables from botocore's IAM and STS service models; DO NOT EDIT.
// Regenerate with go test ./internal/api/query -run TestModelTables -update

package query

// modelRuleFor returns the service model's constraints on member field of the SDK type name
// (in package pkgPath), or nil when the model sets none.
func modelRuleFor(pkgPath, name, field string) *modelRule {
	switch pkgPath + "." + name + "." + field {
`)
	for _, r := range lits {
		keys := byRule[r]
		slices.Sort(keys)
		b.WriteString("\tcase ")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",\n\t\t")
			}
			fmt.Fprintf(&b, "%q", k)
		}
		fmt.Fprintf(&b, ":\n\t\treturn &%s\n", r)
	}
	b.WriteString("\t}\n\treturn nil\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		t.Fatalf("format generated source: %v\n%s", err, b.Bytes())
	}
	return src
}
