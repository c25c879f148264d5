package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/revoke"
	"github.com/spf13/cobra"
)

func newRespondOwnerCmd(o *RespondOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "owner KEY_ID",
		Short: "Find the account and IAM user a key belongs to, and its last use",
		Args:  argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := o.responder(cmd.Context(), args[0], false)
			if err != nil {
				return err
			}
			ow, err := r.Owner(cmd.Context(), args[0])
			if err != nil {
				return respondError(args[0], err)
			}
			return printOwner(o.IO.Out, ow)
		},
	}
}

func printOwner(w io.Writer, ow revoke.Owner) error {
	ew := &lineWriter{w: w}
	src := "decoded offline"
	if ow.AccountFrom != "offline" {
		src = "from " + ow.AccountFrom
	}
	switch {
	case !ow.Ours:
		ew.printf("Key %s is in AWS account %s (%s): NOT the responder's account %s.\n", ow.KeyID, ow.AccountID, src, ow.ResponderAccount)
		ew.printf("What to do:\n")
		for _, a := range ow.Advice {
			ew.printf("  - %s\n", a)
		}
		return ew.err
	case ow.AccountID == ow.ResponderAccount:
		ew.printf("Key %s is in AWS account %s (%s): the responder's own account.\n", ow.KeyID, ow.AccountID, src)
	default:
		ew.printf("Key %s is in AWS account %s (%s): a member of the responder's organization, reached as %s.\n", ow.KeyID, ow.AccountID, src, ow.ViaRole)
	}
	if ow.Temporary {
		for _, a := range ow.Advice {
			ew.printf("  %s\n", a)
		}
		return ew.err
	}
	last := "never"
	if !ow.LastUsed.IsZero() {
		last = fmt.Sprintf("%s (%s, %s)", ow.LastUsed.Format(time.RFC3339), dash(ow.LastService), dash(ow.LastRegion))
	}
	ew.printf("  IAM user:   %s\n  status:     %s\n  created:    %s\n  last used:  %s\n", ow.UserName, ow.Status, ow.Created.Format(time.RFC3339), last)
	ew.printf("Next: keysweep respond contain %s\n", ow.KeyID)
	return ew.err
}

