package history

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/keysweep/keysweep/scanner"
)

// pair is a matching blob at a path of a tree.
type pair struct {
	path string
	blob int32
}

// attributor maps matching blobs back to the commits and paths that
// introduced them. A commit introduces (path, blob) when its tree holds the
// blob at path and none of its parents' trees does; a merge commit whose
// resolution added a key therefore introduces it. Only trees that contain
// a matching blob somewhere below them (found bottom-up over the walked
// graph, each tree once) are read again for their entry names.
type attributor struct {
	s      *scan
	hit    []int8 // per object: 0 unknown, 1 contains a matching blob, 2 does not
	pairs  map[int32][]pair
	head   *object.Tree
	headID int32         // HEAD's root tree in the graph when head is not used; -1 none
	headIn map[pair]bool // the pairs below headID, once asked
	inHead map[pair]bool
	placed map[int32]bool // matching blobs given at least one location
	named  map[int32][]namedKid
}

// namedKid is an entry of a tree that contains a matching blob.
type namedKid struct {
	name string
	id   int32
	dir  bool
}

func (s *scan) attribute(ctx context.Context) {
	if len(s.matches) == 0 {
		return
	}
	a := &attributor{s: s, hit: make([]int8, len(s.objs)), pairs: make(map[int32][]pair),
		inHead: make(map[pair]bool), placed: make(map[int32]bool)}
	a.headID = -1
	if s.gitBin != "" {
		a.prefetch(ctx)
	}
	if id, ok := s.headTreeID(); ok {
		a.headID = id // its pairs come from the trees just prefetched
	} else {
		a.head = s.headTree()
	}
	for i := range s.commits {
		if i%1024 == 0 && ctx.Err() != nil {
			break // still place what matched, below, without commits
		}
		a.commit(&s.commits[i])
	}
	for _, r := range s.roots {
		for _, p := range a.rootPairs(r.obj) {
			loc := s.loc()
			loc.Kind, loc.Path = "blob", r.label+":"+p.path
			if p.path == "" {
				loc.Path = r.label
			}
			a.place(p.blob, loc)
		}
	}
	ids := make([]int32, 0, len(s.matches))
	for id := range s.matches {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if a.placed[id] {
			continue
		}
		loc := s.loc()
		loc.Kind = "blob"
		if s.unreach[id] {
			loc.Path = "(unreachable blob " + s.objs[id].hash.String() + ")"
		} else {
			loc.Path = s.pathOf(id) // reachable, but no commit could be credited
			if loc.Path == "" {
				loc.Path = "(blob " + s.objs[id].hash.String() + ")" // e.g. interrupted before the walk
			}
		}
		a.place(id, loc)
	}
}

// commit places the pairs c introduced.
func (a *attributor) commit(c *commitNode) {
	if c.tree < 0 || !a.contains(c.tree) {
		return
	}
	var inParents map[pair]bool
	for _, ph := range c.parents {
		pi, ok := a.s.commitIdx[ph]
		if !ok || a.s.commits[pi].tree < 0 || !a.contains(a.s.commits[pi].tree) {
			continue
		}
		if inParents == nil {
			inParents = make(map[pair]bool)
		}
		for _, p := range a.treePairs(a.s.commits[pi].tree) {
			inParents[p] = true
		}
	}
	for _, p := range a.treePairs(c.tree) {
		if inParents[p] {
			continue
		}
		loc := a.s.loc()
		loc.Kind, loc.Path, loc.Commit = "blob", p.path, c.hash.String()
		loc.Author, loc.Email, loc.Date = c.author, c.email, c.when
		loc.InHead = a.isInHead(p)
		a.place(p.blob, loc)
	}
}

func (a *attributor) place(id int32, loc scanner.Location) {
	a.placed[id] = true
	if a.s.opts.SkipPath != nil && loc.Kind == "blob" && a.s.opts.SkipPath(loc.Path) {
		return
	}
	for _, m := range a.s.matches[id] {
		a.s.col.Add(m, loc)
	}
}

// contains reports whether object id is a matching blob or a tree with one
// below it. Each tree is decided once.
func (a *attributor) contains(id int32) bool {
	switch a.hit[id] {
	case 1:
		return true
	case 2:
		return false
	}
	o := &a.s.objs[id]
	found := false
	if !o.tree {
		_, found = a.s.matches[id]
	} else {
		for _, k := range o.kids {
			if a.contains(k) {
				found = true
				break
			}
		}
	}
	a.hit[id] = 2
	if found {
		a.hit[id] = 1
	}
	return found
}

// rootPairs is treePairs for a root that may be a blob.
func (a *attributor) rootPairs(id int32) []pair {
	if !a.s.objs[id].tree {
		if a.contains(id) {
			return []pair{{"", id}}
		}
		return nil
	}
	return a.treePairs(id)
}

