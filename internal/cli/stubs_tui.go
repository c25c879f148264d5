package cli

// OWNER: triage TUI. Replace this file with triage.go and demo.go.

import "github.com/spf13/cobra"

func newTriageCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "triage", Short: "Triage findings in an interactive terminal app"}
}

func newDemoCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "demo", Short: "See the whole flow on a throwaway repo and a local AWS"}
}
