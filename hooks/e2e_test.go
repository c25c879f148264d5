package hooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// committed reports whether HEAD's commit message is msg.
func (r *repo) committed(msg string) bool {
	out, err := r.Run("git", "log", "-1", "--format=%s")
	return err == nil && strings.TrimSpace(out) == msg
}

func TestCommitEndToEnd(t *testing.T) {
	k1, k2 := newCred(41), newCred(42)
	tests := []struct {
		name     string
		setup    func(r *repo)
		args     []string // extra git commit arguments
		wantCode int      // git commit's exit status: 0 or 1 (hook failed)
		wantOut  []string
		notOut   []string
	}{
		{
			name:     "key blocked",
			setup:    func(r *repo) { r.Write("conf/app.ini", "x = 1\n"+k1.ini()) },
			wantCode: 1,
			wantOut: []string{"commit BLOCKED", "conf/app.ini:3:", k1.id, k1.secret[:4] + "****", "looks like an AWS access key",
				"git restore --staged", "keysweep respond contain " + k1.id, "keysweep:allow", ConfigFile, k1.fp(), "git commit --no-verify"},
			notOut: []string{k1.secret},
		},
		{
			name:  "clean change passes",
			setup: func(r *repo) { r.Write("a.txt", "nothing here\n") },
		},
		{
			name: "keysweep:allow on the line",
			setup: func(r *repo) {
				r.Write("a.py", "KEY_ID = \""+k1.id+"\"  # keysweep:allow test fixture\n")
			},
		},
		{
			name: "allowlisted by fingerprint",
			setup: func(r *repo) {
				r.Write("k.ini", k1.ini())
				r.Write(ConfigFile, "[[allow]]\nfingerprint = \""+k1.fp()+"\"\nreason = \"fixture\"\n")
			},
		},
		{
			name: "allowlisted by path glob",
			setup: func(r *repo) {
				r.Write("testdata/deep/k.ini", k1.ini())
				r.Write(ConfigFile, "[[allow]]\npath = \"testdata/**\"\nreason = \"fixtures\"\n")
			},
		},
		{
			name: "baseline named in the config",
			setup: func(r *repo) {
				r.Write("k.ini", k1.ini())
				r.Write(".keysweep-baseline.json", `{"version":1,"findings":[{"fingerprint":"`+k1.fp()+`"}]}`)
				r.Write(ConfigFile, "baseline = \".keysweep-baseline.json\"\n")
			},
		},
		{
			name:  "no-verify skips",
			setup: func(r *repo) { r.Write("k.ini", k1.ini()) },
			args:  []string{"--no-verify"},
		},
		{
			name: "key already in HEAD warns only",
			setup: func(r *repo) {
				r.Write("k.ini", k2.ini())
				r.Git("add", ".")
				r.Git("commit", "-q", "--no-verify", "-m", "old key")
				r.Write("k.ini", "# edited\n"+k2.ini())
			},
			wantOut: []string{"warning", k2.id, "already in HEAD"},
			notOut:  []string{"BLOCKED"},
		},
		{
			name: "broken allowlist is an internal error",
			setup: func(r *repo) {
				r.Write("a.txt", "clean\n")
				r.Write(ConfigFile, "[[allow]]\nkey_id = \"x\"\n")
			},
			wantCode: 1,
			wantOut:  []string{"INTERNAL ERROR", "NOT checked", "needs a reason", "--no-verify"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			install(t, InstallOptions{Dir: r.Dir})
			tt.setup(r)
			r.Git("add", "-A")
			out, err := r.Run("git", append([]string{"commit", "-m", "under test"}, tt.args...)...)
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("git commit exit %d, want %d\n%s", code, tt.wantCode, out)
			}
			if got := r.committed("under test"); got != (tt.wantCode == 0) {
				t.Errorf("committed = %v", got)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.notOut {
				if strings.Contains(out, s) {
					t.Errorf("output has %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestHookExitCodes(t *testing.T) {
	// The hook binary's own exit codes: 3 blocked, 1 internal error, 0 pass.
	hook := filepath.Join(binDir, "keysweep-hook")
	r := newRepo(t)
	r.Write("k.ini", newCred(43).ini())
	r.Git("add", ".")
	if out, err := r.Run(hook, PreCommit); exitCode(err) != ExitBlocked {
		t.Errorf("blocked: exit %d\n%s", exitCode(err), out)
	}
	r.Git("rm", "-q", "--cached", "k.ini")
	if out, err := r.Run(hook, PreCommit); exitCode(err) != ExitPass {
		t.Errorf("clean: exit %d\n%s", exitCode(err), out)
	}
	notRepo := repoAt(t, t.TempDir())
	if out, err := notRepo.Run(hook, PreCommit); exitCode(err) != ExitError || !strings.Contains(out, "INTERNAL ERROR") {
		t.Errorf("outside a repository: exit %d\n%s", exitCode(err), out)
	}
	if out, err := r.Run(hook, "post-merge"); exitCode(err) != ExitError {
		t.Errorf("unknown hook: exit %d\n%s", exitCode(err), out)
	}
	// A staged blob that vanished from the object store: exit 1, never a pass.
	r.Write("b.txt", "soon gone\n")
	r.Git("add", "b.txt")
	id := r.Git("rev-parse", ":b.txt")
	os.Remove(filepath.Join(r.Dir, ".git", "objects", id[:2], id[2:]))
	if out, err := r.Run(hook, PreCommit); exitCode(err) != ExitError || !strings.Contains(out, "b.txt") {
		t.Errorf("missing object: exit %d\n%s", exitCode(err), out)
	}
}

func TestPushEndToEnd(t *testing.T) {
	k := newCred(44)
	remote := newRepo(t, "--bare")
	r := newRepo(t)
	r.Git("remote", "add", "origin", remote.Dir)
	install(t, InstallOptions{Dir: r.Dir, Hooks: []string{PrePush}})
	r.Write("a.txt", "a\n")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "base")
	if out, err := r.Run("git", "push", "-q", "origin", "main"); err != nil {
		t.Fatalf("clean push failed: %v\n%s", err, out)
	}
	// A key committed past the pre-commit hook is stopped at push.
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("k.ini", k.ini())
	r.Git("add", ".")
	r.Git("commit", "-q", "--no-verify", "-m", "key")
	out, err := r.Run("git", "push", "origin", "feature")
	if err == nil || !strings.Contains(out, "push BLOCKED") || !strings.Contains(out, "k.ini:") || !strings.Contains(out, "in commit ") || !strings.Contains(out, "git push --no-verify") {
		t.Fatalf("push with a key: %v\n%s", err, out)
	}
	if _, err := remote.Run("git", "rev-parse", "--verify", "-q", "refs/heads/feature"); err == nil {
		t.Fatal("the remote got the branch")
	}
	// Remove it in a new commit: history still has it, the push is still blocked.
	r.Git("rm", "-q", "k.ini")
	r.Git("commit", "-q", "-m", "remove")
	if out, err := r.Run("git", "push", "origin", "feature"); err == nil {
		t.Fatalf("history with a key pushed:\n%s", out)
	}
	// Rewrite the branch without it: the push goes through, and deleting it too.
	r.Git("reset", "-q", "--hard", "main")
	r.Write("b.txt", "b\n")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "clean")
	if out, err := r.Run("git", "push", "origin", "feature"); err != nil {
		t.Fatalf("clean push blocked: %v\n%s", err, out)
	}
	if out, err := r.Run("git", "push", "origin", "--delete", "feature"); err != nil {
		t.Fatalf("delete blocked: %v\n%s", err, out)
	}
}

func TestPreReceiveEndToEnd(t *testing.T) {
	k1, k2 := newCred(45), newCred(46)
	server := newRepo(t, "--bare")
	install(t, InstallOptions{Dir: server.Dir, Hooks: []string{PreReceive}})
	r := newRepo(t)
	r.Git("remote", "add", "origin", server.Dir)
	r.Write("a.txt", "a\n")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "base")
	if out, err := r.Run("git", "push", "-q", "origin", "main"); err != nil {
		t.Fatalf("clean push rejected: %v\n%s", err, out)
	}
	r.Write("k.ini", k1.ini())
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "key")
	out, err := r.Run("git", "push", "origin", "main")
	if err == nil || !strings.Contains(out, "push BLOCKED") || !strings.Contains(out, k1.id) {
		t.Fatalf("server accepted a key: %v\n%s", err, out)
	}
	// A developer clears a false positive with the repository's allowlist.
	r.Write(ConfigFile, "[[allow]]\nkey_id = \""+k1.id+"\"\nreason = \"documented test key\"\n")
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "allow")
	if out, err := r.Run("git", "push", "origin", "main"); err != nil {
		t.Fatalf("allowlisted push rejected: %v\n%s", err, out)
	}
	// A new branch brings only its own objects; its key is caught.
	r.Git("checkout", "-q", "-b", "other")
	r.Write("k2.ini", k2.ini())
	r.Git("add", ".")
	r.Git("commit", "-q", "-m", "key2")
	if out, err := r.Run("git", "push", "origin", "other"); err == nil || !strings.Contains(out, k2.id) || strings.Contains(out, k1.id) {
		t.Fatalf("new branch push: %v\n%s", err, out)
	}
}

func TestCLIEndToEnd(t *testing.T) {
	ks := keysweepBin(t)
	k := newCred(47)
	r := newRepo(t)
	out, err := r.Run(ks, "hook", "install", "--pre-push")
	if err != nil || !strings.Contains(out, "pre-commit") || !strings.Contains(out, "keysweep") {
		t.Fatalf("hook install: %v\n%s", err, out)
	}
	hook := r.Read(".git/hooks/pre-commit")
	if !strings.Contains(hook, filepath.Join(binDir, "keysweep-hook")) {
		t.Errorf("installed hook does not prefer keysweep-hook beside keysweep:\n%s", hook)
	}
	if out, err := r.Run(ks, "hook", "status"); err != nil || !strings.Contains(out, "pre-push") {
		t.Errorf("hook status: %v\n%s", err, out)
	}
	r.Write("k.ini", k.ini())
	r.Git("add", ".")
	out, err = r.Run(ks, "scan", "--staged")
	if exitCode(err) != 3 || !strings.Contains(out, "commit BLOCKED") {
		t.Errorf("scan --staged: exit %d\n%s", exitCode(err), out)
	}
	out, err = r.Run(ks, "hook", "run", PreCommit)
	if exitCode(err) != 3 || !strings.Contains(out, "commit BLOCKED") {
		t.Errorf("hook run pre-commit: exit %d\n%s", exitCode(err), out)
	}
	// Baseline: record today's state, then the same key is no longer reported.
	r.Git("commit", "-q", "--no-verify", "-m", "legacy key")
	if out, err := r.Run(ks, "baseline", "create", "--no-progress"); err != nil {
		t.Fatalf("baseline create: %v\n%s", err, out)
	}
	if !strings.Contains(r.Read(".keysweep-baseline.json"), k.fp()) {
		t.Fatalf("baseline lacks the key:\n%s", r.Read(".keysweep-baseline.json"))
	}
	if out, err := r.Run(ks, "scan", "--no-progress", "--baseline", ".keysweep-baseline.json", "-f", "json", "."); err != nil {
		t.Errorf("scan with baseline: exit %d\n%s", exitCode(err), out)
	}
	if out, err := r.Run(ks, "scan", "--no-progress", "-f", "json", "."); exitCode(err) != 3 {
		t.Errorf("scan without baseline: exit %d\n%s", exitCode(err), out)
	}
	if out, err := r.Run(ks, "hook", "uninstall"); err != nil || exists(filepath.Join(r.Dir, ".git/hooks/pre-commit")) {
		t.Errorf("hook uninstall: %v\n%s", err, out)
	}
}

// A staged scan of another repository than the current directory's scans
// that one, and a scan from a subdirectory gets the whole index.
func TestCLIStagedElsewhere(t *testing.T) {
	ks := keysweepBin(t)
	k := newCred(48)
	keyed, clean := newRepo(t), newRepo(t)
	keyed.Write("sub/dir/k.ini", k.ini())
	keyed.Git("add", ".")
	clean.Write("a.txt", "nothing\n")
	clean.Git("add", ".")

	// From the clean repository, scanning the keyed one: blocked.
	out, err := clean.Run(ks, "scan", "--staged", keyed.Dir)
	if exitCode(err) != 3 || !strings.Contains(out, "sub/dir/k.ini") {
		t.Errorf("scan --staged OTHER-REPO from a clean repo: exit %d\n%s", exitCode(err), out)
	}
	// From the keyed repository, scanning the clean one: passes.
	if out, err := keyed.Run(ks, "scan", "--staged", clean.Dir); err != nil {
		t.Errorf("scan --staged CLEAN-REPO from a keyed repo: exit %d\n%s", exitCode(err), out)
	}
	// From a subdirectory of the keyed repository: the whole index counts.
	cmdOut, err := repoAt(t, filepath.Join(keyed.Dir, "sub")).Run(ks, "scan", "--staged")
	if exitCode(err) != 3 || !strings.Contains(cmdOut, "sub/dir/k.ini") {
		t.Errorf("scan --staged in a subdirectory: exit %d\n%s", exitCode(err), cmdOut)
	}
}
