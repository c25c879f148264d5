package hooks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cmds makes installed hooks call the freshly built keysweep-hook.
func cmds() [][]string { return [][]string{{filepath.Join(binDir, "keysweep-hook")}} }

func install(t *testing.T, o InstallOptions) *Status {
	t.Helper()
	if o.Commands == nil {
		o.Commands = cmds()
	}
	st, err := Install(context.Background(), o)
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	return st
}

func TestInstallFreshAndIdempotent(t *testing.T) {
	r := newRepo(t)
	st := install(t, InstallOptions{Dir: r.Dir, Hooks: []string{PreCommit, PrePush}})
	want := filepath.Join(r.Dir, ".git", "hooks")
	if st.Dir != want {
		t.Fatalf("hooks dir = %s, want %s", st.Dir, want)
	}
	for _, h := range st.Hooks {
		if !h.Ours || h.Foreign || h.Chained != "" {
			t.Errorf("%s: %+v", h.Name, h)
		}
		fi, err := os.Stat(h.Path)
		if err != nil || fi.Mode()&0o111 == 0 {
			t.Errorf("%s not executable: %v", h.Path, err)
		}
	}
	first := r.Read(".git/hooks/pre-commit")
	install(t, InstallOptions{Dir: r.Dir, Hooks: []string{PreCommit, PrePush}})
	if again := r.Read(".git/hooks/pre-commit"); again != first {
		t.Error("second install changed the hook")
	}
	if _, err := os.Stat(filepath.Join(r.Dir, ".git", "hooks", "pre-commit"+ChainSuffix)); err == nil {
		t.Error("second install chained our own hook")
	}
}

