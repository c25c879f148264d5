package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/store"
)

// sweepEnv is a local GitHub org plus the paths a sweep needs.
type sweepEnv struct {
	t     *testing.T
	fake  *githubfake.Fake
	url   string
	dir   string
	env   map[string]string
	keys  *testkeys.Gen
	works map[string]*githubfake.Work
}

func newSweepEnv(t *testing.T, token string) *sweepEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	dir := t.TempDir()
	f := githubfake.New(githubfake.Options{Root: filepath.Join(dir, "github"), Token: token})
	f.Start()
	t.Cleanup(f.Close)
	return &sweepEnv{t: t, fake: f, url: f.URL, dir: dir, keys: testkeys.New(uint64(time.Now().UnixNano())),
		env: map[string]string{"GITHUB_TOKEN": token, "NO_COLOR": "1"}, works: map[string]*githubfake.Work{}}
}

// repo creates acme/name with one commit of files and returns it.
func (e *sweepEnv) repo(name string, files map[string]string) *githubfake.Work {
	e.t.Helper()
	w, err := e.fake.NewWork("acme", name)
	if err != nil {
		e.t.Fatal(err)
	}
	e.push(w, files)
	e.fake.AddRepo("acme", true, githubfake.Repo{Name: name})
	e.works[name] = w
	return w
}

func (e *sweepEnv) push(w *githubfake.Work, files map[string]string) {
	e.t.Helper()
	if _, err := w.Commit("change", files); err != nil {
		e.t.Fatal(err)
	}
	if err := w.Push("main"); err != nil {
		e.t.Fatal(err)
	}
}

// creds returns an env file with a new key pair, and the key ID.
func (e *sweepEnv) creds() (string, string) {
	id := e.keys.AccessKeyID()
	return fmt.Sprintf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", id, e.keys.Secret()), id
}

// run runs keysweep with args and returns the exit code, stdout and stderr.
func (e *sweepEnv) run(ctx context.Context, args ...string) (int, string, string) {
	var out, errb lockedBuffer
	streams := &IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return e.env[k] }}
	code := Run(ctx, args, streams)
	return code, out.String(), errb.String()
}

func (e *sweepEnv) sweepArgs(extra ...string) []string {
	return append([]string{"sweep", "github", "--org", "acme", "--api-url", e.url, "--no-verify",
		"--cache-dir", filepath.Join(e.dir, "cache"), "--state", filepath.Join(e.dir, "state.db"),
		"--format", "json", "--no-allowlist"}, extra...)
}

func readReport(t *testing.T, s string) scanner.Result {
	t.Helper()
	res, err := report.ReadJSON(strings.NewReader(s))
	if err != nil {
		t.Fatalf("report: %v\n%s", err, s)
	}
	return res
}

func statuses(res scanner.Result) map[string]string {
	m := map[string]string{}
	for _, f := range res.Findings {
		m[f.KeyID] = f.Status
	}
	return m
}

