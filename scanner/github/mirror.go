package github

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/keysweep/keysweep/scanner"
)

// mirrorRefSpecs are the refs a sweep keeps: branches, tags and the heads
// of pull requests (keys pushed from forks live only there). GitHub's
// synthetic refs/pull/*/merge are left out.
var mirrorRefSpecs = []config.RefSpec{
	"+refs/heads/*:refs/heads/*",
	"+refs/tags/*:refs/tags/*",
	"+refs/pull/*/head:refs/pull/*/head",
}

// mirrorDir returns where the mirror of cloneURL lives in cacheDir:
// HOST/OWNER/NAME.git, so two GitHub hosts never share a directory. The
// mirror is a bare repository (core.bare = true, nothing checked out), as
// `git clone --mirror` makes it; git and the history scanner open it as
// is. Sweeps before bare mirrors kept it in HOST/OWNER/NAME/.git
// (legacyGitDir); migrateMirror moves those.
func mirrorDir(cacheDir, cloneURL, fullName string) string {
	host := "github"
	if u, err := url.Parse(cloneURL); err == nil && u.Host != "" {
		host = strings.ReplaceAll(u.Host, ":", "_")
	}
	return filepath.Join(cacheDir, host, filepath.FromSlash(fullName)+".git")
}

// fetchMirror creates or updates the mirror at dir from cloneURL and
// points its HEAD at the default branch. empty is true when the remote has
// no refs at all (a new, empty repository): nothing to scan, no error.
func fetchMirror(ctx context.Context, dir, cloneURL, token, defaultBranch string) (empty bool, err error) {
	repo, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return false, err
		}
		repo, err = git.PlainInit(dir, true)
	}
	if err != nil {
		return false, fmt.Errorf("open mirror %s: %w", dir, err)
	}
	if err := setMirrorConfig(repo, cloneURL); err != nil {
		return false, err
	}
	opts := &git.FetchOptions{RemoteName: "origin", RefSpecs: mirrorRefSpecs, Tags: git.NoTags, Prune: true, Force: true}
	if token != "" {
		opts.Auth = &githttp.BasicAuth{Username: "x-access-token", Password: token}
	}
	err = repo.FetchContext(ctx, opts)
	switch {
	case errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return true, nil
	case err != nil:
		return false, fetchError(err)
	}
	if defaultBranch != "" {
		head := plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(defaultBranch))
		if err := repo.Storer.SetReference(head); err != nil {
			return false, fmt.Errorf("set HEAD: %w", err)
		}
	}
	return false, nil
}

// remoteError is a fetch the server refused: retrying with a fresh mirror
// would not help.
type remoteError struct{ error }

func (e remoteError) Unwrap() error { return e.error }

// fetchError says in a few words why a fetch failed: a deleted or hidden
// repository, a bad token, a legal block (451), another HTTP status. Those
// come back as remoteError.
func fetchError(err error) error {
	var ue *plumbing.UnexpectedError
	var he *githttp.Err
	switch {
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return remoteError{fmt.Errorf("fetch: repository not found (deleted, renamed or no access): %w", transport.ErrRepositoryNotFound)}
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return remoteError{fmt.Errorf("fetch: authentication required (set GITHUB_TOKEN or --token-file): %w", transport.ErrAuthenticationRequired)}
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return remoteError{fmt.Errorf("fetch: access denied to the token: %w", transport.ErrAuthorizationFailed)}
	case errors.As(err, &ue) && errors.As(ue.Err, &he):
		if he.StatusCode() == 451 {
			return remoteError{fmt.Errorf("fetch: unavailable for legal reasons (HTTP 451): %w", he)}
		}
		return remoteError{fmt.Errorf("fetch: HTTP %d: %w", he.StatusCode(), he)}
	}
	return fmt.Errorf("fetch: %w", err)
}

// setMirrorConfig makes the mirror's config say what it is: bare (a mirror
// moved from the old layout may still say otherwise) with origin fetching
// mirrorRefSpecs from cloneURL. It writes only when something differs.
func setMirrorConfig(repo *git.Repository, cloneURL string) error {
	cfg, err := repo.Config()
	if err != nil {
		return fmt.Errorf("read mirror config: %w", err)
	}
	r, ok := cfg.Remotes["origin"]
	remoteOK := ok && len(r.URLs) == 1 && r.URLs[0] == cloneURL && len(r.Fetch) == len(mirrorRefSpecs)
	if remoteOK && cfg.Core.IsBare {
		return nil
	}
	cfg.Core.IsBare = true
	if !remoteOK {
		cfg.Remotes["origin"] = &config.RemoteConfig{Name: "origin", URLs: []string{cloneURL}, Fetch: mirrorRefSpecs}
	}
	if err := repo.SetConfig(cfg); err != nil {
		return fmt.Errorf("write mirror config: %w", err)
	}
	return nil
}

// existingCommits returns the commits of tips (annotated tags peeled) that
// exist in the mirror, sorted: a tip recorded by an earlier sweep may have
// vanished with its cache.
func existingCommits(dir string, tips map[string]string) []string {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, sha := range tips {
		h := plumbing.NewHash(sha)
		if t, err := repo.TagObject(h); err == nil { // annotated tag: exclude its commit
			if c, err := t.Commit(); err == nil {
				h = c.Hash
			}
		}
		if seen[h.String()] {
			continue
		}
		seen[h.String()] = true
		if _, err := repo.CommitObject(h); err == nil {
			out = append(out, h.String())
		}
	}
	sort.Strings(out)
	return out
}

// headChecker answers whether a key ID is still in a file at the head of
// the default branch of the mirror at dir. It memoises per path.
// newHeadChecker returns nil when the head cannot be read: then nothing is
// re-checked (unknown is not "removed").
type headChecker struct {
	det   *scanner.Detector
	tree  *object.Tree
	cache map[string]map[string]bool // path → key IDs found there
}

func newHeadChecker(dir string, det *scanner.Detector) *headChecker {
	repo, err := git.PlainOpen(dir)
	if err != nil {
		return nil
	}
	ref, err := repo.Head()
	if err != nil {
		return nil
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil
	}
	tree, err := c.Tree()
	if err != nil {
		return nil
	}
	return &headChecker{det: det, tree: tree, cache: map[string]map[string]bool{}}
}

// still reports whether keyID is found in loc.Path at HEAD (decoded views
// and archives included, through the detector).
func (hc *headChecker) still(keyID string, loc scanner.Location) bool {
	ids, ok := hc.cache[loc.Path]
	if !ok {
		ids = map[string]bool{}
		if f, err := hc.tree.File(loc.Path); err == nil {
			if data, err := f.Contents(); err == nil {
				ms, _ := hc.det.ScanBlob(loc.Path, []byte(data))
				for _, m := range ms {
					ids[m.KeyID] = true
				}
			}
		}
		hc.cache[loc.Path] = ids
	}
	return ids[keyID]
}
