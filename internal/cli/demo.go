package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/keysweep/keysweep/internal/buildinfo"
	"github.com/keysweep/keysweep/internal/demo"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/tui"
	"github.com/keysweep/keysweep/verify"
	"github.com/spf13/cobra"
)

// DemoOptions are the flags of `keysweep demo`.
type DemoOptions struct {
	IO    *IO
	NoTUI bool
	Keep  string
}

func newDemoCmd(streams *IO) *cobra.Command {
	opts := &DemoOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "See the whole flow on a throwaway repo and a local AWS",
		Long: `Create a throwaway git repository with generated keys planted in its history
(one deleted later, one on a branch), start a local AWS on 127.0.0.1 in which one
key is live and was used by an "attacker", and open triage on it.

Nothing touches your AWS configuration or any real account: the keys are random,
and every AWS client of the demo talks to the local endpoint only.
--no-tui prints the scan and verification summary instead.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.NoTUI, "no-tui", false, "print the scan and verification summary instead of opening triage")
	cmd.Flags().StringVar(&opts.Keep, "keep", "", "create the demo repository in `DIR` and keep it")
	return cmd
}

func runDemo(ctx context.Context, opts *DemoOptions) error {
	if !opts.NoTUI && (!opts.IO.InIsTTY || !opts.IO.OutIsTTY) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("demo needs a terminal"), Hint: "use 'keysweep demo --no-tui'"}
	}
	env, err := demo.Start(ctx, demo.Options{Dir: opts.Keep})
	if err != nil {
		return fmt.Errorf("start demo: %w", err)
	}
	defer env.Close()
	work, err := os.MkdirTemp("", "keysweep-demo-work-")
	if err != nil {
		return fmt.Errorf("start demo: %w", err)
	}
	defer os.RemoveAll(work)
	fmt.Fprintf(opts.IO.Err, "demo repository: %s\nlocal AWS:       %s (account %s)\n", env.Repo, env.Fake.URL, demo.Account)

	// The local AWS never gives STS's false signature mismatches: a short
	// pause before the one retry keeps the demo quick.
	vc := verify.Config{Endpoint: env.Fake.URL, RetryPause: 100 * time.Millisecond}
	v, err := verify.New(vc)
	if err != nil {
		return fmt.Errorf("start demo: %w", err)
	}
	defer v.Close()
	so := ScanOptions{IO: opts.IO, Format: "text", NoProgress: true, Path: env.Repo}
	if opts.NoTUI {
		return demoSummary(ctx, opts.IO, &so, v)
	}
	aws := env.AWSConfig()
	to := &TriageOptions{Scan: so, Arg: env.Repo, JournalDir: filepath.Join(work, "incidents")}
	resp := newTriageResponder(to, &aws)
	resp.regions = demo.Regions()
	cfg := tui.Config{
		Target:     env.Repo,
		Scan:       triageScan(&so, env.Repo),
		Verifier:   v,
		Reverifier: freshVerifier{cfg: vc},
		AutoVerify: true,
		Responder:  resp,
		Allower:    allowlist{root: env.Repo},
		Snippets:   &snippets{root: env.Repo, git: true},
		ExportDir:  ".",
	}
	return runApp(ctx, opts.IO, cfg)
}

// demoSummary scans and verifies the demo repository and prints the text
// report: what triage would open on.
func demoSummary(ctx context.Context, streams *IO, so *ScanOptions, v *verify.Verifier) error {
	res, err := triageScan(so, so.Path).Run(ctx)
	if err != nil {
		return err
	}
	if err := v.VerifyAll(ctx, res.Findings, nil); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	scanner.SortFindings(res.Findings)
	live := 0
	for _, f := range res.Findings {
		if f.Verification.Verdict == scanner.Live {
			live++
		}
	}
	fmt.Fprintf(streams.Out, "keysweep demo: %d keys in %s's history, %d live\n\n", len(res.Findings), filepath.Base(so.Path), live)
	return report.Write(streams.Out, res, report.Options{Format: "text", TTY: streams.OutIsTTY,
		Color: streams.Color(), ToolVersion: buildinfo.Get().Version})
}
