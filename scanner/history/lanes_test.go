package history

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestPlanFamilies checks the pack reader's lane plan on a hand-made
// listing: every blob in exactly one lane, in listing order, each delta in
// the lane of its base, and the peak of bases kept at once.
func TestPlanFamilies(t *testing.T) {
	locs := []packLoc{
		{"a.pack", 0, -1, 100}, // 0: whole, base of 2
		{"a.pack", 10, -1, 50}, // 1: whole, base of 4
		{"a.pack", 20, 0, 5},   // 2: delta on 0, base of 3
		{"a.pack", 30, 20, 5},  // 3: delta on 2
		{"a.pack", 40, 10, 5},  // 4: delta on 1
		{"a.pack", 50, 45, 5},  // 5: delta on an object not listed
		{"b.pack", 0, -1, 20},  // 6: whole, base of 7
		{"b.pack", 5, 0, 5},    // 7: delta on 6 (offset 0 of b.pack, not a.pack)
	}
	refs := []blobRef{{id: 100, loc: -1, size: 7}} // a loose blob first, as listed
	for i := range locs {
		refs = append(refs, blobRef{id: int32(i), loc: int32(i), size: -1})
	}
	family := map[int32]int32{0: 0, 2: 0, 3: 0, 1: 1, 4: 1, 5: 5, 6: 6, 7: 6, 100: 100}
	for _, tc := range []struct {
		name    string
		n       int
		keepMax int64
		peak    int64   // -1: not checked (depends on the split)
		git     []int32 // blobs left to git cat-file (and the loose one)
	}{
		// One lane: 0 and 1 kept (150), 0 dropped for 2 (50 + 2's 100
		// carried down), 2 dropped for 3, 1 for 4, then 6 alone.
		{"one lane", 1, 1 << 20, 150, nil},
		// 0's family has a base over 60 bytes: left to git cat-file.
		{"one lane, a base too big to keep", 1, 60, 50, []int32{0, 2, 3}},
		{"two lanes", 2, 1 << 20, -1, nil},
		{"more lanes than families", 9, 1 << 20, -1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planFamilies(refs, locs, tc.n, tc.keepMax)
			if tc.peak >= 0 && p.peak != tc.peak {
				t.Errorf("peak = %d, want %d", p.peak, tc.peak)
			}
			if p.toGit != len(tc.git) {
				t.Errorf("%d blobs left to git, want %d", p.toGit, len(tc.git))
			}
			if len(p.lanes) > tc.n || len(p.lanes) == 0 {
				t.Fatalf("%d lanes for %d", len(p.lanes), tc.n)
			}
			if tc.n > 1 && len(p.lanes) < 2 {
				t.Errorf("one lane of %d", tc.n)
			}
			laneOf := map[int32]int{}
			var all []int32
			for l, lane := range p.lanes {
				pos := -1
				for _, r := range lane {
					i := slices.IndexFunc(refs, func(x blobRef) bool { return x.id == r.id })
					if i <= pos {
						t.Errorf("lane %d out of listing order at blob %d", l, r.id)
					}
					pos = i
					if toGit := slices.Contains(tc.git, r.id) || r.id == 100; toGit != (r.loc < 0) {
						t.Errorf("blob %d: read by git = %v, want %v", r.id, r.loc < 0, toGit)
					}
					laneOf[r.id] = l
					all = append(all, r.id)
				}
			}
			if len(all) != len(refs) || len(laneOf) != len(refs) {
				t.Fatalf("lanes hold %d blobs (%d distinct), want %d", len(all), len(laneOf), len(refs))
			}
			for id, root := range family {
				if laneOf[id] != laneOf[root] {
					t.Errorf("blob %d in lane %d, its family's whole object %d in lane %d", id, laneOf[id], root, laneOf[root])
				}
			}
		})
	}
}

// TestReaderAutoChoice checks that ReaderAuto takes the pack reader on a
// pack whose delta bases fit the cache and git cat-file when the memory
// budget is too small for them, with the same findings either way as the
// explicit readers.
func TestReaderAutoChoice(t *testing.T) {
	r := newRepo(t)
	ks := keys(2, 41)
	for i := range 12 {
		body := strings.Repeat("line of text that stays\n", 200) + fmt.Sprintf("change %d\n", i)
		if i == 4 {
			body += ks[0].text() // in one version of a file stored as deltas
		}
		r.write("a.txt", body)
		r.write(fmt.Sprintf("d%d/b.txt", i%3), noisy(3000, byte(i%2))+fmt.Sprint(i))
		r.commit(fmt.Sprintf("c%d", i))
	}
	r.write("loose.env", ks[1].text())
	r.git("repack", "-adf")
	r.commit("loose key")   // its blob stays loose
	refDeltas := newRepo(t) // the same history, its pack with deltas by hash
	runGit(t, refDeltas.dir, 0, "pull", "-q", r.dir, "main")
	runGit(t, refDeltas.dir, 0, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adf")

	want, _, err := scanRepo(t, r.dir, Options{Reader: ReaderGit})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if findingOf(want, k.ID) == nil {
			t.Fatalf("key %s not found by git cat-file", k.ID)
		}
	}
	for _, tc := range []struct {
		name   string
		dir    string
		opts   Options
		reader string
	}{
		{"bases fit", r.dir, Options{Reader: ReaderAuto}, ReaderPack},
		{"bases do not fit", r.dir, Options{Reader: ReaderAuto, MemoryBytes: 4096}, ReaderGit},
		{"pack asked for", r.dir, Options{Reader: ReaderPack, MemoryBytes: 4096}, ReaderPack},
		// Deltas by hash are not rebuilt in Go: git cat-file reads them.
		{"deltas by hash", refDeltas.dir, Options{Reader: ReaderAuto}, ReaderPack},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, sum, err := scanRepo(t, tc.dir, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Reader != tc.reader {
				t.Errorf("reader = %q, want %q", sum.Reader, tc.reader)
			}
			if !sameFindings(res, want) || len(res.Errors) != len(want.Errors) {
				t.Errorf("findings differ from git cat-file's: %d vs %d (errors %v vs %v)",
					len(res.Findings), len(want.Findings), res.Errors, want.Errors)
			}
		})
	}
}