func TestSweepStatusesAcrossNights(t *testing.T) {
	e := newSweepEnv(t, "ghp_test_token_value")
	fileA, keyA := e.creds()
	fileB, keyB := e.creds()
	api := e.repo("api", map[string]string{"prod.env": fileA, "README": "api\n"})
	legacy := e.repo("legacy", map[string]string{"deploy.sh": fileB})
	e.push(legacy, map[string]string{"deploy.sh": "echo role\n"}) // B only in history
	time.Sleep(1100 * time.Millisecond)

	code, out, errs := e.run(context.Background(), e.sweepArgs()...)
	if code != ExitFound {
		t.Fatalf("first sweep exit %d, stderr:\n%s", code, errs)
	}
	res := readReport(t, out)
	if got := statuses(res); got[keyA] != "new" || got[keyB] != "new" || len(got) != 2 {
		t.Fatalf("first night statuses %v", got)
	}
	for _, f := range res.Findings {
		l := f.Locations[0]
		if !strings.HasPrefix(l.URL, e.url+"/acme/"+l.Repo[len("acme/"):]+"/blob/"+l.Commit+"/") || !strings.Contains(l.URL, "#L") {
			t.Errorf("%s: URL %q", f.KeyID, l.URL)
		}
	}
	if strings.Contains(out+errs, "ghp_test_token_value") {
		t.Error("the token was printed")
	}
	if st, err := os.Stat(filepath.Join(e.dir, "state.db")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("state file: %v %v", st.Mode(), err)
	}

	// Night two: A is removed from HEAD, C is pushed.
	fileC, keyC := e.creds()
	e.push(api, map[string]string{"prod.env": "", "new.env": fileC})
	time.Sleep(1100 * time.Millisecond)
	code, out, errs = e.run(context.Background(), e.sweepArgs()...)
	if code != ExitFound {
		t.Fatalf("second sweep exit %d:\n%s", code, errs)
	}
	want := map[string]string{keyA: "removed", keyB: "known", keyC: "new"}
	if got := statuses(readReport(t, out)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second night statuses %v, want %v", got, want)
	}
	if !strings.Contains(errs, "1 unchanged or already done") {
		t.Errorf("legacy was not skipped as unchanged: %s", errs)
	}

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"all", nil, []string{keyA, keyB, keyC}},
		{"new only", []string{"--status", "new"}, []string{keyC}},
		{"removed or known", []string{"--status", "removed", "--status", "known"}, []string{keyA, keyB}},
		{"repo glob", []string{"--repo", "acme/leg*"}, []string{keyB}},
	}
	for _, tt := range tests {
		t.Run("findings "+tt.name, func(t *testing.T) {
			args := append([]string{"findings", "--state", filepath.Join(e.dir, "state.db"), "--format", "json"}, tt.args...)
			code, out, errs := e.run(context.Background(), args...)
			if code != ExitClean {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got []string
			for _, f := range readReport(t, out).Findings {
				got = append(got, f.KeyID)
			}
			sort.Strings(got)
			sort.Strings(tt.want)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if code, _, _ := e.run(context.Background(), "findings", "--state", filepath.Join(e.dir, "state.db"), "--status", "bogus"); code != ExitUsage {
		t.Errorf("bad --status exit %d", code)
	}
	missing := filepath.Join(e.dir, "none", "state.db")
	if code, _, errs := e.run(context.Background(), "findings", "--state", missing); code != ExitFailure || !strings.Contains(errs, "sweep github first") {
		t.Errorf("findings on a missing state file: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("findings created a state file")
	}
}

func TestSweepUsageErrors(t *testing.T) {
	e := &sweepEnv{t: t, env: map[string]string{}}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"no org", []string{"sweep", "github"}},
		{"bad shard", []string{"sweep", "github", "--org", "a", "--shard", "3/3"}},
		{"bad visibility", []string{"sweep", "github", "--org", "a", "--visibility", "secret"}},
		{"bad glob", []string{"sweep", "github", "--org", "a", "--repo", "[x"}},
		{"bad format", []string{"sweep", "github", "--org", "a", "--format", "xml"}},
		{"no source", []string{"sweep"}},
		{"unknown source", []string{"sweep", "gitlab"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, errs := e.run(context.Background(), tt.args...); code != ExitUsage {
				t.Errorf("exit %d, want 2: %s", code, errs)
			}
		})
	}
}

func TestSweepShardsThenMerge(t *testing.T) {
	e := newSweepEnv(t, "")
	var all []string
	for i := range 9 {
		file, id := e.creds()
		e.repo(fmt.Sprintf("svc-%d", i), map[string]string{"app.env": file})
		all = append(all, id)
	}
	var reports []string
	seen := map[string]int{}
	for k := range 3 {
		out := filepath.Join(e.dir, fmt.Sprintf("shard%d.json", k))
		args := e.sweepArgs("--shard", fmt.Sprintf("%d/3", k), "--output", out,
			"--state", filepath.Join(e.dir, fmt.Sprintf("state%d.db", k)))
		if code, _, errs := e.run(context.Background(), args...); code != ExitFound && code != ExitClean {
			t.Fatalf("shard %d exit %d: %s", k, code, errs)
		}
		b, _ := os.ReadFile(out)
		for _, f := range readReport(t, string(b)).Findings {
			seen[f.KeyID]++
		}
		reports = append(reports, out)
	}
	for _, id := range all {
		if seen[id] != 1 {
			t.Errorf("%s found by %d shards, want exactly 1", id, seen[id])
		}
	}
	code, out, errs := e.run(context.Background(), append([]string{"merge"}, reports...)...)
	if code != ExitClean {
		t.Fatalf("merge exit %d: %s", code, errs)
	}
	merged := readReport(t, out)
	if len(merged.Findings) != len(all) || len(merged.Errors) != 0 {
		t.Errorf("merged %d findings %d errors, want %d and 0", len(merged.Findings), len(merged.Errors), len(all))
	}
	if !strings.Contains(merged.Target, "shard 0/3") || !strings.Contains(merged.Target, "shard 2/3") {
		t.Errorf("merged target %q", merged.Target)
	}
	if code, _, _ := e.run(context.Background(), "merge", filepath.Join(e.dir, "nope.json")); code != ExitFailure {
		t.Errorf("merge of a missing file exit %d", code)
	}
	os.WriteFile(filepath.Join(e.dir, "junk.json"), []byte("{not json"), 0o600)
	if code, _, _ := e.run(context.Background(), "merge", filepath.Join(e.dir, "junk.json")); code != ExitFailure {
		t.Errorf("merge of a corrupt report exit %d", code)
	}
}

func TestSweepKilledThenResumed(t *testing.T) {
	e := newSweepEnv(t, "")
	var all []string
	for i := range 6 {
		file, id := e.creds()
		e.repo(fmt.Sprintf("r%d", i), map[string]string{"k.env": file})
		all = append(all, id)
	}
	// Serve the fake through a handler that cancels the sweep at the third clone.
	ctx, cancel := context.WithCancel(context.Background())
	var clones atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/info/refs") && clones.Add(1) == 3 {
			cancel()
		}
		e.fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	e.url = srv.URL
	code, out, errs := e.run(ctx, e.sweepArgs("--concurrency", "1")...)
	if code != ExitInterrupted {
		t.Fatalf("killed sweep exit %d: %s", code, errs)
	}
	first := readReport(t, out)
	if !first.Interrupted || len(first.Findings) == 0 || len(first.Findings) >= len(all) {
		t.Fatalf("interrupted report: interrupted=%v %d findings", first.Interrupted, len(first.Findings))
	}
	before := clones.Load()
	code, out, errs = e.run(context.Background(), e.sweepArgs("--concurrency", "1")...)
	if code != ExitFound || !strings.Contains(errs, "resuming") {
		t.Fatalf("resumed sweep exit %d: %s", code, errs)
	}
	res := readReport(t, out)
	if len(res.Findings) != len(all) {
		t.Errorf("after resume %d findings, want %d", len(res.Findings), len(all))
	}
	for _, f := range res.Findings {
		if f.Status != "new" {
			t.Errorf("%s: status %q after a resumed first sweep, want new", f.KeyID, f.Status)
		}
	}
	if again := clones.Load() - before; int(again) > len(all)-len(first.Findings) {
		t.Errorf("resume fetched %d repositories, only %d were left", again, len(all)-len(first.Findings))
	}
}

// Sweeps verify by default, and the store keeps each night's verdict.
func TestSweepVerifiesByDefaultAndKeepsVerdicts(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	aws := awsfake.New(awsfake.Options{Seed: 8})
	sts := httptest.NewServer(aws)
	defer sts.Close()
	live, err := aws.AddAccessKey("111122223333", "deploy")
	if err != nil {
		t.Fatal(err)
	}
	e := newSweepEnv(t, "")
	e.repo("billing", map[string]string{"settings.py": fmt.Sprintf("KEY = %q\nSECRET = %q\n", live.ID, live.Secret)})
	dead, deadID := e.creds()
	e.repo("api", map[string]string{"old.env": dead})
	e.env["GITHUB_API_URL"] = e.url // instead of --api-url
	args := []string{"sweep", "github", "--org", "acme", "--sts-endpoint", sts.URL, "--no-progress",
		"--cache-dir", filepath.Join(e.dir, "cache"), "--state", filepath.Join(e.dir, "state.db"), "--format", "json"}
	for night := 1; night <= 2; night++ {
		code, out, errs := e.run(context.Background(), args...)
		if code != ExitFound {
			t.Fatalf("night %d: exit %d: %s", night, code, errs)
		}
		verdicts := map[string]scanner.Verdict{}
		for _, f := range readReport(t, out).Findings {
			verdicts[f.KeyID] = f.Verification.Verdict
		}
		if verdicts[live.ID] != scanner.Live || verdicts[deadID] != scanner.Invalid {
			t.Fatalf("night %d verdicts %v", night, verdicts)
		}
		if strings.Contains(out+errs, live.Secret) {
			t.Fatal("the live secret was printed")
		}
	}
	history := func() []store.VerdictEntry {
		st, err := store.Open(filepath.Join(e.dir, "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		h, err := st.Verdicts(scanner.Fingerprint(live.ID, scanner.Secret(live.Secret)))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := history(); len(h) != 2 || h[0].Verdict != scanner.Live || h[1].Verdict != scanner.Live || h[0].ARN == "" {
		t.Errorf("verdict history %+v; want two live verdicts", h)
	}
	if code, _, errs := e.run(context.Background(), append(args, "--no-verify")...); code != ExitFound {
		t.Errorf("--no-verify exit %d: %s", code, errs)
	}
	if h := history(); len(h) != 2 {
		t.Errorf("--no-verify added verdicts: %d", len(h))
	}
}

func TestSweepTokenFile(t *testing.T) {
	e := newSweepEnv(t, "file-token-123")
	file, id := e.creds()
	e.repo("private", map[string]string{"k.env": file})
	delete(e.env, "GITHUB_TOKEN")
	tok := filepath.Join(e.dir, "token")
	os.WriteFile(tok, []byte("file-token-123\n"), 0o600)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"token file", []string{"--token-file", tok}, ExitFound},
		{"no token", nil, ExitFailure},
		{"missing token file", []string{"--token-file", filepath.Join(e.dir, "nope")}, ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := e.sweepArgs(append(tt.args, "--state", filepath.Join(t.TempDir(), "s.db"))...)
			code, out, errs := e.run(context.Background(), args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errs)
			}
			if strings.Contains(out+errs, "file-token-123") {
				t.Error("the token was printed")
			}
			if tt.code == ExitFound && !strings.Contains(out, id) {
				t.Error("key in the private repository not found")
			}
		})
	}
}

