package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// listingLines renders a listing as sorted "hash type" lines.
func listingLines(es []entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%s %s %d", e.hash, e.typ, e.size)
	}
	slices.Sort(out)
	return out
}

// deltaRepo has files rewritten a little in each commit (so packs hold
// delta chains), a tag, and is repacked by pack before a last, loose commit.
func deltaRepo(t *testing.T, pack ...string) *testRepo {
	r := newRepo(t)
	for i := range 12 {
		r.write("a.txt", strings.Repeat("line of text that stays\n", 200)+fmt.Sprintf("change %d\n", i))
		r.write(fmt.Sprintf("d%d/b.txt", i%3), noisy(3000, byte(i%2))+fmt.Sprint(i))
		r.commit(fmt.Sprintf("c%d", i))
	}
	r.git("tag", "-a", "-m", "tagged", "v1")
	r.git(pack...)
	r.write("loose.txt", "loose object\n")
	r.commit("loose")
	return r
}

func TestListObjectsFast(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		pack []string
	}{
		{"offset deltas and loose objects", []string{"repack", "-adf"}},
		{"ref deltas", []string{"-c", "repack.useDeltaBaseOffset=false", "repack", "-adf"}},
		{"two packs", []string{"repack", "-d"}},
		{"loose only", []string{"status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := deltaRepo(t, tc.pack...)
			r.git("repack", "-d") // the loose commit in a second pack
			r.write("loose2.txt", "another loose object\n")
			r.commit("loose again")
			want, err := listObjects(ctx, "git", r.dir)
			if err != nil {
				t.Fatal(err)
			}
			var locs []packLoc
			got, err := listObjectsFast(ctx, "git", r.dir, &locs)
			if err != nil {
				t.Fatal(err)
			}
			blobs := 0
			for _, e := range got {
				if e.typ == plumbing.BlobObject {
					blobs++
				}
			}
			if len(locs) != blobs {
				t.Errorf("%d places for %d blobs", len(locs), blobs)
			}
			if g, w := listingLines(got), listingLines(want); !slices.Equal(g, w) {
				t.Errorf("fast listing differs from git's:\n got %d: %v\nwant %d: %v", len(g), g, len(w), w)
			}
		})
	}
}

func TestListObjectsFastGivesWay(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, r *testRepo)
	}{
		{"alternates", func(t *testing.T, r *testRepo) {
			other := newRepo(t)
			other.write("x", "x\n")
			other.commit("x")
			alt := filepath.Join(r.dir, ".git", "objects", "info", "alternates")
			if err := os.WriteFile(alt, []byte(filepath.Join(other.dir, ".git", "objects")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated pack", func(t *testing.T, r *testRepo) {
			packs, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.pack"))
			if len(packs) != 1 {
				t.Fatalf("packs: %v", packs)
			}
			fi, err := os.Stat(packs[0])
			if err != nil {
				t.Fatal(err)
			}
			os.Chmod(packs[0], 0o644)
			if err := os.Truncate(packs[0], fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"index version 1", func(t *testing.T, r *testRepo) {
			idx, _ := filepath.Glob(filepath.Join(r.dir, ".git", "objects", "pack", "*.idx"))
			os.Chmod(idx[0], 0o644)
			b, err := os.ReadFile(idx[0])
			if err != nil {
				t.Fatal(err)
			}
			b[7] = 1
			if err := os.WriteFile(idx[0], b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := deltaRepo(t, "repack", "-adf")
			tc.spoil(t, r)
			if _, err := listObjectsFast(ctx, "git", r.dir, nil); !errors.Is(err, errNoFastList) {
				t.Fatalf("err = %v, want errNoFastList", err)
			}
		})
	}
}
