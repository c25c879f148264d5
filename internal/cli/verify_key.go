package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/verify"
	"golang.org/x/term"
)

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
	ver, err := newVerifier(ctx, opts.IO, &opts.Verify) // bad flags fail before the prompt
	if err != nil {
		return err
	}
	secret, token, err := readKeySecrets(opts.IO, opts.KeyID)
	if err != nil {
		return err
	}
	f := scanner.Finding{KeyID: opts.KeyID, KeyType: scanner.TypeOf(opts.KeyID), Secret: secret, SessionToken: token,
		Fingerprint: scanner.Fingerprint(opts.KeyID, secret)}
	f.AccountID, _ = scanner.AccountID(opts.KeyID)
	f.Canary = scanner.IsCanary(f.AccountID)
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
