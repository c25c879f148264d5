package hooks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/keysweep/keysweep/scanner/staged"
)

// Hook names keysweep manages.
const (
	PreCommit  = "pre-commit"
	PrePush    = "pre-push"
	PreReceive = "pre-receive"
)

// InstallOptions say where hooks go and how they call keysweep.
type InstallOptions struct {
	Dir    string   // a directory inside the repository ("" = current directory); unused with Global
	Hooks  []string // hook names; default {PreCommit}
	Global bool     // install into a keysweep-managed directory set as the user's global core.hooksPath
	// GlobalDir is that directory; default $XDG_CONFIG_HOME/keysweep/hooks
	// or ~/.config/keysweep/hooks.
	GlobalDir string
	// Commands are the command lines the hook tries, in order, with the
	// hook name and git's arguments appended: absolute paths are tried if
	// executable, bare names if on PATH. Default: DefaultCommands().
	Commands [][]string
	Git      string   // git binary, default "git"
	Env      []string // extra environment for git
}

// HookState is what one hook file is.
type HookState struct {
	Name    string // "pre-commit"
	Path    string // where it is (or would be)
	Ours    bool   // a keysweep-managed hook is installed there
	Foreign bool   // a hook that is not keysweep's is there
	Chained string // the foreign hook ours runs first, "" when none
}

// Status is what is installed in one hooks directory.
type Status struct {
	Dir    string // the hooks directory
	Global bool   // the user's global keysweep hooks directory
	Hooks  []HookState
}

// DefaultCommands returns the keysweep commands a hook should try: the
// keysweep-hook binary beside the running executable (fast start-up), the
// running executable's `hook run`, then both names on PATH.
func DefaultCommands() [][]string {
	var cmds [][]string
	if exe, err := os.Executable(); err == nil {
		if exe, err = filepath.EvalSymlinks(exe); err == nil {
			dir := filepath.Dir(exe)
			if hb := filepath.Join(dir, "keysweep-hook"); isExecutable(hb) {
				cmds = append(cmds, []string{hb})
			}
			if filepath.Base(exe) == "keysweep-hook" {
				cmds = append(cmds, []string{exe})
			} else if strings.HasPrefix(filepath.Base(exe), "keysweep") && !strings.HasSuffix(exe, ".test") {
				cmds = append(cmds, []string{exe, "hook", "run"})
			}
		}
	}
	return append(cmds, []string{"keysweep-hook"}, []string{"keysweep", "hook", "run"})
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

func (o *InstallOptions) defaults() {
	if len(o.Hooks) == 0 {
		o.Hooks = []string{PreCommit}
	}
	if len(o.Commands) == 0 {
		o.Commands = DefaultCommands()
	}
}

// git runs git in o.Dir with o.Git and o.Env, returning its trimmed
// standard output.
func (o *InstallOptions) git(ctx context.Context, args ...string) (string, error) {
	g := staged.Options{Dir: o.Dir, Git: o.Git, Env: o.Env}
	out, err := g.RunGit(ctx, args...)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// globalDir returns the directory of the user's global keysweep hooks.
func (o *InstallOptions) globalDir() (string, error) {
	if o.GlobalDir != "" {
		return filepath.Abs(o.GlobalDir)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find global hooks directory: %w", err)
	}
	return filepath.Join(cfg, "keysweep", "hooks"), nil
}

// hooksDir resolves the directory git runs hooks from, as git does:
// `git rev-parse --git-path hooks` (core.hooksPath, worktrees, GIT_DIR).
func (o *InstallOptions) hooksDir(ctx context.Context) (string, error) {
	if o.Global {
		return o.globalDir()
	}
	p, err := o.git(ctx, "rev-parse", "--git-path", "hooks")
	if err != nil {
		return "", fmt.Errorf("find hooks directory (is this a git repository?): %w", err)
	}
	if !filepath.IsAbs(p) {
		base := o.Dir
		if base == "" {
			base = "."
		}
		p = filepath.Join(base, p)
	}
	return filepath.Abs(p)
}

// globalHooksPath returns the user's global core.hooksPath, "" when unset.
func (o *InstallOptions) globalHooksPath(ctx context.Context) (string, error) {
	v, err := o.git(ctx, "config", "--global", "--get", "core.hooksPath")
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 { // not set
			return "", nil
		}
		return "", err
	}
	return expandHome(v), nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// Inspect reports what is installed, without changing anything.
func Inspect(ctx context.Context, o InstallOptions) (*Status, error) {
	o.defaults()
	dir, err := o.hooksDir(ctx)
	if err != nil {
		return nil, err
	}
	return inspectDir(dir, o.Global, o.Hooks), nil
}

func inspectDir(dir string, global bool, names []string) *Status {
	st := &Status{Dir: dir, Global: global}
	for _, name := range names {
		h := HookState{Name: name, Path: filepath.Join(dir, name)}
		if _, err := os.Lstat(h.Path); err == nil {
			h.Ours = isOurs(h.Path)
			h.Foreign = !h.Ours
		}
		if c := h.Path + ChainSuffix; !global && exists(c) {
			h.Chained = c
		}
		st.Hooks = append(st.Hooks, h)
	}
	return st
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// errNotOurs marks refusals to touch somebody else's files.
var errNotOurs = errors.New("not a keysweep hook")

// IsNotOurs reports whether err is a refusal to change a file keysweep did
// not install.
func IsNotOurs(err error) bool { return errors.Is(err, fs.ErrExist) || errors.Is(err, errNotOurs) }