// treePairs lists the matching blobs below tree id with their paths,
// reading the tree's names once and only when it contains one.
func (a *attributor) treePairs(id int32) []pair {
	if ps, ok := a.pairs[id]; ok {
		return ps
	}
	var ps []pair
	if kids, ok := a.named[id]; ok {
		for _, k := range kids {
			if !k.dir {
				ps = append(ps, pair{k.name, k.id})
				continue
			}
			for _, p := range a.treePairs(k.id) {
				ps = append(ps, pair{k.name + "/" + p.path, p.blob})
			}
		}
	} else if a.contains(id) {
		t, err := object.GetTree(a.s.st, a.s.objs[id].hash)
		if err != nil {
			a.s.unitError("tree "+a.s.objs[id].hash.String(), fmt.Errorf("read tree: %w", err))
		} else {
			ps = a.entries(t)
		}
	}
	a.pairs[id] = ps
	return ps
}

func (a *attributor) entries(t *object.Tree) []pair {
	var ps []pair
	for _, e := range t.Entries {
		k, ok := a.s.ids[e.Hash]
		if !ok || e.Mode == filemode.Submodule || !a.contains(k) {
			continue
		}
		if e.Mode == filemode.Dir {
			for _, p := range a.treePairs(k) {
				ps = append(ps, pair{e.Name + "/" + p.path, p.blob})
			}
			continue
		}
		ps = append(ps, pair{e.Name, k})
	}
	return ps
}

// isInHead reports whether the default branch's HEAD holds p's blob at p's path.
func (a *attributor) isInHead(p pair) bool {
	if a.head == nil {
		if a.headID < 0 {
			return false
		}
		if a.headIn == nil {
			a.headIn = make(map[pair]bool)
			for _, hp := range a.treePairs(a.headID) {
				a.headIn[hp] = true
			}
		}
		return a.headIn[p]
	}
	v, ok := a.inHead[p]
	if !ok {
		e, err := a.head.FindEntry(p.path)
		v = err == nil && e.Hash == a.s.objs[p.blob].hash
		a.inHead[p] = v
	}
	return v
}

// headTreeID returns HEAD's root tree as numbered in the graph (-1 when
// HEAD does not resolve), without go-git reading objects (loading a pack
// index costs more than the whole attribution). ok is false when the
// graph cannot answer: not the bulk path, or HEAD's commit not walked.
func (s *scan) headTreeID() (id int32, ok bool) {
	if s.gitBin == "" {
		return -1, false
	}
	ref, err := s.repo.Head()
	if err != nil || ref.Hash() == plumbing.ZeroHash {
		return -1, true
	}
	ci, ok := s.commitIdx[ref.Hash()]
	if !ok || s.commits[ci].tree < 0 {
		return -1, false
	}
	return s.commits[ci].tree, true
}

// headTree returns the tree of HEAD (the default branch; in a bare mirror,
// the branch HEAD names), or nil when HEAD does not resolve.
func (s *scan) headTree() *object.Tree {
	ref, err := s.repo.Head()
	if err != nil {
		return nil
	}
	h := ref.Hash()
	if h == plumbing.ZeroHash {
		return nil
	}
	c, err := object.GetCommit(s.st, h)
	if err != nil {
		return nil
	}
	t, err := c.Tree()
	if err != nil {
		return nil
	}
	return t
}

// prefetch reads, with one git process, the names of every tree that
// contains a matching blob and that a walked commit or root reaches.
func (a *attributor) prefetch(ctx context.Context) {
	var list []int32
	seen := make(map[int32]bool)
	var stack []int32
	push := func(id int32) {
		if id >= 0 && a.s.objs[id].tree && !seen[id] && a.contains(id) {
			seen[id] = true
			stack = append(stack, id)
		}
	}
	for i := range a.s.commits {
		push(a.s.commits[i].tree)
	}
	for _, r := range a.s.roots {
		push(r.obj)
	}
	for len(stack) > 0 {
		t := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		list = append(list, t)
		for _, k := range a.s.objs[t].kids {
			push(k)
		}
	}
	a.named = make(map[int32][]namedKid, len(list))
	buf := make([]byte, 0, 64<<10)
	fn := func(i int, size int64, r *bufio.Reader) error {
		if int64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("read tree: %w", errOrEOF(err))
		}
		a.named[list[i]] = a.parseNamed(buf)
		return nil
	}
	hashOf := func(i int) plumbing.Hash { return a.s.objs[list[i]].hash }
	fail := func(i int, err error) {} // treePairs falls back to go-git and reports
	a.s.batch(ctx, len(list), hashOf, fn, fail)
}

// parseNamed returns the entries of a raw tree that contain a matching blob.
func (a *attributor) parseNamed(b []byte) []namedKid {
	var out []namedKid
	for len(b) > 0 {
		sp := bytes.IndexByte(b, ' ')
		nul := bytes.IndexByte(b, 0)
		if sp < 0 || nul < sp || len(b) < nul+21 {
			break
		}
		mode, name := b[:sp], b[sp+1:nul]
		var h plumbing.Hash
		copy(h[:], b[nul+1:nul+21])
		b = b[nul+21:]
		if string(mode) == "160000" {
			continue
		}
		if k, ok := a.s.ids[h]; ok && a.contains(k) {
			out = append(out, namedKid{string(name), k, string(mode) == "40000"})
		}
	}
	return out
}
