package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/keysweep/keysweep/internal/atomicfile"
	"github.com/keysweep/keysweep/internal/buildinfo"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
	"github.com/spf13/cobra"
)

// VerifyOptions are the flags of `keysweep verify`.
type VerifyOptions struct {
	IO     *IO
	Report string // REPORT.json, or "" with KeyID
	KeyID  string
	Output string // write the verified report here instead of over Report
	Format string // --key-id answer: text or json
	Verify verifyFlags
}

func newVerifyCmd(streams *IO) *cobra.Command {
	opts := &VerifyOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "verify REPORT.json | --key-id ID",
		Short: "Verify keys of a report, or one key, with AWS STS",
		Long: `Ask AWS STS (GetCallerIdentity, signed with the found pair) whether keys are live.

keysweep verify REPORT.json verifies every finding of a JSON report and writes
the report back in place (atomically, mode 0600) with verdicts. A report carries
secrets only when it was written with --show-secrets: findings without one are
left as they were and listed on stderr.

keysweep verify --key-id ID reads the secret access key from stdin (first line)
and, for ASIA session keys, the session token (second line). Secrets are never
taken from the command line, where other users of the machine can see them.

Verdicts: live, wrong-secret (the key ID exists), invalid (unknown, deleted or
inactive), expired (session), error (network, throttling: try again). Exit code 3
means a live key was found; 1 that some keys could not be verified.`,
		Args: argsUsage(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Report = args[0]
			}
			return runVerify(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.KeyID, "key-id", "", "verify this key `ID`; the secret (and session token) are read from stdin")
	f.StringVarP(&opts.Output, "output", "o", "", "write the verified report to `FILE` (mode 0600) instead of over REPORT")
	f.StringVarP(&opts.Format, "format", "f", "text", "--key-id answer format: text or json")
	addVerifyOptions(f, &opts.Verify)
	return cmd
}

func runVerify(ctx context.Context, opts *VerifyOptions) error {
	switch {
	case opts.KeyID != "" && opts.Report != "":
		return usageError("give a REPORT or --key-id, not both")
	case opts.KeyID != "":
		return verifyKey(ctx, opts)
	case opts.Report != "":
		return verifyReport(ctx, opts)
	}
	return usageError("verify needs a REPORT.json or --key-id ID")
}

// verifyReport verifies the findings of opts.Report that carry a secret
// and writes the report back.
func verifyReport(ctx context.Context, opts *VerifyOptions) error {
	ver, err := newVerifier(ctx, opts.IO, &opts.Verify) // bad flags fail before any reading
	if err != nil {
		return err
	}
	b, err := os.ReadFile(opts.Report)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("read report: %w", err)}
	}
	res, err := report.ReadJSON(bytes.NewReader(b))
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s: %w", opts.Report, err),
			Hint: "give a JSON report written by keysweep (--format json)"}
	}
	var todo []int
	var missing []string
	for i, f := range res.Findings {
		if f.Secret != "" {
			todo = append(todo, i)
		} else if !f.Example {
			missing = append(missing, f.KeyID)
		}
	}
	hint := "scan again with --verify, or write the report with --format json --show-secrets -o FILE (mode 0600) and verify that file"
	if len(todo) == 0 && len(missing) > 0 {
		return &ExitError{Code: ExitFailure,
			Err:  fmt.Errorf("%s carries no secrets, so its %s can't be verified", opts.Report, plural(len(missing), "key", "keys")),
			Hint: hint}
	}
	if len(missing) > 0 {
		fmt.Fprintf(opts.IO.Err, "keysweep: %s without a secret in the report, left as they were: %s\nhint: %s\n",
			plural(len(missing), "key", "keys"), strings.Join(missing, ", "), hint)
	}
	sub := make([]scanner.Finding, len(todo))
	for j, i := range todo {
		sub[j] = res.Findings[i]
	}
	verr := verifyFindings(ctx, opts.IO, ver, sub)
	for j, i := range todo {
		res.Findings[i] = sub[j]
	}
	scanner.SortFindings(res.Findings)
	if err := writeVerifiedReport(opts, res, len(todo) > 0); err != nil {
		return err
	}
	if verr != nil {
		return &ExitError{Code: ExitInterrupted, Err: verr}
	}
	return verifyExit(res.Findings)
}

// writeVerifiedReport writes res to --output or over the report, through a
// temporary file and a rename, mode 0600, keeping the secrets it carried.
func writeVerifiedReport(opts *VerifyOptions, res scanner.Result, secrets bool) error {
	var buf bytes.Buffer
	ro := report.Options{Format: "json", ShowSecrets: secrets, ToolVersion: buildinfo.Get().Version}
	if err := report.WriteJSON(&buf, res, ro); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	dst := opts.Output
	if dst == "" {
		dst = opts.Report
	}
	if err := atomicfile.Write(dst, buf.Bytes(), 0o600); err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("write report: %w", err)}
	}
	return nil
}

// verifyExit is 3 when a key is live, 1 when some could not be verified.
func verifyExit(fs []scanner.Finding) error {
	errs := 0
	for _, f := range fs {
		switch f.Verification.Verdict {
		case scanner.Live:
			return errFound
		case scanner.VerifyError:
			errs++
		}
	}
	if errs > 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s could not be verified", plural(errs, "key", "keys")),
			Hint: "the verify_error fields say why; try again later, or raise --verify-timeout"}
	}
	return nil
}
