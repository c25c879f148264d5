package history

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/keysweep/keysweep/scanner"
)

// walkAll walks the commits reachable from tips and not from excl, then
// every tree of those commits once. Trees and blobs reachable from the
// boundary (excluded parents of walked commits) are skipped, as
// `git rev-list A..B` does.
func (s *scan) walkAll(ctx context.Context, tips []tip, excl []plumbing.Hash) error {
	if len(excl) > 0 && s.gitBin != "" {
		// git answers "which commits are new" from its commit-graph
		// without reading the excluded history (a push to a big repo).
		inc, err := s.revList(ctx, tips, excl)
		if err == nil {
			s.inc = inc
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if s.inc == nil {
		if err := s.markExcludedCommits(ctx, excl); err != nil {
			return err
		}
	}
	var stack []plumbing.Hash
	for _, t := range tips {
		stack = append(stack, t.hash)
	}
	first := len(s.commits)
	boundary, err := s.walkCommits(ctx, stack)
	if err != nil {
		return err
	}
	defer s.walkRoots()
	for _, h := range boundary {
		c, err := object.GetCommit(s.st, h)
		if err != nil {
			continue // an unreadable boundary only means less is skipped
		}
		s.excludeTree(c.TreeHash)
	}
	return s.walkTrees(ctx, first)
}

// walkRoots visits the trees and blobs refs name directly.
func (s *scan) walkRoots() {
	for _, r := range s.rootTips {
		if r.tree {
			if id := s.visitTree(r.hash, ""); id >= 0 {
				s.roots = append(s.roots, root{r.label, id})
			}
		} else if id, ok := s.blob(r.hash, r.label); ok {
			s.roots = append(s.roots, root{r.label, id})
		}
	}
}

// walkCommits reads every commit reachable from stack that was not walked
// or excluded before, and returns the excluded commits it stopped at.
func (s *scan) walkCommits(ctx context.Context, stack []plumbing.Hash) ([]plumbing.Hash, error) {
	var boundary []plumbing.Hash
	seenB := make(map[plumbing.Hash]bool)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := s.commitIdx[h]; ok {
			continue
		}
		_, excluded := s.exclC[h]
		if s.inc != nil && !s.inc[h] {
			excluded = true
		}
		if excluded {
			if !seenB[h] {
				seenB[h] = true
				boundary = append(boundary, h)
			}
			continue
		}
		if len(s.commits)%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		s.commitIdx[h] = int32(len(s.commits))
		c, err := object.GetCommit(s.st, h)
		if err != nil {
			s.commits = append(s.commits, commitNode{hash: h, tree: -1})
			s.unitError("commit "+h.String(), fmt.Errorf("read commit: %w", err))
			continue
		}
		s.commits = append(s.commits, commitNode{
			hash: h, tree: -1, treeHash: c.TreeHash, parents: c.ParentHashes,
			author: c.Author.Name, email: c.Author.Email, when: c.Author.When,
		})
		s.sum.Messages++
		loc := s.loc()
		loc.Kind, loc.Commit = "commit-message", h.String()
		loc.Author, loc.Email, loc.Date = c.Author.Name, c.Author.Email, c.Author.When
		s.scanMessage("commit "+h.String(), c.Message, loc)
		if !s.shallow[h] {
			stack = append(stack, c.ParentHashes...)
		}
	}
	return boundary, nil
}

// walkTrees visits the root trees of the commits walked from index first on.
func (s *scan) walkTrees(ctx context.Context, first int) error {
	for i := first; i < len(s.commits); i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if c := &s.commits[i]; !c.treeHash.IsZero() {
			c.tree = s.visitTree(c.treeHash, "")
		}
	}
	return nil
}

