package prestart

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestWanted(t *testing.T) {
	for _, tc := range []struct {
		name string
		prog string
		args []string
		want bool
	}{
		{"scan staged", "keysweep", []string{"scan", "--staged"}, true},
		{"scan staged with flags", "keysweep", []string{"scan", "--no-progress", "--staged", "--format", "json"}, true},
		{"scan staged=true", "keysweep", []string{"scan", "--staged=true"}, true},
		{"hook run pre-commit", "keysweep", []string{"hook", "run", "pre-commit"}, true},
		{"hook binary", "keysweep-hook", []string{"--baseline", "b.json", "pre-commit"}, true},
		{"hook binary with suffix", "keysweep-hook.exe", []string{"pre-commit"}, true},
		{"plain scan", "keysweep", []string{"scan"}, false},
		{"staged after --", "keysweep", []string{"scan", "--", "--staged"}, false},
		{"staged=false", "keysweep", []string{"scan", "--staged=false"}, false},
		{"other command", "keysweep", []string{"triage", "--staged"}, false},
		{"hook run pre-push", "keysweep", []string{"hook", "run", "pre-push"}, false},
		{"hook binary pre-push", "keysweep-hook", []string{"pre-push", "origin", "url"}, false},
		{"no args", "keysweep", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Wanted(tc.prog, tc.args); got != tc.want {
				t.Errorf("Wanted(%q, %q) = %v, want %v", tc.prog, tc.args, got, tc.want)
			}
		})
	}
}

// stagedRepo makes a repository with one commit and a staged change, and
// makes it the current directory for the test.
func stagedRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
	}
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("a.txt", "one\n")
	write("b.txt", "two\n")
	git("add", ".")
	git("commit", "-qm", "first")
	write("a.txt", "one\nmore\n")
	write("c.txt", "new\n")
	git("add", "a.txt", "c.txt")
	git("rm", "-q", "b.txt")
	t.Chdir(dir)
	return dir
}

func plainRun(t *testing.T) []byte {
	t.Helper()
	out, err := exec.Command("git", DiffIndexArgs()...).Output()
	if err != nil {
		t.Fatalf("git diff-index: %v", err)
	}
	return out
}

func TestTakeGivesGitsAnswer(t *testing.T) {
	dir := stagedRepo(t)
	want := plainRun(t)
	if len(want) == 0 {
		t.Fatal("fixture has no staged changes")
	}
	pending = start()
	if pending == nil {
		t.Fatal("start() = nil")
	}
	var seen string
	res, ok := Take(func(d string) bool { seen = d; return true }, nil)
	if !ok {
		t.Fatal("Take: ok = false")
	}
	if real, _ := filepath.EvalSymlinks(dir); seen != dir && seen != real {
		t.Errorf("query ran in %q, want %q", seen, dir)
	}
	if res.Err != nil || !res.State.Success() {
		t.Fatalf("git failed: %v %v: %s", res.Err, res.State, res.Stderr)
	}
	if !bytes.Equal(res.Stdout, want) {
		t.Errorf("prestarted output %q, want %q", res.Stdout, want)
	}
	if _, ok := Take(func(string) bool { return true }, nil); ok {
		t.Error("a second Take got an answer: it must be handed over once")
	}
}

func TestTakeReportsGitsFailure(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	t.Chdir(t.TempDir()) // not a repository
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(mustGetwd(t)))
	pending = start()
	res, ok := Take(func(string) bool { return true }, nil)
	if !ok {
		t.Fatal("Take: ok = false")
	}
	if res.State == nil || res.State.Success() || len(res.Stderr) == 0 {
		t.Errorf("outside a repository: state %v, stderr %q; want a failure with git's message", res.State, res.Stderr)
	}
}

func TestTakeOtherDirectoryKillsQuery(t *testing.T) {
	stagedRepo(t)
	pending = start()
	q := pending
	if _, ok := Take(func(string) bool { return false }, nil); ok {
		t.Fatal("Take for another directory handed over the answer")
	}
	select {
	case <-q.done:
	default:
		t.Fatal("the unwanted query is still running")
	}
	if pending != nil {
		t.Error("query still pending")
	}
}

func TestTakeCancelled(t *testing.T) {
	stagedRepo(t)
	pending = start()
	q := pending
	cancel := make(chan struct{})
	close(cancel)
	// Either git finished first (ok) or the cancel won (killed): both are
	// allowed; what matters is that Take returns and leaves nothing running.
	done := make(chan struct{})
	go func() { Take(func(string) bool { return true }, cancel); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Take did not return after cancel")
	}
	select {
	case <-q.done:
	default:
		t.Fatal("query still running after a cancelled Take")
	}
}

func TestDiscard(t *testing.T) {
	stagedRepo(t)
	pending = start()
	q := pending
	Discard()
	<-q.done // returns only once the process is reaped
	if pending != nil {
		t.Error("query still pending after Discard")
	}
	Discard() // nothing pending: a no-op
}

func TestLookGitSkipsRelativePath(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "git")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("PATH", ".")
	if got := lookGit(); got != "" {
		t.Errorf("lookGit() with PATH=. = %q, want \"\" (a relative PATH entry is never trusted)", got)
	}
	t.Setenv("PATH", "/nonexistent:"+dir)
	if got := lookGit(); got != fake {
		t.Errorf("lookGit() = %q, want %q", got, fake)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
