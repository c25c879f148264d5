package history

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// story is one repository holding a key in each of the places history
// scans must reach, with what a scan must say about each.
type story struct {
	dir    string
	k      []key
	want   map[string]wantLoc // key ID → the location expected (oldest first)
	commit map[string]string  // name → SHA
}

// wantLoc is what a test checks of a finding's first location.
type wantLoc struct {
	name   string // subtest name
	kind   string
	path   string
	commit string // name in story.commit, "" for none
	inHead bool
	all    bool // found only with AllObjects
}

func buildStory(t *testing.T) *story {
	r := newRepo(t)
	k := keys(12, 7)
	s := &story{dir: r.dir, k: k, want: map[string]wantLoc{}, commit: map[string]string{}}
	r.write("README", "hello\n")
	r.write("src/app.go", "package app\n")
	s.commit["base"] = r.commit("base")

	// 0: added, then deleted.
	r.write("config/prod.env", "# prod\n"+k[0].text())
	s.commit["added"] = r.commit("add prod config")
	os.Remove(filepath.Join(r.dir, "config/prod.env"))
	r.commit("remove prod config")
	s.want[k[0].ID] = wantLoc{"added then deleted", "blob", "config/prod.env", "added", false, false}

	// 1: only in a merge commit's resolution.
	r.git("checkout", "-q", "-b", "side")
	r.write("side.txt", "side\n")
	r.commit("side work")
	r.git("checkout", "-q", "main")
	r.write("main.txt", "main\n")
	r.commit("main work")
	r.git("merge", "-q", "--no-ff", "--no-commit", "side")
	r.write("deploy/creds.ini", "[default]\n"+k[1].text())
	s.commit["merge"] = r.commit("merge side")
	s.want[k[1].ID] = wantLoc{"only in merge resolution", "blob", "deploy/creds.ini", "merge", true, false}

	// 2: only on an unmerged branch.
	r.git("checkout", "-q", "-b", "feature")
	r.write("feature/keys.txt", "x\n\n"+k[2].text())
	s.commit["feature"] = r.commit("feature keys")
	r.git("checkout", "-q", "main")
	s.want[k[2].ID] = wantLoc{"only on unmerged branch", "blob", "feature/keys.txt", "feature", false, false}

	// 3: only in a tagged commit no branch holds; 4: only in an annotated
	// tag's message; 5: a tag of a blob.
	r.git("checkout", "-q", "--detach")
	r.write("release/secret.txt", k[3].text())
	s.commit["tagged"] = r.commit("release secret")
	r.git("tag", "v-secret")
	r.git("checkout", "-q", "main")
	r.tick++
	r.git("tag", "-a", "v1", "-m", "release v1\n"+k[4].text())
	s.want[k[3].ID] = wantLoc{"only in a tag", "blob", "release/secret.txt", "tagged", false, false}
	s.want[k[4].ID] = wantLoc{"only in an annotated tag message", "tag-message", "refs/tags/v1", "", false, false}
	blob := gitStdin(t, r.dir, k[5].text(), "hash-object", "-w", "--stdin")
	r.git("tag", "blob-tag", blob)
	s.want[k[5].ID] = wantLoc{"only in a tag of a blob", "blob", "refs/tags/blob-tag", "", false, false}

	// 6: only in the stash.
	r.write("README", "hello\n"+k[6].text())
	r.tick++
	r.git("stash", "-q")
	s.want[k[6].ID] = wantLoc{"only in the stash", "blob", "README", "", false, false}

	// 7: only in a commit message.
	s.commit["msg"] = r.commit("oops\n\n" + k[7].text())
	s.want[k[7].ID] = wantLoc{"only in a commit message", "commit-message", "", "msg", false, false}

	// 8: only in a dangling commit (reset away, reflog expired).
	r.write("tmp/dangling.env", k[8].text())
	s.commit["dangling"] = r.commit("dangling")
	r.git("reset", "-q", "--hard", "HEAD~1")
	r.git("reflog", "expire", "--expire=now", "--all")
	s.want[k[8].ID] = wantLoc{"only in a dangling commit", "blob", "tmp/dangling.env", "dangling", false, true}

	// 9: packed; 10: loose, still at HEAD.
	r.write("packed/a.env", k[9].text())
	s.commit["packed"] = r.commit("packed key")
	r.git("repack", "-q", "-d")
	r.write("loose/b.env", k[10].text())
	s.commit["loose"] = r.commit("loose key")
	s.want[k[9].ID] = wantLoc{"in a packed object", "blob", "packed/a.env", "packed", true, false}
	s.want[k[10].ID] = wantLoc{"in a loose object", "blob", "loose/b.env", "loose", true, false}

	// 11: only in a dangling blob no commit holds.
	gitStdin(t, r.dir, "orphan\n"+k[11].text(), "hash-object", "-w", "--stdin")
	s.want[k[11].ID] = wantLoc{"only in a dangling blob", "blob", "(unreachable blob ", "", false, true}
	return s
}

