package cli

import (
	"context"
	"path"
	"slices"

	"github.com/spf13/cobra"

	"github.com/keysweep/keysweep/scanner"
)

// FindingsOptions are the flags of `keysweep findings`.
type FindingsOptions struct {
	Report ScanOptions // Format, Output, ShowSecrets
	State  string
	Status []string // keep only these statuses
	Repos  []string // keep only findings with a location in a repository matching one of these globs
}

func newFindingsCmd(streams *IO) *cobra.Command {
	opts := &FindingsOptions{Report: ScanOptions{IO: streams}}
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List findings from the sweep store",
		Long: `List the findings kept in the sweep state file, with their status relative to
the last sweep: new, known or removed (no longer at the head of the default branch),
and their last verdict. This is everything the sweeps found: allowlists are applied
by 'keysweep sweep' when it writes its report, not here.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error { return runFindings(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.State, "state", "", "state `FILE` (default: $XDG_STATE_HOME/keysweep/state.db)")
	f.StringArrayVar(&opts.Status, "status", nil, "show only findings with this status: new, known, removed (repeatable)")
	f.StringArrayVar(&opts.Repos, "repo", nil, "show only findings in repositories matching `GLOB` (repeatable)")
	f.StringVarP(&opts.Report.Format, "format", "f", "text", "output format: text, json, sarif, csv")
	f.StringVarP(&opts.Report.Output, "output", "o", "", "write the report to `FILE` (mode 0600) instead of stdout")
	f.BoolVar(&opts.Report.ShowSecrets, "show-secrets", false, "print secrets in full (default: redacted)")
	return cmd
}

func runFindings(ctx context.Context, opts *FindingsOptions) error {
	if err := checkFormat(opts.Report.Format); err != nil {
		return err
	}
	for _, s := range opts.Status {
		if s != "new" && s != "known" && s != "removed" {
			return usageError("findings: bad --status %q (want new, known or removed)", s)
		}
	}
	for _, g := range opts.Repos {
		if _, err := path.Match(g, ""); err != nil {
			return usageError("findings: bad --repo glob %q", g)
		}
	}
	st, err := openState(opts.Report.IO, opts.State, false)
	if err != nil {
		return err
	}
	res, err := st.Findings()
	st.Close()
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	res.Findings = filterFindings(res.Findings, opts.Status, opts.Repos)
	return writeReport(&opts.Report, &res)
}

func filterFindings(fs []scanner.Finding, statuses, repos []string) []scanner.Finding {
	out := fs[:0]
	for _, f := range fs {
		if len(statuses) > 0 && !slices.Contains(statuses, f.Status) {
			continue
		}
		if len(repos) > 0 && !anyRepo(f.Locations, repos) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func anyRepo(ls []scanner.Location, globs []string) bool {
	for _, l := range ls {
		for _, g := range globs {
			if ok, _ := path.Match(g, l.Repo); ok {
				return true
			}
		}
	}
	return false
}
