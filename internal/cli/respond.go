package cli

// OWNER: response playbook.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/keysweep/keysweep/revoke"
	"github.com/spf13/cobra"
)

// RespondOptions are the flags shared by every `keysweep respond` step.
type RespondOptions struct {
	IO         *IO
	Profile    string
	Region     string
	JournalDir string
	Yes        bool
	DryRun     bool
	Org        bool
	Role       string

	// loadConfig loads the responder's AWS configuration; tests replace it.
	loadConfig func(ctx context.Context, o *RespondOptions) (aws.Config, error)
	in         *bufio.Reader // shared by confirmation prompts
}

func newRespondCmd(streams *IO) *cobra.Command {
	opts := &RespondOptions{IO: streams, loadConfig: loadResponderConfig}
	cmd := &cobra.Command{
		Use:   "respond",
		Short: "Contain, investigate and rotate a leaked key with your own AWS credentials",
		Long: `Run the key-compromise playbook for a leaked access key, step by step, with the
responder's own AWS credentials (the default chain: environment, --profile, SSO) —
never with the leaked key:

  keysweep respond owner KEY_ID        whose key is it (account, IAM user, last use)
  keysweep respond contain KEY_ID      deactivate it and revoke sessions minted before now
  keysweep respond investigate KEY_ID  what CloudTrail says it did
  keysweep respond rotate KEY_ID --sink SINK   issue a replacement, deliver it, delete the old key
  keysweep respond delete KEY_ID       delete the old key later (--delete-after: once idle)
  keysweep respond report KEY_ID       the Markdown incident report, from the journal

Every change to AWS is confirmed on a terminal (or --yes), described without being
made under --dry-run, and recorded before and after in the incident's journal
(--journal-dir, one file per key, mode 0600), so a step killed half-way resumes
where it stopped. The minimal IAM policy for the responder is in
docs/responder-policy.md.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	f := cmd.PersistentFlags()
	f.StringVar(&opts.Profile, "profile", "", "AWS profile of the responder (default: the default chain)")
	f.StringVar(&opts.Region, "region", "", "AWS region for the API calls (default: from the profile, else us-east-1)")
	f.StringVar(&opts.JournalDir, "journal-dir", "", "directory of incident journals (default: $XDG_STATE_HOME/keysweep/incidents)")
	f.BoolVar(&opts.Yes, "yes", false, "confirm every change without asking (needed when not on a terminal)")
	f.BoolVar(&opts.DryRun, "dry-run", false, "print the exact API calls that would change AWS, and change nothing")
	f.BoolVar(&opts.Org, "org", false, "also search the member accounts of your AWS Organization")
	f.StringVar(&opts.Role, "role", revoke.DefaultOrgRole, "role to assume in member accounts with --org")
	cmd.AddCommand(
		newRespondOwnerCmd(opts),
		newRespondContainCmd(opts),
		newRespondInvestigateCmd(opts),
		newRespondRotateCmd(opts),
		newRespondDeleteCmd(opts),
		newRespondReportCmd(opts),
	)
	return cmd
}

// defaultJournalDir is $XDG_STATE_HOME/keysweep/incidents, or
// ~/.local/state/keysweep/incidents.
func defaultJournalDir(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "keysweep", "incidents")
	}
	home := getenv("HOME")
	if home == "" {
		home = "."
	}
	return filepath.Join(home, ".local", "state", "keysweep", "incidents")
}

func loadResponderConfig(ctx context.Context, o *RespondOptions) (aws.Config, error) {
	var lo []func(*config.LoadOptions) error
	if o.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		lo = append(lo, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return cfg, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // IAM, STS and Organizations are global
	}
	return cfg, nil
}

// responder loads the responder's credentials (failing with exit 4 when
// there are none) and returns the playbook over them. mutating says whether
// the step may change AWS: it then needs --yes, a terminal or --dry-run.
func (o *RespondOptions) responder(ctx context.Context, keyID string, mutating bool) (*revoke.Responder, error) {
	if err := revoke.CheckKeyID(keyID); err != nil {
		return nil, usageError("%v", err)
	}
	if mutating && !o.DryRun && !o.Yes && !o.IO.InIsTTY {
		return nil, &ExitError{Code: ExitUsage, Err: errors.New("this step changes AWS and needs confirmation, but there is no terminal to ask on"),
			Hint: "pass --yes to confirm every call, or --dry-run to see the calls first"}
	}
	cfg, err := o.loadConfig(ctx, o)
	if err != nil {
		return nil, &ExitError{Code: ExitCredentials, Err: fmt.Errorf("load responder AWS config: %w", err),
			Hint: "set --profile/--region or AWS_PROFILE; run 'aws sso login' for SSO profiles"}
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ExitError{Code: ExitCredentials, Err: fmt.Errorf("no responder AWS credentials: %w", err),
			Hint: "use your own credentials (--profile, AWS_PROFILE, SSO or environment), never the leaked key"}
	}
	dir := o.JournalDir
	if dir == "" {
		dir = defaultJournalDir(o.IO.Getenv)
	}
	return revoke.New(cfg, revoke.Options{
		JournalDir: dir,
		DryRun:     o.DryRun,
		Confirm:    o.confirm,
		Org:        o.Org,
		OrgRole:    o.Role,
		Stdout:     o.IO.Out,
		Getenv:     o.IO.Getenv,
	}), nil
}

// confirm asks on the terminal before each call, unless --yes; with --yes
// it announces the call on stderr.
func (o *RespondOptions) confirm(ctx context.Context, a revoke.Action) (bool, error) {
	fmt.Fprintf(o.IO.Err, "\n%s\n  %s\n", a.Why, a)
	if o.Yes {
		return true, nil
	}
	if !o.IO.InIsTTY {
		return false, errors.New("no terminal to confirm on")
	}
	if o.in == nil {
		o.in = bufio.NewReader(o.IO.In)
	}
	fmt.Fprint(o.IO.Err, "Make this call? [y/N] ")
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() { // a blocked read must not hold off Ctrl-C
		l, err := o.in.ReadString('\n')
		ch <- answer{l, err}
	}()
	var ans answer
	select {
	case <-ctx.Done():
		fmt.Fprintln(o.IO.Err)
		return false, ctx.Err()
	case ans = <-ch:
	}
	if ans.err != nil && ans.line == "" {
		return false, fmt.Errorf("read answer: %w", ans.err)
	}
	switch strings.ToLower(strings.TrimSpace(ans.line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// respondError turns the playbook's errors into exit codes and hints.
func respondError(keyID string, err error) error {
	if err == nil {
		return nil
	}
	var de *revoke.DeniedError
	var ce *revoke.CredentialsError
	switch {
	case errors.As(err, &de):
		return &ExitError{Code: ExitCredentials, Err: err,
			Hint: fmt.Sprintf("grant %s to the responder; the minimal responder policy is in %s", de.Permission, revoke.PolicyDoc)}
	case errors.As(err, &ce):
		return &ExitError{Code: ExitCredentials, Err: err,
			Hint: "the responder's own credentials were rejected: check --profile / AWS_PROFILE, or log in again ('aws sso login')"}
	case errors.Is(err, revoke.ErrKeyNotFound):
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s no longer exists: %w", keyID, err),
			Hint: "it was deleted already, or never existed in this account; 'keysweep respond report " + keyID + "' still works from the journal"}
	case errors.Is(err, revoke.ErrNotOurs):
		return &ExitError{Code: ExitFailure, Err: err,
			Hint: "run 'keysweep respond owner " + keyID + "' for what to do; with an AWS Organization, add --org"}
	case errors.Is(err, revoke.ErrTemporaryKey):
		return &ExitError{Code: ExitFailure, Err: err,
			Hint: "investigate it to find the key or role that minted it, and contain that one"}
	case errors.Is(err, revoke.ErrOnlyActiveKey):
		return &ExitError{Code: ExitFailure, Err: err, Hint: "contain the key first, or pass --force if cutting the user off is intended"}
	case errors.Is(err, revoke.ErrDeclined):
		return &ExitError{Code: ExitFailure, Err: errors.New("stopped: a call was declined"),
			Hint: "run the step again to resume; what was done is in the journal"}
	}
	return err
}
