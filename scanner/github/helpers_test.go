package github

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// memState is an in-memory State recording every commit.
type memState struct {
	mu       sync.Mutex
	units    map[string]UnitState
	commits  []Unit
	onCommit func(Unit)
}

func newMemState() *memState { return &memState{units: map[string]UnitState{}} }

func (m *memState) Load(name string) (UnitState, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.units[name]
	return st, ok, nil
}

func (m *memState) Commit(u Unit) error {
	m.mu.Lock()
	m.units[u.Name] = u.State
	m.commits = append(m.commits, u)
	cb := m.onCommit
	m.mu.Unlock()
	if cb != nil {
		cb(u)
	}
	return nil
}

// keys returns the key IDs committed for unit (all units when "").
func (m *memState) keys(unit string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, u := range m.commits {
		if unit == "" || u.Name == unit {
			for _, f := range u.Findings {
				out = append(out, f.KeyID)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (m *memState) unit(name string) (Unit, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := len(m.commits) - 1; i >= 0; i-- {
		if m.commits[i].Name == name {
			return m.commits[i], true
		}
	}
	return Unit{}, false
}

// fakeClock is a clock whose Sleep advances time instantly and records waits.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.waits = append(c.waits, d)
	return ctx.Err()
}

type keyPair struct{ id, secret string }

func (k keyPair) file() string {
	return fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", k.id, k.secret)
}

func newKey(g *testkeys.Gen) keyPair { return keyPair{g.AccessKeyID(), g.Secret()} }

type env struct {
	t     *testing.T
	fake  *githubfake.Fake
	cache string
	det   *scanner.Detector
}

func newEnv(t *testing.T, opts githubfake.Options) *env {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	opts.Root = t.TempDir()
	f := githubfake.New(opts)
	f.Start()
	t.Cleanup(f.Close)
	return &env{t: t, fake: f, cache: t.TempDir(), det: scanner.New(scanner.Options{})}
}

// repo creates owner/name with one commit of files pushed to main.
func (e *env) repo(owner string, r githubfake.Repo, files map[string]string) *githubfake.Work {
	e.t.Helper()
	w, err := e.fake.NewWork(owner, r.Name)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(files) > 0 {
		if _, err := w.Commit("initial", files); err != nil {
			e.t.Fatal(err)
		}
		if err := w.Push("main"); err != nil {
			e.t.Fatal(err)
		}
	}
	e.fake.AddRepo(owner, true, r)
	return w
}

func (e *env) opts(orgs ...string) Options {
	return Options{Orgs: orgs, APIURL: e.fake.URL, CacheDir: e.cache, Concurrency: 2, Workers: 1}
}

func (e *env) sweep(ctx context.Context, o Options, st State) Summary {
	e.t.Helper()
	sum, err := Sweep(ctx, o, e.det, st)
	if err != nil {
		e.t.Fatalf("Sweep: %v", err)
	}
	return sum
}

// gitRequests counts upload-pack requests per repository path in the fake's log.
func gitRequests(f *githubfake.Fake) map[string]int {
	n := map[string]int{}
	for _, r := range f.Requests() {
		if strings.Contains(r, "/info/refs") {
			p := strings.Fields(r)[1]
			n[p[1:strings.Index(p, ".git")]]++
		}
	}
	return n
}
