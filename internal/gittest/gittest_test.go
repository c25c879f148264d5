package gittest

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "gittest-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := Isolate(home); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

func TestRepo(t *testing.T) {
	r := New(t)
	if got := r.Git("config", "--get", "user.email"); got != "t@example.com" {
		t.Errorf("user.email = %q, want the isolated identity", got)
	}
	r.Write("a/b.txt", "hello\n")
	if got := r.Read("a/b.txt"); got != "hello\n" {
		t.Errorf("Read = %q", got)
	}
	r.Commit("first")
	if got := r.Git("log", "--format=%s"); got != "first" {
		t.Errorf("log = %q, want one commit %q", got, "first")
	}
	if got := r.Git("rev-parse", "--abbrev-ref", "HEAD"); got != "main" {
		t.Errorf("branch = %q, want main", got)
	}
	if _, err := r.GitErr("rev-parse", "--verify", "nope"); err == nil {
		t.Error("GitErr on a missing revision succeeded")
	}
	out, err := r.GitEnv([]string{"GIT_AUTHOR_NAME=Other"}, "var", "GIT_AUTHOR_IDENT")
	if err != nil || !strings.HasPrefix(out, "Other ") {
		t.Errorf("GitEnv author = %q, %v; want the given name", out, err)
	}
	r.Env = []string{"GIT_COMMITTER_NAME=Env"}
	if out, err := r.Run("git", "var", "GIT_COMMITTER_IDENT"); err != nil || !strings.HasPrefix(out, "Env ") {
		t.Errorf("Run with r.Env committer = %q, %v", out, err)
	}
}
