package staged

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

func TestStaged(t *testing.T) {
	k1, k2 := newCred(1), newCred(2)
	tests := []struct {
		name  string
		setup func(r *repo) string // returns the directory to scan from ("" = root)
		want  map[string][]string
	}{
		{
			name:  "first commit",
			setup: func(r *repo) string { r.Write("creds.ini", k1.ini()); r.Git("add", "."); return "" },
			want:  map[string][]string{k1.id: {"creds.ini:2:false:staged"}},
		},
		{
			name: "clean change",
			setup: func(r *repo) string {
				r.Write("a.txt", "a\n")
				r.Commit("c1")
				r.Write("a.txt", "b\n")
				r.Git("add", ".")
				return ""
			},
			want: map[string][]string{},
		},
		{
			name: "key already in HEAD is not added, new key is",
			setup: func(r *repo) string {
				r.Write("conf/app.ini", k1.ini())
				r.Commit("c1")
				r.Write("conf/app.ini", "# top\n"+k1.ini()+"\n"+k2.ini())
				r.Git("add", ".")
				return ""
			},
			want: map[string][]string{
				k1.id: {"conf/app.ini:3:true:staged"},
				k2.id: {"conf/app.ini:7:false:staged"},
			},
		},
		{
			name: "same key moved to another file is added there",
			setup: func(r *repo) string {
				r.Write("a.ini", k1.ini())
				r.Commit("c1")
				r.Write("b.ini", "x\n"+k1.ini())
				r.Git("add", ".")
				return ""
			},
			want: map[string][]string{k1.id: {"b.ini:3:false:staged"}},
		},
		{
			name: "rename keeps HEAD's keys as existing",
			setup: func(r *repo) string {
				r.Write("old.ini", k1.ini()+strings.Repeat("filler line\n", 20))
				r.Commit("c1")
				r.Git("mv", "old.ini", "new.ini")
				return ""
			},
			want: map[string][]string{k1.id: {"new.ini:2:true:staged"}},
		},
		{
			name: "deleted file adds nothing",
			setup: func(r *repo) string {
				r.Write("a.ini", k1.ini())
				r.Commit("c1")
				r.Git("rm", "-q", "a.ini")
				return ""
			},
			want: map[string][]string{},
		},
		{
			name: "partial staging: index without key, work tree with key",
			setup: func(r *repo) string {
				r.Write("a.txt", "one\n")
				r.Commit("c1")
				r.Write("a.txt", "two\n")
				r.Git("add", "a.txt")
				r.Write("a.txt", "two\n"+k1.ini())
				return ""
			},
			want: map[string][]string{},
		},
		{
			name: "partial staging: index with key, work tree cleaned",
			setup: func(r *repo) string {
				r.Write("a.txt", "one\n")
				r.Commit("c1")
				r.Write("a.txt", "one\n"+k1.ini())
				r.Git("add", "a.txt")
				r.Write("a.txt", "one\n")
				return ""
			},
			want: map[string][]string{k1.id: {"a.txt:3:false:staged"}},
		},
		{
			name: "binary file",
			setup: func(r *repo) string {
				r.Write("blob.bin", "\x00\x01\x02\xff"+k1.ini()+"\x00\x00")
				r.Git("add", ".")
				return ""
			},
			want: map[string][]string{k1.id: {"blob.bin:2:false:staged"}},
		},
		{
			name: "from a subdirectory paths stay repository-relative",
			setup: func(r *repo) string {
				r.Write("sub/dir/x.txt", "x\n")
				r.Commit("c1")
				r.Write("sub/k.ini", k1.ini())
				r.Git("add", ".")
				return "sub/dir"
			},
			want: map[string][]string{k1.id: {"sub/k.ini:2:false:staged"}},
		},
		{
			name: "merge in progress",
			setup: func(r *repo) string {
				r.Write("f.txt", "base\n")
				r.Commit("base")
				r.Git("checkout", "-q", "-b", "side")
				r.Write("f.txt", "side\n")
				r.Write("side.ini", k2.ini())
				r.Commit("side")
				r.Git("checkout", "-q", "main")
				r.Write("f.txt", "main\n")
				r.Commit("main")
				if _, err := r.GitErr("merge", "-q", "side"); err == nil {
					r.T.Fatal("merge should conflict")
				}
				r.Write("f.txt", "resolved\n"+k1.ini())
				r.Git("add", "f.txt")
				return ""
			},
			want: map[string][]string{
				k1.id: {"f.txt:3:false:staged"},
				k2.id: {"side.ini:2:false:staged"},
			},
		},
		{
			// Too little in common for git's rename detection: a delete and
			// an add. The key is still not new to the repository.
			name: "key moved out of a deleted file into an unlike one",
			setup: func(r *repo) string {
				r.Write("old.ini", k1.ini()+strings.Repeat("old filler line\n", 40))
				r.Commit("c1")
				r.Git("rm", "-q", "old.ini")
				r.Write("new.py", "import os\n"+strings.Repeat("# other text\n", 40)+"KEY = '"+k1.id+"'\nSECRET = '"+k1.secret+"'\n")
				r.Git("add", "new.py")
				return ""
			},
			want: map[string][]string{k1.id: {"new.py:42:true:staged"}},
		},
		{
			name: "rebase in progress",
			setup: func(r *repo) string {
				r.diverge()
				r.Git("checkout", "-q", "topic")
				if _, err := r.GitErr("rebase", "-q", "main"); err == nil {
					r.T.Fatal("rebase should stop on a conflict")
				}
				r.Write("f.txt", "both\n"+k1.ini())
				r.Git("add", "f.txt")
				return ""
			},
			want: map[string][]string{k1.id: {"f.txt:3:false:staged"}},
		},
	}
	for _, via := range []string{"in process", "git diff-index"} {
		for _, tt := range tests {
			t.Run(via+"/"+tt.name, func(t *testing.T) {
				r := newRepo(t)
				sub := tt.setup(r)
				got := summary(scanStagedVia(t, filepath.Join(r.Dir, sub), via != "in process"))
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("findings = %v, want %v", got, tt.want)
				}
			})
		}
	}
}

