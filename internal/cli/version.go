package cli

import (
	"fmt"

	"github.com/keysweep/keysweep/internal/buildinfo"
	"github.com/spf13/cobra"
)

func newVersionCmd(streams *IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit and build date",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			bi := buildinfo.Get()
			_, err := fmt.Fprintf(streams.Out, "keysweep %s\ncommit: %s\ndate: %s\n", bi.Version, bi.Commit, bi.Date)
			return err
		},
	}
}
