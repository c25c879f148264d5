package report

import (
	"fmt"
	"io"

	"github.com/keysweep/keysweep/scanner"
)

// Write writes res to w in opts.Format.
func Write(w io.Writer, res scanner.Result, opts Options) error {
	switch opts.Format {
	case "json":
		return WriteJSON(w, res, opts)
	case "text", "":
		return WriteText(w, res, opts)
	case "sarif":
		return WriteSARIF(w, res, opts)
	case "csv":
		return WriteCSV(w, res, opts)
	}
	return fmt.Errorf("unknown format %q (want text, json, sarif or csv)", opts.Format)
}
