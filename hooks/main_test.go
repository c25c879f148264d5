package hooks

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/keysweep/keysweep/internal/gittest"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// binDir holds keysweep and keysweep-hook built once for the end-to-end
// tests; buildErr says why keysweep could not be built.
var (
	binDir   string
	buildErr error
)

// TestMain isolates git from the user's configuration (HOME, global and
// system config) and builds the binaries the installed hooks run.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	home, err := os.MkdirTemp("", "hooks-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	// Build before HOME moves, so the go command keeps its caches.
	binDir = filepath.Join(home, "bin")
	for pkg, name := range map[string]string{"../cmd/keysweep-hook": "keysweep-hook", "..": "keysweep"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", name, err, out)
			if name == "keysweep" {
				buildErr = fmt.Errorf("build keysweep: %v\n%s", err, out)
				continue
			}
			return 1
		}
	}
	if err := gittest.Isolate(home); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("NO_COLOR", "1")
	return m.Run()
}

// keysweepBin returns the full keysweep binary, failing the test when it
// could not be built.
func keysweepBin(t *testing.T) string {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "keysweep")
}

// repo is a throwaway git repository for one test.
type repo struct{ *gittest.Repo }

func newRepo(t *testing.T, args ...string) *repo {
	t.Helper()
	return &repo{gittest.New(t, args...)}
}

// repoAt is a repo for the existing git directory or work tree dir.
func repoAt(t *testing.T, dir string) *repo {
	return &repo{&gittest.Repo{T: t, Dir: dir}}
}

type cred struct{ id, secret string }

func newCred(seed uint64) cred {
	g := testkeys.New(seed)
	return cred{id: g.AccessKeyID(), secret: g.Secret()}
}

func (c cred) ini() string {
	return fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", c.id, c.secret)
}

func (c cred) fp() string { return scanner.Fingerprint(c.id, scanner.Secret(c.secret)) }

// exitCode returns the exit status of a failed command, 0 for nil.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}
