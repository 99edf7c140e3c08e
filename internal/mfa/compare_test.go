package mfa

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"testing"
	"time"
)

// TestCodesComparedInConstantTime: no presented code is compared with == or != in mfa.go, which
// returns at the first differing byte; codes go through equal (crypto/subtle).
func TestCodesComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "mfa.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	isCode := func(e ast.Expr) bool {
		e = ast.Unparen(e)
		if call, ok := e.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "codeAt" {
				return true
			}
		}
		if id, ok := e.(*ast.Ident); ok {
			switch id.Name {
			case "code", "code1", "code2", "want", "got", "cur", "prev":
				return true
			}
		}
		return false
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && (b.Op == token.EQL || b.Op == token.NEQ) && (isCode(b.X) || isCode(b.Y)) {
			t.Errorf("%s: a code compared with %s; use equal", fset.Position(b.Pos()), b.Op)
		}
		return true
	})
}

func TestCheckAndConsecutive(t *testing.T) {
	seed, _, err := New("123456789012", "phone", rand.NewChaCha8([32]byte{2}))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 15, 0, time.UTC)
	n := step(now)
	at := func(s int64) string { return codeAt(seed, s) }
	// off changes the last digit of a code.
	off := func(c string) string { return c[:5] + string('0'+(c[5]-'0'+1)%10) }
	checks := []struct {
		name     string
		code     string
		lastStep int64
		want     int64 // 0: refused
	}{
		{"current step", at(n), 0, n},
		{"previous step", at(n - 1), 0, n - 1},
		{"next step", at(n + 1), 0, n + 1},
		{"two steps back", at(n - 2), 0, 0},
		{"already used", at(n), n, 0},
		{"later than the last used", at(n + 1), n, n + 1},
		{"last digit wrong", off(at(n)), 0, 0},
		{"five digits", at(n)[:5], 0, 0},
		{"seven digits", at(n) + "0", 0, 0},
	}
	for _, tc := range checks {
		t.Run("Check "+tc.name, func(t *testing.T) {
			got, ok := Check(seed, tc.code, tc.lastStep, now)
			if !ok {
				got = 0
			}
			if got != tc.want {
				t.Errorf("Check(%q, last %d) = %d, %v; want step %d (0: refused)", tc.code, tc.lastStep, got, ok, tc.want)
			}
		})
	}
	pairs := []struct {
		name         string
		code1, code2 string
		window       int64
		want         int64
	}{
		{"current pair", at(n - 1), at(n), 10, n},
		{"next pair", at(n), at(n + 1), 10, n + 1},
		{"oldest pair in the window", at(n - 11), at(n - 10), 10, n - 10},
		{"pair before the window", at(n - 12), at(n - 11), 10, 0},
		{"wrong order", at(n), at(n - 1), 10, 0},
		{"first code wrong", off(at(n - 1)), at(n), 10, 0},
		{"second code wrong", at(n - 1), off(at(n)), 10, 0},
		{"not consecutive", at(n - 3), at(n), 10, 0},
	}
	for _, tc := range pairs {
		t.Run("Consecutive "+tc.name, func(t *testing.T) {
			got, ok := Consecutive(seed, tc.code1, tc.code2, now, tc.window)
			if !ok {
				got = 0
			}
			if got != tc.want {
				t.Errorf("Consecutive(%q, %q, window %d) = %d, %v; want step %d (0: refused)", tc.code1, tc.code2, tc.window, got, ok, tc.want)
			}
		})
	}
}
