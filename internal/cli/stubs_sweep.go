package cli

// OWNER: GitHub sweeps. Replace this file with sweep.go, findings.go, merge.go.

import "github.com/spf13/cobra"

func newSweepCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "sweep", Short: "Sweep every repository of GitHub organisations"}
}

func newFindingsCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "findings", Short: "List findings from the sweep store"}
}

func newMergeCmd(streams *IO) *cobra.Command {
	return &cobra.Command{Use: "merge", Short: "Merge shard reports into one (dedup by fingerprint)"}
}
