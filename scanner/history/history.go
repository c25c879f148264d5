// Package history scans the whole history of a git repository for AWS
// credentials: every blob reachable from every ref (branches, tags, remotes,
// stash, notes, pull refs), commit messages and annotated tag messages, and
// with Options.AllObjects the unreachable objects still in the object store.
//
// The scan reads each unique blob once, in pack order, in parallel, and only
// then attributes the blobs that matched to the commits and paths that
// introduced them, by one walk of the commit graph that visits each tree
// once. It never diffs commit by commit, so content that only a merge
// commit's resolution introduced is found and attributed to the merge.
//
// Blob bytes are rebuilt in Go from the pack files or read through `git
// cat-file --batch` processes when a git binary is available (chosen per
// scan from the pack listing; see bench/history/README.md for why), and
// through go-git's pack reader otherwise.
package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/go-git/go-git/v5"
	"github.com/keysweep/keysweep/scanner"
)

// Reader names for Options.Reader.
const (
	// ReaderAuto, with a git binary, takes ReaderPack when the delta bases
	// its lanes must keep at once (estimated from the pack listing) fit
	// their cache, else ReaderGit; without one, ReaderGoGit.
	ReaderAuto  = ""
	ReaderGit   = "git"    // git cat-file --batch processes
	ReaderGoGit = "go-git" // go-git's pack reader, no external process
	// ReaderPack rebuilds packed blobs in Go straight from the pack files
	// and reads the rest through git cat-file (a git binary is required).
	// Faster where deltas sit near their bases (the synthetic benchmark),
	// slower where bases must be kept long (git/git); see
	// bench/history/README.md.
	ReaderPack = "pack"
)

// Options say what to scan. The zero value (plus Path) scans every object
// reachable from every ref.
type Options struct {
	Path       string   // repository: work tree, .git dir, bare repo or linked worktree
	Repo       string   // label copied to Location.Repo ("" for a single target)
	AllObjects bool     // also scan objects no ref reaches (dangling after rebase/force-push)
	Since      string   // revision: scan only objects not reachable from it
	Range      string   // "A..B": objects reachable from B and not from A
	Branch     string   // scan only this branch (or any revision) instead of every ref
	Exclude    []string // commit SHAs: skip every object reachable from them
	Workers    int      // parallel scanners (and readers); <= 0 means the number of CPUs

	// Reader picks the blob reader: ReaderAuto, ReaderGit, ReaderGoGit or ReaderPack.
	Reader string
	// MaxBlobBytes is the largest blob held in memory whole (default 32 MiB);
	// larger blobs are streamed and scanned in overlapping windows.
	MaxBlobBytes int64
	// MemoryBytes bounds the blob bytes in flight between readers and
	// scanners (default 64 MiB), and go-git's delta-base caches.
	MemoryBytes int64
	// SkipPath, when not nil, drops the locations of blobs at paths it
	// returns true for (the blobs are still read, for their other paths).
	SkipPath func(path string) bool
	// Progress, when not nil, is updated while the scan runs; the caller
	// may read it from any goroutine.
	Progress *Progress
}

// Progress counts the blobs of a running scan. Total is set once the set of
// blobs to read is known (0 before). All fields are safe to read concurrently.
type Progress struct {
	Done, Total, Bytes, TotalBytes atomic.Int64
}

// Summary describes what a scan covered.
type Summary struct {
	Tips        map[string]string // ref name (or revision) → object SHA scanned from it
	Commits     int               // commits walked
	Trees       int               // unique trees read
	Blobs       int               // unique blobs scanned
	BlobBytes   int64             // bytes of those blobs
	Unreachable int               // blobs with matches that no ref reaches (AllObjects)
	Messages    int               // commit and tag messages scanned
	Matched     int               // blobs with at least one match
	Errors      int               // unit errors recorded in the collector
	Shallow     bool              // the repository is a shallow clone
	Reader      string            // blob reader used: "git", "go-git" or "pack" (ReaderAuto's choice)
}

// ErrNotRepo is returned (wrapped) by Scan when Options.Path is not a git repository.
var ErrNotRepo = errors.New("not a git repository")

// IsRepo reports whether path is a git repository: a work tree (or a
// directory below one), a .git directory, a bare repository or a linked worktree.
func IsRepo(path string) bool {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return false
	}
	_, err := openRepo(path)
	return err == nil
}

func openRepo(path string) (*git.Repository, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	// A bare repository is opened as is; DetectDotGit (which looks for a
	// .git in path and its parents) is only the fallback for a directory
	// below a work tree's top.
	r, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		r, err = git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("open repository %s: %w", path, ErrNotRepo)
		}
		return nil, fmt.Errorf("open repository %s: %w", path, err)
	}
	return r, nil
}

// Scan scans the repository at opts.Path into col and returns what it
// covered. Problems confined to one object or ref (a corrupt or missing
// object, a bad ref) are recorded with col.AddError and the scan goes on;
// Scan returns an error only when nothing could be scanned (not a
// repository, a revision that does not resolve) or when ctx is cancelled,
// in which case col holds everything found up to then and the error wraps
// ctx.Err(). Scan is safe to call concurrently on different collectors.
func Scan(ctx context.Context, opts Options, det *scanner.Detector, col *scanner.Collector) (Summary, error) {
	s, err := newScan(ctx, opts, det, col)
	if err != nil {
		return Summary{}, err
	}
	defer s.close()
	return s.run(ctx)
}