func TestStagedWorktree(t *testing.T) {
	k := newCred(3)
	r := newRepo(t)
	r.Write("a.txt", "a\n")
	r.Commit("c1")
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", "-b", "feature", wt)
	if err := os.WriteFile(filepath.Join(wt, "k.ini"), []byte(k.ini()), 0o644); err != nil {
		t.Fatal(err)
	}
	w := repoAt(t, wt)
	w.Git("add", "k.ini")
	if got := summary(scanStaged(t, wt)); !reflect.DeepEqual(got, map[string][]string{k.id: {"k.ini:2:false:staged"}}) {
		t.Errorf("worktree findings = %v", got)
	}
	if got := scanStaged(t, r.Dir); len(got.Findings) != 0 {
		t.Errorf("main work tree sees the worktree's index: %v", summary(got))
	}
}

func TestStagedIndexFileEnv(t *testing.T) {
	// `git commit -a` and `git commit PATH` run hooks with GIT_INDEX_FILE
	// naming a temporary index: that is what must be scanned.
	k := newCred(4)
	r := newRepo(t)
	r.Write("a.txt", "a\n")
	r.Commit("c1")
	r.Write("a.txt", "a\n"+k.ini())
	alt := filepath.Join(r.Dir, ".git", "alt-index")
	cmd := []string{"-c", "core.safecrlf=false", "update-index", "--add", "a.txt"}
	if out, err := (repoAt(t, r.Dir)).GitEnv([]string{"GIT_INDEX_FILE=" + alt}, "read-tree", "HEAD"); err != nil {
		t.Fatal(out, err)
	}
	if out, err := r.GitEnv([]string{"GIT_INDEX_FILE=" + alt}, cmd...); err != nil {
		t.Fatal(out, err)
	}
	col := scanner.NewCollector(nil)
	err := Staged(context.Background(), scanner.New(scanner.Options{}), col, Options{Dir: r.Dir, Env: []string{"GIT_INDEX_FILE=" + alt}})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(col.Result()); len(got[k.id]) != 1 {
		t.Errorf("alternate index not scanned: %v", got)
	}
	if got := scanStaged(t, r.Dir); len(got.Findings) != 0 {
		t.Errorf("default index should be clean: %v", summary(got))
	}
}

func TestStagedErrors(t *testing.T) {
	t.Run("not a repository", func(t *testing.T) {
		col := scanner.NewCollector(nil)
		err := Staged(context.Background(), scanner.New(scanner.Options{}), col, Options{Dir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "list staged changes") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("missing object is a unit error", func(t *testing.T) {
		r := newRepo(t)
		r.Write("a.txt", "a\n")
		r.Commit("c1")
		r.Write("b.txt", "content that will vanish\n")
		r.Git("add", "b.txt")
		id := r.Git("rev-parse", ":b.txt")
		if err := os.Remove(filepath.Join(r.Dir, ".git", "objects", id[:2], id[2:])); err != nil {
			t.Fatal(err)
		}
		res := scanStaged(t, r.Dir)
		if len(res.Errors) != 1 || res.Errors[0].Unit != "b.txt" || !strings.Contains(res.Errors[0].Err, "missing") {
			t.Fatalf("errors = %+v", res.Errors)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		r := newRepo(t)
		r.Write("a.txt", "a\n")
		r.Git("add", ".")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := Staged(ctx, scanner.New(scanner.Options{}), scanner.NewCollector(nil), Options{Dir: r.Dir})
		if err == nil {
			t.Fatal("want an error from a cancelled context")
		}
	})
	t.Run("git binary missing", func(t *testing.T) {
		err := Staged(context.Background(), scanner.New(scanner.Options{}), scanner.NewCollector(nil),
			Options{Dir: t.TempDir(), Git: filepath.Join(t.TempDir(), "no-git")})
		if err == nil || !errors.Is(err, os.ErrNotExist) && !strings.Contains(err.Error(), "no-git") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseRaw(t *testing.T) {
	z := "0000000000000000000000000000000000000000"
	a := "1111111111111111111111111111111111111111"
	b := "2222222222222222222222222222222222222222"
	tests := []struct {
		name    string
		in      string
		want    []change
		wantErr bool
	}{
		{"empty", "", nil, false},
		{"add", ":000000 100644 " + z + " " + a + " A\x00dir/with space.txt\x00",
			[]change{{status: 'A', oldMode: "000000", newMode: "100644", oldID: z, newID: a, path: "dir/with space.txt", oldPath: "dir/with space.txt"}}, false},
		{"rename", ":100644 100644 " + a + " " + b + " R087\x00old\x00new\x00",
			[]change{{status: 'R', oldMode: "100644", newMode: "100644", oldID: a, newID: b, path: "new", oldPath: "old"}}, false},
		{"garbage", "nonsense\x00", nil, true},
		{"rename without target", ":100644 100644 " + a + " " + b + " R100\x00old\x00", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRaw([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
