package cli

// OWNER: hooks. Replace this file with hook.go, baseline.go, policy.go, scan_staged.go.

import (
	"context"
	"errors"

	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// policyFlags are the allowlist/baseline flags shared by scan, sweep and triage.
type policyFlags struct{}

func addPolicyFlags(fs *pflag.FlagSet, p *policyFlags) {}

// applyPolicy drops allowlisted and baselined findings from res.
func applyPolicy(opts *ScanOptions, res *scanner.Result) error { return nil }

// runStaged is `keysweep scan --staged`.
func runStaged(ctx context.Context, opts *ScanOptions) error {
	return errors.New("staged scan: not implemented")
}

func newHookCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "hook", Short: "Install and run git hooks that block keys before they leave the laptop"}
}

func newBaselineCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "baseline", Short: "Record today's findings so only new ones are reported"}
}
