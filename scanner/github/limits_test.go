package github

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/githubfake"
)

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
