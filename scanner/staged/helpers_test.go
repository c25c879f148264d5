package staged

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/keysweep/keysweep/internal/gittest"
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
	if err := gittest.Isolate(home); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(home)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// repo is a throwaway git repository for one test.
type repo struct{ *gittest.Repo }

func newRepo(t *testing.T) *repo {
	t.Helper()
	return &repo{gittest.New(t)}
}

// repoAt is a repo for the existing git directory or work tree dir.
func repoAt(t *testing.T, dir string) *repo {
	return &repo{&gittest.Repo{T: t, Dir: dir}}
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
	return scanStagedVia(t, dir, false)
}

// scanStagedVia is scanStaged, listing the changes with git diff-index
// when viaGit is set (else in process when the repository allows).
func scanStagedVia(t *testing.T, dir string, viaGit bool) scanner.Result {
	t.Helper()
	col := scanner.NewCollector(nil)
	if err := Staged(context.Background(), scanner.New(scanner.Options{}), col, Options{Dir: dir, viaGit: viaGit}); err != nil {
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

// diverge commits f.txt as "base", then "topic" on branch topic and "main"
// on main, and leaves main checked out: merging or rebasing conflicts.
func (r *repo) diverge() {
	r.T.Helper()
	r.Write("f.txt", "base\n")
	r.Commit("base")
	r.Git("checkout", "-q", "-b", "topic")
	r.Write("f.txt", "topic\n")
	r.Commit("topic")
	r.Git("checkout", "-q", "main")
	r.Write("f.txt", "main\n")
	r.Commit("main")
}
