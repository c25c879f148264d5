package hooks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/scanner/staged"
)

// Exit codes of a hook run.
const (
	ExitPass    = 0 // nothing new found: git goes on
	ExitError   = 1 // keysweep failed: nothing was checked, and it says so
	ExitBlocked = 3 // the commit or push adds a key
)

// RunOptions configure a hook run.
type RunOptions struct {
	Detector     staged.Scanner
	Git          staged.Options // where and how to run git
	Stdin        io.Reader      // git's hook input (pre-push, pre-receive)
	Stderr       io.Writer      // everything the hook says goes here
	BaselinePath string         // a baseline file; "" = the one .keysweep.toml names, if any
	// ConfigPath is an allowlist in .keysweep.toml format that applies on
	// top of the repository's own (a server-wide list for pre-receive).
	ConfigPath string
	// NoRepoConfig makes pre-receive ignore the .keysweep.toml of the
	// pushed commits (then only ConfigPath allows anything).
	NoRepoConfig bool
}

// Run runs the hook name ("pre-commit", "pre-push" or "pre-receive") with
// the arguments git gave it and returns the exit code: ExitPass, ExitBlocked
// after explaining what to do, or ExitError after saying loudly that
// nothing was checked. It never passes silently on failure: a blob that
// could not be read is an error too.
func Run(ctx context.Context, name string, args []string, o RunOptions) int {
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	res, action, err := check(ctx, name, args, o)
	if err != nil {
		WriteInternalError(o.Stderr, name, err)
		return ExitError
	}
	v := Judge(res)
	WriteVerdict(o.Stderr, v, action)
	switch {
	case len(v.Blocked) > 0:
		return ExitBlocked
	case len(v.Errors) > 0:
		WriteInternalError(o.Stderr, name, errors.New("some content could not be read (listed above)"))
		return ExitError
	}
	return ExitPass
}

// WriteInternalError says that hook failed and that nothing was checked.
func WriteInternalError(w io.Writer, hook string, err error) {
	fmt.Fprintf(w, "keysweep: INTERNAL ERROR in the %s hook: %v\n", hook, err)
	fmt.Fprintf(w, "keysweep: this was NOT checked for AWS keys. Fix the problem above and retry,\n")
	fmt.Fprintf(w, "keysweep: or skip the check once with --no-verify (git commit / git push).\n")
}

func check(ctx context.Context, name string, args []string, o RunOptions) (*scanner.Result, string, error) {
	if o.Detector == nil {
		return nil, "", errors.New("no detector")
	}
	col := scanner.NewCollector(nil)
	var (
		err    error
		action string
		pol    *Policy
	)
	switch name {
	case PreCommit:
		action = ActionCommit
		err = staged.Staged(ctx, o.Detector, col, o.Git)
	case PrePush:
		action = ActionPush
		var ups []staged.Update
		if ups, err = staged.ParsePrePush(o.Stdin); err == nil {
			remote := ""
			if len(args) > 0 {
				remote = args[0]
			}
			err = staged.PrePush(ctx, o.Detector, col, remote, ups, o.Git)
		}
	case PreReceive:
		action = ActionReceive
		var ups []staged.Update
		if ups, err = staged.ParsePreReceive(o.Stdin); err == nil {
			err = staged.PreReceive(ctx, o.Detector, col, ups, o.Git)
		}
		if err == nil && len(col.Result().Findings) > 0 {
			pol, err = receivePolicy(ctx, ups, o)
		}
	default:
		return nil, "", fmt.Errorf("unknown hook %q (want pre-commit, pre-push or pre-receive)", name)
	}
	if err != nil {
		return nil, action, err
	}
	res := col.Result()
	if pol == nil {
		dir := o.Git.Dir
		if dir == "" {
			dir = "."
		}
		if pol, err = LoadPolicy(FindRoot(dir), o.BaselinePath); err != nil {
			return nil, action, err
		}
		if o.ConfigPath != "" {
			extra, err := LoadPolicyFile(o.ConfigPath)
			if err != nil {
				return nil, action, err
			}
			pol = pol.Merge(extra)
		}
	}
	pol.Filter(&res)
	return &res, action, nil
}

// FindRoot returns the root of the repository holding dir: the nearest
// directory at or above it with a .git (directory, or file in worktrees
// and submodules). Outside a repository it returns dir itself (its parent
// when dir is a file). That is where .keysweep.toml is read from, and what
// its path globs are relative to.
func FindRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		abs = filepath.Dir(abs)
	}
	for d := abs; ; {
		if exists(filepath.Join(d, ".git")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs
		}
		d = parent
	}
}

// LoadPolicyFile reads an allowlist in .keysweep.toml format from path
// (its `baseline` key is ignored).
func LoadPolicyFile(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read allowlist: %w", err)
	}
	p, err := ParsePolicy(data)
	if err != nil {
		return nil, fmt.Errorf("read allowlist %s: %w", path, err)
	}
	p.ConfigPath = path
	return p, nil
}
