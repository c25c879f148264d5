package cli

// OWNER: response playbook. Replace this file with respond.go.

import "github.com/spf13/cobra"

func newRespondCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "respond", Short: "Contain, investigate and rotate a leaked key with your own AWS credentials"}
}
