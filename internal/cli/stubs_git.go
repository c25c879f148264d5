package cli

// OWNER: git history. Replace this file with scan_git.go.

import (
	"context"
	"errors"

	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/pflag"
)

// gitFlags are the history-scan flags of `keysweep scan`.
type gitFlags struct{}

func addGitFlags(fs *pflag.FlagSet, g *gitFlags) {}

// isGitRepo reports whether path is a git repository (bare, worktree or work tree).
func isGitRepo(path string) bool { return false }

// scanHistory scans every object of the repository at opts.Path into col.
func scanHistory(ctx context.Context, opts *ScanOptions, det *scanner.Detector, col *scanner.Collector) error {
	return errors.New("git history scan: not implemented")
}
