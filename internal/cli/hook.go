package cli

import (
	"fmt"
	"io"

	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/staged"
	"github.com/spf13/cobra"
)

// hookOptions are the flags of `keysweep hook install|uninstall|status`.
type hookOptions struct {
	IO         *IO
	PrePush    bool
	PreReceive bool
	NoCommit   bool
	Global     bool
}

func (o *hookOptions) install() hooks.InstallOptions {
	inst := hooks.InstallOptions{Global: o.Global}
	if !o.NoCommit {
		inst.Hooks = append(inst.Hooks, hooks.PreCommit)
	}
	if o.PrePush {
		inst.Hooks = append(inst.Hooks, hooks.PrePush)
	}
	if o.PreReceive {
		inst.Hooks = append(inst.Hooks, hooks.PreReceive)
	}
	return inst
}

func newHookCmd(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Install and run git hooks that block keys before they leave the laptop",
		Long: `Install, remove and run git hooks that stop AWS keys before they are committed
(pre-commit), pushed (pre-push) or accepted by a server (pre-receive).

Hooks go where git looks for them (git rev-parse --git-path hooks, which honours
core.hooksPath); an existing hook is kept, renamed <name>.keysweep-chained, and
run first. See docs/hooks.md.`,
	}
	cmd.AddCommand(newHookInstallCmd(streams), newHookUninstallCmd(streams), newHookStatusCmd(streams), newHookRunCmd(streams))
	return cmd
}

func newHookInstallCmd(streams *IO) *cobra.Command {
	o := &hookOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install the pre-commit hook (and --pre-push) in this repository, or --global for all",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			inst := o.install()
			if len(inst.Hooks) == 0 {
				return usageError("nothing to install: --no-pre-commit needs --pre-push or --pre-receive")
			}
			st, err := hooks.Install(cmd.Context(), inst)
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			printHookStatus(streams.Out, st)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.PrePush, "pre-push", false, "also install the pre-push hook")
	f.BoolVar(&o.PreReceive, "pre-receive", false, "also install the pre-receive hook (server-side, bare repositories)")
	f.BoolVar(&o.NoCommit, "no-pre-commit", false, "do not install the pre-commit hook")
	f.BoolVar(&o.Global, "global", false, "install for every repository of this user (sets the global core.hooksPath)")
	return cmd
}

func newHookUninstallCmd(streams *IO) *cobra.Command {
	o := &hookOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove keysweep's hooks and put back the hooks they chained",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := hooks.Uninstall(cmd.Context(), hooks.InstallOptions{Global: o.Global})
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			printHookStatus(streams.Out, st)
			return nil
		},
	}
	cmd.Flags().BoolVar(&o.Global, "global", false, "remove the global hooks and unset the global core.hooksPath")
	return cmd
}

func newHookStatusCmd(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say which keysweep hooks are installed, and where",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			all := []string{hooks.PreCommit, hooks.PrePush, hooks.PreReceive}
			st, err := hooks.Inspect(cmd.Context(), hooks.InstallOptions{Hooks: all})
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			printHookStatus(streams.Out, st)
			gst, err := hooks.Inspect(cmd.Context(), hooks.InstallOptions{Hooks: all, Global: true})
			if err == nil && gst.Dir != st.Dir && anyOurs(gst) {
				printHookStatus(streams.Out, gst)
				fmt.Fprintln(streams.Out, "  (git uses them for every repository without a core.hooksPath of its own)")
			}
			return nil
		},
	}
	return cmd
}

func anyOurs(st *hooks.Status) bool {
	for _, h := range st.Hooks {
		if h.Ours {
			return true
		}
	}
	return false
}

func printHookStatus(w io.Writer, st *hooks.Status) {
	where := "repository hooks"
	if st.Global {
		where = "global hooks"
	}
	fmt.Fprintf(w, "%s: %s\n", where, st.Dir)
	for _, h := range st.Hooks {
		state := "not installed"
		switch {
		case h.Ours && h.Chained != "":
			state = "keysweep, runs " + h.Chained + " first"
		case h.Ours:
			state = "keysweep"
		case h.Foreign:
			state = "another tool's hook (not keysweep)"
		}
		fmt.Fprintf(w, "  %-12s %s\n", h.Name, state)
	}
}

// hookRunOptions are the flags of `keysweep hook run`.
type hookRunOptions struct {
	Baseline     string
	Allowlist    string
	NoRepoConfig bool
	Workers      int
}

func newHookRunCmd(streams *IO) *cobra.Command {
	o := &hookRunOptions{}
	cmd := &cobra.Command{
		Use:   "run HOOK [GIT-ARGS...]",
		Short: "Run a hook as git would: pre-commit, pre-push REMOTE URL, or pre-receive",
		Long: `Run a hook's check as git would call it: pre-commit scans what is staged;
pre-push reads git's "<local ref> <local sha> <remote ref> <remote sha>" lines on
stdin and scans only objects the remote lacks; pre-receive reads "<old> <new> <ref>"
lines (a server-side hook) and scans only objects no existing ref reaches.
Installed hooks call this (or the faster keysweep-hook binary).`,
		Args: argsUsage(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			det := scanner.New(scanner.Options{})
			code := hooks.Run(cmd.Context(), args[0], args[1:], hooks.RunOptions{
				Detector:     det,
				Git:          staged.Options{Workers: o.Workers},
				Stdin:        streams.In,
				Stderr:       streams.Err,
				BaselinePath: o.Baseline,
				ConfigPath:   o.Allowlist,
				NoRepoConfig: o.NoRepoConfig,
			})
			switch code {
			case hooks.ExitPass:
				return nil
			case hooks.ExitBlocked:
				return errFound
			}
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s hook failed: nothing was checked (see above)", args[0])}
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.StringVar(&o.Baseline, "baseline", "", "ignore findings recorded in baseline `FILE`")
	f.StringVar(&o.Allowlist, "allowlist", "", "also honour the allowlist in `FILE` (server-wide list for pre-receive)")
	f.BoolVar(&o.NoRepoConfig, "no-repo-allowlist", false, "pre-receive: ignore the .keysweep.toml of pushed commits")
	f.IntVar(&o.Workers, "workers", 0, "parallel scanning workers (default: number of CPUs)")
	return cmd
}
