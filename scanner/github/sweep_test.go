package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
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

func TestSweepListsFiltersAndPRRefs(t *testing.T) {
	e := newEnv(t, githubfake.Options{MaxPerPage: 2})
	g := testkeys.New(1)
	main, fork, archived, private, pr := newKey(g), newKey(g), newKey(g), newKey(g), newKey(g)
	e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"conf/aws.ini": main.file()})
	e.repo("acme", githubfake.Repo{Name: "forked", Fork: true}, map[string]string{"k": fork.file()})
	e.repo("acme", githubfake.Repo{Name: "old", Archived: true}, map[string]string{"k": archived.file()})
	e.repo("acme", githubfake.Repo{Name: "secret", Private: true}, map[string]string{"k": private.file()})
	w := e.repo("acme", githubfake.Repo{Name: "web"}, map[string]string{"README": "hi\n"})
	// A pull request from a fork: its head lives only in refs/pull/7/head.
	if _, err := w.Commit("pr", map[string]string{"deploy.sh": pr.file()}); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("refs/pull/7/head"); err != nil {
		t.Fatal(err)
	}
	e.repo("acme", githubfake.Repo{Name: "tmp-scratch"}, map[string]string{"README": "x\n"})
	e.repo("acme", githubfake.Repo{Name: "empty"}, nil)

	tests := []struct {
		name   string
		filter Filter
		units  []string
		keys   []string
	}{
		{"default", Filter{}, []string{"acme/api", "acme/empty", "acme/secret", "acme/tmp-scratch", "acme/web"},
			[]string{main.id, private.id, pr.id}},
		{"forks and archived", Filter{IncludeForks: true, IncludeArchived: true},
			[]string{"acme/api", "acme/empty", "acme/forked", "acme/old", "acme/secret", "acme/tmp-scratch", "acme/web"},
			[]string{main.id, fork.id, archived.id, private.id, pr.id}},
		{"public only, exclude glob", Filter{Visibility: "public", Excludes: []string{"tmp-*", "acme/empty"}},
			[]string{"acme/api", "acme/web"}, []string{main.id, pr.id}},
		{"repo glob", Filter{Repos: []string{"acme/a*"}}, []string{"acme/api"}, []string{main.id}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newMemState()
			o := e.opts("acme")
			o.Filter = tt.filter
			o.CacheDir = t.TempDir()
			sum := e.sweep(context.Background(), o, st)
			if !reflect.DeepEqual(sum.Units, tt.units) {
				t.Errorf("units %v, want %v", sum.Units, tt.units)
			}
			want := slices.Clone(tt.keys)
			slices.Sort(want)
			if got := st.keys(""); !reflect.DeepEqual(got, want) {
				t.Errorf("keys %v, want %v", got, want)
			}
			for _, u := range st.commits {
				if u.State.Err != "" {
					t.Errorf("%s: %s", u.Name, u.State.Err)
				}
			}
		})
	}
	pages := 0
	for _, r := range e.fake.Requests() {
		if strings.Contains(r, "/orgs/acme/repos") {
			pages++
		}
	}
	if pages != 4*4 { // 7 repos, 2 per page, per sweep
		t.Errorf("%d listing requests, want 16 (pagination followed)", pages)
	}
}

func TestSweepLocationsCarryRepoAndURL(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(2)
	k := newKey(g)
	w := e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"a/b c.ini": "\n\n" + k.file()})
	sha, _ := w.Git("rev-parse", "HEAD")
	st := newMemState()
	e.sweep(context.Background(), e.opts("acme"), st)
	u, _ := st.unit("acme/api")
	if len(u.Findings) != 1 {
		t.Fatalf("findings %+v", u.Findings)
	}
	l := u.Findings[0].Locations[0]
	want := fmt.Sprintf("%s/acme/api/blob/%s/a/b%%20c.ini#L4", e.fake.URL, sha)
	if l.Repo != "acme/api" || l.URL != want || !l.InHead || l.Commit != sha {
		t.Errorf("location %+v\nwant URL %s", l, want)
	}
	if u.Findings[0].Secret.Reveal() != k.secret {
		t.Error("secret not paired")
	}
	if u.State.Tips["refs/heads/main"] != sha {
		t.Errorf("tips %v", u.State.Tips)
	}
}

