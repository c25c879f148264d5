// Package cli wires keysweep's commands: it parses flags, calls the library
// packages and turns their results and errors into output and exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, listed in --help. exitCode is the only place that maps errors to them.
const (
	ExitClean       = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitFound       = 3
	ExitCredentials = 4
	ExitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    nothing found (or the command succeeded)
  1    error
  2    bad usage (unknown flag, bad argument)
  3    keys found (scan, hooks)
  4    responder AWS credentials missing or denied
  130  interrupted (Ctrl-C); what was found so far is still written`

// IO is where a command reads and writes. Data goes to Out, progress,
// hints and errors to Err.
type IO struct {
	In       io.Reader
	Out      io.Writer
	Err      io.Writer
	OutIsTTY bool // Out is a terminal: text tables, colour (unless NO_COLOR)
	ErrIsTTY bool // Err is a terminal: live progress lines
	InIsTTY  bool // In is a terminal: interactive confirmation is possible
	Getenv   func(string) string
}

// Color reports whether coloured output is wanted on Out.
func (s *IO) Color() bool { return s.OutIsTTY && s.Getenv("NO_COLOR") == "" }

// ExitError carries an exit code and an optional hint line for people.
type ExitError struct {
	Code int
	Err  error
	Hint string
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// errFound is returned by commands that completed but found keys (exit 3).
var errFound = &ExitError{Code: ExitFound}

// usageError marks an error as bad usage (exit 2).
func usageError(format string, a ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// Main runs keysweep with args under a context cancelled by SIGINT/SIGTERM,
// on the process's standard streams, and returns the exit code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, StdIO())
}

// Run executes one command line and returns its exit code. Tests call it
// with their own IO.
func Run(ctx context.Context, args []string, streams *IO) int {
	root := NewRootCmd(streams)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	code := exitCode(ctx, err)
	if err != nil && code != ExitFound && code != ExitClean {
		fmt.Fprintf(streams.Err, "keysweep: %v\n", err)
		var ee *ExitError
		if errors.As(err, &ee) && ee.Hint != "" {
			fmt.Fprintf(streams.Err, "hint: %s\n", ee.Hint)
		}
		if code == ExitUsage {
			fmt.Fprintln(streams.Err, "Run 'keysweep --help' for usage.")
		}
	}
	return code
}

// exitCode maps a command's error to the process exit code.
func exitCode(ctx context.Context, err error) int {
	if err == nil {
		return ExitClean
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return ExitInterrupted
	}
	if isFlagError(err) {
		return ExitUsage
	}
	return ExitFailure
}

type flagError struct{ error }

func (e flagError) Unwrap() error { return e.error }

func isFlagError(err error) bool {
	var fe flagError
	return errors.As(err, &fe)
}

// NewRootCmd builds the command tree over streams.
func NewRootCmd(streams *IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "keysweep",
		Short: "Find hardcoded AWS access keys and shut down the live ones",
		Long: `keysweep finds AWS access keys (AKIA…, ASIA…) and their secrets in files, git
history and GitHub organisations, verifies them with AWS STS, and walks a responder
through containing, investigating and rotating the live ones.

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError{err} })
	root.AddCommand(
		newScanCmd(streams),
		newVersionCmd(streams),
		newVerifyCmd(streams),
		newRespondCmd(streams),
		newHookCmd(streams),
		newBaselineCmd(streams),
		newTriageCmd(streams),
		newDemoCmd(streams),
		newSweepCmd(streams),
		newFindingsCmd(streams),
		newMergeCmd(streams),
		newAWSFakeCmd(streams),
	)
	for _, c := range root.Commands() {
		if c.Long == "" {
			c.Long = c.Short
		}
		c.Long += "\n\n" + exitCodesHelp
	}
	return root
}

// argsUsage wraps a cobra positional-args validator so its errors exit 2.
func argsUsage(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return &ExitError{Code: ExitUsage, Err: err}
		}
		return nil
	}
}
