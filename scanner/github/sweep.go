// Package github sweeps GitHub organisations and users for AWS keys: it
// lists their repositories with go-github (pagination, filters, shards,
// rate limits waited out), keeps a bare mirror of each in a cache with
// go-git (branches, tags and pull-request heads), scans only the objects
// that are new since the last sweep with the history scanner, and,
// optionally, the text of gists and issue and pull-request comments.
//
// What was already scanned is kept by the caller through the State
// interface, one repository at a time: a sweep killed midway loses only the
// repositories in flight.
package github

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/keysweep/keysweep/scanner"
)

// Options configure a sweep.
type Options struct {
	Orgs, Users []string
	Token       string       // GitHub token; never logged
	APIURL      string       // GitHub Enterprise base URL; "" for api.github.com
	HTTPClient  *http.Client // nil: a client with a 60 s timeout
	Filter      Filter
	Shard       Shard
	CacheDir    string // bare mirrors live in CacheDir/HOST/OWNER/NAME.git (older NAME/.git ones are moved there)

	Concurrency int // repositories swept at once; default 4
	Workers     int // history scan workers per repository; default the number of CPUs
	// MemoryBytes bounds the blob bytes in flight across all repositories
	// scanned at once (default 256 MiB, shared out by Concurrency), so the
	// sweep's memory does not grow with the size of the org or its repos.
	MemoryBytes int64
	// CloneBytes bounds the size (as the API reports it) of the
	// repositories being cloned for the first time at once; default 128 MiB.
	// A larger repository is cloned alone.
	CloneBytes int64

	IncludeGists    bool // scan the gists of org members and of the users
	IncludeComments bool // scan issue and pull-request comments

	// SweepID is the store's ID for this sweep: units whose state already
	// carries it were finished by an interrupted run of the same sweep and
	// are skipped.
	SweepID string

	Now        func() time.Time                           // default time.Now
	Sleep      func(context.Context, time.Duration) error // waits for rate limits; default a timer
	OnWait     func(d time.Duration, reason string)       // told before each rate-limit wait
	MaxRetries int                                        // rate-limit retries per API call; default 10
	Progress   *Progress                                  // when not nil, updated as units finish
}

// State keeps what earlier sweeps did, per unit (a repository "org/name",
// or "gists/USER"). Commit is called once per finished unit, from several
// goroutines at once; it must persist before returning.
type State interface {
	Load(name string) (UnitState, bool, error)
	Commit(u Unit) error
}

// UnitState is the per-unit memory of a sweep.
type UnitState struct {
	Tips     map[string]string // ref → commit already scanned
	PushedAt time.Time         // the API's pushed_at when it was scanned
	SweptAt  time.Time         // when its last fetch started
	SweepID  string
	Err      string
	Since    time.Time // comments and gists scanned up to
}

// Unit is one finished unit handed to State.Commit.
type Unit struct {
	Name          string
	URL           string
	DefaultBranch string
	State         UnitState
	Findings      []scanner.Finding // from the new objects only; plain secrets
	Files, Bytes  int64             // blobs and texts scanned, and their bytes
	// StillInHead, when not nil, tells whether a key stored for this unit
	// at a HEAD location is still there (the default branch moved).
	StillInHead func(keyID string, loc scanner.Location) bool
}

// Progress counts units; all fields are safe to read while the sweep runs.
type Progress struct {
	Total, Done, Skipped, Failed atomic.Int64 // units
	Files, Bytes, Waits          atomic.Int64 // blobs and texts scanned, their bytes, rate-limit waits
}

// Summary is what a sweep covered.
type Summary struct {
	Units   []string            // every unit selected (repositories, gists/USER), sorted
	Mirrors map[string]string   // repository → its mirror directory (see ApplyRepoAllowlists)
	Errors  []scanner.UnitError // failures outside any unit (an org that could not be listed)
	Stats   scanner.Stats       // blobs and texts scanned by this sweep, their bytes, wall time
}

