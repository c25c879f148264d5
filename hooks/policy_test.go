package hooks

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.pem", "a/b/c.pem", true},
		{"*.pem", "c.pem.txt", false},
		{"testdata/**", "testdata/x/y.txt", true},
		{"testdata/", "testdata/y.txt", true},
		{"testdata/**", "src/testdata/y.txt", false},
		{"**/testdata/**", "src/testdata/y.txt", true},
		{"**/fixtures/*.json", "fixtures/a.json", true},
		{"docs/*.md", "docs/a/b.md", false},
		{"/docs/*.md", "docs/b.md", true},
		{"./conf/app.ini", "conf/app.ini", true},
		{"conf/app.ini", "conf/app.ini.bak", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.name, func(t *testing.T) {
			if got := matchGlob(tt.pattern, tt.name); got != tt.want {
				t.Errorf("matchGlob(%q, %q) = %v", tt.pattern, tt.name, got)
			}
		})
	}
}

func finding(c cred, paths ...string) scanner.Finding {
	f := scanner.Finding{KeyID: c.id, Secret: scanner.Secret(c.secret), Fingerprint: c.fp()}
	for _, p := range paths {
		f.Locations = append(f.Locations, scanner.Location{Path: p, Line: 2})
	}
	return f
}

func TestPolicyFilter(t *testing.T) {
	k1, k2 := newCred(31), newCred(32)
	base := func() *scanner.Result {
		return &scanner.Result{Findings: []scanner.Finding{finding(k1, "src/app.py", "testdata/k.ini"), finding(k2, "conf/x.ini")}}
	}
	tests := []struct {
		name    string
		pol     *Policy
		want    map[string][]string
		dropped int
	}{
		{"nil policy", nil, map[string][]string{k1.id: {"src/app.py", "testdata/k.ini"}, k2.id: {"conf/x.ini"}}, 0},
		{"fingerprint", &Policy{Allow: []AllowEntry{{Fingerprint: k2.fp(), Reason: "r"}}},
			map[string][]string{k1.id: {"src/app.py", "testdata/k.ini"}}, 1},
		{"key id", &Policy{Allow: []AllowEntry{{KeyID: k1.id, Reason: "r"}}},
			map[string][]string{k2.id: {"conf/x.ini"}}, 1},
		{"path drops one location", &Policy{Allow: []AllowEntry{{Path: "testdata/**", Reason: "r"}}},
			map[string][]string{k1.id: {"src/app.py"}, k2.id: {"conf/x.ini"}}, 0},
		{"key id and path together", &Policy{Allow: []AllowEntry{{KeyID: k2.id, Path: "src/**", Reason: "r"}}},
			map[string][]string{k1.id: {"src/app.py", "testdata/k.ini"}, k2.id: {"conf/x.ini"}}, 0},
		{"baseline", &Policy{Baseline: map[string]bool{k1.fp(): true}},
			map[string][]string{k2.id: {"conf/x.ini"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := base()
			if n := tt.pol.Filter(res); n != tt.dropped {
				t.Errorf("dropped = %d, want %d", n, tt.dropped)
			}
			got := map[string][]string{}
			for _, f := range res.Findings {
				for _, l := range f.Locations {
					got[f.KeyID] = append(got[f.KeyID], l.Path)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
			// Removes answers location by location what Filter did.
			for _, f := range base().Findings {
				for _, l := range f.Locations {
					if rm, kept := tt.pol.Removes(&f, l), slices.Contains(tt.want[f.KeyID], l.Path); rm == kept {
						t.Errorf("Removes(%s, %s) = %v, but Filter kept it: %v", f.KeyID, l.Path, rm, kept)
					}
				}
			}
		})
	}
}

func TestLoadPolicy(t *testing.T) {
	k := newCred(33)
	tests := []struct {
		name    string
		toml    string // "" = no file
		wantErr string
		allow   int
		base    bool
	}{
		{name: "no file"},
		{name: "entries", toml: "[[allow]]\nfingerprint = \"" + k.fp() + "\"\nreason = \"fixture\"\n\n[[allow]]\npath = \"testdata/**\"\nreason = \"fixtures\"\n", allow: 2},
		{name: "baseline named by the config", toml: "baseline = \"base.json\"\n", base: true},
		{name: "missing reason", toml: "[[allow]]\nkey_id = \"AKIA\"\n", wantErr: "needs a reason"},
		{name: "no selector", toml: "[[allow]]\nreason = \"x\"\n", wantErr: "needs fingerprint, path or key_id"},
		{name: "unknown key", toml: "[[allow]]\nfingerprnt = \"x\"\nreason = \"x\"\n", wantErr: "unknown key"},
		{name: "bad glob", toml: "[[allow]]\npath = \"[\"\nreason = \"x\"\n", wantErr: "bad path glob"},
		{name: "not toml", toml: "this is = = not toml", wantErr: "parse"},
		{name: "baseline missing", toml: "baseline = \"nope.json\"\n", wantErr: "read baseline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.toml != "" {
				os.WriteFile(filepath.Join(root, ConfigFile), []byte(tt.toml), 0o644)
			}
			res := &scanner.Result{Findings: []scanner.Finding{finding(k, "a")}}
			if err := WriteBaseline(filepath.Join(root, "base.json"), NewBaseline(res, time.Unix(0, 0))); err != nil {
				t.Fatal(err)
			}
			p, err := LoadPolicy(root, "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Allow) != tt.allow || p.Baseline[k.fp()] != tt.base {
				t.Errorf("policy = %+v", p)
			}
		})
	}
}

func TestBaselineRoundTripAndReport(t *testing.T) {
	k1, k2 := newCred(34), newCred(35)
	dir := t.TempDir()
	res := &scanner.Result{Target: "/repo", Findings: []scanner.Finding{finding(k2, "b", "a", "b"), finding(k1, "c")}}
	path := filepath.Join(dir, "baseline.json")
	if err := WriteBaseline(path, NewBaseline(res, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), k1.secret) || strings.Contains(string(data), k2.secret) {
		t.Fatal("baseline holds a secret")
	}
	b, err := ReadBaseline(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Findings) != 2 || !b.set()[k1.fp()] || !b.set()[k2.fp()] {
		t.Errorf("read back %+v", b)
	}
	for _, e := range b.Findings {
		if e.KeyID == k2.id && !reflect.DeepEqual(e.Paths, []string{"a", "b"}) {
			t.Errorf("paths = %v", e.Paths)
		}
	}
	// A keysweep JSON report is a baseline too.
	report := `{"version":1,"tool":{"name":"keysweep"},"findings":[{"fingerprint":"` + k1.fp() + `","key_id":"` + k1.id + `","locations":[]}],"errors":[]}`
	os.WriteFile(filepath.Join(dir, "report.json"), []byte(report), 0o600)
	if b, err := ReadBaseline(filepath.Join(dir, "report.json")); err != nil || !b.set()[k1.fp()] {
		t.Errorf("report as baseline: %v %+v", err, b)
	}
	for name, bad := range map[string]string{
		"garbage":        "{not json",
		"version":        `{"version":9,"findings":[]}`,
		"no fingerprint": `{"version":1,"findings":[{"key_id":"x"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name+".json")
			os.WriteFile(p, []byte(bad), 0o644)
			if _, err := ReadBaseline(p); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestAppendAllow(t *testing.T) {
	k := newCred(36)
	t.Run("creates and appends, keeping what is there", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), ConfigFile)
		if err := AppendAllow(path, AllowEntry{Fingerprint: k.fp(), Reason: "demo key \"quoted\""}); err != nil {
			t.Fatal(err)
		}
		f, _ := os.ReadFile(path)
		os.WriteFile(path, append(f, []byte("# my comment")...), 0o644) // no trailing newline
		if err := AppendAllow(path, AllowEntry{Path: "testdata/**", Reason: "fixtures"}); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), "# my comment\n") {
			t.Errorf("comment lost:\n%s", data)
		}
		p, err := LoadPolicy(filepath.Dir(path), "")
		if err != nil {
			t.Fatal(err)
		}
		want := []AllowEntry{{Fingerprint: k.fp(), Reason: "demo key \"quoted\""}, {Path: "testdata/**", Reason: "fixtures"}}
		if !reflect.DeepEqual(p.Allow, want) {
			t.Errorf("allow = %+v", p.Allow)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v", fi.Mode())
		}
	})
	t.Run("refuses an entry without reason", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), ConfigFile)
		if err := AppendAllow(path, AllowEntry{KeyID: k.id}); err == nil {
			t.Fatal("want an error")
		}
		if _, err := os.Stat(path); err == nil {
			t.Error("file created for a refused entry")
		}
	})
	t.Run("leaves a corrupt file alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), ConfigFile)
		os.WriteFile(path, []byte("[[allow]\nbroken"), 0o644)
		if err := AppendAllow(path, AllowEntry{KeyID: k.id, Reason: "r"}); err == nil {
			t.Fatal("want an error")
		}
		if data, _ := os.ReadFile(path); string(data) != "[[allow]\nbroken" {
			t.Errorf("corrupt file changed: %q", data)
		}
	})
}

func TestFindRoot(t *testing.T) {
	r := newRepo(t)
	r.Write("sub/dir/f.txt", "x")
	r.Write("sub/"+ConfigFile, "")
	plain := t.TempDir()
	os.WriteFile(filepath.Join(plain, "f.txt"), nil, 0o644)
	tests := []struct{ name, in, want string }{
		{"repository root", r.Dir, r.Dir},
		{"subdirectory with its own config still uses the repository root", filepath.Join(r.Dir, "sub", "dir"), r.Dir},
		{"file", filepath.Join(r.Dir, "sub", "dir", "f.txt"), r.Dir},
		{"outside a repository", plain, plain},
		{"file outside a repository", filepath.Join(plain, "f.txt"), plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FindRoot(tt.in); got != tt.want {
				t.Errorf("FindRoot(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
