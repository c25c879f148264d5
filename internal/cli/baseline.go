package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/cobra"
)

func newBaselineCmd(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Record today's findings so only new ones are reported",
		Long: `Record the findings a repository has today, so that an old repository can adopt
the hooks without fixing its history first. Scans and hooks given the baseline
(--baseline FILE, or baseline = "FILE" in .keysweep.toml) report only new keys.`,
	}
	cmd.AddCommand(newBaselineCreateCmd(streams))
	return cmd
}

func newBaselineCreateCmd(streams *IO) *cobra.Command {
	opts := &ScanOptions{IO: streams, Format: "json"}
	var out string
	cmd := &cobra.Command{
		Use:   "create [PATH]",
		Short: "Scan PATH (git history, or files with --no-git) and record every finding's fingerprint",
		Args:  argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			if out == "" {
				out = filepath.Join(hooks.FindRoot(opts.Path), ".keysweep-baseline.json")
			}
			return runBaselineCreate(cmd, opts, out)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "baseline `FILE` (default: .keysweep-baseline.json at the repository root)")
	f.BoolVar(&opts.NoGit, "no-git", false, "scan files on disk, not git history")
	f.StringArrayVar(&opts.Excludes, "exclude", nil, "skip paths matching `GLOB` (repeatable)")
	f.IntVar(&opts.Workers, "workers", 0, "parallel scanning workers (default: number of CPUs)")
	f.BoolVar(&opts.NoProgress, "no-progress", false, "no progress on stderr")
	addGitFlags(f, &opts.Git)
	return cmd
}

func runBaselineCreate(cmd *cobra.Command, opts *ScanOptions, out string) error {
	ctx := cmd.Context()
	if _, err := os.Stat(opts.Path); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("baseline %s: %w", opts.Path, err)}
	}
	res, err := collect(ctx, opts, scanner.NewCollector(nil))
	if ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("baseline not written: %w", ctx.Err())}
	}
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("baseline not written: %w", err)}
	}
	if len(res.Errors) > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("baseline not written: %d unit(s) could not be scanned (first: %s: %s)",
			len(res.Errors), res.Errors[0].Unit, res.Errors[0].Err)}
	}
	b := hooks.NewBaseline(&res, time.Now())
	if err := hooks.WriteBaseline(out, b); err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	fmt.Fprintf(opts.IO.Err, "keysweep: recorded %d finding(s) in %s\n", len(b.Findings), out)
	fmt.Fprintf(opts.IO.Err, "hint: commit it and add  baseline = %q  to %s (or pass --baseline %s)\n",
		filepath.Base(out), hooks.ConfigFile, out)
	return nil
}
