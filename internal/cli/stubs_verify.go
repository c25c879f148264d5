package cli

// OWNER: verification. Replace this file with verify.go.

import (
	"context"

	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// verifyFlags are the verification flags shared by scan, verify and sweep.
type verifyFlags struct {
	Enabled bool
}

func addVerifyFlags(fs *pflag.FlagSet, v *verifyFlags) {
	fs.BoolVar(&v.Enabled, "verify", false, "ask AWS STS whether each key is live")
}

// verifyResult verifies every finding of res that has a secret, in place.
func verifyResult(ctx context.Context, streams *IO, v *verifyFlags, res *scanner.Result) error {
	return nil
}

func newVerifyCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "verify", Short: "Verify keys of a report, or one key, with AWS STS"}
}