// Sweep lists the repositories of opts.Orgs and opts.Users, keeps those
// the filter and shard select, and sweeps them with bounded concurrency,
// committing each to state as it finishes. A unit's failure (404, 451,
// clone error) is committed as its error and the sweep goes on. Sweep
// returns an error when ctx is cancelled (units finished so far are
// committed) or when no owner could be listed.
func Sweep(ctx context.Context, opts Options, det *scanner.Detector, state State) (Summary, error) {
	s := newSweeper(opts, det, state)
	start := s.opts.Now()
	var sum Summary
	repos, errs := s.list(ctx)
	sum.Errors = errs
	if ctx.Err() != nil {
		return sum, fmt.Errorf("sweep: %w", ctx.Err())
	}
	if len(repos) == 0 && len(errs) > 0 && len(errs) == len(opts.Orgs)+len(opts.Users) {
		return sum, fmt.Errorf("sweep: %s: %s", errs[0].Unit, errs[0].Err)
	}
	var gistUsers []string
	if opts.IncludeGists {
		gistUsers, sum.Errors = s.gistOwners(ctx, sum.Errors)
	}
	sum.Mirrors = make(map[string]string, len(repos))
	for _, r := range repos {
		sum.Units = append(sum.Units, r.FullName)
		sum.Mirrors[r.FullName] = mirrorDir(opts.CacheDir, r.CloneURL, r.FullName)
	}
	for _, u := range gistUsers {
		sum.Units = append(sum.Units, gistUnit(u))
	}
	sort.Strings(sum.Units)
	s.progress.Total.Store(int64(len(sum.Units)))

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Concurrency)
	for _, r := range repos {
		g.Go(func() error { s.repo(gctx, r); return nil })
	}
	for _, u := range gistUsers {
		g.Go(func() error { s.gists(gctx, u); return nil })
	}
	g.Wait()
	sum.Stats = scanner.Stats{Files: s.progress.Files.Load(), Bytes: s.progress.Bytes.Load(), Duration: s.opts.Now().Sub(start)}
	if ctx.Err() != nil {
		return sum, fmt.Errorf("sweep: %w", ctx.Err())
	}
	if e := s.commitErr.Load(); e != nil {
		return sum, fmt.Errorf("sweep: %w", *e)
	}
	return sum, nil
}

type sweeper struct {
	opts      Options
	det       *scanner.Detector
	state     State
	api       *api
	progress  *Progress
	commitErr atomic.Pointer[error] // first failure to persist a unit
	clones    *semaphore.Weighted   // CloneBytes, shared by first clones
}

func newSweeper(opts Options, det *scanner.Detector, state State) *sweeper {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.CloneBytes <= 0 {
		opts.CloneBytes = 128 << 20
	}
	if opts.MemoryBytes <= 0 {
		opts.MemoryBytes = 256 << 20
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.MaxRetries <= 0 {
		opts.MaxRetries = 10
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if opts.Progress == nil {
		opts.Progress = &Progress{}
	}
	s := &sweeper{opts: opts, det: det, state: state, progress: opts.Progress,
		clones: semaphore.NewWeighted(opts.CloneBytes)}
	s.api = &api{httpClient: opts.HTTPClient, baseURL: opts.APIURL, token: opts.Token, now: opts.Now,
		sleep: opts.Sleep, maxRetries: opts.MaxRetries, onWait: func(d time.Duration, why string) {
			s.progress.Waits.Add(1)
			if opts.OnWait != nil {
				opts.OnWait(d, why)
			}
		}}
	return s
}

// list returns the selected repositories of every owner, deduplicated and
// sorted by full name, and one error per owner that could not be listed.
func (s *sweeper) list(ctx context.Context) ([]Repo, []scanner.UnitError) {
	seen := map[string]bool{}
	var out []Repo
	var errs []scanner.UnitError
	owners := append(append([]string(nil), s.opts.Orgs...), s.opts.Users...)
	for i, o := range owners {
		repos, err := s.api.listRepos(ctx, o, i >= len(s.opts.Orgs))
		if err != nil {
			errs = append(errs, scanner.UnitError{Unit: o, Err: err.Error()})
		}
		for _, r := range repos {
			name := r.FullName
			if seen[name] || !s.opts.Filter.Keep(r) || !s.opts.Shard.Has(name) {
				continue
			}
			seen[name] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FullName < out[j].FullName })
	return out, errs
}
