package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/cobra"
)

// ScanOptions are the flags of `keysweep scan`. Each concern registers its
// own flags (git history, hooks policy, verification) into its own struct.
type ScanOptions struct {
	IO              *IO
	Path            string
	NoGit           bool
	Format          string // text, json, sarif, csv
	Output          string
	ShowSecrets     bool
	IncludeExamples bool
	Excludes        []string
	Workers         int
	NoProgress      bool
	Staged          bool

	Git    gitFlags    // scan_git.go
	Policy policyFlags // policy.go
	Verify verifyFlags // verify.go
}

func newScanCmd(streams *IO) *cobra.Command {
	opts := &ScanOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "scan [PATH]",
		Short: "Scan a git repository's whole history, or a directory, for AWS keys",
		Long: `Scan PATH (default: the current directory) for AWS access keys and their secrets.

When PATH is a git repository, every object of its history is scanned (all refs,
tags, stash, deleted files); --no-git scans the files on disk instead. --staged
scans what is staged for the next commit (what the pre-commit hook runs).`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			return runScan(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.NoGit, "no-git", false, "scan files on disk, not git history")
	f.StringVarP(&opts.Format, "format", "f", "text", "output format: text, json, sarif, csv")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE` (mode 0600) instead of stdout")
	f.BoolVar(&opts.ShowSecrets, "show-secrets", false, "print secrets in full (default: redacted)")
	f.BoolVar(&opts.IncludeExamples, "include-examples", false, "also report AWS's documented example keys")
	f.StringArrayVar(&opts.Excludes, "exclude", nil, "skip paths matching `GLOB` (repeatable)")
	f.IntVar(&opts.Workers, "workers", 0, "parallel scanning workers (default: number of CPUs)")
	f.BoolVar(&opts.NoProgress, "no-progress", false, "no progress on stderr")
	f.BoolVar(&opts.Staged, "staged", false, "scan only what is staged for commit (pre-commit hook)")
	addGitFlags(f, &opts.Git)
	addPolicyFlags(f, &opts.Policy)
	addVerifyFlags(f, &opts.Verify)
	return cmd
}

func runScan(ctx context.Context, opts *ScanOptions) error {
	if err := checkFormat(opts.Format); err != nil {
		return err
	}
	if opts.Staged {
		return runStaged(ctx, opts)
	}
	if _, err := os.Stat(opts.Path); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("scan %s: %w", opts.Path, err)}
	}
	res, err := collect(ctx, opts, scanner.NewCollector(nil))
	return finishScan(ctx, opts, &res, err)
}

// collect scans opts.Path into col, choosing the source as the scan command
// does: its git history when it is a repository (unless --no-git), else
// its files. The result carries the absolute target, the duration and
// whether ctx was cancelled; the error is the scan's.
func collect(ctx context.Context, opts *ScanOptions, col *scanner.Collector) (scanner.Result, error) {
	start := time.Now()
	det := scanner.New(scanner.Options{IncludeExamples: opts.IncludeExamples})
	var err error
	if !opts.NoGit && isGitRepo(opts.Path) {
		err = scanHistory(ctx, opts, det, col)
	} else {
		err = scanDir(ctx, opts, det, col)
	}
	res := col.Result()
	res.Target, _ = filepath.Abs(opts.Path)
	res.Stats.Duration = time.Since(start)
	res.Interrupted = ctx.Err() != nil
	return res, err
}

// finishScan applies the allowlist and baseline, verifies when asked, writes
// the report (also after an error or Ctrl-C: nothing found is lost) and
// returns the error that sets the exit code. Precedence: interrupted (130),
// then keys found (3) — a scan that found keys says so even when some units
// could not be read, printing that error on stderr — then the scan's error
// (1), else clean (0): a scan never exits 0 when it could not look everywhere.
func finishScan(ctx context.Context, opts *ScanOptions, res *scanner.Result, scanErr error) error {
	if err := applyPolicy(opts, res); err != nil {
		return err
	}
	if opts.Verify.Enabled && !res.Interrupted {
		if err := verifyResult(ctx, opts.IO, &opts.Verify, res); err != nil {
			fmt.Fprintf(opts.IO.Err, "keysweep: verify: %v\n", err)
		}
	}
	if err := writeReport(opts, res); err != nil {
		return err
	}
	switch {
	case res.Interrupted:
		return &ExitError{Code: ExitInterrupted, Err: context.Canceled}
	case countReal(res.Findings) > 0:
		if scanErr != nil {
			fmt.Fprintf(opts.IO.Err, "keysweep: %v\n", scanErr)
		}
		return errFound
	case scanErr != nil:
		return scanErr
	}
	return nil
}

// countReal counts findings that are not AWS documentation examples.
func countReal(fs []scanner.Finding) int {
	n := 0
	for _, f := range fs {
		if !f.Example {
			n++
		}
	}
	return n
}
