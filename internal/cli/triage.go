package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/tui"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
)

// TriageOptions are the flags of `keysweep triage`.
type TriageOptions struct {
	Scan       ScanOptions // what to scan, policy, verification
	Arg        string      // PATH or REPORT.json
	JournalDir string      // where the response journals live
	Profile    string      // responder AWS profile
	Region     string      // responder AWS region
	Store      bool        // open the sweep store instead of scanning or reading a report
	State      string      // the sweep state file (--state), "" for the default
}

func newTriageCmd(streams *IO) *cobra.Command {
	opts := &TriageOptions{Scan: ScanOptions{IO: streams, Format: "json", NoProgress: true}}
	cmd := &cobra.Command{
		Use:   "triage [PATH | REPORT.json]",
		Short: "Triage findings in an interactive terminal app",
		Long: `Open the triage app over PATH (default: the current directory), scanned first
with a progress view (its git history when it is a repository, else its files),
or over a report written by 'keysweep scan --format json' or a sweep, or (--store)
over everything the GitHub sweeps have recorded in their state file.

Keys are verified with AWS STS in the background (--verify=false: never).
From a key's detail screen, each playbook step (verify, contain, investigate,
rotate, delete the old key, mark a false positive, export the incident report)
opens a confirm screen naming the account, user and key and what will change;
responses use your own AWS credentials (--profile, --region, the default chain).

Keys: ? shows every key binding; q or ctrl+c quits.`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Arg = "."
			if len(args) == 1 {
				opts.Arg = args[0]
			}
			return runTriage(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	s := &opts.Scan
	f.BoolVar(&s.NoGit, "no-git", false, "scan files on disk, not git history")
	f.BoolVar(&s.IncludeExamples, "include-examples", false, "also list AWS's documented example keys (hidden until 'h')")
	f.StringArrayVar(&s.Excludes, "exclude", nil, "skip paths matching `GLOB` (repeatable)")
	f.IntVar(&s.Workers, "workers", 0, "parallel scanning workers (default: number of CPUs)")
	f.StringVar(&opts.JournalDir, "journal-dir", "", "`DIR` of incident journals, shared with 'keysweep respond' (default: $XDG_STATE_HOME/keysweep/incidents)")
	f.StringVar(&opts.Profile, "profile", "", "responder AWS profile (default: the default credential chain)")
	f.StringVar(&opts.Region, "region", "", "responder AWS region")
	f.BoolVar(&opts.Store, "store", false, "open the findings of the sweep store (see 'keysweep findings')")
	f.StringVar(&opts.State, "state", "", "sweep state `FILE` for --store (default: $XDG_STATE_HOME/keysweep/state.db)")
	addGitFlags(f, &s.Git)
	addPolicyFlags(f, &s.Policy)
	addVerifyFlags(f, &s.Verify)
	if fl := f.Lookup("verify"); fl != nil {
		s.Verify.Enabled = true
		fl.DefValue = "true"
	}
	return cmd
}

// runTriage builds the app's configuration and runs it on the terminal.
func runTriage(ctx context.Context, opts *TriageOptions) error {
	if !opts.Scan.IO.InIsTTY || !opts.Scan.IO.OutIsTTY {
		return &ExitError{Code: ExitUsage, Err: errors.New("triage needs a terminal"),
			Hint: "use 'keysweep scan' for scripts and CI, or 'keysweep demo --no-tui'"}
	}
	cfg, cleanup, err := triageConfig(ctx, opts)
	if err != nil {
		return err
	}
	defer cleanup()
	return runApp(ctx, opts.Scan.IO, cfg)
}

// runApp runs the triage app on streams, honouring NO_COLOR.
func runApp(ctx context.Context, streams *IO, cfg tui.Config) error {
	cfg.Renderer = newRenderer(streams)
	err := tui.Run(ctx, cfg, tea.WithInput(streams.In), tea.WithOutput(streams.Out))
	if ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: context.Canceled}
	}
	if err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	return nil
}

// newRenderer returns a lipgloss renderer for streams.Out that reads the
// environment through streams (NO_COLOR turns every colour off).
func newRenderer(streams *IO) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(streams.Out, termenv.WithEnvironment(ioEnv{streams.Getenv}), termenv.WithTTY(streams.OutIsTTY))
	if streams.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}