func TestSecondSweepScansOnlyNewObjects(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(3)
	old, added := newKey(g), newKey(g)
	w := e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"old.ini": old.file(), "big.txt": strings.Repeat("filler line\n", 5000)})
	e.repo("acme", githubfake.Repo{Name: "quiet"}, map[string]string{"README": "nothing\n"})
	time.Sleep(1100 * time.Millisecond) // the first sweep fetches a second after the pushes
	st := newMemState()
	first := e.opts("acme")
	first.SweepID = "s1"
	e.sweep(context.Background(), first, st)
	u1, _ := st.unit("acme/api")
	before := gitRequests(e.fake)

	time.Sleep(1100 * time.Millisecond) // pushed_at must move past the first sweep
	if _, err := w.Commit("more", map[string]string{"new.ini": added.file(), "old.ini": ""}); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("main"); err != nil {
		t.Fatal(err)
	}
	second := e.opts("acme")
	second.SweepID = "s2"
	e.sweep(context.Background(), second, st)
	after := gitRequests(e.fake)
	if after["acme/quiet"] != before["acme/quiet"] {
		t.Errorf("unchanged repo fetched again (%d → %d)", before["acme/quiet"], after["acme/quiet"])
	}
	if after["acme/api"] != before["acme/api"]+1 {
		t.Errorf("changed repo fetched %d times, want once more than %d", after["acme/api"], before["acme/api"])
	}
	u2, _ := st.unit("acme/api")
	if got := st.keys(""); !reflect.DeepEqual(got, sortedOf(old.id, added.id)) {
		t.Errorf("keys %v", got)
	}
	if len(u2.Findings) != 1 || u2.Findings[0].KeyID != added.id {
		t.Errorf("second sweep committed %v, want only the new key", u2.Findings)
	}
	if u2.Bytes >= u1.Bytes/10 {
		t.Errorf("second sweep scanned %d bytes, first %d: not incremental", u2.Bytes, u1.Bytes)
	}
	if u2.StillInHead == nil || u2.StillInHead(old.id, u1.Findings[0].Locations[0]) {
		t.Error("deleted key still reported at HEAD")
	}
	if !u2.StillInHead(added.id, u2.Findings[0].Locations[0]) {
		t.Error("new key not reported at HEAD")
	}
}

func sortedOf(s ...string) []string { slices.Sort(s); return s }

func TestPerRepoErrorsDoNotStopTheSweep(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(4)
	k := newKey(g)
	e.repo("acme", githubfake.Repo{Name: "a-ok"}, map[string]string{"k": k.file()})
	gone := e.repo("acme", githubfake.Repo{Name: "b-deleted"}, map[string]string{"README": "x\n"})
	e.repo("acme", githubfake.Repo{Name: "c-blocked"}, map[string]string{"README": "x\n"})
	e.fake.SetStatus("acme/c-blocked", http.StatusUnavailableForLegalReasons)
	os.RemoveAll(gone.Bare) // deleted between the listing and the clone
	st := newMemState()
	o := e.opts("acme", "no-such-org")
	sum := e.sweep(context.Background(), o, st)
	if len(sum.Errors) != 1 || sum.Errors[0].Unit != "no-such-org" {
		t.Errorf("owner errors %+v", sum.Errors)
	}
	for _, tt := range []struct{ repo, want string }{
		{"acme/b-deleted", "repository not found"}, {"acme/c-blocked", "unavailable for legal reasons (HTTP 451)"}, {"acme/a-ok", ""},
	} {
		u, ok := st.unit(tt.repo)
		if !ok || (tt.want == "") != (u.State.Err == "") || !strings.Contains(u.State.Err, tt.want) {
			t.Errorf("%s: committed=%v err=%q, want %q", tt.repo, ok, u.State.Err, tt.want)
		}
	}
	if got := st.keys("acme/a-ok"); len(got) != 1 {
		t.Errorf("healthy repo keys %v", got)
	}
	if _, err := Sweep(context.Background(), e.opts("no-such-org"), e.det, newMemState()); err == nil {
		t.Error("a sweep whose only org is unknown succeeded")
	}
}

