package github

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
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

func TestRateLimitWaits(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name  string
		opts  githubfake.Options
		setup func(*githubfake.Fake)
		waits []time.Duration
	}{
		{"primary, remaining runs out", githubfake.Options{Limit: 1, MaxPerPage: 1, Now: clock.Now}, nil,
			[]time.Duration{time.Hour + time.Second, time.Hour + time.Second}},
		{"secondary with Retry-After", githubfake.Options{Now: clock.Now},
			func(f *githubfake.Fake) { f.SecondaryLimit(2, 30*time.Second) },
			[]time.Duration{30 * time.Second, 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.waits = nil
			e := newEnv(t, tt.opts)
			for _, n := range []string{"a", "b", "c"} {
				e.fake.AddRepo("acme", true, githubfake.Repo{Name: n})
			}
			if tt.setup != nil {
				tt.setup(e.fake)
			}
			o := e.opts("acme")
			o.Now, o.Sleep = clock.Now, clock.Sleep
			var told []string
			o.OnWait = func(d time.Duration, why string) { told = append(told, why) }
			sum := e.sweep(context.Background(), o, newMemState())
			if len(sum.Units) != 3 {
				t.Errorf("units %v", sum.Units)
			}
			if !reflect.DeepEqual(clock.waits, tt.waits) || len(told) != len(tt.waits) {
				t.Errorf("waits %v (told %v), want %v", clock.waits, told, tt.waits)
			}
		})
	}
}

func TestPrimaryLimit403WaitsUntilReset(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEnv(t, githubfake.Options{Limit: 1, Now: clock.Now})
	e.fake.AddRepo("acme", true, githubfake.Repo{Name: "a"})
	a := &api{httpClient: http.DefaultClient, baseURL: e.fake.URL, now: clock.Now, sleep: clock.Sleep, maxRetries: 3}
	if _, err := a.listRepos(context.Background(), "acme", true); err == nil {
		t.Fatal("listing an org as a user succeeded")
	}
	clock.t = clock.t.Add(10 * time.Minute)
	fresh := &api{httpClient: http.DefaultClient, baseURL: e.fake.URL, now: clock.Now, sleep: clock.Sleep, maxRetries: 3}
	repos, err := fresh.listRepos(context.Background(), "acme", true)
	_ = repos
	if err == nil || len(clock.waits) != 1 || clock.waits[0] != 50*time.Minute {
		t.Errorf("err %v waits %v, want one 50m wait then a 404", err, clock.waits)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fresh.listRepos(ctx, "acme", true); err == nil {
		t.Error("cancelled listing succeeded")
	}
}

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

func TestShardsCoverEveryRepoOnce(t *testing.T) {
	const n = 4
	seen := map[string]int{}
	sizes := make([]int, n)
	for i := range 1000 {
		name := fmt.Sprintf("org-%d/repo-%d", i%7, i)
		for k := range n {
			if (Shard{K: k, N: n}).Has(name) {
				seen[name]++
				sizes[k]++
			}
		}
		if !(Shard{}).Has(name) {
			t.Fatal("zero shard dropped a repo")
		}
	}
	for name, c := range seen {
		if c != 1 {
			t.Errorf("%s in %d shards", name, c)
		}
	}
	if len(seen) != 1000 {
		t.Errorf("%d repos covered", len(seen))
	}
	for k, s := range sizes {
		if s < 180 || s > 320 {
			t.Errorf("shard %d has %d of 1000: unbalanced", k, s)
		}
	}
	if !(Shard{K: 1, N: 3}).Has("Acme/API") == (Shard{K: 1, N: 3}).Has("acme/api") {
		t.Error("shard depends on case")
	}
}

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"0/4", Shard{0, 4}, true}, {"3/4", Shard{3, 4}, true}, {"0/1", Shard{0, 1}, true},
		{"4/4", Shard{}, false}, {"-1/4", Shard{}, false}, {"1/0", Shard{}, false}, {"x", Shard{}, false}, {"1/2/3", Shard{}, false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseShard(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseShard(%q) = %v, %v", tt.in, got, err)
			}
		})
	}
}