// ioEnv adapts IO.Getenv to termenv.Environ.
type ioEnv struct{ get func(string) string }

func (e ioEnv) Getenv(k string) string { return e.get(k) }
func (e ioEnv) Environ() []string {
	var out []string
	for _, k := range []string{"TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"} {
		if v := e.get(k); v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// triageConfig prepares the app: a report to load or a scan to run, and
// the verifier, responder, allowlist and snippet readers. cleanup closes
// what it opened (the verifier's cache).
func triageConfig(ctx context.Context, opts *TriageOptions) (tui.Config, func(), error) {
	cfg := tui.Config{ExportDir: "."}
	cleanup := func() {}
	root := opts.Arg
	if opts.Store {
		res, err := storeResult(opts)
		if err != nil {
			return cfg, cleanup, err
		}
		cfg.Result = &res
		cfg.Target = res.Target
	} else if isReportFile(opts.Arg) {
		res, err := readReportFile(opts.Arg)
		if err != nil {
			return cfg, cleanup, err
		}
		cfg.Result = &res
		cfg.Target = res.Target
		root = res.Target
	} else {
		if _, err := os.Stat(opts.Arg); err != nil {
			return cfg, cleanup, &ExitError{Code: ExitFailure, Err: fmt.Errorf("triage %s: %w", opts.Arg, err)}
		}
		cfg.Target, _ = filepath.Abs(opts.Arg)
		cfg.Scan = triageScan(&opts.Scan, opts.Arg)
	}
	if opts.Scan.Verify.Enabled {
		v, fresh, closeV, err := newTriageVerifier(ctx, opts)
		if err != nil {
			return cfg, cleanup, err
		}
		cfg.Verifier, cfg.Reverifier, cfg.AutoVerify, cleanup = v, fresh, true, closeV
		cfg.VerifyConcurrency = opts.Scan.Verify.Concurrency
	}
	cfg.Responder = newTriageResponder(opts, nil)
	cfg.Allower = allowlist{root: root}
	cfg.Snippets = &snippets{root: root, git: !opts.Scan.NoGit && root != "" && isGitRepo(root)}
	return cfg, cleanup, nil
}

// storeResult loads the sweep store's findings, with the allowlist and
// baseline of the current directory applied as for any other command.
func storeResult(opts *TriageOptions) (scanner.Result, error) {
	st, err := openState(opts.Scan.IO, opts.State, false)
	if err != nil {
		return scanner.Result{}, err
	}
	res, err := st.Findings()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return scanner.Result{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("read sweep store: %w", err)}
	}
	if res.Target == "" {
		res.Target = "sweep store " + st.Path()
	}
	o := opts.Scan
	o.Path = opts.Arg
	if err := applyPolicy(&o, &res); err != nil {
		return scanner.Result{}, err
	}
	return res, nil
}

// isReportFile reports whether arg names a JSON report rather than a tree.
func isReportFile(arg string) bool {
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular() && strings.EqualFold(filepath.Ext(arg), ".json")
}

func readReportFile(path string) (scanner.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return scanner.Result{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("open report: %w", err)}
	}
	defer f.Close()
	res, err := report.ReadJSON(f)
	if err != nil {
		return scanner.Result{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: %w", path, err),
			Hint: "triage reads reports written by 'keysweep scan --format json' or a sweep"}
	}
	return res, nil
}

// triageScan is the scan the app runs first, with the scan command's own
// code: git history for a repository, else the directory; then the policy.
func triageScan(opts *ScanOptions, path string) *tui.Scan {
	var found atomic.Int64
	col := scanner.NewCollector(func(scanner.Finding) { found.Add(1) })
	o := *opts
	o.Path, o.NoProgress = path, true
	if opts.IO != nil {
		// The app owns the terminal: nothing the scan says goes to it.
		quiet := *opts.IO
		quiet.Err, quiet.ErrIsTTY = io.Discard, false
		o.IO = &quiet
	}
	return &tui.Scan{
		Run: func(ctx context.Context) (scanner.Result, error) {
			res, err := collect(ctx, &o, col)
			if perr := applyPolicy(&o, &res); perr != nil && err == nil {
				err = perr
			}
			return res, err
		},
		Progress: func() (int64, int64, int64) {
			u, b := col.Progress()
			return u, b, found.Load()
		},
	}
}