func TestSweepShowsRateLimitWaits(t *testing.T) {
	e := newSweepEnv(t, "")
	file, _ := e.creds()
	e.repo("api", map[string]string{"k.env": file})
	e.fake.SecondaryLimit(1, time.Second)
	code, _, errs := e.run(context.Background(), e.sweepArgs()...)
	if code != ExitFound {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, "GitHub secondary rate limit: waiting 1s") {
		t.Errorf("no wait shown on stderr:\n%s", errs)
	}
	e.fake.SecondaryLimit(1, time.Second)
	code, _, errs = e.run(context.Background(), e.sweepArgs("--no-progress")...)
	if code != ExitFound || strings.Contains(errs, "waiting") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
}

func TestSweepHonoursRepositoryAllowlists(t *testing.T) {
	e := newSweepEnv(t, "")
	fixture, fixtureID := e.creds()
	real, realID := e.creds()
	e.repo("sdk", map[string]string{
		".keysweep.toml":    "[[allow]]\npath = \"testdata/\"\nreason = \"generated fixtures\"\n",
		"testdata/fake.env": fixture,
		"prod.env":          real,
	})
	args := func(extra ...string) []string {
		a := e.sweepArgs(extra...)
		for i, s := range a { // sweepArgs turns allowlists off; this test wants them
			if s == "--no-allowlist" {
				a = append(a[:i], a[i+1:]...)
				break
			}
		}
		return a
	}
	code, out, errs := e.run(context.Background(), args()...)
	if code != ExitFound {
		t.Fatalf("exit %d: %s", code, errs)
	}
	res := readReport(t, out)
	if got := statuses(res); len(got) != 1 || got[realID] == "" {
		t.Errorf("findings %v, want only %s", got, realID)
	}
	if len(res.Notes) == 0 || !strings.Contains(strings.Join(res.Notes, " "), ".keysweep.toml") {
		t.Errorf("no note about the allowlist: %v", res.Notes)
	}
	// --no-allowlist shows everything: the store kept the allowed key.
	code, out, _ = e.run(context.Background(), args("--no-allowlist")...)
	if got := statuses(readReport(t, out)); code != ExitFound || len(got) != 2 || got[fixtureID] == "" {
		t.Errorf("with --no-allowlist: exit %d, findings %v", code, got)
	}
}
