package staged

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

func TestParseHookInput(t *testing.T) {
	a := strings.Repeat("a", 40)
	z := strings.Repeat("0", 40)
	tests := []struct {
		name    string
		parse   func(string) ([]Update, error)
		in      string
		want    []Update
		wantErr bool
	}{
		{"pre-push update", pp, "refs/heads/main " + a + " refs/heads/main " + z + "\n",
			[]Update{{Ref: "refs/heads/main", New: a, RemoteRef: "refs/heads/main", Old: z}}, false},
		{"pre-push blank lines", pp, "\n\n", nil, false},
		{"pre-push too few fields", pp, "refs/heads/main " + a + "\n", nil, true},
		{"pre-push bad sha", pp, "refs/heads/main xyz refs/heads/main " + z + "\n", nil, true},
		{"pre-receive", pr, z + " " + a + " refs/heads/new\n" + a + " " + z + " refs/heads/gone\n",
			[]Update{{Old: z, New: a, Ref: "refs/heads/new"}, {Old: a, New: z, Ref: "refs/heads/gone"}}, false},
		{"pre-receive sha256", pr, z + z[:24] + " " + a + a[:24] + " refs/heads/x\n",
			[]Update{{Old: z + z[:24], New: a + a[:24], Ref: "refs/heads/x"}}, false},
		{"pre-receive garbage", pr, "hello world\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if u := (Update{Old: z, New: a}); !u.Created() || u.Deleted() {
		t.Error("Created/Deleted wrong for a new ref")
	}
}

func pp(s string) ([]Update, error) { return ParsePrePush(strings.NewReader(s)) }
func pr(s string) ([]Update, error) { return ParsePreReceive(strings.NewReader(s)) }

// pushFixture is a clone whose origin has main with k1, and a local
// branch "feature" adding k2 in a file and k3 in a commit message.
func pushFixture(t *testing.T) (r *repo, k1, k2, k3 cred) {
	k1, k2, k3 = newCred(11), newCred(12), newCred(13)
	remote := newRepo(t)
	remote.Git("init", "-q", "--bare", "--initial-branch=main", remote.Dir+"/r.git")
	r = newRepo(t)
	r.Git("remote", "add", "origin", remote.Dir+"/r.git")
	r.Write("old.ini", k1.ini())
	r.Write("other.txt", "x\n")
	r.Commit("base")
	r.Git("push", "-q", "origin", "main")
	r.Git("checkout", "-q", "-b", "feature")
	r.Write("new.ini", k2.ini())
	r.Commit("add config")
	r.Write("other.txt", "y\n")
	r.Commit("message with a key " + k3.id + " " + k3.secret)
	return r, k1, k2, k3
}

func kinds(res scanner.Result) []string {
	var out []string
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			where := l.Path
			if l.Kind == KindCommit {
				where = "commit"
			}
			out = append(out, f.KeyID+"@"+where)
		}
	}
	sort.Strings(out)
	return out
}

func TestPrePush(t *testing.T) {
	r, k1, k2, k3 := pushFixture(t)
	head := r.Git("rev-parse", "HEAD")
	main := r.Git("rev-parse", "main")
	addCommit := r.Git("rev-parse", "HEAD~1") // "add config" added new.ini
	z := strings.Repeat("0", 40)
	det := scanner.New(scanner.Options{})
	tests := []struct {
		name      string
		remote    string
		ups       []Update
		want      []string
		wantFiles int64
	}{
		{"new branch scans only what origin lacks", "origin",
			[]Update{{Ref: "refs/heads/feature", New: head, RemoteRef: "refs/heads/feature", Old: z}},
			sorted(k2.id+"@new.ini", k3.id+"@commit"), 4}, // 2 commits, new.ini, other.txt v2; nothing of main
		{"update of an existing branch", "origin",
			[]Update{{Ref: "refs/heads/feature", New: head, RemoteRef: "refs/heads/main", Old: main}},
			sorted(k2.id+"@new.ini", k3.id+"@commit"), 4},
		{"delete scans nothing", "origin",
			[]Update{{Ref: "(delete)", New: z, RemoteRef: "refs/heads/old", Old: main}}, nil, 0},
		{"URL remote with an unknown old tip scans everything", "/some/url",
			[]Update{{Ref: "refs/heads/feature", New: head, RemoteRef: "refs/heads/x", Old: strings.Repeat("1", 40)}},
			sorted(k1.id+"@old.ini", k2.id+"@new.ini", k3.id+"@commit"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := scanner.NewCollector(nil)
			if err := PrePush(context.Background(), det, col, tt.remote, tt.ups, Options{Dir: r.Dir}); err != nil {
				t.Fatal(err)
			}
			res := col.Result()
			if got := kinds(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("findings = %v, want %v", got, tt.want)
			}
			if tt.wantFiles > 0 && res.Stats.Files != tt.wantFiles {
				t.Errorf("scanned %d objects, want %d", res.Stats.Files, tt.wantFiles)
			}
			for _, f := range res.Findings {
				for _, l := range f.Locations {
					if l.Kind == KindBlob && f.KeyID == k2.id && l.Commit != addCommit {
						t.Errorf("%s attributed to commit %q, want %s", f.KeyID, l.Commit, addCommit)
					}
				}
			}
			if tt.ups[0].Deleted() && res.Stats.Files != 0 {
				t.Errorf("a delete scanned %d objects", res.Stats.Files)
			}
		})
	}
}

func TestPreReceiveInBareRepo(t *testing.T) {
	// Without a hook, simulate the server: the bare repository already has
	// main; the "pushed" feature tip is fetched in without a ref.
	r, k1, k2, k3 := pushFixture(t)
	bare := repoAt(t, strings.TrimSpace(r.Git("remote", "get-url", "origin")))
	bare.Git("fetch", "-q", r.Dir, "feature")
	head := r.Git("rev-parse", "feature")
	col := scanner.NewCollector(nil)
	ups := []Update{{Old: strings.Repeat("0", 40), New: head, Ref: "refs/heads/feature"}}
	if err := PreReceive(context.Background(), scanner.New(scanner.Options{}), col, ups, Options{Dir: bare.Dir}); err != nil {
		t.Fatal(err)
	}
	got := kinds(col.Result())
	want := sorted(k2.id+"@new.ini", k3.id+"@commit")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings = %v, want %v (not %s, already on main)", got, want, k1.id)
	}
}

func sorted(s ...string) []string { sort.Strings(s); return s }
