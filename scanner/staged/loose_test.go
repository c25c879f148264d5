package staged

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

func TestObjectsDir(t *testing.T) {
	r := newRepo(t)
	r.Write("a.txt", "a\n")
	r.Commit("c1")
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", "-b", "feature", wt)
	os.MkdirAll(filepath.Join(r.Dir, "sub", "dir"), 0o755)
	want, _ := filepath.EvalSymlinks(filepath.Join(r.Dir, ".git", "objects"))
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"work tree root", Options{Dir: r.Dir}, want},
		{"subdirectory", Options{Dir: filepath.Join(r.Dir, "sub", "dir")}, want},
		{"linked worktree shares the common objects", Options{Dir: wt}, want},
		{"GIT_DIR", Options{Dir: t.TempDir(), Env: []string{"GIT_DIR=" + filepath.Join(r.Dir, ".git")}}, want},
		{"GIT_OBJECT_DIRECTORY", Options{Dir: r.Dir, Env: []string{"GIT_OBJECT_DIRECTORY=/q/objects"}}, "/q/objects"},
		{"no repository", Options{Dir: t.TempDir()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.o.objectsDir()
			if got != "" && tt.want != "/q/objects" {
				got, _ = filepath.EvalSymlinks(got)
			}
			if got != tt.want {
				t.Errorf("objectsDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadLoose(t *testing.T) {
	r := newRepo(t)
	r.Write("a.txt", "hello loose\n")
	r.Git("add", "a.txt")
	id := r.Git("rev-parse", ":a.txt")
	objDir := filepath.Join(r.Dir, ".git", "objects")
	if data, ok := readLoose(objDir, id, 1<<20); !ok || string(data) != "hello loose\n" {
		t.Fatalf("readLoose = %q, %v", data, ok)
	}
	if _, ok := readLoose(objDir, id, 4); ok {
		t.Error("a blob over the limit was read loose")
	}
	tree := r.Git("write-tree")
	if _, ok := readLoose(objDir, tree, 1<<20); ok {
		t.Error("a tree was read as a loose blob")
	}
	if _, ok := readLoose(objDir, strings.Repeat("ab", 20), 1<<20); ok {
		t.Error("an absent object was read")
	}
}

func TestStagedCorruptLooseObject(t *testing.T) {
	// A damaged loose object is not silently skipped: cat-file is asked
	// for it and its failure surfaces as an error or a unit error.
	r := newRepo(t)
	r.Write("a.txt", "a\n")
	r.Commit("c1")
	r.Write("b.txt", "will be damaged\n")
	r.Git("add", "b.txt")
	id := r.Git("rev-parse", ":b.txt")
	p := filepath.Join(r.Dir, ".git", "objects", id[:2], id[2:])
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, []byte("garbage, not zlib"), 0o644); err != nil {
		t.Fatal(err)
	}
	col := scanner.NewCollector(nil)
	err := Staged(context.Background(), scanner.New(scanner.Options{}), col, Options{Dir: r.Dir})
	if err == nil && len(col.Result().Errors) == 0 {
		t.Fatal("a corrupt staged object passed without an error")
	}
}
