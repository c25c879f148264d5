package cli

import (
	"context"
	"errors"
	"path"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/dir"
)

// scanDir walks the directory opts.Path and scans every file into col,
// with opts.Workers files at a time and a progress line on stderr unless
// opts.NoProgress. A bad --exclude glob is a usage error; a cancelled ctx
// returns ctx.Err() with col holding what was found so far.
func scanDir(ctx context.Context, opts *ScanOptions, det *scanner.Detector, col *scanner.Collector) error {
	for _, g := range opts.Excludes {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			return usageError("bad --exclude %q: want a glob such as 'vendor/**' or '*.min.js'", g)
		}
	}
	p := startProgress(opts.IO, "scanning files", opts.NoProgress, func() (done, total, bytes int64) {
		f, b := col.Progress()
		return f, -1, b
	})
	err := dir.Scan(ctx, det, col, dir.Options{Root: opts.Path, Excludes: opts.Excludes, Workers: opts.Workers})
	p.Stop()
	if err != nil && errors.Is(err, ctx.Err()) {
		return nil // finishScan reports the interruption (exit 130) after writing what was found
	}
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	return nil
}
