package github

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// gitIn runs the real git in dir and returns its trimmed output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v in %s: %v\n%s", args, dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

// wantMirrorDir is where the bare mirror of owner/name must be.
func (e *env) wantMirrorDir(full string) string {
	u, err := url.Parse(e.fake.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	return filepath.Join(e.cache, strings.ReplaceAll(u.Host, ":", "_"), filepath.FromSlash(full)+".git")
}

// assertBare checks that dir is a bare repository for git and go-git
// alike, with no work-tree layout left beside it.
func assertBare(t *testing.T, dir string) {
	t.Helper()
	if got := gitIn(t, dir, "rev-parse", "--is-bare-repository"); got != "true" {
		t.Errorf("%s: git says bare=%s", dir, got)
	}
	if got := gitIn(t, dir, "config", "--file", filepath.Join(dir, "config"), "core.bare"); got != "true" {
		t.Errorf("%s: core.bare = %s", dir, got)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		t.Errorf("%s has a .git inside", dir)
	}
	if _, err := os.Stat(strings.TrimSuffix(dir, ".git")); err == nil {
		t.Errorf("%s (the old layout) exists beside the mirror", strings.TrimSuffix(dir, ".git"))
	}
}

// toLegacy turns the bare mirror at dir into what sweeps before bare
// mirrors made (go-git's PlainInit(NAME, false)): NAME/.git with
// core.bare = false and nothing checked out. It returns the pack files.
func toLegacy(t *testing.T, dir string) []string {
	t.Helper()
	old := strings.TrimSuffix(dir, ".git")
	if err := os.Mkdir(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, filepath.Join(old, ".git")); err != nil {
		t.Fatal(err)
	}
	gitIn(t, old, "config", "core.bare", "false")
	if got := gitIn(t, old, "rev-parse", "--is-bare-repository"); got != "false" {
		t.Fatalf("legacy mirror is bare=%s", got)
	}
	return packFiles(t, filepath.Join(old, ".git"))
}

func packFiles(t *testing.T, gitDir string) []string {
	t.Helper()
	ps, _ := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "*.pack"))
	for i, p := range ps {
		ps[i] = filepath.Base(p)
	}
	if len(ps) == 0 {
		t.Fatalf("no pack in %s", gitDir)
	}
	return ps
}

func pushFiles(t *testing.T, w *githubfake.Work, files map[string]string) {
	t.Helper()
	if _, err := w.Commit("more", files); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("main"); err != nil {
		t.Fatal(err)
	}
}

// resultOf gathers the findings committed for repo into a result.
func (m *memState) resultOf(repo string) scanner.Result {
	col := scanner.NewCollector(nil)
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, u := range m.commits {
		if u.Name != repo {
			continue
		}
		for _, f := range u.Findings {
			for _, l := range f.Locations {
				col.Add(scanner.Match{KeyID: f.KeyID, Secret: f.Secret, Line: l.Line, Column: l.Column}, l)
			}
		}
	}
	return col.Result()
}

func TestFirstSweepMakesBareMirrors(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(21)
	inMain, inPR := newKey(g), newKey(g)
	e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"conf/aws.ini": inMain.file()})
	w := e.repo("acme", githubfake.Repo{Name: "web"}, map[string]string{"README": "hi\n"})
	if _, err := w.Commit("pr", map[string]string{"deploy.sh": inPR.file()}); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("refs/pull/3/head"); err != nil {
		t.Fatal(err)
	}
	st := newMemState()
	sum := e.sweep(context.Background(), e.opts("acme"), st)
	if got := st.keys(""); !reflect.DeepEqual(got, sortedOf(inMain.id, inPR.id)) {
		t.Errorf("keys %v, want the key on main and the one on the pull request", got)
	}
	for _, name := range []string{"acme/api", "acme/web"} {
		dir := e.wantMirrorDir(name)
		if sum.Mirrors[name] != dir {
			t.Errorf("Mirrors[%s] = %s, want %s", name, sum.Mirrors[name], dir)
		}
		if u, _ := st.unit(name); u.State.Err != "" {
			t.Errorf("%s: %s", name, u.State.Err)
		}
		assertBare(t, dir)
		if got := gitIn(t, dir, "symbolic-ref", "HEAD"); got != "refs/heads/main" {
			t.Errorf("%s: HEAD -> %s", name, got)
		}
		if ents, _ := os.ReadDir(dir); slices.ContainsFunc(ents, func(d os.DirEntry) bool { return d.Name() == "README" }) {
			t.Errorf("%s: a file is checked out in the mirror", name)
		}
	}
	gitIn(t, e.wantMirrorDir("acme/web"), "rev-parse", "--verify", "refs/pull/3/head")
}

