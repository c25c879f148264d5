package github

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/history"
)

// repo sweeps one repository: fetch what changed into its mirror, scan the
// objects not reachable from the tips scanned last time, optionally its
// comments, and commit. Nothing is committed when ctx is cancelled midway.
func (s *sweeper) repo(ctx context.Context, r Repo) {
	name := r.FullName
	if ctx.Err() != nil || s.commitErr.Load() != nil { // cancelled, or nothing can be kept
		return
	}
	prev, ok, err := s.state.Load(name)
	if err != nil {
		s.fail(name, r, UnitState{}, fmt.Errorf("load state: %w", err))
		return
	}
	if ok && s.opts.SweepID != "" && prev.SweepID == s.opts.SweepID {
		s.progress.Skipped.Add(1)
		s.progress.Done.Add(1)
		return
	}
	dir := mirrorDir(s.opts.CacheDir, r.CloneURL, name)
	if err := migrateMirror(dir); err != nil { // before the unchanged check: allowlists are read from dir
		s.fail(name, r, UnitState{Tips: prev.Tips, Since: prev.Since}, err)
		return
	}
	pushed := r.PushedAt
	unchanged := ok && prev.Err == "" && !pushed.IsZero() && pushed.Equal(prev.PushedAt) &&
		prev.SweptAt.After(pushed.Add(time.Second)) && exists(dir)
	if unchanged {
		s.progress.Skipped.Add(1) // nothing to fetch; comments may still be new
		if !s.opts.IncludeComments {
			s.progress.Done.Add(1)
			return
		}
	}
	next := UnitState{Tips: prev.Tips, PushedAt: pushed, SweepID: s.opts.SweepID, Since: prev.Since}
	col := scanner.NewCollector(nil)
	var still func(string, scanner.Location) bool
	if !unchanged {
		next.SweptAt = s.opts.Now() // before the fetch: pushes after it are caught next time
		var tips map[string]string
		tips, col, err = s.scanGit(ctx, dir, r, prev.Tips)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			next.PushedAt = time.Time{}
			s.fail(name, r, next, err)
			return
		}
		if tips != nil {
			next.Tips = tips
		}
		if hc := newHeadChecker(dir, s.det); hc != nil {
			still = hc.still
		}
	}
	if s.opts.IncludeComments {
		started := s.opts.Now()
		if err := s.comments(ctx, r, prev.Since, col); err != nil {
			if ctx.Err() != nil {
				return
			}
			col.AddError(name+" comments", err)
		} else {
			next.Since = started
		}
	}
	res := col.Result()
	next.Err = joinErrors(res.Errors)
	decorate(res.Findings, r)
	s.commit(Unit{Name: name, URL: r.HTMLURL, DefaultBranch: r.DefaultBranch, State: next,
		Findings: res.Findings, Files: res.Stats.Files, Bytes: res.Stats.Bytes, StillInHead: still})
}

// scanGit fetches the mirror and scans its new objects into a new
// collector. A mirror that cannot be fetched or read (corrupt, half-written
// by a crash) is cloned afresh and scanned again, once: objects the old
// mirror could not give are then read from the new one. tips is nil when
// the repository is empty (nothing to scan).
func (s *sweeper) scanGit(ctx context.Context, dir string, r Repo, prev map[string]string) (map[string]string, *scanner.Collector, error) {
	existed := exists(dir)
	tips, col, err := s.fetchAndScan(ctx, dir, r, prev, existed)
	var remote remoteError
	if !existed || ctx.Err() != nil || errors.As(err, &remote) || (err == nil && len(col.Result().Errors) == 0) {
		return tips, col, err
	}
	if rmErr := os.RemoveAll(dir); rmErr != nil {
		return tips, col, err
	}
	tips2, col2, err2 := s.fetchAndScan(ctx, dir, r, prev, false)
	if err2 != nil && err == nil {
		return tips, col, err // the first try was better
	}
	return tips2, col2, err2
}

func (s *sweeper) fetchAndScan(ctx context.Context, dir string, r Repo, prev map[string]string, existed bool) (map[string]string, *scanner.Collector, error) {
	col := scanner.NewCollector(nil)
	empty, err := s.fetch(ctx, dir, r, existed)
	if err != nil || empty {
		return nil, col, err
	}
	sum, err := history.Scan(ctx, history.Options{
		Path: dir, Repo: r.FullName, Exclude: existingCommits(dir, prev), Workers: s.opts.Workers,
		MemoryBytes: s.opts.MemoryBytes / int64(s.opts.Concurrency),
	}, s.det, col)
	if err != nil {
		return nil, col, fmt.Errorf("scan history: %w", err)
	}
	return sum.Tips, col, nil
}

// fetch fetches (or, when the mirror does not exist, clones) r into dir.
// First clones hold memory in proportion to the repository (go-git indexes
// the pack it receives), so they share a budget by the size the API
// reports: a few huge repositories are not cloned at once.
func (s *sweeper) fetch(ctx context.Context, dir string, r Repo, existed bool) (bool, error) {
	weight := int64(1)
	if !existed {
		weight = min(max(int64(r.SizeKB)<<10, 1), s.opts.CloneBytes)
	}
	if err := s.clones.Acquire(ctx, weight); err != nil {
		return false, err
	}
	defer s.clones.Release(weight)
	return fetchMirror(ctx, dir, r.CloneURL, s.opts.Token, r.DefaultBranch)
}

func (s *sweeper) fail(name string, r Repo, st UnitState, err error) {
	st.Err = strings.TrimSpace(err.Error())
	st.SweepID = s.opts.SweepID
	s.progress.Failed.Add(1)
	s.commit(Unit{Name: name, URL: r.HTMLURL, DefaultBranch: r.DefaultBranch, State: st})
}

func (s *sweeper) commit(u Unit) {
	if u.State.SweptAt.IsZero() {
		u.State.SweptAt = s.opts.Now()
	}
	if err := s.state.Commit(u); err != nil {
		s.progress.Failed.Add(1)
		s.commitErr.CompareAndSwap(nil, &err)
	}
	s.progress.Bytes.Add(u.Bytes)
	s.progress.Files.Add(u.Files)
	s.progress.Done.Add(1)
}

// decorate sets Repo and a link to the line on GitHub on every location:
// HTML_URL/blob/COMMIT/PATH#LLINE for blobs, HTML_URL/commit/SHA for commit
// messages.
func decorate(fs []scanner.Finding, r Repo) {
	base := r.HTMLURL
	for i := range fs {
		for j := range fs[i].Locations {
			l := &fs[i].Locations[j]
			l.Repo = r.FullName
			if l.URL != "" || base == "" || l.Commit == "" {
				continue
			}
			switch l.Kind {
			case "commit-message":
				l.URL = base + "/commit/" + l.Commit
			case "blob", "":
				l.URL = base + "/blob/" + l.Commit + "/" + escapePath(l.Path) + "#L" + strconv.Itoa(l.Line)
			}
		}
	}
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

func joinErrors(errs []scanner.UnitError) string {
	var b strings.Builder
	for i, e := range errs {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(errs)-5)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Unit + ": " + e.Err)
	}
	return b.String()
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
