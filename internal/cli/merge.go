package cli

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
)

func newMergeCmd(streams *IO) *cobra.Command {
	opts := &ScanOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "merge REPORT.json...",
		Short: "Merge shard reports into one (dedup by fingerprint)",
		Long: `Merge JSON reports (the shards of a sweep, or several scans) into one report:
findings with the same fingerprint become one, their locations merged; errors and
notes are kept; statistics are summed. Secrets are carried only if every input
that had the finding carried them (reports written with --show-secrets), and
written only with --show-secrets.`,
		Args: argsUsage(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error { return runMerge(cmd.Context(), opts, args) },
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Format, "format", "f", "json", "output format: text, json, sarif, csv")
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE` (mode 0600) instead of stdout")
	f.BoolVar(&opts.ShowSecrets, "show-secrets", false, "write secrets in full when the inputs carry them")
	return cmd
}

func runMerge(ctx context.Context, opts *ScanOptions, paths []string) error {
	if err := checkFormat(opts.Format); err != nil {
		return err
	}
	var all []scanner.Result
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("merge: %w", err)}
		}
		res, err := report.ReadJSON(f)
		f.Close()
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("merge %s: %w", p, err),
				Hint: "merge reads JSON reports (written with --format json)"}
		}
		all = append(all, res)
	}
	res := mergeResults(all)
	return writeReport(opts, &res)
}

// mergeResults combines results: one finding per fingerprint with the union
// of locations (a location repeated across inputs kept once), the most
// informative verification (live first, then the latest), errors and notes
// concatenated (notes deduplicated), stats summed, targets joined.
func mergeResults(rs []scanner.Result) scanner.Result {
	var out scanner.Result
	byFP := map[string]int{}
	var targets []string
	seenNote := map[string]bool{}
	for _, r := range rs {
		if r.Target != "" && !slices.Contains(targets, r.Target) {
			targets = append(targets, r.Target)
		}
		out.Errors = append(out.Errors, r.Errors...)
		for _, n := range r.Notes {
			if !seenNote[n] {
				seenNote[n] = true
				out.Notes = append(out.Notes, n)
			}
		}
		out.Stats.Files += r.Stats.Files
		out.Stats.Bytes += r.Stats.Bytes
		out.Stats.Duration = max(out.Stats.Duration, r.Stats.Duration)
		out.Interrupted = out.Interrupted || r.Interrupted
		for _, f := range r.Findings {
			i, ok := byFP[f.Fingerprint]
			if !ok {
				byFP[f.Fingerprint] = len(out.Findings)
				f.Locations = append([]scanner.Location(nil), f.Locations...)
				out.Findings = append(out.Findings, f)
				continue
			}
			mergeInto(&out.Findings[i], f)
		}
	}
	for i := range out.Findings {
		scanner.SortLocations(out.Findings[i].Locations)
	}
	scanner.SortFindings(out.Findings)
	out.Target = strings.Join(targets, " + ")
	return out
}

func mergeInto(dst *scanner.Finding, f scanner.Finding) {
	for _, l := range f.Locations {
		dup := false
		for _, d := range dst.Locations {
			if d.Repo == l.Repo && d.Path == l.Path && d.Line == l.Line && d.Column == l.Column &&
				d.Commit == l.Commit && d.Member == l.Member && d.Encoding == l.Encoding && d.Kind == l.Kind {
				dup = true
				break
			}
		}
		if !dup {
			dst.Locations = append(dst.Locations, l)
		}
	}
	if dst.Secret == "" {
		dst.Secret = f.Secret
	}
	if dst.SessionToken == "" {
		dst.SessionToken = f.SessionToken
	}
	dv, fv := dst.Verification, f.Verification
	if fv.Verdict == scanner.Live && dv.Verdict != scanner.Live ||
		(fv.Verdict == scanner.Live) == (dv.Verdict == scanner.Live) && fv.VerifiedAt.After(dv.VerifiedAt) {
		dst.Verification = fv
	}
	// Shards disagree (new in one, known or removed in another): some
	// sweep saw the key before, and it is not gone everywhere: known.
	if dst.Status != f.Status {
		dst.Status = "known"
	}
}