func gitStdin(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := execGit(dir, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func TestScanFindsEveryPlace(t *testing.T) {
	s := buildStory(t)
	for _, reader := range readers() {
		for _, all := range []bool{false, true} {
			res, sum, err := scanRepo(t, s.dir, Options{Reader: reader, AllObjects: all, Workers: 2})
			if reader == ReaderGit || reader == ReaderAuto {
				// A tiny memory budget makes the tree graph too big to
				// keep whole: it is read again, keeping only what matched.
				small, _, err := scanRepo(t, s.dir, Options{Reader: reader, AllObjects: all, MemoryBytes: 256})
				if err != nil || !sameFindings(small, res) {
					t.Errorf("all=%v: tiny budget changed the result (err %v)", all, err)
				}
			}
			if err != nil {
				t.Fatalf("%s all=%v: %v", reader, all, err)
			}
			if len(res.Errors) > 0 {
				t.Errorf("%s all=%v: unexpected errors %v", reader, all, res.Errors)
			}
			if sum.Reader != reader && (reader != ReaderAuto || sum.Reader != ReaderGit && sum.Reader != ReaderPack) {
				t.Errorf("reader = %q, want %q", sum.Reader, reader)
			}
			for _, k := range s.k {
				w := s.want[k.ID]
				t.Run(readerName(reader)+"/all="+boolName(all)+"/"+w.name, func(t *testing.T) {
					f := findingOf(res, k.ID)
					if w.all && !all {
						if f != nil {
							t.Fatalf("found without --all-objects: %+v", f.Locations)
						}
						return
					}
					if f == nil {
						t.Fatal("not found")
					}
					if f.Secret.Reveal() != k.Secret {
						t.Errorf("secret not paired")
					}
					l := f.Locations[0]
					if l.Kind != w.kind || !strings.HasPrefix(l.Path, w.path) || l.InHead != w.inHead {
						t.Errorf("location = kind %q path %q in_head %v, want %q %q %v", l.Kind, l.Path, l.InHead, w.kind, w.path, w.inHead)
					}
					if w.commit != "" && l.Commit != s.commit[w.commit] {
						t.Errorf("commit = %s, want %s (%s)", l.Commit, s.commit[w.commit], w.commit)
					}
					if w.commit != "" && (l.Author != "Ada" || l.Email != "ada@example.com" || l.Date.IsZero()) {
						t.Errorf("author = %q <%q> %v", l.Author, l.Email, l.Date)
					}
					if l.Line < 1 || l.Column < 1 {
						t.Errorf("line/column = %d/%d", l.Line, l.Column)
					}
				})
			}
		}
	}
}

func boolName(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestKeyKeptAcrossCommits checks that a key present in many commits is
// reported once per introducing commit, oldest first, and at its line.
func TestKeyKeptAcrossCommits(t *testing.T) {
	r := newRepo(t)
	k := keys(1, 3)[0]
	r.write("a.env", "one\ntwo\n"+k.text())
	first := r.commit("add")
	for i := range 5 {
		r.write("other.txt", strings.Repeat("x", i+1))
		r.commit("churn")
	}
	r.write("b/copy.env", k.text())
	second := r.commit("copy")
	for _, reader := range readers() {
		t.Run(readerName(reader), func(t *testing.T) {
			res, _, err := scanRepo(t, r.dir, Options{Reader: reader})
			if err != nil {
				t.Fatal(err)
			}
			f := findingOf(res, k.ID)
			if f == nil || len(f.Locations) != 2 {
				t.Fatalf("finding = %+v", f)
			}
			a, b := f.Locations[0], f.Locations[1]
			if a.Commit != first || a.Path != "a.env" || a.Line != 3 || a.Column != 21 || !a.InHead {
				t.Errorf("first location = %+v", a)
			}
			if b.Commit != second || b.Path != "b/copy.env" || b.Line != 1 || !b.InHead {
				t.Errorf("second location = %+v", b)
			}
			if !slices.IsSortedFunc(f.Locations, func(x, y scannerLoc) int { return x.Date.Compare(y.Date) }) {
				t.Error("locations not oldest first")
			}
		})
	}
}

// TestProgressAndSummary checks the counters a progress line and a sweep
// read: every blob counted done, bytes, tips.
func TestProgressAndSummary(t *testing.T) {
	r := newRepo(t)
	r.write("a.txt", "alpha\n")
	r.write("b.txt", "beta beta\n")
	r.commit("one")
	r.git("tag", "v1")
	for _, reader := range readers() {
		t.Run(readerName(reader), func(t *testing.T) {
			var p Progress
			_, sum, err := scanRepo(t, r.dir, Options{Reader: reader, Progress: &p})
			if err != nil {
				t.Fatal(err)
			}
			if p.Total.Load() != 2 || p.Done.Load() != 2 || p.Bytes.Load() != 16 || sum.BlobBytes != 16 {
				t.Errorf("progress %d/%d %d bytes, summary %d bytes", p.Done.Load(), p.Total.Load(), p.Bytes.Load(), sum.BlobBytes)
			}
			head := r.git("rev-parse", "HEAD")
			if sum.Tips["refs/heads/main"] != head || sum.Tips["refs/tags/v1"] != head || sum.Commits != 1 || sum.Blobs != 2 {
				t.Errorf("summary = %+v", sum)
			}
		})
	}
}

// sameFindings reports whether a and b hold the same credentials at the
// same locations.
func sameFindings(a, b scannerResult) bool {
	if len(a.Findings) != len(b.Findings) {
		return false
	}
	for i := range a.Findings {
		fa, fb := a.Findings[i], b.Findings[i]
		if fa.Fingerprint != fb.Fingerprint || len(fa.Locations) != len(fb.Locations) {
			return false
		}
		for j := range fa.Locations {
			la, lb := fa.Locations[j], fb.Locations[j]
			if !la.Date.Equal(lb.Date) {
				return false
			}
			la.Date = lb.Date // zones are per scan: compare instants
			if la != lb {
				return false
			}
		}
	}
	return true
}
