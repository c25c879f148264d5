package history

import (
	"cmp"
	"slices"
)

// lanePlan splits the blobs among the pack reader's lanes by delta family
// (a whole object and every delta built on it, however deep): each lane
// reads its families in pack order and skips the others' objects, so no
// lane rebuilds a base another lane reads. Cutting the pack order in
// contiguous runs instead makes a lane rebuild, from the file, the chains
// that lead to its first deltas (on the synthetic benchmark 526 deltas of
// the second lane needed 20,273 objects, 376 MB, of the first).
type lanePlan struct {
	lanes [][]blobRef
	// peak estimates the most bytes of delta bases a lane needs at once
	// (whole objects' sizes carried down their chains), over all lanes.
	peak int64
	// toGit counts the packed blobs left to git cat-file: their family
	// has a base too big to keep.
	toGit int
}

// lanes splits refs among the readers and says whether the pack reader
// reads them (else git cat-file). ReaderAuto takes the pack reader when
// the plan's bases fit its cache (packCacheBytes per lane) and it leaves
// at most half the packed blobs to git (families with a base too big to
// keep): where deltas sit near their bases, rebuilding them in Go saves
// git's inflating them again and the pipe; where they do not (git/git: an
// estimated 317 MB of bases live at once), the reader would rebuild
// evicted chains from the file, and git cat-file lanes are faster.
func (s *scan) lanes(refs []blobRef) (lanes [][]blobRef, pack bool) {
	want := s.opts.Reader == ReaderPack || s.opts.Reader == ReaderAuto
	if want && s.blobLocs != nil {
		plan := planFamilies(refs, s.blobLocs, s.opts.Workers, s.packCacheBytes()/4)
		fits := plan.peak <= s.packCacheBytes() && plan.toGit <= len(s.blobLocs)/2
		if s.opts.Reader == ReaderPack || fits {
			s.mu.Lock()
			s.sum.Reader = ReaderPack
			s.mu.Unlock()
			return plan.lanes, true
		}
		s.blobLocs = nil // not needed by git
	}
	s.mu.Lock()
	s.sum.Reader = ReaderGit
	s.mu.Unlock()
	return split(refs, s.opts.Workers), false
}

// packCacheBytes bounds the delta bases one lane of the pack reader keeps.
func (s *scan) packCacheBytes() int64 { return s.opts.MemoryBytes / 4 }

// planFamilies plans n lanes over refs (in listing order: each pack's
// blobs by offset; loc indexes locs, -1 for blobs not packed). A family
// with a base over keepMax bytes, which the reader would not keep and so
// would rebuild from the file for each of its deltas, is left to git
// cat-file: its blobs are in the lanes with loc -1, and out of peak.
func planFamilies(refs []blobRef, locs []packLoc, n int, keepMax int64) lanePlan {
	n = max(n, 1)
	base := make([]int32, len(refs)) // index in refs of the delta base, -1 none
	root := make([]int32, len(refs)) // index in refs of the family's whole object
	uses := make([]int32, len(refs)) // deltas in refs on it
	est := make([]int64, len(refs))  // estimated size
	for start := 0; start < len(refs); {
		end := start + 1 // refs[start:end]: one pack's run (or one loose blob)
		if refs[start].loc >= 0 {
			pack := locs[refs[start].loc].pack
			for end < len(refs) && refs[end].loc >= 0 && locs[refs[end].loc].pack == pack {
				end++
			}
		}
		run := refs[start:end]
		for i, r := range run {
			k := start + i
			base[k], root[k], est[k] = -1, int32(k), max(r.size, 0)
			if r.loc < 0 {
				continue
			}
			at := locs[r.loc]
			est[k] = at.size
			if at.base < 0 {
				continue
			}
			j, ok := slices.BinarySearchFunc(run[:i], at.base, func(r blobRef, off int64) int {
				return cmp.Compare(locs[r.loc].off, off)
			})
			if !ok {
				continue // a base that is not a listed blob: rebuilt when needed
			}
			b := start + j
			base[k], root[k], est[k] = int32(b), root[b], est[b]
			uses[b]++
		}
		start = end
	}
	weight := make([]int64, len(refs)) // by root: bytes of its family
	big := make(map[int32]bool)        // roots of families with a base over keepMax
	for k := range refs {
		weight[root[k]] += max(est[k], 1)
		if uses[k] > 0 && est[k] > keepMax {
			big[root[k]] = true
		}
	}
	laneOf := make([]int32, len(refs)) // by root
	load := make([]int64, n)
	counts := make([]int, n)
	for k := range refs {
		if root[k] == int32(k) {
			l := slices.Index(load, slices.Min(load))
			laneOf[k] = int32(l)
			load[l] += weight[k]
		}
		counts[laneOf[root[k]]]++
	}
	p := lanePlan{lanes: make([][]blobRef, n)}
	for l := range p.lanes {
		p.lanes[l] = make([]blobRef, 0, counts[l])
	}
	live := make([]int64, n)
	for k, r := range refs {
		l := laneOf[root[k]]
		if big[root[k]] {
			r.loc = -1 // for git cat-file
			p.toGit++
			p.lanes[l] = append(p.lanes[l], r)
			continue
		}
		p.lanes[l] = append(p.lanes[l], r)
		if b := base[k]; b >= 0 {
			if uses[b]--; uses[b] == 0 {
				live[l] -= est[b]
			}
		}
		if uses[k] > 0 {
			live[l] += est[k]
			p.peak = max(p.peak, live[l])
		}
	}
	p.lanes = slices.DeleteFunc(p.lanes, func(l []blobRef) bool { return len(l) == 0 })
	return p
}
