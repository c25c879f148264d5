package history

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNarrowing checks --since, --range, --branch and Exclude: only
// objects new in the narrowed history are reported.
func TestNarrowing(t *testing.T) {
	r := newRepo(t)
	k := keys(4, 21)
	r.write("a.env", k[0].text())
	c1 := r.commit("a")
	r.write("b.env", k[1].text())
	c2 := r.commit("b")
	r.git("checkout", "-q", "-b", "feature")
	r.write("c.env", k[2].text())
	c3 := r.commit("c")
	r.git("checkout", "-q", "main")
	r.write("d.env", k[3].text())
	r.commit("d")
	cases := []struct {
		name string
		opts Options
		want []int // indexes of keys expected
	}{
		{"everything", Options{}, []int{0, 1, 2, 3}},
		{"since first", Options{Since: c1}, []int{1, 2, 3}},
		{"range", Options{Range: c1 + ".." + c2}, []int{1}},
		{"range by names", Options{Range: "main..feature"}, []int{2}},
		{"branch", Options{Branch: "main"}, []int{0, 1, 3}},
		{"branch since", Options{Branch: "feature", Since: c2}, []int{2}},
		{"exclude", Options{Exclude: []string{c2}}, []int{2, 3}},
		{"exclude both tips", Options{Exclude: []string{c3, r.git("rev-parse", "main")}}, nil},
		{"exclude unknown sha", Options{Exclude: []string{strings.Repeat("ab", 20)}}, []int{0, 1, 2, 3}},
	}
	for _, reader := range readers() {
		for _, c := range cases {
			t.Run(readerName(reader)+"/"+c.name, func(t *testing.T) {
				c.opts.Reader = reader
				res, sum, err := scanRepo(t, r.dir, c.opts)
				if err != nil {
					t.Fatal(err)
				}
				var got []int
				for i, kk := range k {
					if findingOf(res, kk.ID) != nil {
						got = append(got, i)
					}
				}
				if !equalInts(got, c.want) {
					t.Errorf("found keys %v, want %v (summary %+v)", got, c.want, sum)
				}
				if len(res.Errors) > 0 {
					t.Errorf("errors: %+v", res.Errors)
				}
			})
		}
	}
}