func TestInstallChainsForeignHookAndUninstallRestoresIt(t *testing.T) {
	r := newRepo(t)
	foreign := "#!/bin/sh\necho foreign-ran >> \"$(git rev-parse --git-dir)/foreign.log\"\n"
	r.Write(".git/hooks/pre-commit", foreign)
	os.Chmod(filepath.Join(r.Dir, ".git/hooks/pre-commit"), 0o755)

	st := install(t, InstallOptions{Dir: r.Dir})
	if h := st.Hooks[0]; !h.Ours || h.Chained == "" {
		t.Fatalf("state after install: %+v", h)
	}
	if got := r.Read(".git/hooks/pre-commit" + ChainSuffix); got != foreign {
		t.Fatalf("chained hook changed: %q", got)
	}
	// The chained hook runs, then ours lets the clean commit through.
	r.Write("a.txt", "clean\n")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "c1")
	if log := r.Read(".git/foreign.log"); log != "foreign-ran\n" {
		t.Errorf("foreign hook log = %q", log)
	}
	// A failing foreign hook stops the commit before keysweep runs.
	r.Write(".git/hooks/pre-commit"+ChainSuffix, "#!/bin/sh\necho nope >&2\nexit 7\n")
	r.Write("b.txt", "x\n")
	r.Git("add", ".")
	if out, err := r.Run("git", "commit", "-q", "-m", "c2"); err == nil || !strings.Contains(out, "nope") {
		t.Errorf("failing chained hook did not stop the commit: %v %s", err, out)
	}
	r.Write(".git/hooks/pre-commit"+ChainSuffix, foreign)

	st, err := Uninstall(context.Background(), InstallOptions{Dir: r.Dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Read(".git/hooks/pre-commit"); got != foreign {
		t.Errorf("uninstall did not restore the foreign hook: %q", got)
	}
	for _, h := range st.Hooks {
		if h.Ours || h.Chained != "" {
			t.Errorf("after uninstall: %+v", h)
		}
	}
	// Uninstall again: the foreign hook is not ours and stays.
	if _, err := Uninstall(context.Background(), InstallOptions{Dir: r.Dir}); err != nil {
		t.Fatal(err)
	}
	if got := r.Read(".git/hooks/pre-commit"); got != foreign {
		t.Error("second uninstall touched the foreign hook")
	}
}

func TestInstallRefusesToClobber(t *testing.T) {
	r := newRepo(t)
	r.Write(".git/hooks/pre-commit", "#!/bin/sh\nexit 0\n")
	r.Write(".git/hooks/pre-commit"+ChainSuffix, "#!/bin/sh\nexit 0\n")
	_, err := Install(context.Background(), InstallOptions{Dir: r.Dir, Commands: cmds()})
	if err == nil || !IsNotOurs(err) {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if got := r.Read(".git/hooks/pre-commit"); got != "#!/bin/sh\nexit 0\n" {
		t.Error("refused install still changed the hook")
	}
}

func TestInstallHonoursCoreHooksPath(t *testing.T) {
	r := newRepo(t)
	r.Git("config", "core.hooksPath", ".githooks")
	st := install(t, InstallOptions{Dir: r.Dir})
	if want := filepath.Join(r.Dir, ".githooks"); st.Dir != want {
		t.Fatalf("hooks dir = %s, want %s", st.Dir, want)
	}
	if !isOurs(filepath.Join(r.Dir, ".githooks", "pre-commit")) {
		t.Error("hook not in core.hooksPath")
	}
}

func TestInstallFromWorktree(t *testing.T) {
	r := newRepo(t)
	r.Write("a.txt", "a\n")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "c1")
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", "-b", "feature", wt)
	st := install(t, InstallOptions{Dir: wt})
	if want := filepath.Join(r.Dir, ".git", "hooks"); st.Dir != want {
		t.Fatalf("hooks dir from a worktree = %s, want the common %s", st.Dir, want)
	}
	// The hook guards commits made in the worktree.
	w := repoAt(t, wt)
	w.Write("k.ini", newCred(21).ini())
	w.Git("add", ".")
	if out, err := w.Run("git", "commit", "-q", "-m", "key"); exitCode(err) == 0 || !strings.Contains(out, "BLOCKED") {
		t.Fatalf("worktree commit not blocked: %v\n%s", err, out)
	}
}

func TestInstallGlobal(t *testing.T) {
	gdir := filepath.Join(t.TempDir(), "global-hooks")
	r := newRepo(t)
	local := "#!/bin/sh\necho local-ran >> \"$(git rev-parse --git-dir)/local.log\"\n"
	r.Write(".git/hooks/pre-commit", local)
	os.Chmod(filepath.Join(r.Dir, ".git/hooks/pre-commit"), 0o755)
	t.Cleanup(func() { r.Run("git", "config", "--global", "--unset", "core.hooksPath") })

	st := install(t, InstallOptions{Global: true, GlobalDir: gdir})
	if !st.Global || st.Dir != gdir {
		t.Fatalf("status = %+v", st)
	}
	if got := r.Git("config", "--global", "core.hooksPath"); got != gdir {
		t.Fatalf("global core.hooksPath = %q", got)
	}
	if got := r.Git("rev-parse", "--git-path", "hooks"); got != gdir {
		t.Fatalf("repo hooks path = %q", got)
	}
	// Global hook runs the repository's own hook, then blocks the key.
	r.Write("k.ini", newCred(22).ini())
	r.Git("add", ".")
	out, err := r.Run("git", "commit", "-q", "-m", "key")
	if exitCode(err) == 0 || !strings.Contains(out, "BLOCKED") {
		t.Fatalf("global hook did not block: %v\n%s", err, out)
	}
	if log := r.Read(".git/local.log"); log != "local-ran\n" {
		t.Errorf("repository hook not chained: %q", log)
	}
	// Installing locally now lands in the global directory: nothing new.
	if st := install(t, InstallOptions{Dir: r.Dir, GlobalDir: gdir}); st.Dir != gdir || !st.Global {
		t.Errorf("local install under a global keysweep dir: %+v", st)
	}
	if _, err := Uninstall(context.Background(), InstallOptions{Global: true, GlobalDir: gdir}); err != nil {
		t.Fatal(err)
	}
	if out, err := r.Run("git", "config", "--global", "core.hooksPath"); err == nil {
		t.Errorf("core.hooksPath still set: %s", out)
	}
	if r.Read(".git/hooks/pre-commit") != local {
		t.Error("global uninstall touched the repository's hook")
	}
}

func TestInstallGlobalRefusesForeignHooksPath(t *testing.T) {
	r := newRepo(t)
	r.Git("config", "--global", "core.hooksPath", "/somewhere/else")
	t.Cleanup(func() { r.Run("git", "config", "--global", "--unset", "core.hooksPath") })
	_, err := Install(context.Background(), InstallOptions{Global: true, GlobalDir: t.TempDir(), Commands: cmds()})
	if err == nil || !strings.Contains(err.Error(), "/somewhere/else") {
		t.Fatalf("err = %v", err)
	}
	if got := r.Git("config", "--global", "core.hooksPath"); got != "/somewhere/else" {
		t.Errorf("global core.hooksPath changed to %q", got)
	}
}

func TestInstallErrors(t *testing.T) {
	t.Run("not a repository", func(t *testing.T) {
		_, err := Install(context.Background(), InstallOptions{Dir: t.TempDir(), Commands: cmds()})
		if err == nil || !strings.Contains(err.Error(), "hooks directory") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown hook", func(t *testing.T) {
		r := newRepo(t)
		_, err := Install(context.Background(), InstallOptions{Dir: r.Dir, Hooks: []string{"post-commit"}})
		if err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestHookWithoutBinaryFailsLoudly(t *testing.T) {
	r := newRepo(t)
	install(t, InstallOptions{Dir: r.Dir, Commands: [][]string{{"/nonexistent/keysweep-hook"}, {"keysweep-definitely-not-on-path"}}})
	r.Write("a.txt", "a\n")
	r.Git("add", ".")
	out, err := r.Run("git", "commit", "-q", "-m", "c1")
	if exitCode(err) == 0 || !strings.Contains(out, "NOTHING WAS CHECKED") {
		t.Fatalf("commit with a missing keysweep: %v\n%s", err, out)
	}
}
