package cli

// OWNER: detector/directory. Replace this file with scan_dir.go.

import (
	"context"
	"errors"

	"github.com/keysweep/keysweep/scanner"
)

// scanDir walks the directory opts.Path and scans every file into col.
func scanDir(ctx context.Context, opts *ScanOptions, det *scanner.Detector, col *scanner.Collector) error {
	return errors.New("directory scan: not implemented")
}
