package cli

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/history"
	"github.com/spf13/pflag"
)

// gitFlags are the history-scan flags of `keysweep scan`.
type gitFlags struct {
	AllObjects bool
	Since      string
	Range      string
	Branch     string
	Reader     string
}

func addGitFlags(fs *pflag.FlagSet, g *gitFlags) {
	fs.BoolVar(&g.AllObjects, "all-objects", false, "also scan unreachable objects (dangling after a rebase or force-push)")
	fs.StringVar(&g.Since, "since", "", "scan only objects not reachable from `REV`")
	fs.StringVar(&g.Range, "range", "", "scan only objects new in `A..B`")
	fs.StringVar(&g.Branch, "branch", "", "scan only branch `NAME` instead of every ref")
	fs.StringVar(&g.Reader, "git-reader", "", "blob reader: git (cat-file processes), pack (packed blobs rebuilt in Go) or go-git (default: pack or git, chosen from the pack, when git is installed)")
	fs.MarkHidden("git-reader")
}

// isGitRepo reports whether path is a git repository (bare, worktree or work tree).
func isGitRepo(path string) bool { return history.IsRepo(path) }

// scanHistory scans every object of the repository at opts.Path into col.
// Objects that could not be read are listed in the report and returned as
// an error (exit 1 unless keys were found: see finishScan); an interrupted
// scan returns nil (finishScan reports it).
func scanHistory(ctx context.Context, opts *ScanOptions, det *scanner.Detector, col *scanner.Collector) error {
	if opts.Git.Range != "" && (opts.Git.Since != "" || opts.Git.Branch != "") {
		return usageError("--range cannot be combined with --since or --branch")
	}
	var prog history.Progress
	p := startProgress(opts.IO, "objects", opts.NoProgress, func() (int64, int64, int64) {
		return prog.Done.Load(), prog.Total.Load(), prog.Bytes.Load()
	})
	sum, err := history.Scan(ctx, history.Options{
		Path:       opts.Path,
		AllObjects: opts.Git.AllObjects,
		Since:      opts.Git.Since,
		Range:      opts.Git.Range,
		Branch:     opts.Git.Branch,
		Workers:    opts.Workers,
		Reader:     opts.Git.Reader,
		SkipPath:   globMatcher(opts.Excludes),
		Progress:   &prog,
	}, det, col)
	p.Stop()
	switch {
	case ctx.Err() != nil:
		return nil
	case err != nil:
		return &ExitError{Code: ExitFailure, Err: err}
	case sum.Errors > 0:
		return &ExitError{Code: ExitFailure,
			Err:  errors.New("scan history: " + plural(sum.Errors, "object or ref", "objects or refs") + " could not be read"),
			Hint: "the report's errors list them; keys found elsewhere are reported"}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// globMatcher returns a predicate that matches a slash-separated path
// against globs, by the whole path or by its base name; nil for no globs.
func globMatcher(globs []string) func(string) bool {
	if len(globs) == 0 {
		return nil
	}
	return func(p string) bool {
		for _, g := range globs {
			if ok, _ := path.Match(g, p); ok {
				return true
			}
			if ok, _ := path.Match(g, path.Base(p)); ok {
				return true
			}
		}
		return false
	}
}
