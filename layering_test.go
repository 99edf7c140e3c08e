package iamd

import (
	"os/exec"
	"strings"
	"testing"
)

const modulePath = "github.com/iamd-dev/iamd"

// pure lists the packages that must do no I/O, each with the module packages it may import
// (STYLE.md "Dependency rules"). A pure package never imports the standard packages in
// forbiddenInPure, except where netHTTPAllowed says so.
var pure = map[string][]string{
	"internal/arn":              nil,
	"internal/policy/condition": {"internal/arn"},
	"internal/policy":           {"internal/arn", "internal/policy/condition"},
	"internal/catalog":          {"internal/arn"},
	"internal/iam":              {"internal/arn"},
	"internal/sigv4":            nil,
	"internal/secrets":          nil,
	"internal/audit":            nil,
	"internal/managed":          nil,
	"internal/api/awserr":       {"internal/store", "internal/iam", "internal/arn", "internal/policy", "internal/policy/condition"},
	"internal/api/query":        {"internal/api/awserr"},
	"internal/exposure":         {"internal/arn", "internal/policy", "internal/policy/condition"},
	"internal/findings":         {"internal/arn", "internal/policy", "internal/policy/condition", "internal/exposure"},
	"internal/catalog/lintcat":  {"internal/arn", "internal/catalog", "internal/policy", "internal/policy/condition"},
	"internal/polgen":           {"internal/arn", "internal/catalog", "internal/catalog/lintcat", "internal/policy", "internal/policy/condition"},
}

var forbiddenInPure = []string{"os", "net", "database/sql", "log", "log/slog", "os/exec", "net/http", "math/rand", "math/rand/v2", "syscall", "io/ioutil"}

var netHTTPAllowed = map[string]bool{"internal/sigv4": true, "internal/api/query": true}

// lowerLayers maps a package prefix to module packages it must never import, directly or not.
var mustNotImport = map[string][]string{
	"internal/store":  {"internal/authn", "internal/authz", "internal/iamsvc", "internal/stssvc", "internal/api", "internal/web", "internal/server", "internal/config"},
	"internal/authn":  {"internal/iamsvc", "internal/stssvc", "internal/api", "internal/web", "internal/server", "internal/config", "internal/store/sqlite", "internal/store/postgres"},
	"internal/authz":  {"internal/iamsvc", "internal/stssvc", "internal/api", "internal/web", "internal/server", "internal/config", "internal/store/sqlite", "internal/store/postgres"},
	"internal/iamsvc": {"internal/api", "internal/web", "internal/server", "internal/config", "internal/store/sqlite", "internal/store/postgres", "net/http"},
	"internal/stssvc": {"internal/api", "internal/web", "internal/server", "internal/config", "internal/store/sqlite", "internal/store/postgres", "net/http"},
	"internal/api":    {"internal/server", "internal/config", "internal/store/sqlite", "internal/store/postgres"},
}

// mustNotImportDirectly maps a package prefix to module packages it must not import itself: the
// transports reach data only through the services (which use the store underneath).
var mustNotImportDirectly = map[string][]string{
	"internal/api": {"internal/store", "internal/authz"},
}

type pkgInfo struct {
	path    string
	imports []string
	deps    []string
}

func listPackages(t *testing.T) map[string]pkgInfo {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkgInfo{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			continue
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(parts[0], modulePath), "/")
		pkgs[rel] = pkgInfo{path: rel, imports: strings.Fields(parts[1]), deps: strings.Fields(parts[2])}
	}
	return pkgs
}

func TestLayering(t *testing.T) {
	pkgs := listPackages(t)
	for rel, allowed := range pure {
		p, ok := pkgs[rel]
		if !ok {
			continue // not written yet
		}
		for _, imp := range p.imports {
			if strings.HasPrefix(imp, modulePath+"/") {
				dep := strings.TrimPrefix(imp, modulePath+"/")
				if !contains(allowed, dep) {
					t.Errorf("pure package %s imports %s, which its rules do not allow", rel, dep)
				}
				continue
			}
			for _, bad := range forbiddenInPure {
				if imp == bad && !(imp == "net/http" && netHTTPAllowed[rel]) {
					t.Errorf("pure package %s imports %s", rel, imp)
				}
			}
		}
	}
	for rel, p := range pkgs {
		for prefix, banned := range mustNotImport {
			if rel != prefix && !strings.HasPrefix(rel, prefix+"/") {
				continue
			}
			for _, b := range banned {
				// Module packages are banned transitively; standard packages only as direct
				// imports (SDK types may pull net/http in underneath).
				list, full := p.imports, b
				if strings.HasPrefix(b, "internal/") {
					list, full = p.deps, modulePath+"/"+b
				}
				for _, dep := range list {
					if dep == full || strings.HasPrefix(dep, full+"/") {
						t.Errorf("%s depends on %s, which the layering rules forbid", rel, dep)
					}
				}
			}
		}
	}
}

func TestDirectImports(t *testing.T) {
	for rel, p := range listPackages(t) {
		for prefix, banned := range mustNotImportDirectly {
			if rel != prefix && !strings.HasPrefix(rel, prefix+"/") {
				continue
			}
			for _, b := range banned {
				for _, imp := range p.imports {
					if imp == modulePath+"/"+b {
						t.Errorf("%s imports %s directly, which the layering rules forbid", rel, b)
					}
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
