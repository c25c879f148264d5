package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run this test binary as the `keysweep` command,
// so the scripts drive the real CLI (flags, streams, exit codes) end to end.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"keysweep": func() { os.Exit(Main(os.Args[1:])) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GIT_AUTHOR_NAME", "Test Author")
			env.Setenv("GIT_AUTHOR_EMAIL", "author@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Test Author")
			env.Setenv("GIT_COMMITTER_EMAIL", "author@example.com")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"plant":   cmdPlant,
			"exits":   cmdExits,
			"perm":    cmdPerm,
			"bigline": cmdBigLine,
		},
	})
}

// plant NAME FILE [seed]: writes FILE with a freshly generated key pair in
// an env-file shape and sets $NAME_ID and $NAME_SECRET for later assertions.
func cmdPlant(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: plant NAME FILE [seed]")
	}
	seed := uint64(time.Now().UnixNano())
	if len(args) > 2 {
		s, err := strconv.ParseUint(args[2], 10, 64)
		ts.Check(err)
		seed = s
	}
	g := testkeys.New(seed)
	id, secret := g.AccessKeyID(), g.Secret()
	body := fmt.Sprintf("# deploy settings\nregion = eu-west-1\naws_access_key_id = %s\naws_secret_access_key = %s\n", id, secret)
	path := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	ts.Check(os.WriteFile(path, []byte(body), 0o644))
	ts.Setenv(args[0]+"_ID", id)
	ts.Setenv(args[0]+"_SECRET", secret)
}

// exits CODE PROG ARGS...: runs PROG and fails unless it exits with CODE.
// Stdout and stderr are kept for the following stdout/stderr assertions.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("run %s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// perm MODE FILE: fails unless FILE has exactly permission bits MODE (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := fi.Mode().Perm(); uint64(got) != want {
		ts.Fatalf("%s has mode %o, want %o", args[1], got, want)
	}
}

// bigline FILE MB NAME: writes a single-line file of MB megabytes with a
// generated key pair in the middle, setting $NAME_ID.
func cmdBigLine(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: bigline FILE MB NAME")
	}
	mb, err := strconv.Atoi(args[1])
	ts.Check(err)
	g := testkeys.New(uint64(time.Now().UnixNano()))
	id, secret := g.AccessKeyID(), g.Secret()
	half := make([]byte, mb<<19)
	for i := range half {
		half[i] = "abcdefghij klmnop;"[i%18]
	}
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	_, err = f.Write(half)
	ts.Check(err)
	_, err = fmt.Fprintf(f, " aws_access_key_id=%s aws_secret_access_key=%s ", id, secret)
	ts.Check(err)
	_, err = f.Write(half)
	ts.Check(err)
	ts.Setenv(args[2]+"_ID", id)
}

// Run in-process, for the checks that need a cancelled context.
func TestScanInterruptedExits130(t *testing.T) {
	dir := t.TempDir()
	g := testkeys.New(7)
	for i := 0; i < 50; i++ {
		body := fmt.Sprintf("key%d = %s\nsecret = %s\n", i, g.AccessKeyID(), g.Secret())
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.txt", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	code := Run(ctx, []string{"scan", "--no-git", "--format", "json", dir}, &IO{Out: out, Err: errb, Getenv: func(string) string { return "" }})
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d; stderr: %s", code, ExitInterrupted, errb.String())
	}
	if !jsonValid(out.String()) {
		t.Fatalf("an interrupted scan must still write a complete report, got: %q", out.String())
	}
}
