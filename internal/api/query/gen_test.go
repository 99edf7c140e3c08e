package query

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated tables and golden files")

// sdkServices are the SDK service packages whose validators and deserializers feed
// sdk_gen.go.
var sdkServices = []string{
	"github.com/aws/aws-sdk-go-v2/service/iam",
	"github.com/aws/aws-sdk-go-v2/service/sts",
}

// TestGeneratedTables regenerates sdk_gen.go from the SDK sources in the module cache and fails
// if the committed file differs; -update rewrites it.
func TestGeneratedTables(t *testing.T) {
	required := map[string][]string{} // "pkg.Type" → members
	var results []string              // "pkg.TypeOutput" whose response has a Result element
	reqNames := map[string]string{}   // "pkg.Type.Field" → request wire name, where it differs
	respNames := map[string]string{}  // "pkg.Type.Field" → response element name, where it differs
	for _, mod := range sdkServices {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
		if err != nil {
			t.Skipf("go list -m %s: %v (SDK sources not available)", mod, err)
		}
		dir := strings.TrimSpace(string(out))
		scanValidators(t, filepath.Join(dir, "validators.go"), mod, required)
		results = append(results, scanDeserializers(t, filepath.Join(dir, "deserializers.go"), mod)...)
		scanNames(t, filepath.Join(dir, "serializers.go"), mod, "awsAwsquery_serialize", reqNames)
		scanNames(t, filepath.Join(dir, "deserializers.go"), mod, "awsAwsquery_deserialize", respNames)
	}
	checkGenerated(t, "sdk_gen.go", renderTables(t, required, results, reqNames, respNames), "TestGeneratedTables")
}

// checkGenerated rewrites file with src under -update, and otherwise fails the test when the
// committed file differs from src (test names the test that regenerates it).
func checkGenerated(t *testing.T, file string, src []byte, test string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, src, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, src) {
		t.Errorf("%s is stale; run go test ./internal/api/query -run %s -update", file, test)
	}
}

// scanValidators records, for each validate function of a struct type, the members it reports
// with smithy.NewErrParamRequired.
func scanValidators(t *testing.T, path, mod string, required map[string][]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "validate") || len(fn.Type.Params.List) != 1 {
			continue
		}
		star, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		var key string
		switch x := star.X.(type) {
		case *ast.Ident:
			key = mod + "." + x.Name
		case *ast.SelectorExpr:
			key = mod + "/types." + x.Sel.Name
		default:
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "NewErrParamRequired" || len(call.Args) != 1 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok {
				return true
			}
			name, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(required[key], name) {
				required[key] = append(required[key], name)
			}
			return true
		})
	}
}

// scanDeserializers returns the output types whose operation deserializer looks for the
// <{Action}Result> element.
func scanDeserializers(t *testing.T, path, mod string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || fn.Name.Name != "HandleDeserialize" {
			continue
		}
		star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		recv, ok := star.X.(*ast.Ident)
		if !ok {
			continue
		}
		action, ok := strings.CutPrefix(recv.Name, "awsAwsquery_deserializeOp")
		if !ok {
			continue
		}
		want := strconv.Quote(action + "Result")
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Value == want {
				out = append(out, mod+"."+action+"Output")
			}
			return true
		})
	}
	return out
}

// scanNames records the members whose wire name differs from the Go field name, from the
// (de)serializer functions of struct types: a serializer writes `if v.Field ... {
// object.Key("name") ... }`, a deserializer has `case strings.EqualFold("name", ...): ...
// sv.Field = ...`.
func scanNames(t *testing.T, path, mod, prefix string, names map[string]string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, prefix) || len(fn.Type.Params.List) == 0 {
			continue
		}
		key := structKey(fn.Type.Params.List[0].Type, mod)
		if key == "" || strings.HasSuffix(key, "Exception") {
			continue // error structures never go through the codec
		}
		record := func(wire, field string) {
			if wire != "" && field != "" && wire != field {
				names[key+"."+field] = wire
			}
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.IfStmt: // serializer
				if field := selectorOn(n.Cond, "v"); field != "" {
					record(keyCall(n.Body), field)
				}
			case *ast.CaseClause: // deserializer
				if len(n.List) == 1 {
					if call, ok := n.List[0].(*ast.CallExpr); ok && isSelector(call.Fun, "strings", "EqualFold") && len(call.Args) == 2 {
						if lit, ok := call.Args[0].(*ast.BasicLit); ok {
							wire, _ := strconv.Unquote(lit.Value)
							for _, st := range n.Body {
								if field := assignedField(st); field != "" {
									record(wire, field)
									break
								}
							}
						}
					}
				}
			}
			return true
		})
	}
}

