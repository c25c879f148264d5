package history

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

// testRepo is a git repository built by a test with the git binary.
type testRepo struct {
	t    *testing.T
	dir  string
	tick int // commit clock: each commit is one hour after the last
}

func newRepo(t *testing.T) *testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main", ".")
	return r
}

func gitEnv(tick int) []string {
	date := fmt.Sprintf("%d +0000", 1700000000+3600*tick)
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
}

// git runs git in the repository and returns its trimmed stdout.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, r.tick, args...)
}

func runGit(t *testing.T, dir string, tick int, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "gc.auto=0", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = gitEnv(tick)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func (r *testRepo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits; it returns the commit SHA.
func (r *testRepo) commit(msg string) string {
	r.t.Helper()
	r.tick++
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// key is a generated credential and its text as a config file holds it.
type key struct {
	ID, Secret string
}

func (k key) text() string {
	return "aws_access_key_id = " + k.ID + "\naws_secret_access_key = " + k.Secret + "\n"
}

func keys(n int, seed uint64) []key {
	g := testkeys.New(seed)
	ks := make([]key, n)
	for i := range ks {
		ks[i] = key{g.AccessKeyID(), g.Secret()}
	}
	return ks
}

// scanRepo scans dir with opts (Path set to dir) and returns the result.
func scanRepo(t *testing.T, dir string, opts Options) (scanner.Result, Summary, error) {
	t.Helper()
	opts.Path = dir
	col := scanner.NewCollector(nil)
	sum, err := Scan(context.Background(), opts, scanner.New(scanner.Options{}), col)
	return col.Result(), sum, err
}

// findingOf returns the finding for key ID id, or nil.
func findingOf(res scanner.Result, id string) *scanner.Finding {
	for i := range res.Findings {
		if res.Findings[i].KeyID == id {
			return &res.Findings[i]
		}
	}
	return nil
}

// readers are the blob readers every behaviour test runs with.
func readers() []string { return []string{ReaderAuto, ReaderGit, ReaderGoGit, ReaderPack} }

type (
	scannerLoc    = scanner.Location
	scannerResult = scanner.Result
)

func execGit(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(0)
	return cmd
}

// readerName names a reader in subtests.
func readerName(r string) string {
	if r == ReaderAuto {
		return "auto"
	}
	return r
}
