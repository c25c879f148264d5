package hooks

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// allHooks returns the hooks keysweep knows how to run.
func allHooks() []string { return []string{PreCommit, PrePush, PreReceive} }

// Install writes keysweep hooks into the hooks directory git uses for the
// repository at o.Dir (`git rev-parse --git-path hooks`, so core.hooksPath
// and worktrees are honoured), or, with o.Global, into a keysweep-managed
// directory that it sets as the user's global core.hooksPath.
//
// It is idempotent: a keysweep hook already there is rewritten in place. A
// foreign hook is never overwritten: it is renamed to <name>.keysweep-chained
// and the keysweep hook runs it first (with the same arguments and standard
// input), stopping if it fails. Global hooks chain each repository's own
// .git/hooks/<name> instead. Install refuses, changing nothing, when both a
// foreign hook and a chained one exist, or when the user's global
// core.hooksPath already names another directory.
func Install(ctx context.Context, o InstallOptions) (*Status, error) {
	o.defaults()
	for _, name := range o.Hooks {
		if !known(name) {
			return nil, fmt.Errorf("install hook: unknown hook %q (want pre-commit, pre-push or pre-receive)", name)
		}
	}
	if o.Global {
		if err := o.claimGlobal(ctx); err != nil {
			return nil, err
		}
	}
	dir, err := o.hooksDir(ctx)
	if err != nil {
		return nil, err
	}
	if !o.Global {
		if gd, err := o.globalDir(); err == nil && sameDir(gd, dir) {
			o.Global = true // the repository already uses keysweep's global hooks
		}
	}
	for _, name := range o.Hooks {
		p := filepath.Join(dir, name)
		if exists(p) && !isOurs(p) {
			if o.Global {
				return nil, fmt.Errorf("install hook %s: %s is not a keysweep hook: %w", name, p, errNotOurs)
			}
			if exists(p + ChainSuffix) {
				return nil, fmt.Errorf("install hook %s: both %s and %s exist; move one away first: %w",
					name, p, p+ChainSuffix, fs.ErrExist)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("install hooks: %w", err)
	}
	for _, name := range o.Hooks {
		if err := installOne(dir, name, o); err != nil {
			return nil, err
		}
	}
	return inspectDir(dir, o.Global, o.Hooks), nil
}

func installOne(dir, name string, o InstallOptions) error {
	p := filepath.Join(dir, name)
	if exists(p) && !isOurs(p) {
		if err := os.Rename(p, p+ChainSuffix); err != nil {
			return fmt.Errorf("install hook %s: keep existing hook: %w", name, err)
		}
	}
	tmp := p + ".keysweep-tmp"
	if err := os.WriteFile(tmp, []byte(script(name, o.Commands, o.Global)), 0o755); err != nil {
		return fmt.Errorf("install hook %s: %w", name, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install hook %s: %w", name, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install hook %s: %w", name, err)
	}
	return nil
}

// claimGlobal points the user's global core.hooksPath at keysweep's global
// hooks directory, unless it already names another directory.
func (o *InstallOptions) claimGlobal(ctx context.Context) error {
	gd, err := o.globalDir()
	if err != nil {
		return err
	}
	cur, err := o.globalHooksPath(ctx)
	if err != nil {
		return fmt.Errorf("install global hooks: %w", err)
	}
	if cur != "" && !sameDir(cur, gd) {
		return fmt.Errorf("install global hooks: core.hooksPath is already set globally to %s; "+
			"run `keysweep hook install` in a repository to add keysweep to that directory, "+
			"or unset it first: %w", cur, errNotOurs)
	}
	if cur == "" {
		if _, err := o.git(ctx, "config", "--global", "core.hooksPath", gd); err != nil {
			return fmt.Errorf("install global hooks: %w", err)
		}
	}
	return nil
}

// Uninstall removes the keysweep hooks named in o.Hooks (default: all of
// them) and puts back the hooks they chained. Foreign hooks are left as
// they are. With o.Global it also unsets the user's global core.hooksPath
// when it names keysweep's directory.
func Uninstall(ctx context.Context, o InstallOptions) (*Status, error) {
	if len(o.Hooks) == 0 {
		o.Hooks = allHooks()
	}
	o.defaults()
	dir, err := o.hooksDir(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range o.Hooks {
		p := filepath.Join(dir, name)
		if exists(p) && !isOurs(p) {
			continue // somebody else's: leave it (and any chained file) alone
		}
		if exists(p) {
			if err := os.Remove(p); err != nil {
				return nil, fmt.Errorf("uninstall hook %s: %w", name, err)
			}
		}
		if c := p + ChainSuffix; exists(c) {
			if err := os.Rename(c, p); err != nil {
				return nil, fmt.Errorf("uninstall hook %s: restore chained hook: %w", name, err)
			}
		}
	}
	if o.Global {
		cur, err := o.globalHooksPath(ctx)
		if err != nil {
			return nil, fmt.Errorf("uninstall global hooks: %w", err)
		}
		if cur != "" && sameDir(cur, dir) {
			if _, err := o.git(ctx, "config", "--global", "--unset", "core.hooksPath"); err != nil {
				return nil, fmt.Errorf("uninstall global hooks: %w", err)
			}
		}
	}
	return inspectDir(dir, o.Global, o.Hooks), nil
}

func known(name string) bool {
	for _, h := range allHooks() {
		if h == name {
			return true
		}
	}
	return false
}

func sameDir(a, b string) bool {
	ai, err1 := os.Stat(a)
	bi, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(ai, bi)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
