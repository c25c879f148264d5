package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/keysweep/keysweep/internal/buildinfo"
	"github.com/keysweep/keysweep/report"
	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/verify"
	"github.com/spf13/cobra"
	"golang.org/x/term"
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
			Err:  fmt.Errorf("%s carries no secrets: none of its %d keys can be verified", opts.Report, len(missing)),
			Hint: hint}
	}
	if len(missing) > 0 {
		fmt.Fprintf(opts.IO.Err, "keysweep: %s without a secret in the report, left as they were: %s\nhint: %s\n",
			plural(len(missing), "key", "keys"), strings.Join(missing, ", "), hint)
	}
	ver, err := newVerifier(ctx, opts.IO, &opts.Verify)
	if err != nil {
		return err
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
	if err := writeFileAtomic(dst, buf.Bytes()); err != nil {
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

// validKeyID accepts the access key IDs STS can be asked about: 20
// upper-case letters and digits starting AKIA, ASIA, ABIA, ACCA or A3T.
func validKeyID(id string) bool {
	if len(id) != 20 {
		return false
	}
	for _, c := range id {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	switch id[:4] {
	case "AKIA", "ASIA", "ABIA", "ACCA":
		return true
	}
	return id[:3] == "A3T"
}

// verifyKey is `keysweep verify --key-id ID`, the secret on stdin.
func verifyKey(ctx context.Context, opts *VerifyOptions) error {
	if !validKeyID(opts.KeyID) {
		return usageError("--key-id %q is not an AWS access key ID (AKIA…/ASIA…, 20 characters)", opts.KeyID)
	}
	if opts.Format != "text" && opts.Format != "json" {
		return usageError("unknown --format %q for --key-id (want text or json)", opts.Format)
	}
	secret, token, err := readKeySecrets(opts.IO, opts.KeyID)
	if err != nil {
		return err
	}
	f := scanner.Finding{KeyID: opts.KeyID, KeyType: scanner.TypeOf(opts.KeyID), Secret: secret, SessionToken: token,
		Fingerprint: scanner.Fingerprint(opts.KeyID, secret)}
	f.AccountID, _ = scanner.AccountID(opts.KeyID)
	f.Canary = scanner.IsCanary(f.AccountID)
	ver, err := newVerifier(ctx, opts.IO, &opts.Verify)
	if err != nil {
		return err
	}
	v := ver.Verify(ctx, &f)
	if cerr := ver.Close(); cerr != nil {
		fmt.Fprintf(opts.IO.Err, "keysweep: %v\n", cerr)
	}
	if ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: ctx.Err()}
	}
	if err := printKeyVerdict(opts.IO.Out, opts.Format, f); err != nil {
		return err
	}
	if v.Error == verify.ReasonNoToken {
		fmt.Fprintln(opts.IO.Err, "hint: an ASIA session key needs its session token on the second line of stdin")
	}
	return verifyExit([]scanner.Finding{f})
}

// readKeySecrets reads the secret and the optional session token: hidden
// prompts on a terminal, else the first two non-empty lines of stdin.
func readKeySecrets(streams *IO, keyID string) (secret, token scanner.Secret, err error) {
	if file, ok := streams.In.(*os.File); ok && streams.InIsTTY {
		s, err := promptHidden(streams, file, "Secret access key for "+keyID+": ")
		if err != nil {
			return "", "", err
		}
		var t string
		if scanner.TypeOf(keyID) == scanner.SessionKey {
			if t, err = promptHidden(streams, file, "Session token (empty if none): "); err != nil {
				return "", "", err
			}
		}
		secret, token = scanner.Secret(s), scanner.Secret(t)
	} else {
		var lines []string
		sc := bufio.NewScanner(io.LimitReader(streams.In, 1<<20))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() && len(lines) < 2 {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
		if err := sc.Err(); err != nil {
			return "", "", &ExitError{Code: ExitFailure, Err: fmt.Errorf("read secret from stdin: %w", err)}
		}
		if len(lines) > 0 {
			secret = scanner.Secret(lines[0])
		}
		if len(lines) > 1 {
			token = scanner.Secret(lines[1])
		}
	}
	if secret == "" {
		return "", "", &ExitError{Code: ExitUsage, Err: errors.New("no secret on stdin"),
			Hint: "pipe the secret access key (and, for ASIA keys, the session token on a second line) into keysweep verify --key-id ID"}
	}
	return secret, token, nil
}

func promptHidden(streams *IO, f *os.File, prompt string) (string, error) {
	fmt.Fprint(streams.Err, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(streams.Err)
	if err != nil {
		return "", &ExitError{Code: ExitFailure, Err: fmt.Errorf("read secret: %w", err)}
	}
	return strings.TrimSpace(string(b)), nil
}

// keyVerdictJSON is the --key-id answer in JSON, named like the report's fields.
type keyVerdictJSON struct {
	KeyID       string     `json:"key_id"`
	Verdict     string     `json:"verdict"`
	VerifiedAt  *time.Time `json:"verified_at,omitempty"`
	AccountID   string     `json:"account_id,omitempty"`
	ARN         string     `json:"arn,omitempty"`
	UserID      string     `json:"user_id,omitempty"`
	VerifyError string     `json:"verify_error,omitempty"`
}

// printKeyVerdict writes the verdict of one key; never its secret.
func printKeyVerdict(w io.Writer, format string, f scanner.Finding) error {
	v := f.Verification
	if format == "json" {
		out := keyVerdictJSON{KeyID: f.KeyID, Verdict: string(v.Verdict), AccountID: v.AccountID,
			ARN: v.ARN, UserID: v.UserID, VerifyError: v.Error}
		if out.AccountID == "" {
			out.AccountID = f.AccountID
		}
		if !v.VerifiedAt.IsZero() {
			t := v.VerifiedAt.UTC()
			out.VerifiedAt = &t
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "key_id:      %s\nverdict:     %s\n", f.KeyID, v.Verdict)
	acct := v.AccountID
	if acct == "" {
		acct = f.AccountID
	}
	for _, kv := range [][2]string{{"account_id", acct}, {"arn", v.ARN}, {"user_id", v.UserID}, {"error", v.Error}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%-12s %s\n", kv[0]+":", kv[1])
		}
	}
	if !v.VerifiedAt.IsZero() {
		fmt.Fprintf(&b, "verified_at: %s\n", v.VerifiedAt.UTC().Format("2006-01-02T15:04:05Z"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeFileAtomic replaces path with b through a temporary file in the same
// directory and a rename: readers see the old or the new report, never a
// part, and a failure leaves the old one. The file ends with mode 0600.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temp file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	return nil
}
