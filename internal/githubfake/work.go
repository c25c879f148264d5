package githubfake

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Work is a work tree whose commits are pushed to a bare repository the
// fake serves. It drives the git binary with a neutral configuration (no
// global or system config, fixed identity), for tests and benchmarks.
type Work struct {
	Dir  string // the work tree
	Bare string // the bare repository served as OWNER/NAME.git
}

// NewWork creates the bare repository owner/name under the fake's root and
// a work tree beside it (in Root/.work) on branch main. It does not
// register the repository: call AddRepo.
func (f *Fake) NewWork(ownerName, name string) (*Work, error) {
	w := &Work{Dir: filepath.Join(f.opts.Root, ".work", ownerName, name), Bare: f.RepoDir(ownerName, name)}
	for _, d := range []string{w.Dir, filepath.Dir(w.Bare)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("new work %s/%s: %w", ownerName, name, err)
		}
	}
	if _, err := w.Git("init", "-q", "--bare", "-b", "main", w.Bare); err != nil {
		return nil, err
	}
	if _, err := w.Git("init", "-q", "-b", "main", "."); err != nil {
		return nil, err
	}
	return w, nil
}

// Git runs git with args in the work tree and returns its trimmed stdout.
func (w *Work) Git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = w.Dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// Commit writes files (an empty content deletes the file), commits them on
// the current branch and returns the commit SHA. It does not push.
func (w *Work) Commit(msg string, files map[string]string) (string, error) {
	for name, content := range files {
		p := filepath.Join(w.Dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
				return "", err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return "", err
		}
	}
	if _, err := w.Git("add", "-A"); err != nil {
		return "", err
	}
	if _, err := w.Git("commit", "-q", "--allow-empty", "-m", msg); err != nil {
		return "", err
	}
	return w.Git("rev-parse", "HEAD")
}

// Push pushes the current HEAD to ref of the bare repository ("main",
// "refs/pull/1/head", …), forcing.
func (w *Work) Push(ref string) error {
	_, err := w.Git("push", "-q", "-f", w.Bare, "HEAD:"+ref)
	return err
}