func TestOldLayoutMirrorIsMigratedNotCloned(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(22)
	old, added, fixture := newKey(g), newKey(g), newKey(g)
	w := e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"old.ini": old.file(),
		"big.txt": strings.Repeat("filler line\n", 5000)})
	e.repo("acme", githubfake.Repo{Name: "sdk"}, map[string]string{
		".keysweep.toml":     "[[allow]]\npath = \"testdata/\"\nreason = \"fixtures\"\n",
		"testdata/creds.ini": fixture.file(),
	})
	time.Sleep(1100 * time.Millisecond) // the first sweep fetches a second after the pushes
	st := newMemState()
	o := e.opts("acme")
	o.SweepID = "s1"
	e.sweep(context.Background(), o, st)
	u1, _ := st.unit("acme/api")
	apiPacks := toLegacy(t, e.wantMirrorDir("acme/api"))
	toLegacy(t, e.wantMirrorDir("acme/sdk"))
	before := gitRequests(e.fake)

	time.Sleep(1100 * time.Millisecond) // pushed_at must move past the first sweep
	pushFiles(t, w, map[string]string{"new.ini": added.file()})
	o.SweepID = "s2"
	sum := e.sweep(context.Background(), o, st)
	after := gitRequests(e.fake)

	for _, name := range []string{"acme/api", "acme/sdk"} {
		if u, _ := st.unit(name); u.State.Err != "" {
			t.Errorf("%s: %s", name, u.State.Err)
		}
		assertBare(t, e.wantMirrorDir(name))
	}
	if got := packFiles(t, e.wantMirrorDir("acme/api")); len(slices.DeleteFunc(slices.Clone(apiPacks), func(p string) bool {
		return slices.Contains(got, p)
	})) != 0 {
		t.Errorf("packs before %v, after %v: the old pack is gone (cloned again?)", apiPacks, got)
	}
	if after["acme/api"] != before["acme/api"]+1 || after["acme/sdk"] != before["acme/sdk"] {
		t.Errorf("fetches api %d -> %d, sdk %d -> %d; want one more for api, none for the unchanged sdk",
			before["acme/api"], after["acme/api"], before["acme/sdk"], after["acme/sdk"])
	}
	u2, _ := st.unit("acme/api")
	if len(u2.Findings) != 1 || u2.Findings[0].KeyID != added.id {
		t.Errorf("second sweep committed %v, want only the new key", u2.Findings)
	}
	if u2.Bytes >= u1.Bytes/10 {
		t.Errorf("second sweep scanned %d bytes, first %d: not incremental", u2.Bytes, u1.Bytes)
	}
	// The unchanged repository was migrated without a fetch: its allowlist
	// is read from the new place.
	res := st.resultOf("acme/sdk")
	if n, errs := ApplyRepoAllowlists(&res, sum.Mirrors); n != 1 || len(errs) != 0 {
		t.Errorf("allowlist of the migrated sdk dropped %d (errors %v), want 1", n, errs)
	}
}

func TestMirrorThatCannotBeMigrated(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(23)
	fixture, first, second, other := newKey(g), newKey(g), newKey(g), newKey(g)
	wa := e.repo("acme", githubfake.Repo{Name: "a-blocked"}, map[string]string{
		".keysweep.toml": "[[allow]]\npath = \"testdata/\"\nreason = \"fixtures\"\n",
		"testdata/k.ini": fixture.file(), "k.ini": first.file(),
	})
	wb := e.repo("acme", githubfake.Repo{Name: "b-ok"}, map[string]string{"README": "x\n"})
	st := newMemState()
	o := e.opts("acme")
	o.SweepID = "s1"
	e.sweep(context.Background(), o, st)
	ua, _ := st.unit("acme/a-blocked")
	dir := e.wantMirrorDir("acme/a-blocked")
	packs := toLegacy(t, dir)
	if err := os.WriteFile(dir, []byte("not a mirror\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pushFiles(t, wa, map[string]string{"new.ini": second.file()})
	pushFiles(t, wb, map[string]string{"k.ini": other.file()})

	o.SweepID = "s2"
	sum, err := Sweep(context.Background(), o, e.det, st)
	if err != nil {
		t.Fatalf("the sweep stopped: %v", err)
	}
	u, _ := st.unit("acme/a-blocked")
	if !strings.Contains(u.State.Err, dir) || !strings.Contains(u.State.Err, "not a directory") {
		t.Errorf("error %q, want one naming %s as not a directory", u.State.Err, dir)
	}
	if !reflect.DeepEqual(u.State.Tips, ua.State.Tips) {
		t.Errorf("tips %v after the failure, want the earlier %v kept", u.State.Tips, ua.State.Tips)
	}
	if ub, _ := st.unit("acme/b-ok"); ub.State.Err != "" || !slices.Contains(st.keys("acme/b-ok"), other.id) {
		t.Errorf("b-ok: err %q, keys %v", ub.State.Err, st.keys("acme/b-ok"))
	}
	if b, _ := os.ReadFile(dir); string(b) != "not a mirror\n" {
		t.Errorf("the file in the way was changed: %q", b)
	}
	legacy := strings.TrimSuffix(dir, ".git")
	if got := packFiles(t, filepath.Join(legacy, ".git")); !reflect.DeepEqual(got, packs) {
		t.Errorf("old mirror's packs %v, want %v untouched", got, packs)
	}
	// Its allowlist is still read, from the old mirror.
	res := st.resultOf("acme/a-blocked")
	if n, errs := ApplyRepoAllowlists(&res, sum.Mirrors); n != 1 || len(errs) != 0 {
		t.Errorf("allowlist of the unmigrated repo dropped %d (errors %v), want 1", n, errs)
	}

	// Once the file is gone, the next sweep migrates and fetches only what is new.
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	o.SweepID = "s3"
	e.sweep(context.Background(), o, st)
	u, _ = st.unit("acme/a-blocked")
	if u.State.Err != "" || len(u.Findings) != 1 || u.Findings[0].KeyID != second.id {
		t.Errorf("after removing the file: err %q, findings %v, want only the new key", u.State.Err, u.Findings)
	}
	assertBare(t, dir)
	if got := packFiles(t, dir); !slices.Contains(got, packs[0]) {
		t.Errorf("packs %v, want the old %s kept (no fresh clone)", got, packs[0])
	}
}
