// Package gittest gives tests a git that ignores the user's and the
// system's configuration, and throwaway repositories to drive it with.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Config is the global git configuration Isolate writes: branch main, a
// committer identity, no detached-HEAD advice.
const Config = "[init]\n\tdefaultBranch = main\n[user]\n\tname = T\n\temail = t@example.com\n[advice]\n\tdetachedHead = false\n"

// Isolate writes Config to home/.gitconfig and points HOME,
// XDG_CONFIG_HOME and GIT_CONFIG_GLOBAL there, with GIT_CONFIG_NOSYSTEM
// set, so every git the tests run sees only that. It changes the
// process environment: call it from TestMain. The caller owns home.
func Isolate(home string) error {
	cfg := filepath.Join(home, ".gitconfig")
	if err := os.WriteFile(cfg, []byte(Config), 0o644); err != nil {
		return fmt.Errorf("write git config: %w", err)
	}
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"GIT_CONFIG_GLOBAL": cfg, "GIT_CONFIG_NOSYSTEM": "1",
	} {
		if err := os.Setenv(k, v); err != nil {
			return fmt.Errorf("set %s: %w", k, err)
		}
	}
	return nil
}

// Repo is a throwaway git repository for one test.
type Repo struct {
	T   testing.TB
	Dir string
	Env []string // added to the environment of every command run in Dir
}

// New runs `git init -q ARGS...` in a fresh t.TempDir().
func New(t testing.TB, args ...string) *Repo {
	t.Helper()
	r := &Repo{T: t, Dir: t.TempDir()}
	r.Git(append([]string{"init", "-q"}, args...)...)
	return r
}

// Run runs a command in r.Dir and returns its combined output as it came
// and its error.
func (r *Repo) Run(name string, args ...string) (string, error) {
	return r.run(nil, name, args...)
}

func (r *Repo) run(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = r.Dir
	cmd.Env = append(append(os.Environ(), r.Env...), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Git runs git in r.Dir and returns its trimmed combined output; a failure
// fails the test with that output.
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	out, err := r.Run("git", args...)
	if err != nil {
		r.T.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

// GitErr runs git in r.Dir and returns its trimmed combined output and
// its error, for tests that expect git to fail.
func (r *Repo) GitErr(args ...string) (string, error) {
	return r.GitEnv(nil, args...)
}

// GitEnv is GitErr with env ("KEY=value") added to the environment.
func (r *Repo) GitEnv(env []string, args ...string) (string, error) {
	out, err := r.run(env, "git", args...)
	return strings.TrimSpace(out), err
}

// Write writes content to path (relative to r.Dir), creating directories.
func (r *Repo) Write(path, content string) {
	r.T.Helper()
	p := filepath.Join(r.Dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// Read returns the content of path (relative to r.Dir).
func (r *Repo) Read(path string) string {
	r.T.Helper()
	b, err := os.ReadFile(filepath.Join(r.Dir, path))
	if err != nil {
		r.T.Fatal(err)
	}
	return string(b)
}

// Commit stages everything and commits it with msg (empty commits allowed).
func (r *Repo) Commit(msg string) {
	r.T.Helper()
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
}
