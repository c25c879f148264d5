package staged

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// TestMain isolates git from the user's and the system's configuration.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "staged-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := filepath.Join(home, ".gitconfig")
	os.WriteFile(cfg, []byte("[init]\n\tdefaultBranch = main\n[user]\n\tname = T\n\temail = t@example.com\n[advice]\n\tdetachedHead = false\n"), 0o644)
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("GIT_CONFIG_GLOBAL", cfg)
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// repo is a throwaway git repository for one test.
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := r.gitErr(args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (r *repo) gitErr(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (r *repo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *repo) commit(msg string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
}

// cred is a generated key pair and the file text that holds it.
type cred struct {
	id, secret string
}

func newCred(seed uint64) cred {
	g := testkeys.New(seed)
	return cred{id: g.AccessKeyID(), secret: g.Secret()}
}

func (c cred) ini() string {
	return fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", c.id, c.secret)
}

func (c cred) fp() string { return scanner.Fingerprint(c.id, scanner.Secret(c.secret)) }

// scanStaged runs Staged in r and returns the result.
func scanStaged(t *testing.T, dir string) scanner.Result {
	t.Helper()
	col := scanner.NewCollector(nil)
	if err := Staged(context.Background(), scanner.New(scanner.Options{}), col, Options{Dir: dir}); err != nil {
		t.Fatalf("Staged: %v", err)
	}
	return col.Result()
}

// summary is "path:line:inhead" per location of each finding, by key ID.
func summary(res scanner.Result) map[string][]string {
	m := map[string][]string{}
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			m[f.KeyID] = append(m[f.KeyID], fmt.Sprintf("%s:%d:%v:%s", l.Path, l.Line, l.InHead, l.Kind))
		}
	}
	return m
}

func (r *repo) gitEnv(env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
