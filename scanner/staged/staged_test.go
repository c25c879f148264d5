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
			setup: func(r *repo) string { r.write("creds.ini", k1.ini()); r.git("add", "."); return "" },
			want:  map[string][]string{k1.id: {"creds.ini:2:false:staged"}},
		},
		{
			name: "clean change",
			setup: func(r *repo) string {
				r.write("a.txt", "a\n")
				r.commit("c1")
				r.write("a.txt", "b\n")
				r.git("add", ".")
				return ""
			},
			want: map[string][]string{},
		},
		{
			name: "key already in HEAD is not added, new key is",
			setup: func(r *repo) string {
				r.write("conf/app.ini", k1.ini())
				r.commit("c1")
				r.write("conf/app.ini", "# top\n"+k1.ini()+"\n"+k2.ini())
				r.git("add", ".")
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
				r.write("a.ini", k1.ini())
				r.commit("c1")
				r.write("b.ini", "x\n"+k1.ini())
				r.git("add", ".")
				return ""
			},
			want: map[string][]string{k1.id: {"b.ini:3:false:staged"}},
		},
		{
			name: "rename keeps HEAD's keys as existing",
			setup: func(r *repo) string {
				r.write("old.ini", k1.ini()+strings.Repeat("filler line\n", 20))
				r.commit("c1")
				r.git("mv", "old.ini", "new.ini")
				return ""
			},
			want: map[string][]string{k1.id: {"new.ini:2:true:staged"}},
		},
		{
			name: "deleted file adds nothing",
			setup: func(r *repo) string {
				r.write("a.ini", k1.ini())
				r.commit("c1")
				r.git("rm", "-q", "a.ini")
				return ""
			},
			want: map[string][]string{},
		},
		{
			name: "partial staging: index without key, work tree with key",
			setup: func(r *repo) string {
				r.write("a.txt", "one\n")
				r.commit("c1")
				r.write("a.txt", "two\n")
				r.git("add", "a.txt")
				r.write("a.txt", "two\n"+k1.ini())
				return ""
			},
			want: map[string][]string{},
		},
		{
			name: "partial staging: index with key, work tree cleaned",
			setup: func(r *repo) string {
				r.write("a.txt", "one\n")
				r.commit("c1")
				r.write("a.txt", "one\n"+k1.ini())
				r.git("add", "a.txt")
				r.write("a.txt", "one\n")
				return ""
			},
			want: map[string][]string{k1.id: {"a.txt:3:false:staged"}},
		},
		{
			name: "binary file",
			setup: func(r *repo) string {
				r.write("blob.bin", "\x00\x01\x02\xff"+k1.ini()+"\x00\x00")
				r.git("add", ".")
				return ""
			},
			want: map[string][]string{k1.id: {"blob.bin:2:false:staged"}},
		},
		{
			name: "from a subdirectory paths stay repository-relative",
			setup: func(r *repo) string {
				r.write("sub/dir/x.txt", "x\n")
				r.commit("c1")
				r.write("sub/k.ini", k1.ini())
				r.git("add", ".")
				return "sub/dir"
			},
			want: map[string][]string{k1.id: {"sub/k.ini:2:false:staged"}},
		},
		{
			name: "merge in progress",
			setup: func(r *repo) string {
				r.write("f.txt", "base\n")
				r.commit("base")
				r.git("checkout", "-q", "-b", "side")
				r.write("f.txt", "side\n")
				r.write("side.ini", k2.ini())
				r.commit("side")
				r.git("checkout", "-q", "main")
				r.write("f.txt", "main\n")
				r.commit("main")
				if _, err := r.gitErr("merge", "-q", "side"); err == nil {
					r.t.Fatal("merge should conflict")
				}
				r.write("f.txt", "resolved\n"+k1.ini())
				r.git("add", "f.txt")
				return ""
			},
			want: map[string][]string{
				k1.id: {"f.txt:3:false:staged"},
				k2.id: {"side.ini:2:false:staged"},
			},
		},
		{
			name: "rebase in progress",
			setup: func(r *repo) string {
				r.write("f.txt", "base\n")
				r.commit("base")
				r.git("checkout", "-q", "-b", "topic")
				r.write("f.txt", "topic\n")
				r.commit("topic")
				r.git("checkout", "-q", "main")
				r.write("f.txt", "main\n")
				r.commit("main")
				r.git("checkout", "-q", "topic")
				if _, err := r.gitErr("rebase", "-q", "main"); err == nil {
					r.t.Fatal("rebase should stop on a conflict")
				}
				r.write("f.txt", "both\n"+k1.ini())
				r.git("add", "f.txt")
				return ""
			},
			want: map[string][]string{k1.id: {"f.txt:3:false:staged"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t)
			sub := tt.setup(r)
			got := summary(scanStaged(t, filepath.Join(r.dir, sub)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStagedWorktree(t *testing.T) {
	k := newCred(3)
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("c1")
	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", "-b", "feature", wt)
	if err := os.WriteFile(filepath.Join(wt, "k.ini"), []byte(k.ini()), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &repo{t: t, dir: wt}
	w.git("add", "k.ini")
	if got := summary(scanStaged(t, wt)); !reflect.DeepEqual(got, map[string][]string{k.id: {"k.ini:2:false:staged"}}) {
		t.Errorf("worktree findings = %v", got)
	}
	if got := scanStaged(t, r.dir); len(got.Findings) != 0 {
		t.Errorf("main work tree sees the worktree's index: %v", summary(got))
	}
}

func TestStagedIndexFileEnv(t *testing.T) {
	// `git commit -a` and `git commit PATH` run hooks with GIT_INDEX_FILE
	// naming a temporary index: that is what must be scanned.
	k := newCred(4)
	r := newRepo(t)
	r.write("a.txt", "a\n")
	r.commit("c1")
	r.write("a.txt", "a\n"+k.ini())
	alt := filepath.Join(r.dir, ".git", "alt-index")
	cmd := []string{"-c", "core.safecrlf=false", "update-index", "--add", "a.txt"}
	if out, err := (&repo{t: t, dir: r.dir}).gitEnv([]string{"GIT_INDEX_FILE=" + alt}, "read-tree", "HEAD"); err != nil {
		t.Fatal(out, err)
	}
	if out, err := r.gitEnv([]string{"GIT_INDEX_FILE=" + alt}, cmd...); err != nil {
		t.Fatal(out, err)
	}
	col := scanner.NewCollector(nil)
	err := Staged(context.Background(), scanner.New(scanner.Options{}), col, Options{Dir: r.dir, Env: []string{"GIT_INDEX_FILE=" + alt}})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(col.Result()); len(got[k.id]) != 1 {
		t.Errorf("alternate index not scanned: %v", got)
	}
	if got := scanStaged(t, r.dir); len(got.Findings) != 0 {
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
		r.write("a.txt", "a\n")
		r.commit("c1")
		r.write("b.txt", "content that will vanish\n")
		r.git("add", "b.txt")
		id := r.git("rev-parse", ":b.txt")
		if err := os.Remove(filepath.Join(r.dir, ".git", "objects", id[:2], id[2:])); err != nil {
			t.Fatal(err)
		}
		res := scanStaged(t, r.dir)
		if len(res.Errors) != 1 || res.Errors[0].Unit != "b.txt" || !strings.Contains(res.Errors[0].Err, "missing") {
			t.Fatalf("errors = %+v", res.Errors)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		r := newRepo(t)
		r.write("a.txt", "a\n")
		r.git("add", ".")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := Staged(ctx, scanner.New(scanner.Options{}), scanner.NewCollector(nil), Options{Dir: r.dir})
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
