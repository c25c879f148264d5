package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/staged"
)

const notChecked = "this commit was NOT checked for AWS keys; fix the problem and retry, or skip the check once with git commit --no-verify"

// runStaged is `keysweep scan --staged`: it scans the index blobs that
// differ from HEAD, blocks (exit 3) only on keys the commit adds, warns
// about keys already in HEAD, and explains on stderr what to do. A report
// goes to stdout only when asked for with --format json|sarif|csv or -o.
// Anything that keeps it from checking everything exits 1, loudly.
func runStaged(ctx context.Context, opts *ScanOptions) error {
	start := time.Now()
	det := scanner.New(scanner.Options{IncludeExamples: opts.IncludeExamples})
	col := scanner.NewCollector(nil)
	err := staged.Staged(ctx, det, col, staged.Options{Dir: opts.Path, Workers: opts.Workers})
	res := col.Result()
	res.Target, _ = filepath.Abs(opts.Path)
	res.Stats.Duration = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return &ExitError{Code: ExitInterrupted, Err: context.Canceled}
		}
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("INTERNAL ERROR: scan staged changes: %w", err), Hint: notChecked}
	}
	if err := applyPolicy(opts, &res); err != nil {
		return err
	}
	v := hooks.Judge(&res)
	hooks.WriteVerdict(opts.IO.Err, v, hooks.ActionCommit)
	if opts.Output != "" || opts.Format != "text" {
		if err := writeReport(opts, &res); err != nil {
			return err
		}
	}
	switch {
	case len(v.Blocked) > 0:
		return errFound
	case len(v.Errors) > 0:
		return &ExitError{Code: ExitFailure, Err: errors.New("INTERNAL ERROR: some staged content could not be read (listed above)"), Hint: notChecked}
	}
	return nil
}
