package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/github"
	"github.com/keysweep/keysweep/store"
)

// runSweep sweeps, then reports every finding of the swept repositories
// from the state file (with its status), also after Ctrl-C.
func runSweep(ctx context.Context, opts *SweepOptions) error {
	g, err := sweepConfig(opts)
	if err != nil {
		return err
	}
	streams := opts.Scan.IO
	st, err := openState(streams, opts.State, true)
	if err != nil {
		return err
	}
	defer st.Close()
	sw, resumed, err := st.BeginSweep(sweepKey(g), time.Now())
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if resumed {
		fmt.Fprintf(streams.Err, "keysweep: resuming the sweep started %s\n", sw.Started.Local().Format(time.DateTime))
	}
	g.SweepID = sw.ID
	g.Progress = &github.Progress{}
	g.OnWait = func(d time.Duration, why string) {
		if !opts.Scan.NoProgress {
			clear := ""
			if streams.ErrIsTTY {
				clear = "\r\033[K"
			}
			fmt.Fprintf(streams.Err, "%skeysweep: GitHub %s: waiting %s\n", clear, why, d.Round(time.Second))
		}
	}
	p := g.Progress
	prog := startProgress(streams, "repositories", opts.Scan.NoProgress, func() (int64, int64, int64) {
		return p.Done.Load(), p.Total.Load(), p.Bytes.Load()
	})
	det := scanner.New(scanner.Options{IncludeExamples: opts.Scan.IncludeExamples})
	sum, sweepErr := github.Sweep(ctx, g, det, stateAdapter{st})
	prog.Stop()

	units := make(map[string]bool, len(sum.Units))
	for _, u := range sum.Units {
		units[u] = true
	}
	res, err := st.Result(store.ResultOptions{Sweep: sw.ID, Repo: func(n string) bool { return units[n] }})
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	res.Target = "github:" + strings.Join(append(append([]string(nil), g.Orgs...), g.Users...), ",")
	if g.Shard.N > 1 {
		res.Target += " shard " + g.Shard.String()
	}
	res.Errors = append(sum.Errors, res.Errors...)
	if !opts.Scan.Policy.NoAllowlist {
		n, errs := github.ApplyRepoAllowlists(&res, sum.Mirrors)
		res.Errors = append(res.Errors, errs...)
		if n > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("%d finding(s) not reported: allowed by their repository's .keysweep.toml", n))
		}
	}
	res.Stats = sum.Stats
	res.Interrupted = ctx.Err() != nil
	if !res.Interrupted && sweepErr == nil {
		if err := st.FinishSweep(sw.ID, time.Now()); err != nil {
			return &ExitError{Code: ExitFailure, Err: err}
		}
	}
	fmt.Fprintf(streams.Err, "keysweep: swept %d of %d (%d unchanged or already done, %d failed), %d findings\n",
		p.Done.Load(), len(sum.Units), p.Skipped.Load(), p.Failed.Load(), len(res.Findings))
	return finishSweep(ctx, opts, st, &res, sweepErr)
}

// finishSweep applies the policy, verifies (and records the verdicts in the
// store), writes the report and returns the error that sets the exit code:
// 130 interrupted, 1 when the sweep failed or units failed and nothing was
// found, 3 when keys were found.
func finishSweep(ctx context.Context, opts *SweepOptions, st *store.Store, res *scanner.Result, sweepErr error) error {
	if err := applyPolicy(&opts.Scan, res); err != nil {
		return err
	}
	if opts.Scan.Verify.Enabled && !res.Interrupted && len(res.Findings) > 0 {
		if err := verifyResult(ctx, opts.Scan.IO, &opts.Scan.Verify, res); err != nil {
			fmt.Fprintf(opts.Scan.IO.Err, "keysweep: verify: %v\n", err)
		}
		if err := st.RecordVerdicts(res.Findings); err != nil {
			fmt.Fprintf(opts.Scan.IO.Err, "keysweep: %v\n", err)
		}
	}
	if err := writeReport(&opts.Scan, res); err != nil {
		return err
	}
	switch {
	case res.Interrupted:
		return &ExitError{Code: ExitInterrupted, Err: context.Canceled}
	case countReal(res.Findings) > 0:
		return errFound
	case sweepErr != nil:
		return &ExitError{Code: ExitFailure, Err: sweepErr}
	case len(res.Errors) > 0:
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("sweep: %d unit(s) failed", len(res.Errors)),
			Hint: "the report lists each failure; the other repositories were swept"}
	}
	return nil
}

// stateAdapter keeps a sweep's per-repository state in the store.
type stateAdapter struct{ st *store.Store }

func (a stateAdapter) Load(name string) (github.UnitState, bool, error) {
	r, ok, err := a.st.Repo(name)
	if err != nil || !ok {
		return github.UnitState{}, ok, err
	}
	return github.UnitState{Tips: r.Tips, PushedAt: r.PushedAt, SweptAt: r.SweptAt, SweepID: r.SweepID,
		Err: r.Err, Since: r.Comments}, true, nil
}

func (a stateAdapter) Commit(u github.Unit) error {
	r := store.Repo{Name: u.Name, URL: u.URL, DefaultBranch: u.DefaultBranch, Tips: u.State.Tips,
		PushedAt: u.State.PushedAt, SweepID: u.State.SweepID, SweptAt: u.State.SweptAt, Err: u.State.Err,
		Comments: u.State.Since, Bytes: u.Bytes}
	return a.st.CommitRepo(r, u.Findings, u.StillInHead, time.Now())
}