func TestGistsAndComments(t *testing.T) {
	e := newEnv(t, githubfake.Options{MaxPerPage: 1})
	g := testkeys.New(6)
	inGist, inComment, inReview, old := newKey(g), newKey(g), newKey(g), newKey(g)
	e.repo("acme", githubfake.Repo{Name: "api"}, map[string]string{"README": "hi\n"})
	e.fake.AddOrg("acme", "alice", "bob")
	e.fake.AddGist("alice", githubfake.Gist{ID: "g1", Files: map[string]string{"creds.txt": inGist.file(), "other.md": "nothing"}})
	e.fake.AddGist("bob", githubfake.Gist{ID: "g2", Files: map[string]string{"a.txt": "nothing here"}})
	now := time.Now().Add(-time.Minute) // GitHub's since= has second precision
	e.fake.AddComment("acme", "api", githubfake.Comment{ID: 1, Issue: 3, Body: "try\n" + inComment.file(), Updated: now})
	e.fake.AddComment("acme", "api", githubfake.Comment{ID: 2, Issue: 4, Body: "old\n" + old.file(), Updated: now.Add(-48 * time.Hour)})
	e.fake.AddComment("acme", "api", githubfake.Comment{ID: 3, Issue: 5, Body: inReview.file(), Review: true, Updated: now})
	st := newMemState()
	o := e.opts("acme")
	o.IncludeGists, o.IncludeComments = true, true
	sum := e.sweep(context.Background(), o, st)
	if want := []string{"acme/api", "gists/alice", "gists/bob"}; !reflect.DeepEqual(sum.Units, want) {
		t.Errorf("units %v, want %v", sum.Units, want)
	}
	if got := st.keys("gists/alice"); !reflect.DeepEqual(got, []string{inGist.id}) {
		t.Errorf("gist keys %v", got)
	}
	if got := st.keys("acme/api"); !reflect.DeepEqual(got, sortedOf(inComment.id, inReview.id, old.id)) {
		t.Errorf("comment keys %v", got)
	}
	u, _ := st.unit("acme/api")
	for _, f := range u.Findings {
		l := f.Locations[0]
		if l.Kind != "comment" || !strings.Contains(l.URL, "#issuecomment-") || l.Repo != "acme/api" {
			t.Errorf("comment location %+v", l)
		}
	}
	gu, _ := st.unit("gists/alice")
	if l := gu.Findings[0].Locations[0]; l.Kind != "gist" || l.Path != "g1/creds.txt" || !strings.HasSuffix(l.URL, "#file-creds-txt") {
		t.Errorf("gist location %+v", l)
	}

	// The next sweep asks only for comments updated since the last one.
	st.commits = nil
	o.SweepID = "s2"
	e.sweep(context.Background(), o, st)
	since := false
	for _, r := range e.fake.Requests() {
		if strings.Contains(r, "/issues/comments") && strings.Contains(r, "since=") {
			since = true
		}
	}
	if !since {
		t.Error("second sweep listed comments without since=")
	}
	if got := st.keys("acme/api"); len(got) != 0 {
		t.Errorf("second sweep re-reported comment keys %v", got)
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

func TestCloneBudgetSerialisesBigClones(t *testing.T) {
	e := newEnv(t, githubfake.Options{})
	for i := range 4 {
		e.repo("acme", githubfake.Repo{Name: fmt.Sprintf("big%d", i)}, map[string]string{"blob": strings.Repeat(fmt.Sprintf("line %d\n", i), 20000)})
	}
	var mu sync.Mutex
	inFlight, peak := 0, 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			e.fake.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond) // let others overlap if they may
		e.fake.ServeHTTP(w, r)
		mu.Lock()
		inFlight--
		mu.Unlock()
	}))
	defer srv.Close()
	o := e.opts("acme")
	o.APIURL, o.Concurrency, o.CloneBytes = srv.URL, 4, 1
	st := newMemState()
	e.sweep(context.Background(), o, st)
	if peak != 1 {
		t.Errorf("%d clones at once with a budget smaller than one repository, want 1", peak)
	}
	if len(st.units) != 4 {
		t.Errorf("%d repositories swept", len(st.units))
	}
}