func TestResumeAfterKill(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(5)
	var names []string
	for i := range 6 {
		n := fmt.Sprintf("r%d", i)
		names = append(names, "acme/"+n)
		e.repo("acme", githubfake.Repo{Name: n}, map[string]string{"k": newKey(g).file()})
	}
	st := newMemState()
	ctx, cancel := context.WithCancel(context.Background())
	st.onCommit = func(u Unit) {
		if len(st.commits) == 2 {
			cancel()
		}
	}
	o := e.opts("acme")
	o.Concurrency, o.SweepID = 1, "s1"
	if _, err := Sweep(ctx, o, e.det, st); err == nil {
		t.Fatal("killed sweep returned no error")
	}
	done := len(st.commits)
	if done < 2 || done >= 6 {
		t.Fatalf("%d repos committed before the kill", done)
	}
	st.onCommit = nil
	before := gitRequests(e.fake)
	e.sweep(context.Background(), o, st)
	after := gitRequests(e.fake)
	for _, u := range st.commits[:done] {
		if after[u.Name] != before[u.Name] {
			t.Errorf("%s was done before the kill but fetched again", u.Name)
		}
	}
	if len(st.units) != 6 || len(st.keys("")) != 6 {
		t.Errorf("after resume: %d units, keys %v", len(st.units), st.keys(""))
	}
}

func TestExistingCommitsPeelsTagsAndDropsUnknown(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	w := e.repo("acme", githubfake.Repo{Name: "lib"}, map[string]string{"a": "1\n"})
	sha, _ := w.Git("rev-parse", "HEAD")
	if _, err := w.Git("tag", "-a", "v1", "-m", "release"); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("refs/tags/v1"); err != nil {
		t.Fatal(err)
	}
	tagObj, _ := w.Git("rev-parse", "v1")
	dir := t.TempDir()
	if _, err := fetchMirror(context.Background(), dir, e.fake.URL+"/acme/lib.git", "", "main"); err != nil {
		t.Fatal(err)
	}
	got := existingCommits(dir, map[string]string{"refs/tags/v1": tagObj, "refs/heads/main": sha,
		"refs/heads/gone": "0123456789012345678901234567890123456789"})
	if !reflect.DeepEqual(got, []string{sha}) {
		t.Errorf("existingCommits = %v, want [%s] (tag %s peeled, unknown dropped)", got, sha, tagObj)
	}
}

func TestCorruptMirrorIsClonedAgain(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(t *testing.T, gitDir string)
	}{
		{"garbage config", func(t *testing.T, gitDir string) {
			os.WriteFile(filepath.Join(gitDir, "config"), []byte("[core\x00 garbage"), 0o644)
		}},
		{"truncated pack", func(t *testing.T, gitDir string) {
			packs, _ := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "*.pack"))
			if len(packs) == 0 {
				t.Fatal("no pack in the mirror")
			}
			for _, p := range packs {
				os.Chmod(p, 0o644)
				os.Truncate(p, 100)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, githubfake.Options{})
			g := testkeys.New(7)
			first, second := newKey(g), newKey(g)
			w := e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"a.env": first.file()})
			st := newMemState()
			o := e.opts("acme")
			o.SweepID = "s1"
			e.sweep(context.Background(), o, st)
			dirs, _ := filepath.Glob(filepath.Join(e.cache, "*", "acme", "api.git"))
			if len(dirs) != 1 {
				t.Fatalf("mirror not found: %v", dirs)
			}
			tt.corrupt(t, dirs[0])
			if _, err := w.Commit("more", map[string]string{"b.env": second.file()}); err != nil {
				t.Fatal(err)
			}
			if err := w.Push("main"); err != nil {
				t.Fatal(err)
			}
			o.SweepID = "s2"
			st.commits = nil
			e.sweep(context.Background(), o, st)
			u, _ := st.unit("acme/api")
			if u.State.Err != "" {
				t.Errorf("second sweep failed: %s", u.State.Err)
			}
			if !slices.Contains(st.keys("acme/api"), second.id) {
				t.Errorf("new key not found after the corrupt mirror: %v", st.keys("acme/api"))
			}
		})
	}
}