// TestExcludeSkipsKnownBlobs checks that a blob reachable from an excluded
// commit is not read again (pushes and incremental sweeps stay cheap).
func TestExcludeSkipsKnownBlobs(t *testing.T) {
	r := newRepo(t)
	r.write("big.txt", strings.Repeat("old content\n", 1000))
	old := r.commit("old")
	r.write("new.txt", "new\n")
	r.commit("new")
	_, sum, err := scanRepo(t, r.dir, Options{Exclude: []string{old}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Blobs != 1 || sum.Commits != 1 {
		t.Errorf("scanned %d blobs in %d commits, want 1 and 1", sum.Blobs, sum.Commits)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRepositoryKinds scans a bare clone, a linked worktree, a directory
// below the top of a work tree, a shallow clone and a repository with
// several packs.
func TestRepositoryKinds(t *testing.T) {
	r := newRepo(t)
	k := keys(2, 31)
	r.write("old.env", k[0].text())
	r.commit("old")
	r.git("repack", "-q", "-d")
	r.write("sub/new.env", k[1].text())
	r.commit("new")
	r.git("repack", "-q", "-d")
	packs, _ := filepath.Glob(filepath.Join(r.dir, ".git/objects/pack/*.pack"))
	if len(packs) != 2 {
		t.Fatalf("want 2 packs, have %d", len(packs))
	}
	base := t.TempDir()
	bare := filepath.Join(base, "bare.git")
	runGit(t, base, 0, "clone", "-q", "--bare", r.dir, bare)
	wt := filepath.Join(base, "wt")
	r.git("worktree", "add", "-q", wt)
	shallow := filepath.Join(base, "shallow")
	runGit(t, base, 0, "clone", "-q", "--depth", "1", "file://"+r.dir, shallow)
	kinds := []struct {
		name, dir string
		want      []int
		shallow   bool
	}{
		{"two packs", r.dir, []int{0, 1}, false},
		{"bare", bare, []int{0, 1}, false},
		{"worktree", wt, []int{0, 1}, false},
		{"subdirectory", filepath.Join(r.dir, "sub"), []int{0, 1}, false},
		{"shallow", shallow, []int{0, 1}, true},
	}
	for _, reader := range readers() {
		for _, kd := range kinds {
			t.Run(readerName(reader)+"/"+kd.name, func(t *testing.T) {
				if !IsRepo(kd.dir) {
					t.Fatal("IsRepo false")
				}
				res, sum, err := scanRepo(t, kd.dir, Options{Reader: reader})
				if err != nil {
					t.Fatal(err)
				}
				for _, i := range kd.want {
					f := findingOf(res, k[i].ID)
					if f == nil {
						t.Errorf("key %d not found", i)
						continue
					}
					if !f.Locations[0].InHead {
						t.Errorf("key %d: in_head false", i)
					}
				}
				if len(res.Errors) > 0 {
					t.Errorf("errors: %+v", res.Errors)
				}
				if sum.Shallow != kd.shallow || hasNote(res.Notes, "shallow") != kd.shallow {
					t.Errorf("shallow = %v, notes %q", sum.Shallow, res.Notes)
				}
			})
		}
	}
}

func hasNote(notes []string, sub string) bool {
	for _, n := range notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// TestSubmoduleAndLFS checks that a submodule is named, not followed,
// and that a Git LFS pointer is named as such.
func TestSubmoduleAndLFS(t *testing.T) {
	r := newRepo(t)
	r.write("README", "x\n")
	head := r.commit("one")
	r.git("update-index", "--add", "--cacheinfo", "160000,"+head+",vendor/lib")
	r.write(".gitmodules", "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = https://example.com/lib\n")
	r.write("assets/big.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
	r.git("add", ".gitmodules", "assets/big.bin")
	r.tick++
	r.git("commit", "-q", "-m", "submodule and lfs")
	for _, reader := range readers() {
		t.Run(readerName(reader), func(t *testing.T) {
			res, _, err := scanRepo(t, r.dir, Options{Reader: reader})
			if err != nil {
				t.Fatal(err)
			}
			if !hasNote(res.Notes, "submodule vendor/lib not followed") {
				t.Errorf("notes %q: submodule not named", res.Notes)
			}
			if !hasNote(res.Notes, "Git LFS pointer assets/big.bin") {
				t.Errorf("notes %q: LFS pointer not named", res.Notes)
			}
			if len(res.Errors) > 0 {
				t.Errorf("errors: %+v", res.Errors)
			}
		})
	}
}

// TestNoGitBinary runs the scan with PATH emptied: the go-git reader must
// be chosen and still find everything.
func TestNoGitBinary(t *testing.T) {
	r := newRepo(t)
	k := keys(1, 41)[0]
	r.write("a.env", k.text())
	r.commit("one")
	t.Setenv("PATH", t.TempDir())
	if _, err := exec.LookPath("git"); err == nil {
		t.Skip("git still on PATH")
	}
	res, sum, err := scanRepo(t, r.dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Reader != ReaderGoGit || findingOf(res, k.ID) == nil {
		t.Errorf("reader %q, findings %d", sum.Reader, len(res.Findings))
	}
	if _, _, err := scanRepo(t, r.dir, Options{Reader: ReaderGit}); err == nil {
		t.Error("Reader git without a git binary accepted")
	}
}

// TestPartialClone scans a blob:none partial clone whose remote is gone:
// what is present is scanned, what the filter left out is one note, and
// git is never asked to fetch.
func TestPartialClone(t *testing.T) {
	r := newRepo(t)
	k := keys(2, 61)
	r.write("old.env", k[0].text())
	r.commit("old")
	os.Remove(filepath.Join(r.dir, "old.env"))
	r.write("new.env", k[1].text())
	r.commit("new")
	r.git("config", "uploadpack.allowFilter", "true")
	clone := filepath.Join(t.TempDir(), "partial")
	runGit(t, r.dir, 0, "clone", "-q", "--filter=blob:none", "file://"+r.dir, clone)
	os.RemoveAll(r.dir) // a lazy fetch would now fail loudly
	for _, reader := range readers() {
		for _, o := range []Options{{}, {Branch: "main"}} {
			o.Reader = reader
			t.Run(readerName(reader)+"/branch="+o.Branch, func(t *testing.T) {
				res, _, err := scanRepo(t, clone, o)
				if err != nil {
					t.Fatal(err)
				}
				if findingOf(res, k[1].ID) == nil {
					t.Error("key at HEAD not found")
				}
				if !hasNote(res.Notes, "partial clone") {
					t.Errorf("notes %q: partial clone not said", res.Notes)
				}
				if len(res.Errors) > 0 {
					t.Errorf("errors: %+v", res.Errors)
				}
			})
		}
	}
}
