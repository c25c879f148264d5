package hooks

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	cfg := filepath.Join(home, ".gitconfig")
	os.WriteFile(cfg, []byte("[init]\n\tdefaultBranch = main\n[user]\n\tname = T\n\temail = t@example.com\n"), 0o644)
	for k, v := range map[string]string{
		"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"GIT_CONFIG_GLOBAL": cfg, "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
	} {
		os.Setenv(k, v)
	}
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

type repo struct {
	t   *testing.T
	dir string
	env []string
}

func newRepo(t *testing.T, args ...string) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git(append([]string{"init", "-q"}, args...)...)
	return r
}

// run runs a command in r.dir and returns its combined output and error.
func (r *repo) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), r.env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	out, err := r.run("git", args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
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

func (r *repo) read(path string) string {
	r.t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, path))
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
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
