// Command keysweep-hook is what installed git hooks run: the pre-commit,
// pre-push and pre-receive checks of keysweep, in a small binary that
// links only the detector, the staged/push-range scanner and the hooks
// package. Leaving out the AWS SDK, go-git, go-github and the terminal UI
// keeps its start-up (package initialisation) a fraction of keysweep's,
// which matters for a check that runs on every commit.
//
// Usage:
//
//	keysweep-hook [--baseline FILE] [--allowlist FILE] [--no-repo-allowlist] HOOK [GIT-ARGS...]
//
// HOOK is pre-commit, pre-push (git passes REMOTE URL) or pre-receive.
// Exit codes: 0 pass, 1 error (nothing was checked), 2 bad usage, 3 blocked.
// `keysweep hook run HOOK` does the same within the full keysweep binary.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/staged"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	fs := flag.NewFlagSet("keysweep-hook", flag.ContinueOnError)
	var o hooks.RunOptions
	fs.StringVar(&o.BaselinePath, "baseline", "", "ignore findings recorded in baseline `FILE`")
	fs.StringVar(&o.ConfigPath, "allowlist", "", "also honour the allowlist in `FILE` (.keysweep.toml format)")
	fs.BoolVar(&o.NoRepoConfig, "no-repo-allowlist", false, "pre-receive: ignore the .keysweep.toml of pushed commits")
	fs.IntVar(&o.Git.Workers, "workers", 0, "parallel scanning workers (default: number of CPUs)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: keysweep-hook [flags] pre-commit|pre-push|pre-receive [GIT-ARGS...]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.Detector = scanner.New(scanner.Options{})
	o.Git = staged.Options{Workers: o.Git.Workers}
	o.Stdin, o.Stderr = os.Stdin, os.Stderr
	return hooks.Run(ctx, fs.Arg(0), fs.Args()[1:], o)
}
