package cli

import (
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/spf13/cobra"
)

// AWSFakeOptions are the flags of the hidden `keysweep awsfake` command,
// which runs the local AWS on its own for manual testing.
type AWSFakeOptions struct {
	IO          *IO
	Listen      string
	Seed        uint64
	Account     string
	Members     []string
	EnvFile     string
	ShowSecrets bool
}

func newAWSFakeCmd(streams *IO) *cobra.Command {
	opts := &AWSFakeOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "awsfake",
		Short: "Run the local AWS (STS, IAM, CloudTrail, Organizations, Secrets Manager) for testing",
		Long: `Runs the local AWS that keysweep's tests use, on --listen, with one responder
user and key in --account. It prints shell exports that point the AWS SDKs and CLI at
it (the secret only with --show-secrets or into the 0600 --env-file), and stops
cleanly (exit 0) on Ctrl-C. Every key it knows is generated; none is real.`,
		Hidden: true,
		Args:   argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return awsFakeRun(cmd, opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "address to listen on")
	fs.Uint64Var(&opts.Seed, "seed", 1, "seed for generated key IDs and secrets")
	fs.StringVar(&opts.Account, "account", "111111111111", "the responder's account")
	fs.StringSliceVar(&opts.Members, "org-members", nil, "make --account an organization's management account with these member accounts")
	fs.StringVar(&opts.EnvFile, "env-file", "", "write the responder's environment (endpoint and credentials) to this file, mode 0600")
	fs.BoolVar(&opts.ShowSecrets, "show-secrets", false, "print the responder's secret key on stdout")
	return cmd
}

func awsFakeRun(cmd *cobra.Command, opts *AWSFakeOptions) error {
	f := awsfake.New(awsfake.Options{Seed: opts.Seed})
	if len(opts.Members) > 0 {
		if _, err := f.CreateOrganization(opts.Account, opts.Members...); err != nil {
			return usageError("%v", err)
		}
	}
	k, err := f.AddAccessKey(opts.Account, "responder")
	if err != nil {
		return usageError("%v", err)
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	url := "http://" + ln.Addr().String()
	if opts.EnvFile != "" {
		w, err := createPrivate(opts.EnvFile)
		if err != nil {
			ln.Close()
			return err
		}
		writeFakeEnv(w, url, k, true)
		if err := w.Close(); err != nil {
			ln.Close()
			return fmt.Errorf("write %s: %w", opts.EnvFile, err)
		}
	}
	writeFakeEnv(opts.IO.Out, url, k, opts.ShowSecrets)
	if !opts.ShowSecrets && opts.EnvFile == "" {
		fmt.Fprintln(opts.IO.Err, "hint: the secret key is hidden; use --env-file PATH or --show-secrets")
	}
	fmt.Fprintf(opts.IO.Err, "local AWS listening on %s; Ctrl-C to stop\n", url)
	return f.Serve(cmd.Context(), ln)
}

// writeFakeEnv writes shell exports pointing the AWS SDKs and CLI at url
// with the responder's key k.
func writeFakeEnv(w io.Writer, url string, k awsfake.Key, secret bool) {
	for _, s := range []string{"STS", "IAM", "CLOUDTRAIL", "ORGANIZATIONS", "SECRETS_MANAGER"} {
		fmt.Fprintf(w, "export AWS_ENDPOINT_URL_%s=%s\n", s, url)
	}
	fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s\n", k.ID)
	if secret {
		fmt.Fprintf(w, "export AWS_SECRET_ACCESS_KEY=%s\n", k.Secret)
	} else {
		fmt.Fprintf(w, "export AWS_SECRET_ACCESS_KEY=%s\n", k.Secret[:4]+strings.Repeat("*", 36))
	}
	fmt.Fprintln(w, "export AWS_REGION=us-east-1")
}