func TestRepositoryAllowlist(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(9)
	fixture, real := newKey(g), newKey(g)
	e.repo("acme", githubfake.Repo{Name: "sdk"}, map[string]string{
		".keysweep.toml":        "[[allow]]\npath = \"testdata/\"\nreason = \"generated fixtures\"\n",
		"testdata/creds.ini":    fixture.file(),
		"deploy/production.ini": real.file(),
	})
	// The same fixture key copied into another repository: not allowed there.
	e.repo("acme", githubfake.Repo{Name: "app"}, map[string]string{"testdata/creds.ini": fixture.file()})
	e.repo("acme", githubfake.Repo{Name: "broken"}, map[string]string{".keysweep.toml": "[[allow]\n", "k.ini": newKey(g).file()})
	st := newMemState()
	sum := e.sweep(context.Background(), e.opts("acme"), st)
	var res scanner.Result
	col := scanner.NewCollector(nil)
	for _, u := range st.commits {
		for _, f := range u.Findings {
			for _, l := range f.Locations {
				col.Add(scanner.Match{KeyID: f.KeyID, Secret: f.Secret, Line: l.Line, Column: l.Column}, l)
			}
		}
	}
	res = col.Result()
	if len(res.Findings) != 3 {
		t.Fatalf("%d findings before the allowlists, want 3", len(res.Findings))
	}
	dropped, errs := ApplyRepoAllowlists(&res, sum.Mirrors)
	if dropped != 0 || len(errs) != 1 || !strings.Contains(errs[0].Unit, "acme/broken") {
		t.Errorf("dropped %d, errors %+v", dropped, errs)
	}
	where := map[string][]string{}
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			where[f.KeyID] = append(where[f.KeyID], l.Repo+"/"+l.Path)
		}
	}
	if got := where[fixture.id]; !reflect.DeepEqual(got, []string{"acme/app/testdata/creds.ini"}) {
		t.Errorf("fixture key kept at %v, want only in acme/app", got)
	}
	if got := where[real.id]; len(got) != 1 {
		t.Errorf("real key at %v", got)
	}
	if len(res.Findings) != 3 {
		t.Errorf("%d findings after, want 3 (broken allowlist drops nothing)", len(res.Findings))
	}

	// A finding only in the allowed place is dropped whole.
	only := scanner.Result{Findings: []scanner.Finding{{KeyID: fixture.id, Fingerprint: "x",
		Locations: []scanner.Location{{Repo: "acme/sdk", Path: "testdata/creds.ini"}}}}}
	if n, _ := ApplyRepoAllowlists(&only, sum.Mirrors); n != 1 || len(only.Findings) != 0 {
		t.Errorf("dropped %d, left %v", n, only.Findings)
	}
}

// failingState refuses every commit, as a full disk would.
type failingState struct{ memState }

func (f *failingState) Commit(u Unit) error {
	f.mu.Lock()
	f.commits = append(f.commits, u)
	f.mu.Unlock()
	return errors.New("write state: no space left on device")
}

func TestSweepStopsWhenStateCannotBeWritten(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	for i := range 5 {
		e.repo("acme", githubfake.Repo{Name: fmt.Sprintf("r%d", i)}, map[string]string{"a": "x\n"})
	}
	st := &failingState{memState{units: map[string]UnitState{}}}
	o := e.opts("acme")
	o.Concurrency = 1
	_, err := Sweep(context.Background(), o, e.det, st)
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("err = %v, want the state's error", err)
	}
	if len(st.commits) != 1 {
		t.Errorf("%d repositories swept after the state failed, want to stop at the first", len(st.commits))
	}
}

func TestSweepUserAndOrgTogether(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	g := testkeys.New(10)
	orgKey, userKey := newKey(g), newKey(g)
	e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"k": orgKey.file()})
	w, err := e.fake.NewWork("bob", "dotfiles")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("init", map[string]string{".aws/credentials": userKey.file()}); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("main"); err != nil {
		t.Fatal(err)
	}
	e.fake.AddRepo("bob", false, githubfake.Repo{Name: "dotfiles"})
	st := newMemState()
	o := e.opts("acme")
	o.Users = []string{"bob", "acme"} // an org given as a user is an error of that owner only
	sum, err := Sweep(context.Background(), o, e.det, st)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sum.Units, []string{"acme/api", "bob/dotfiles"}) {
		t.Errorf("units %v", sum.Units)
	}
	if got := st.keys(""); !reflect.DeepEqual(got, sortedOf(orgKey.id, userKey.id)) {
		t.Errorf("keys %v", got)
	}
	if len(sum.Errors) != 1 || sum.Errors[0].Unit != "acme" {
		t.Errorf("owner errors %+v", sum.Errors)
	}
}
