package history

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// link turns the parsed graph into the walked one: the commits the tips
// reach (every commit with AllObjects) become s.commits, trees and blobs
// they reach get a parent (to name their path), and blobs nothing
// reaches are unreachable (AllObjects) or dropped from the results.
func (s *scan) link(g *graph, tips []tip) {
	byHash := make(map[plumbing.Hash]*bulkCommit, len(g.commits))
	for i := range g.commits {
		byHash[g.commits[i].hash] = &g.commits[i]
	}
	var stack []plumbing.Hash
	for _, t := range tips {
		stack = append(stack, t.hash)
	}
	s.linkCommits(byHash, stack)
	if s.opts.AllObjects {
		stack = stack[:0]
		for i := range g.commits {
			if _, ok := s.commitIdx[g.commits[i].hash]; !ok {
				stack = append(stack, g.commits[i].hash)
			}
		}
		s.linkCommits(byHash, stack)
	}
	for _, r := range s.rootTips {
		if id, ok := s.ids[r.hash]; ok {
			s.roots = append(s.roots, root{r.label, id})
		} else {
			s.unitError("ref "+r.label, fmt.Errorf("%s: %w", r.hash, errMissing))
		}
	}
	reached := s.reach()
	s.settleUnreached(reached)
	for _, sm := range g.subs {
		if !reached[sm.tree] {
			continue
		}
		p := sm.name
		if tp := s.pathOf(sm.tree); tp != "" {
			p = tp + "/" + sm.name
		}
		s.notes.add("submodule:"+p, fmt.Sprintf("submodule %s not followed (scan its repository separately)", p))
	}
}

// linkCommits walks the parsed commits from stack.
func (s *scan) linkCommits(byHash map[plumbing.Hash]*bulkCommit, stack []plumbing.Hash) {
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := s.commitIdx[h]; ok {
			continue
		}
		s.commitIdx[h] = int32(len(s.commits))
		c, ok := byHash[h]
		if !ok {
			s.commits = append(s.commits, commitNode{hash: h, tree: -1})
			s.unitError("commit "+h.String(), errMissing)
			continue
		}
		n := commitNode{hash: h, tree: -1, treeHash: c.tree, parents: c.parents, author: c.author, email: c.email, when: c.when}
		if id, ok := s.ids[c.tree]; ok {
			n.tree = id
		} else {
			s.unitError("commit "+h.String(), fmt.Errorf("tree %s: %w", c.tree, errMissing))
		}
		s.commits = append(s.commits, n)
		s.sum.Messages++
		if len(c.msg) > 0 {
			loc := s.loc()
			loc.Kind, loc.Commit = "commit-message", h.String()
			loc.Author, loc.Email, loc.Date = c.author, c.email, c.when
			for _, m := range c.msg {
				s.col.Add(m, loc)
			}
		}
		if !s.shallow[h] {
			stack = append(stack, c.parents...)
		}
	}
}

// reach marks the trees and blobs the walked commits and roots reach,
// giving each a parent tree (the first met) to name its path by.
func (s *scan) reach() []bool {
	reached := make([]bool, len(s.objs))
	var stack []int32
	push := func(id, parent int32) {
		if reached[id] {
			return
		}
		reached[id] = true
		s.objs[id].parent = parent
		if s.objs[id].tree {
			stack = append(stack, id)
		}
	}
	for i := range s.commits {
		if t := s.commits[i].tree; t >= 0 {
			push(t, -1)
		}
	}
	for _, r := range s.roots {
		push(r.obj, -1)
		s.objs[r.obj].path = r.label
	}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range s.objs[t].kids {
			push(k, t)
		}
	}
	return reached
}

// noteworthy returns the blobs whose commits and paths must be found:
// those that matched, the Git LFS pointers and those that failed.
func (s *scan) noteworthy() map[int32]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := make(map[int32]bool, len(s.matches)+len(s.lfs)+len(s.pending))
	for _, f := range s.pending {
		keep[f.id] = true
	}
	for id := range s.matches {
		keep[id] = true
	}
	for _, id := range s.lfs {
		keep[id] = true
	}
	return keep
}

// settleUnreached marks the noteworthy blobs no walked commit reaches:
// unreachable (kept, AllObjects) or dropped (their matches are not
// reported; a note says how many held keys).
func (s *scan) settleUnreached(reached []bool) {
	hidden := 0
	for id := range s.noteworthy() {
		if reached[id] {
			continue
		}
		if s.opts.AllObjects {
			s.unreach[id] = true
			continue
		}
		s.dropped[id] = true
		if _, ok := s.matches[id]; ok {
			hidden++
			delete(s.matches, id)
		}
	}
	if hidden > 0 {
		s.notes.add("unreachable", fmt.Sprintf("%d blob(s) hold keys that the scanned refs do not reach (dangling objects, or other branches); scan with --all-objects to report them", hidden))
	}
}

// unreachableTags scans the messages of annotated tags no ref names.
func (s *scan) unreachableTags(tags []plumbing.Hash) {
	for _, h := range tags {
		if s.tags[h] {
			continue
		}
		tag, err := object.GetTag(s.st, h)
		if err != nil {
			s.unitError("tag "+h.String(), fmt.Errorf("read tag: %w", err))
			continue
		}
		s.scanTag("(unreachable tag "+tag.Name+")", tag)
	}
}