// structKey returns "pkg.Type" for a parameter of type *T, **T, *types.T or **types.T.
func structKey(e ast.Expr, mod string) string {
	for {
		star, ok := e.(*ast.StarExpr)
		if !ok {
			break
		}
		e = star.X
	}
	switch x := e.(type) {
	case *ast.Ident:
		return mod + "." + x.Name
	case *ast.SelectorExpr:
		return mod + "/types." + x.Sel.Name
	}
	return ""
}

// selectorOn returns Field if e mentions recv.Field (as in v.Field != nil, len(v.Field) > 0).
func selectorOn(e ast.Expr, recv string) string {
	var field string
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && field == "" {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == recv {
				field = sel.Sel.Name
			}
		}
		return field == ""
	})
	return field
}

// keyCall returns name from the first object.Key("name") call in n.
func keyCall(n ast.Node) string {
	var name string
	ast.Inspect(n, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && name == "" && isSelector(call.Fun, "object", "Key") && len(call.Args) == 1 {
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				name, _ = strconv.Unquote(lit.Value)
			}
		}
		return name == ""
	})
	return name
}

// assignedField returns Field for a statement that assigns sv.Field or passes &sv.Field.
func assignedField(st ast.Stmt) string {
	var field string
	ast.Inspect(st, func(n ast.Node) bool {
		if field != "" {
			return false
		}
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "sv" {
				field = sel.Sel.Name
			}
		}
		return true
	})
	return field
}

func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok || s.Sel.Name != sel {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == x
}

func renderTables(t *testing.T, required map[string][]string, results []string, reqNames, respNames map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`// Code generated by TestGeneratedTables from the AWS SDK for Go v2 validators and
// deserializers; DO NOT EDIT. Regenerate with
// go test ./internal/api/query -run TestGeneratedTables -update

package query

// sdkRequired returns the members of the SDK type name (in package pkgPath) that the SDK's
// validators require.
func sdkRequired(pkgPath, name string) []string {
	switch pkgPath + "." + name {
`)
	keys := make([]string, 0, len(required))
	for k := range required {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		members := required[k]
		slices.Sort(members)
		quoted := make([]string, len(members))
		for i, m := range members {
			quoted[i] = strconv.Quote(m)
		}
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn []string{%s}\n", k, strings.Join(quoted, ", "))
	}
	b.WriteString(`	}
	return nil
}

// sdkResultElement reports whether the SDK expects the response of the output type name (in
// package pkgPath) to contain an <{Action}Result> element, even when the output has no members.
func sdkResultElement(pkgPath, name string) bool {
	switch pkgPath + "." + name {
	case `)
	slices.Sort(results)
	results = slices.Compact(results)
	for i, r := range results {
		if i > 0 {
			b.WriteString(",\n\t\t")
		}
		b.WriteString(strconv.Quote(r))
	}
	b.WriteString(`:
		return true
	}
	return false
}
`)
	renderNames(&b, "sdkRequestName", "the name under which the SDK sends member field", reqNames)
	renderNames(&b, "sdkResponseName", "the element name the SDK reads for member field", respNames)
	src, err := format.Source(b.Bytes())
	if err != nil {
		t.Fatalf("format generated source: %v\n%s", err, b.Bytes())
	}
	return src
}

func renderNames(b *bytes.Buffer, fn, doc string, names map[string]string) {
	fmt.Fprintf(b, `
// %s returns %s of type name
// (in package pkgPath), or "" when it is the Go field name.
func %s(pkgPath, name, field string) string {
	switch pkgPath + "." + name + "." + field {
`, fn, doc, fn)
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "\tcase %q:\n\t\treturn %q\n", k, names[k])
	}
	b.WriteString("\t}\n\treturn \"\"\n}\n")
}
