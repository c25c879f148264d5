package staged

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/gittest"
)

// gitChanges is `git diff-index --cached` without rename detection, the
// list inProcessChanges must reproduce.
func gitChanges(t *testing.T, r *repo, env ...string) []string {
	t.Helper()
	head := "HEAD"
	if _, err := r.GitErr("rev-parse", "-q", "--verify", "HEAD^{commit}"); err != nil {
		head = "4b825dc642cb6eb9a060e54bf8d69288fbee4904" // the empty tree
	}
	out, err := r.GitEnv(env, "diff-index", "--cached", "-z", "--raw", "--no-abbrev", "--ignore-submodules=all", head, "--")
	if err != nil {
		t.Fatalf("git diff-index: %v\n%s", err, out)
	}
	cs, err := parseRaw([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	return changeLines(cs)
}

func changeLines(cs []change) []string {
	lines := []string{}
	for _, c := range cs {
		lines = append(lines, fmt.Sprintf("%c %s %s %s %s %s", c.status, c.oldMode, c.newMode, c.oldID, c.newID, c.path))
	}
	sort.Strings(lines)
	return lines
}

func inProcess(t *testing.T, dir string, env ...string) ([]string, error) {
	t.Helper()
	o := Options{Dir: dir, Env: env}
	cs, err := o.inProcessChanges()
	return changeLines(cs), err
}

// TestInProcessChangesMatchGit applies random edits to a repository whose
// trees are packed as deltas, and after each round compares the in-process
// list of staged changes with git's.
func TestInProcessChangesMatchGit(t *testing.T) {
	r := newRepo(t)
	rng := rand.New(rand.NewPCG(7, 11))
	dirs := []string{"", "a/", "a/b/", "a/b/c/", "a-b/", "a.b/", "z/", "z/y/"}
	var files []string
	for i := range 60 {
		f := fmt.Sprintf("%sf%d.txt", dirs[rng.IntN(len(dirs))], i)
		files = append(files, f)
		r.Write(f, fmt.Sprintf("file %d\n", i))
	}
	r.Commit("base")
	for i := range 8 { // history, so that gc stores trees as deltas
		r.Write(files[rng.IntN(len(files))], fmt.Sprintf("history %d\n", i))
		r.Commit(fmt.Sprintf("h%d", i))
	}
	r.Git("gc", "-q", "--aggressive")

	// put writes f, first removing files where its directories go.
	put := func(f, content string) {
		parts := strings.Split(f, "/")
		for i := 1; i < len(parts); i++ {
			p := filepath.Join(r.Dir, filepath.Join(parts[:i]...))
			if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
				os.Remove(p)
			}
		}
		os.RemoveAll(filepath.Join(r.Dir, f)) // a directory or a symlink in the way
		r.Write(f, content)
	}
	edit := func(round int) {
		for range 1 + rng.IntN(6) {
			f := files[rng.IntN(len(files))]
			p := filepath.Join(r.Dir, f)
			switch op := rng.IntN(9); op {
			case 0, 1: // modify
				put(f, fmt.Sprintf("round %d %d\n", round, rng.Int()))
			case 2: // delete
				os.Remove(p)
			case 3: // new file in a new or existing directory
				nf := fmt.Sprintf("%snew%d-%d.txt", dirs[rng.IntN(len(dirs))], round, rng.IntN(100))
				if rng.IntN(3) == 0 {
					nf = fmt.Sprintf("new%d/deep/x.txt", round)
				}
				put(nf, "new\n")
				files = append(files, nf)
			case 4: // mode change
				os.Chmod(p, 0o755)
			case 5: // symlink instead of the file
				os.Remove(p)
				os.Symlink("target-"+f, p)
			case 6: // the file becomes a directory
				os.Remove(p)
				put(f+"/inner.txt", "inner\n")
				files = append(files, f+"/inner.txt")
			case 7: // a directory becomes a file
				d := strings.TrimSuffix(dirs[1+rng.IntN(len(dirs)-1)], "/")
				os.RemoveAll(filepath.Join(r.Dir, d))
				put(d, "was a directory\n")
			case 8: // same content, no change
				put("a/same.txt", "same\n")
			}
		}
	}
	for round := range 25 {
		edit(round)
		r.Git("add", "-A")
		if round%4 == 1 {
			r.Git("write-tree") // a valid cache tree that is not HEAD's
		}
		want := gitChanges(t, r)
		got, err := inProcess(t, r.Dir)
		if err != nil {
			t.Fatalf("round %d: inProcessChanges: %v", round, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: in process\n%s\ngit\n%s", round, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if round%3 == 2 {
			r.Commit(fmt.Sprintf("round %d", round))
			if round%2 == 0 {
				r.Git("gc", "-q")
			}
		}
	}
}

func TestInProcessChangesCases(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(r *repo) (dir string, env []string)
		unsupported bool
	}{
		{
			name: "unborn branch",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Write("d/b.txt", "b\n")
				r.Git("add", ".")
				return "", nil
			},
		},
		{
			name: "nothing staged",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				return "", nil
			},
		},
		{
			name: "index version 4",
			setup: func(r *repo) (string, []string) {
				r.Write("dir/one.txt", "1\n")
				r.Write("dir/two.txt", "2\n")
				r.Commit("c")
				r.Write("dir/three.txt", "3\n")
				r.Write("dir/one.txt", "one\n")
				r.Git("add", ".")
				r.Git("update-index", "--index-version", "4")
				return "", nil
			},
		},
		{
			name: "index version 4, prefixes longer than 127 bytes",
			setup: func(r *repo) (string, []string) {
				long := strings.Repeat("deep/", 40)
				r.Write(long+"a.txt", "1\n")
				r.Write(long+"b.txt", "2\n")
				r.Write("z.txt", "z\n")
				r.Commit("c")
				r.Write(long+"a.txt", "changed\n")
				r.Write("zz.txt", "new\n")
				r.Git("add", ".")
				r.Git("update-index", "--index-version", "4")
				return "", nil
			},
		},
		{
			name: "from a subdirectory, loose objects only",
			setup: func(r *repo) (string, []string) {
				r.Write("sub/a.txt", "a\n")
				r.Commit("c")
				r.Write("sub/a.txt", "b\n")
				r.Write("top.txt", "t\n")
				r.Git("add", ".")
				return "sub", nil
			},
		},
		{
			name: "GIT_INDEX_FILE names another index",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				r.Write("a.txt", "other\n")
				tmp := filepath.Join(r.Dir, ".git", "tmp-index")
				if _, err := r.GitEnv([]string{"GIT_INDEX_FILE=" + tmp}, "read-tree", "HEAD"); err != nil {
					r.T.Fatal(err)
				}
				if _, err := r.GitEnv([]string{"GIT_INDEX_FILE=" + tmp}, "add", "a.txt"); err != nil {
					r.T.Fatal(err)
				}
				return "", []string{"GIT_INDEX_FILE=" + tmp}
			},
		},
		{
			name: "packed refs",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				r.Git("pack-refs", "--all")
				r.Write("b.txt", "b\n")
				r.Git("add", ".")
				return "", nil
			},
		},
		{
			name: "trees as reference deltas",
			setup: func(r *repo) (string, []string) {
				for i := range 6 {
					r.Write(fmt.Sprintf("d/e/f%d.txt", i), "x\n")
					r.Write("d/e/common.txt", fmt.Sprintf("v%d\n", i))
					r.Commit(fmt.Sprintf("c%d", i))
				}
				r.Git("-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-q", "-f", "--depth=50")
				r.Write("d/e/common.txt", "changed\n")
				r.Git("add", ".")
				return "", nil
			},
		},
		{
			name: "HEAD tree with a legacy 100664 mode",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				blob := r.Git("rev-parse", "HEAD:a.txt")
				raw, err := hex.DecodeString(blob)
				if err != nil {
					r.T.Fatal(err)
				}
				tree := filepath.Join(r.Dir, ".git", "legacy-tree")
				if err := os.WriteFile(tree, append([]byte("100664 a.txt\x00"), raw...), 0o644); err != nil {
					r.T.Fatal(err)
				}
				tid := r.Git("hash-object", "-t", "tree", "-w", "--literally", tree)
				cid := r.Git("commit-tree", "-m", "legacy", tid)
				r.Git("update-ref", "HEAD", cid)
				r.Git("read-tree", "HEAD")
				r.Write("b.txt", "b\n")
				r.Git("add", "b.txt")
				return "", nil
			},
		},
		{
			name: "submodules are left out",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				r.Git("update-index", "--add", "--cacheinfo", "160000,"+r.Git("rev-parse", "HEAD")+",sub")
				r.Write("b.txt", "b\n")
				r.Git("add", "b.txt")
				return "", nil
			},
		},
		{
			name: "merge conflict",
			setup: func(r *repo) (string, []string) {
				r.diverge()
				if _, err := r.GitErr("merge", "-q", "topic"); err == nil {
					r.T.Fatal("merge should conflict")
				}
				return "", nil
			},
			unsupported: true,
		},
		{
			name: "intent to add",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				r.Write("b.txt", "b\n")
				r.Git("add", "-N", "b.txt")
				return "", nil
			},
			unsupported: true,
		},
		{
			name: "split index",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				r.Write("b.txt", "b\n")
				r.Git("add", ".")
				r.Git("update-index", "--split-index")
				return "", nil
			},
			unsupported: true,
		},
		{
			name: "alternates",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				other := newRepo(r.T.(*testing.T))
				r.Write(".git/objects/info/alternates", filepath.Join(other.Dir, ".git", "objects")+"\n")
				return "", nil
			},
			unsupported: true,
		},
		{
			name: "replace refs",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				r.Write("a.txt", "b\n")
				r.Commit("d")
				r.Git("replace", "HEAD", "HEAD~1")
				return "", nil
			},
			unsupported: true,
		},
		{
			name: "object directory from the environment",
			setup: func(r *repo) (string, []string) {
				r.Write("a.txt", "a\n")
				r.Commit("c")
				return "", []string{"GIT_OBJECT_DIRECTORY=" + filepath.Join(r.Dir, ".git", "objects")}
			},
			unsupported: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			dir, env := tt.setup(r)
			got, err := inProcess(t, filepath.Join(r.Dir, dir), env...)
			if tt.unsupported {
				if !errors.Is(err, errUnsupported) {
					t.Fatalf("inProcessChanges: err %v, want errUnsupported", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("inProcessChanges: %v", err)
			}
			if want := gitChanges(t, r, env...); !reflect.DeepEqual(got, want) {
				t.Errorf("in process\n%s\ngit\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// FuzzParseIndex: any bytes give entries or an error, never a panic.
func FuzzParseIndex(f *testing.F) {
	for _, v := range []string{"2", "3", "4"} {
		r := &repo{gittest.New(f)}
		r.Write("a/b.txt", "b\n")
		r.Write("a/c/d.txt", "d\n")
		r.Commit("c")
		r.Write("a/e.txt", "e\n")
		r.Git("add", ".")
		r.Git("update-index", "--index-version", v)
		b, err := os.ReadFile(filepath.Join(r.Dir, ".git", "index"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00" + strings.Repeat("\x00", 20)))
	f.Add([]byte("DIRC\x00\x00\x00\x04\x00\x00\x00\x01" + strings.Repeat("\x00", 62) + "\x00a\x00" + strings.Repeat("\x00", 20)))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, ct, err := parseIndex(b)
		if err != nil && !errors.Is(err, errUnsupported) {
			t.Fatalf("error %v is not errUnsupported", err)
		}
		_, _ = entries, ct
	})
}