func newRespondContainCmd(o *RespondOptions) *cobra.Command {
	var copts revoke.ContainOptions
	cmd := &cobra.Command{
		Use:   "contain KEY_ID",
		Short: "Deactivate the key and revoke sessions minted before now (idempotent)",
		Long: `Deactivate the key (iam:UpdateAccessKey Inactive) and put an inline deny-all policy on
its user for sessions issued before now (aws:TokenIssueTime, AWS's AWSRevokeOlderSessions
shape), so temporary credentials minted from the key stop working too. --quarantine also
attaches AWS's managed AWSCompromisedKeyQuarantineV3. What is already in place is left
alone: a second run changes nothing and says so.`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := o.responder(cmd.Context(), args[0], true)
			if err != nil {
				return err
			}
			c, err := r.Contain(cmd.Context(), args[0], copts)
			if len(c.Outcomes) > 0 {
				fmt.Fprintf(o.IO.Out, "Containment of %s (IAM user %s, account %s):\n", args[0], c.Owner.UserName, c.Owner.AccountID)
				printOutcomes(o.IO.Out, c.Outcomes)
			}
			if err != nil {
				if !c.Owner.Ours && c.Owner.AccountID != "" {
					printOwner(o.IO.Out, c.Owner)
				}
				return respondError(args[0], err)
			}
			switch {
			case o.DryRun:
				fmt.Fprintln(o.IO.Out, "Dry run: nothing changed; the calls above would be made.")
			case c.Changed():
				fmt.Fprintf(o.IO.Out, "Contained. Next: keysweep respond investigate %s\n", args[0])
			default:
				fmt.Fprintln(o.IO.Out, "Already contained: nothing changed.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&copts.Quarantine, "quarantine", false, "also attach AWS's managed AWSCompromisedKeyQuarantineV3 policy")
	return cmd
}

func printOutcomes(w io.Writer, os []revoke.Outcome) {
	for _, oc := range os {
		fmt.Fprintf(w, "  %-9s  %s\n", oc.State, oc.Action)
		if oc.Detail != "" {
			fmt.Fprintf(w, "  %-9s  %s\n", "", oc.Detail)
		}
	}
}

func newRespondInvestigateCmd(o *RespondOptions) *cobra.Command {
	var (
		format, since string
		iopts         revoke.InvestigateOptions
	)
	cmd := &cobra.Command{
		Use:   "investigate KEY_ID",
		Short: "Summarize what CloudTrail says the key (and sessions it minted) did",
		Args:  argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("unknown --format %q (want text or json)", format)
			}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return usageError("bad --since: %v", err)
				}
				iopts.Since = t
			}
			r, err := o.responder(cmd.Context(), args[0], false)
			if err != nil {
				return err
			}
			inv, err := r.Investigate(cmd.Context(), args[0], iopts)
			if err != nil {
				return respondError(args[0], err)
			}
			if format == "json" {
				enc := json.NewEncoder(o.IO.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(inv)
			}
			return inv.WriteText(o.IO.Out)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text or json")
	f.StringSliceVar(&iopts.Regions, "regions", nil, "regions to search (default: every default-enabled commercial region)")
	f.StringSliceVar(&iopts.UsualRegions, "usual-regions", nil, "regions where RunInstances is expected (default: --region and us-east-1)")
	f.StringVar(&since, "since", "", "start of the window: a duration back (720h) or an RFC 3339 time (default: 90 days)")
	f.Float64Var(&iopts.Rate, "rate", revoke.LookupRate, "LookupEvents requests per second per region")
	f.BoolVar(&iopts.NoFollow, "no-follow", false, "do not follow temporary keys minted by the key")
	return cmd
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Parse(time.RFC3339, s)
}

func newRespondRotateCmd(o *RespondOptions) *cobra.Command {
	var (
		sink  string
		ropts revoke.RotateOptions
	)
	cmd := &cobra.Command{
		Use:   "rotate KEY_ID --sink SINK",
		Short: "Issue a replacement key, deliver it to one sink, then delete the leaked key",
		Long: `Create a new access key for the leaked key's user and deliver its secret to exactly
one sink, then delete the leaked key (after confirmation):

  --sink stdout                     printed once, here
  --sink file:PATH                  written to PATH, mode 0600
  --sink profile:NAME               profile NAME of ~/.aws/credentials (or $AWS_SHARED_CREDENTIALS_FILE), other profiles kept
  --sink secretsmanager:SECRET_ID   a new version of the secret (created when missing)

A user holds at most two keys: the leaked key is then deleted first to make room, never
when it is the user's only active key unless --force. With --delete-after DURATION the
leaked key is deleted only once iam:GetAccessKeyLastUsed shows it idle that long: run
rotate again later. A run killed half-way resumes without creating a second key.`,
		Args: argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sink == "" {
				return usageError("rotate needs --sink (stdout, file:PATH, profile:NAME or secretsmanager:SECRET_ID)")
			}
			s, err := revoke.ParseSink(sink)
			if err != nil {
				return usageError("%v", err)
			}
			ropts.Sink = s
			r, err := o.responder(cmd.Context(), args[0], true)
			if err != nil {
				return err
			}
			rot, err := r.Rotate(cmd.Context(), args[0], ropts)
			fmt.Fprintf(o.IO.Out, "Rotation of %s (IAM user %s, account %s):\n", args[0], dash(rot.Owner.UserName), dash(rot.Owner.AccountID))
			printOutcomes(o.IO.Out, rot.Outcomes)
			for _, n := range rot.Notes {
				fmt.Fprintf(o.IO.Out, "  note: %s\n", n)
			}
			if err != nil {
				return respondError(args[0], err)
			}
			if o.DryRun {
				fmt.Fprintln(o.IO.Out, "Dry run: nothing changed; the calls above would be made.")
				return nil
			}
			fmt.Fprintf(o.IO.Out, "New key %s delivered to %s; leaked key %s.\n", rot.NewKeyID, rot.Sink,
				map[bool]string{true: "deleted", false: "not deleted yet"}[rot.OldDeleted])
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&sink, "sink", "", "where the new secret goes: stdout, file:PATH, profile:NAME or secretsmanager:SECRET_ID (required)")
	f.BoolVar(&ropts.KeepOld, "keep-old", false, "keep the leaked key for now (delete it later)")
	f.DurationVar(&ropts.DeleteAfter, "delete-after", 0, "delete the leaked key only once it has been unused this long (e.g. 24h)")
	f.BoolVar(&ropts.Force, "force", false, "allow deleting a key that is its user's only active key")
	return cmd
}

func newRespondDeleteCmd(o *RespondOptions) *cobra.Command {
	var dopts revoke.DeleteOptions
	cmd := &cobra.Command{
		Use:   "delete KEY_ID",
		Short: "Delete the leaked key (after rotation), optionally only once it is idle",
		Args:  argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := o.responder(cmd.Context(), args[0], true)
			if err != nil {
				return err
			}
			d, err := r.DeleteOld(cmd.Context(), args[0], dopts)
			printOutcomes(o.IO.Out, d.Outcomes)
			for _, n := range d.Notes {
				fmt.Fprintf(o.IO.Out, "  note: %s\n", n)
			}
			return respondError(args[0], err)
		},
	}
	cmd.Flags().DurationVar(&dopts.IdleFor, "delete-after", 0, "delete only once the key has been unused this long")
	cmd.Flags().BoolVar(&dopts.Force, "force", false, "allow deleting a key that is its user's only active key")
	return cmd
}

func newRespondReportCmd(o *RespondOptions) *cobra.Command {
	var findings, output string
	cmd := &cobra.Command{
		Use:   "report KEY_ID",
		Short: "Write the Markdown incident report from the journal",
		Args:  argsUsage(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			keyID := args[0]
			if err := revoke.CheckKeyID(keyID); err != nil {
				return usageError("%v", err)
			}
			var det revoke.Detection
			if findings != "" {
				var err error
				if det, err = detectionFrom(findings, keyID); err != nil {
					return err
				}
			}
			dir := o.JournalDir
			if dir == "" {
				dir = defaultJournalDir(o.IO.Getenv)
			}
			es, err := revoke.ReadJournal(revoke.JournalPath(dir, keyID))
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err, Hint: "run the playbook steps first (respond owner/contain/...), with the same --journal-dir"}
			}
			write := func(w io.Writer) error {
				return revoke.WriteReport(w, keyID, revoke.JournalPath(dir, keyID), es, revoke.ReportOptions{Detection: det, Now: time.Now()})
			}
			if output == "" {
				return write(o.IO.Out)
			}
			f, err := createPrivate(output)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := write(f); err != nil {
				return fmt.Errorf("write report %s: %w", output, err)
			}
			return f.Close()
		},
	}
	cmd.Flags().StringVar(&findings, "findings", "", "a scan report (JSON) telling where the key was found")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to `FILE` (mode 0600) instead of stdout")
	return cmd
}

// detectionFrom reads where keyID was found from a JSON scan report.
func detectionFrom(path, keyID string) (revoke.Detection, error) {
	f, err := os.Open(path)
	if err != nil {
		return revoke.Detection{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("read findings: %w", err)}
	}
	defer f.Close()
	res, err := report.ReadJSON(f)
	if err != nil {
		return revoke.Detection{}, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: %w", path, err)}
	}
	det := revoke.Detection{Source: path, Target: res.Target}
	for _, fd := range res.Findings {
		if fd.KeyID == keyID {
			det.Locations = append(det.Locations, fd.Locations...)
		}
	}
	if len(det.Locations) == 0 {
		return det, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s has no finding for %s", path, keyID)}
	}
	return det, nil
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

// lineWriter keeps the first write error.
type lineWriter struct {
	w   io.Writer
	err error
}

func (l *lineWriter) printf(format string, a ...any) {
	if l.err == nil {
		_, l.err = fmt.Fprintf(l.w, format, a...)
	}
}
