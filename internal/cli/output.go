package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/keysweep/keysweep/internal/buildinfo"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
)

func checkFormat(format string) error {
	if !slices.Contains(report.Formats, format) {
		return usageError("unknown --format %q (want text, json, sarif or csv)", format)
	}
	return nil
}

// writeReport writes res to --output (0600) or stdout in --format.
func writeReport(opts *ScanOptions, res *scanner.Result) error {
	ro := report.Options{
		Format:      opts.Format,
		ShowSecrets: opts.ShowSecrets,
		ToolVersion: buildinfo.Get().Version,
	}
	var w io.Writer = opts.IO.Out
	if opts.Output == "" {
		ro.TTY = opts.IO.OutIsTTY
		ro.Color = opts.IO.Color()
	} else {
		f, err := createPrivate(opts.Output)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
		if err := report.Write(w, *res, ro); err != nil {
			return fmt.Errorf("write report %s: %w", opts.Output, err)
		}
		return f.Close()
	}
	return report.Write(w, *res, ro)
}

// createPrivate creates (or truncates) path with mode 0600, also tightening
// the mode of a file that already existed with looser permissions.
func createPrivate(path string) (*os.File, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("chmod %s: %w", path, err)
	}
	return f, nil
}