// visitTree reads tree h (once: a tree seen before returns its number) and
// everything below it; prefix is its path, used to name blobs for the
// detector and submodules for the report. It returns -1 for excluded trees.
func (s *scan) visitTree(h plumbing.Hash, prefix string) int32 {
	if id, ok := s.ids[h]; ok {
		return id
	}
	if _, ok := s.exclO[h]; ok {
		return -1
	}
	id := s.add(node{hash: h, tree: true})
	t, err := object.GetTree(s.st, h)
	if err != nil {
		s.unitError("tree "+h.String(), fmt.Errorf("read tree: %w", err))
		return id
	}
	kids := make([]int32, 0, len(t.Entries))
	for _, e := range t.Entries {
		switch e.Mode {
		case filemode.Dir:
			if k := s.visitTree(e.Hash, prefix+e.Name+"/"); k >= 0 {
				kids = append(kids, k)
			}
		case filemode.Submodule:
			s.notes.add("submodule:"+prefix+e.Name, fmt.Sprintf("submodule %s%s not followed (scan its repository separately)", prefix, e.Name))
		default:
			if k, ok := s.blob(e.Hash, prefix+e.Name); ok {
				kids = append(kids, k)
			}
		}
	}
	s.objs[id].kids = kids
	return id
}

// blob numbers blob h, first seen at path; false when it is excluded.
func (s *scan) blob(h plumbing.Hash, path string) (int32, bool) {
	if id, ok := s.ids[h]; ok {
		return id, true
	}
	if _, ok := s.exclO[h]; ok {
		return -1, false
	}
	return s.add(node{hash: h, path: path}), true
}

func (s *scan) add(o node) int32 {
	o.parent = -1
	id := int32(len(s.objs))
	s.objs = append(s.objs, o)
	s.ids[o.hash] = id
	return id
}

// markExcludedCommits records every commit reachable from excl.
func (s *scan) markExcludedCommits(ctx context.Context, excl []plumbing.Hash) error {
	stack := append([]plumbing.Hash(nil), excl...)
	for n := 0; len(stack) > 0; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if _, ok := s.exclC[h]; ok {
			continue
		}
		s.exclC[h] = struct{}{}
		c, err := object.GetCommit(s.st, h)
		if err != nil {
			continue // shallow boundary, or not a commit: nothing more to exclude
		}
		stack = append(stack, c.ParentHashes...)
	}
	return nil
}

// excludeTree marks tree h and everything below it as excluded.
func (s *scan) excludeTree(h plumbing.Hash) {
	if _, ok := s.exclO[h]; ok {
		return
	}
	s.exclO[h] = struct{}{}
	t, err := object.GetTree(s.st, h)
	if err != nil {
		return
	}
	for _, e := range t.Entries {
		switch e.Mode {
		case filemode.Dir:
			s.excludeTree(e.Hash)
		case filemode.Submodule:
		default:
			s.exclO[e.Hash] = struct{}{}
		}
	}
}

// loc returns a location carrying the repository label.
func (s *scan) loc() scanner.Location { return scanner.Location{Repo: s.opts.Repo} }

// scanMessage scans a commit or tag message and records its matches at loc.
func (s *scan) scanMessage(unit, msg string, loc scanner.Location) {
	ms, err := scanBytes(s.det, "", []byte(msg))
	if err != nil {
		s.unitError(unit, fmt.Errorf("scan message: %w", err))
	}
	for _, m := range ms {
		s.col.Add(m, loc)
	}
}

// pathOf returns a path blob or tree id was seen at: the one the walk
// recorded, or (bulk mode) one rebuilt from the trees holding it, read
// again. "" for root trees and objects no tree holds. Not for concurrent use.
func (s *scan) pathOf(id int32) string {
	o := &s.objs[id]
	if o.path != "" || o.parent < 0 {
		return o.path
	}
	parent := o.parent
	o.parent = -1 // resolved once, whatever the outcome
	t, err := object.GetTree(s.st, s.objs[parent].hash)
	if err != nil {
		return ""
	}
	for _, e := range t.Entries {
		if e.Hash == o.hash {
			o.path = e.Name
			if pp := s.pathOf(parent); pp != "" {
				o.path = pp + "/" + e.Name
			}
			break
		}
	}
	return o.path
}
