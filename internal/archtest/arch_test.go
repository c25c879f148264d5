// Package archtest holds the house plan's dependency rules as a test: data
// flows one way, scanner knows nothing of AWS, revoke nothing of git, the
// TUI nothing of HTTP, and nothing imports the CLI.
package archtest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/keysweep/keysweep"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps,Standard", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")] = p
	}
	return pkgs
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func TestDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	rules := []struct {
		pkg       string
		deps      bool // check transitive deps (else direct imports)
		forbidden []string
		stdOnly   bool
	}{
		{pkg: "scanner", deps: true, stdOnly: true},
		{pkg: "internal/gitpack", deps: true, stdOnly: true},
		{pkg: "scanner/dir", deps: true, forbidden: []string{"github.com/aws/", "github.com/go-git/", "github.com/google/go-github"}},
		{pkg: "scanner/history", deps: true, forbidden: []string{"github.com/aws/", "github.com/google/go-github", "github.com/charmbracelet/"}},
		{pkg: "scanner/staged", deps: true, forbidden: []string{"github.com/aws/", "github.com/google/go-github", "github.com/charmbracelet/"}},
		{pkg: "hooks", deps: true, forbidden: []string{"github.com/aws/", "github.com/google/go-github", "github.com/charmbracelet/"}},
		{pkg: "report", deps: true, forbidden: []string{"github.com/aws/", "github.com/go-git/", "github.com/google/go-github", "github.com/charmbracelet/"}},
		{pkg: "revoke", deps: true, forbidden: []string{"github.com/go-git/", "github.com/google/go-github", "github.com/charmbracelet/"}},
		{pkg: "verify", deps: true, forbidden: []string{"github.com/go-git/", "github.com/google/go-github", "github.com/charmbracelet/"}},
		{pkg: "store", deps: true, forbidden: []string{"github.com/aws/", "github.com/go-git/", "github.com/charmbracelet/"}},
		{pkg: "tui", forbidden: []string{"net/http", "github.com/aws/", "github.com/go-git/", "github.com/google/go-github"}},
	}
	for _, r := range rules {
		p, ok := pkgs[r.pkg]
		if !ok {
			continue // the package does not exist (yet); nothing to hold
		}
		list := p.Imports
		if r.deps {
			list = p.Deps
		}
		for _, imp := range list {
			if r.stdOnly && !isStd(imp) {
				t.Errorf("%s must use only the standard library, depends on %s", r.pkg, imp)
			}
			for _, f := range r.forbidden {
				if strings.HasPrefix(imp, f) {
					t.Errorf("%s must not depend on %s (via %s)", r.pkg, f, imp)
				}
			}
		}
	}
	for name, p := range pkgs {
		if name == "" || name == "internal/cli" {
			continue
		}
		for _, imp := range p.Imports {
			if imp == module+"/internal/cli" || imp == module+"/tui" && name != "internal/cli" {
				t.Errorf("%s imports %s: nothing but main imports the CLI, nothing but the CLI the TUI", name, imp)
			}
		}
	}
}
