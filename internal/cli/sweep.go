package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keysweep/keysweep/scanner/github"
	"github.com/keysweep/keysweep/store"
)

// SweepOptions are the flags of `keysweep sweep github`. Report, policy and
// verification flags are those of scan, in Scan.
type SweepOptions struct {
	Scan            ScanOptions
	Orgs, Users     []string
	TokenFile       string
	APIURL          string
	CacheDir        string
	State           string
	Filter          github.Filter
	Shard           string
	Concurrency     int
	IncludeGists    bool
	IncludeComments bool
	NoVerify        bool
}

func newSweepCmd(streams *IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sweep SOURCE",
		Short: "Sweep every repository of GitHub organisations",
		Long:  "Sweep every repository of a code host's organisations. Sources: github.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("sweep: which source? (keysweep sweep github --org ORG)")
			}
			return usageError("sweep: unknown source %q (want github)", args[0])
		},
	}
	cmd.AddCommand(newSweepGitHubCmd(streams))
	return cmd
}

func newSweepGitHubCmd(streams *IO) *cobra.Command {
	opts := &SweepOptions{Scan: ScanOptions{IO: streams, Path: "."}}
	cmd := &cobra.Command{
		Use:   "github --org ORG [--org ORG…] [--user USER…]",
		Short: "Sweep the repositories of GitHub organisations and users for AWS keys",
		Long: `Sweep every repository of the given GitHub organisations and users: clone each
as a bare mirror into the cache (branches, tags and pull-request heads), scan its whole
history, verify the keys found, and remember what was scanned in the state file,
so that the next sweep fetches only what changed and scans only new objects.

Findings carry a status: new (first seen by this sweep), known (seen before) or
removed (no longer at the head of the default branch, still in history).

The token comes from GITHUB_TOKEN or --token-file and is never printed. GitHub
Enterprise Server: --api-url or GITHUB_API_URL. Split an org across machines with
--shard K/N (0 <= K < N): each repository belongs to exactly one shard; combine
the shards' JSON reports with 'keysweep merge'. A sweep that is killed resumes
where it stopped when run again with the same arguments.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			noVerify, _ := cmd.Flags().GetBool("no-verify")
			opts.Scan.Verify.Enabled = !noVerify
			return runSweep(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Orgs, "org", nil, "GitHub organisation to sweep (repeatable)")
	f.StringArrayVar(&opts.Users, "user", nil, "GitHub user whose repositories to sweep (repeatable)")
	f.StringVar(&opts.TokenFile, "token-file", "", "read the GitHub token from `FILE` (default: $GITHUB_TOKEN)")
	f.StringVar(&opts.APIURL, "api-url", "", "GitHub Enterprise API `URL` (default: $GITHUB_API_URL, else api.github.com)")
	f.StringVar(&opts.CacheDir, "cache-dir", "", "where repository mirrors are kept (default: user cache dir/keysweep/repos)")
	f.StringVar(&opts.State, "state", "", "state `FILE` (default: $XDG_STATE_HOME/keysweep/state.db)")
	f.BoolVar(&opts.Filter.IncludeForks, "include-forks", false, "also sweep forks")
	f.BoolVar(&opts.Filter.IncludeArchived, "include-archived", false, "also sweep archived repositories")
	f.StringArrayVar(&opts.Filter.Repos, "repo", nil, "sweep only repositories whose name or full name matches `GLOB` (repeatable)")
	f.StringArrayVar(&opts.Filter.Excludes, "exclude", nil, "skip repositories whose name or full name matches `GLOB` (repeatable)")
	f.StringVar(&opts.Filter.Visibility, "visibility", "all", "all, public, private or internal")
	f.StringVar(&opts.Shard, "shard", "", "sweep only shard `K/N` of the repositories (0 <= K < N)")
	f.IntVar(&opts.Concurrency, "concurrency", 4, "repositories swept at once")
	f.BoolVar(&opts.IncludeGists, "include-gists", false, "also scan the gists of org members and users")
	f.BoolVar(&opts.IncludeComments, "include-comments", false, "also scan issue and pull-request comments")
	f.StringVarP(&opts.Scan.Format, "format", "f", "text", "output format: text, json, sarif, csv")
	f.StringVarP(&opts.Scan.Output, "output", "o", "", "write the report to `FILE` (mode 0600) instead of stdout")
	f.BoolVar(&opts.Scan.ShowSecrets, "show-secrets", false, "print secrets in full (default: redacted)")
	f.BoolVar(&opts.Scan.IncludeExamples, "include-examples", false, "also report AWS's documented example keys")
	f.IntVar(&opts.Scan.Workers, "workers", 0, "scanning workers per repository (default: number of CPUs)")
	f.BoolVar(&opts.Scan.NoProgress, "no-progress", false, "no progress on stderr")
	addPolicyFlags(f, &opts.Scan.Policy)
	addVerifyFlags(f, &opts.Scan.Verify)
	if v := f.Lookup("verify"); v != nil {
		v.Hidden = true // sweeps verify by default; --no-verify turns it off
	}
	if f.Lookup("no-verify") == nil {
		f.BoolVar(&opts.NoVerify, "no-verify", false, "do not verify found keys with AWS STS (sweeps verify by default)")
	}
	return cmd
}

// sweepConfig resolves the flags and the environment into library options.
func sweepConfig(opts *SweepOptions) (github.Options, error) {
	io := opts.Scan.IO
	if len(opts.Orgs)+len(opts.Users) == 0 {
		return github.Options{}, usageError("sweep github: give at least one --org or --user")
	}
	if err := checkFormat(opts.Scan.Format); err != nil {
		return github.Options{}, err
	}
	if err := opts.Filter.Validate(); err != nil {
		return github.Options{}, usageError("sweep github: %v", err)
	}
	g := github.Options{Orgs: opts.Orgs, Users: opts.Users, Filter: opts.Filter, Concurrency: opts.Concurrency,
		Workers: opts.Scan.Workers, IncludeGists: opts.IncludeGists, IncludeComments: opts.IncludeComments,
		APIURL: opts.APIURL, CacheDir: opts.CacheDir}
	if opts.Shard != "" {
		sh, err := github.ParseShard(opts.Shard)
		if err != nil {
			return g, usageError("sweep github: %v", err)
		}
		g.Shard = sh
	}
	if g.APIURL == "" {
		g.APIURL = io.Getenv("GITHUB_API_URL")
	}
	g.Token = io.Getenv("GITHUB_TOKEN")
	if opts.TokenFile != "" {
		b, err := os.ReadFile(opts.TokenFile)
		if err != nil {
			return g, &ExitError{Code: ExitFailure, Err: fmt.Errorf("read token file: %w", err)}
		}
		g.Token = strings.TrimSpace(string(b))
	}
	if g.CacheDir == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return g, &ExitError{Code: ExitFailure, Err: fmt.Errorf("find cache dir: %w", err), Hint: "pass --cache-dir"}
		}
		g.CacheDir = filepath.Join(d, "keysweep", "repos")
	}
	return g, nil
}

// sweepKey names what a sweep covers, so an interrupted sweep is resumed
// only by a run with the same scope.
func sweepKey(g github.Options) string {
	return strings.Join([]string{"github", g.APIURL, "orgs=" + strings.Join(g.Orgs, ","),
		"users=" + strings.Join(g.Users, ","), "shard=" + g.Shard.String(),
		fmt.Sprintf("filter=%+v", g.Filter), fmt.Sprintf("gists=%v,comments=%v", g.IncludeGists, g.IncludeComments)}, "|")
}

// openState opens the state file at path (default: store.DefaultPath);
// unless create, a missing file is an error rather than a new empty store.
func openState(streams *IO, path string, create bool) (*store.Store, error) {
	if path == "" {
		p, err := store.DefaultPath(streams.Getenv)
		if err != nil {
			return nil, &ExitError{Code: ExitFailure, Err: err, Hint: "pass --state FILE"}
		}
		path = p
	}
	if _, err := os.Stat(path); !create && err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("open state: %w", err),
			Hint: "run keysweep sweep github first, or pass the --state FILE it used"}
	}
	st, err := store.Open(path)
	if errors.Is(err, store.ErrLocked) {
		return nil, &ExitError{Code: ExitFailure, Err: err, Hint: "another sweep is running on this state file; wait for it or pass another --state"}
	}
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: err}
	}
	return st, nil
}
