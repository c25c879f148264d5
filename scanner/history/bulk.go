package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/keysweep/keysweep/scanner"
	"golang.org/x/sync/errgroup"
)

// bulkCommit is a commit as the bulk reader parsed it.
type bulkCommit struct {
	hash, tree    plumbing.Hash
	parents       []plumbing.Hash
	author, email string
	when          time.Time
	msg           []scanner.Match // matches in the message
}

// submodule is a gitlink entry of a tree.
type submodule struct {
	tree int32
	name string
}

// graph is what the bulk reader parsed: every commit of the store and the
// submodule entries of its trees. The trees' kids go straight into s.objs,
// but only subtrees and the blobs in keep: a history's trees hold
// hundreds of millions of blob entries, and only the blobs that matched
// (or are noted) need their commits and paths found.
type graph struct {
	commits []bulkCommit
	subs    []submodule
	keep    map[int32]bool // nil: keep every blob entry (up to budget)
	budget  int            // entries kept, at most, when keep is nil
	kids    int            // entries kept so far
	scratch []int32
	missing map[plumbing.Hash]bool

	last   map[string]*lastTree // by directory name ("" for root trees)
	dirOf  []*lastTree          // by tree number: its name's last tree, once a parsed tree named it
	cur    []treeEntry
	curBuf []byte
}

// runBulk is the full scan with a git binary: from the object listing it
// numbers every tree and blob, reads and scans all blobs (in pack order, in
// parallel), then reads all commits and trees (one git process, parsed
// here, keeping of each tree only its subtrees and the blobs that
// matched), and finally keeps what the refs reach (everything with
// AllObjects). No go-git object decoding is on this path: on large
// histories it was the bottleneck (see bench/history/README.md).
func (s *scan) runBulk(ctx context.Context, es []entry, locs []packLoc, tips []tip) error {
	var graphRefs []blobRef
	var blobs []blobRef
	var tags []plumbing.Hash
	commitAt := make(map[int32]plumbing.Hash) // graphRefs index → commit hash
	s.objs = make([]node, 0, len(es))
	s.ids = make(map[plumbing.Hash]int32, len(es))
	s.freshStorage()
	if locs != nil {
		s.blobLocs = make([]packLoc, 0, len(locs))
	}
	for _, e := range es {
		switch e.typ {
		case plumbing.TreeObject:
			if _, ok := s.ids[e.hash]; !ok {
				graphRefs = append(graphRefs, blobRef{id: s.add(node{hash: e.hash, tree: true}), loc: -1, size: e.size})
			}
		case plumbing.CommitObject:
			commitAt[int32(len(graphRefs))] = e.hash
			graphRefs = append(graphRefs, blobRef{id: -1, loc: -1, size: e.size})
		case plumbing.BlobObject:
			var at packLoc // where it is, when packed
			if locs != nil {
				at, locs = locs[0], locs[1:]
			}
			if _, ok := s.ids[e.hash]; !ok {
				ref := blobRef{id: s.add(node{hash: e.hash}), loc: -1, size: e.size}
				if at.pack != "" {
					ref.loc = int32(len(s.blobLocs))
					s.blobLocs = append(s.blobLocs, at)
				}
				blobs = append(blobs, ref)
			}
		case plumbing.TagObject:
			tags = append(tags, e.hash)
		}
	}
	es, locs = nil, nil // numbered: the listing may go
	s.sum.Blobs = len(blobs)
	// Read the graph while the blobs are read, keeping every blob entry,
	// as long as that stays within a quarter of the memory budget; past
	// it (a big history), read it again after the blobs, keeping only the
	// blob entries that turned out to matter.
	g := newGraph(nil, nil)
	g.budget = int(s.opts.MemoryBytes / 16)
	tooBig := false
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error { return s.readGit(ectx, blobs) })
	eg.Go(func() error {
		err := s.readGraph(ectx, graphRefs, commitAt, g)
		if errors.Is(err, errGraphTooBig) {
			tooBig, err = true, nil
		}
		return err
	})
	if err := eg.Wait(); err != nil {
		return err
	}
	if tooBig {
		for i := range s.objs {
			s.objs[i].kids = nil
		}
		g = newGraph(s.noteworthy(), g.missing)
		if err := s.readGraph(ctx, graphRefs, commitAt, g); err != nil {
			return err
		}
	}
	s.link(g, tips)
	if s.opts.AllObjects {
		s.unreachableTags(tags)
	}
	return ctx.Err()
}

// errGraphTooBig stops a graph read that keeps every blob entry once it
// holds more than its budget.
var errGraphTooBig = errors.New("tree graph over its memory share")

func newGraph(keep map[int32]bool, missing map[plumbing.Hash]bool) *graph {
	return &graph{keep: keep, missing: missing, last: make(map[string]*lastTree)}
}

// readGraph reads and parses the commits and trees in refs. With g.keep
// nil it returns errGraphTooBig as soon as the trees' entries pass g.budget.
func (s *scan) readGraph(ctx context.Context, refs []blobRef, commitAt map[int32]plumbing.Hash, g *graph) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var buf []byte
	hashOf := func(i int) plumbing.Hash {
		if refs[i].id < 0 {
			return commitAt[int32(i)]
		}
		return s.objs[refs[i].id].hash
	}
	fn := func(i int, size int64, r *bufio.Reader) error {
		if int64(cap(buf)) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("read object: %w", errOrEOF(err))
		}
		if refs[i].id < 0 {
			c, err := s.parseCommit(hashOf(i), buf)
			if err != nil {
				s.unitError("commit "+hashOf(i).String(), err)
				return nil
			}
			g.commits = append(g.commits, c)
			return nil
		}
		s.parseTree(refs[i].id, buf, g)
		if g.keep == nil && g.kids > g.budget {
			cancel()
			return errGraphTooBig
		}
		return nil
	}
	fail := func(i int, err error) {
		kind := "tree "
		if refs[i].id < 0 {
			kind = "commit "
		}
		s.unitError(kind+hashOf(i).String(), err)
	}
	err := s.batch(ctx, len(refs), hashOf, fn, fail)
	if g.keep == nil && g.kids > g.budget {
		return errGraphTooBig
	}
	return err
}

// parseTree sets the kids of tree id from its raw entries: subtrees and
// the blobs in g.keep. Entries naming objects the store lacks are unit
// errors (once per object); gitlinks are kept for notes.
//
// Most entries of a directory are the same in its next version, so an
// entry whose name and hash the last tree parsed under the same directory
// name also had reuses that answer instead of a lookup in the big object
// map (trees come after the tree that names them, in pack order).
func (s *scan) parseTree(id int32, raw []byte, g *graph) {
	if len(g.dirOf) != len(s.objs) {
		g.dirOf = append(g.dirOf, make([]*lastTree, len(s.objs)-len(g.dirOf))...)
	}
	last := g.dirOf[id]
	g.dirOf[id] = nil
	if last == nil {
		last = g.lastOf(nil) // a root tree, or one no parsed tree named yet
	}
	g.curBuf = append(g.curBuf[:0], raw...)
	b := g.curBuf
	kids, cur, prev, j := g.scratch[:0], g.cur[:0], last.entries, 0
	for len(b) > 0 {
		sp := bytes.IndexByte(b, ' ')
		nul := bytes.IndexByte(b, 0)
		if sp < 0 || nul < sp || len(b) < nul+21 {
			s.unitError("tree "+s.objs[id].hash.String(), fmt.Errorf("parse tree: malformed entry"))
			break
		}
		mode, name := b[:sp], b[sp+1:nul]
		var h plumbing.Hash
		copy(h[:], b[nul+1:nul+21])
		b = b[nul+21:]
		if string(mode) == "160000" {
			g.subs = append(g.subs, submodule{id, string(name)})
			continue
		}
		for j < len(prev) && bytes.Compare(prev[j].name, name) < 0 {
			j++
		}
		var k int32
		var sub bool
		var dir *lastTree
		if j < len(prev) && prev[j].hash == h && bytes.Equal(prev[j].name, name) {
			k, sub, dir = prev[j].id, prev[j].tree, prev[j].dir
		} else if k = s.lookupEntry(id, name, h, g); k >= 0 {
			sub = s.objs[k].tree
		}
		if sub {
			if dir == nil {
				dir = g.lastOf(name)
			}
			g.dirOf[k] = dir
		}
		cur = append(cur, treeEntry{name, h, k, sub, dir})
		if sub || (k >= 0 && (g.keep == nil || g.keep[k])) {
			kids = append(kids, k)
		}
	}
	g.scratch = kids
	last.entries, g.cur = cur, prev
	last.buf, g.curBuf = g.curBuf, last.buf
	if len(kids) > 0 {
		s.objs[id].kids = append([]int32(nil), kids...)
		g.kids += len(kids)
	}
}

// lastOf returns the last tree parsed under directory name, made empty
// the first time.
func (g *graph) lastOf(name []byte) *lastTree {
	if l, ok := g.last[string(name)]; ok {
		return l
	}
	l := &lastTree{}
	g.last[string(name)] = l
	return l
}

// lastTree is the last tree parsed under one directory name.
type lastTree struct {
	buf     []byte
	entries []treeEntry // names point into buf
}

// treeEntry is a parsed entry of a tree.
type treeEntry struct {
	name []byte
	hash plumbing.Hash
	id   int32 // -1: missing
	tree bool
	dir  *lastTree // for a subtree: its name's last tree
}

// lookupEntry numbers an entry of tree id; a missing object is -1 and is
// reported once (in a partial clone, counted for one note).
func (s *scan) lookupEntry(id int32, name []byte, h plumbing.Hash, g *graph) int32 {
	if k, ok := s.ids[h]; ok {
		return k
	}
	if g.missing == nil {
		g.missing = make(map[plumbing.Hash]bool)
	}
	if !g.missing[h] {
		g.missing[h] = true
		if s.partial {
			s.promised++ // the promisor remote has it
		} else {
			s.unitError("tree "+s.objs[id].hash.String(), fmt.Errorf("entry %s: %s: %w", name, h, errMissing))
		}
	}
	return -1
}

// parseCommit parses a raw commit and scans its message.
func (s *scan) parseCommit(h plumbing.Hash, b []byte) (bulkCommit, error) {
	c := bulkCommit{hash: h}
	for {
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return c, fmt.Errorf("parse commit: no message separator")
		}
		line := b[:nl]
		b = b[nl+1:]
		if len(line) == 0 {
			break
		}
		key, val, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "tree":
			c.tree = plumbing.NewHash(string(val))
		case "parent":
			c.parents = append(c.parents, plumbing.NewHash(string(val)))
		case "author":
			name, email, when := parseSignature(val, s.zones)
			c.author, c.email, c.when = s.intern(name), s.intern(email), when
		}
	}
	ms, err := scanBytes(s.det, "", b)
	if err != nil {
		s.unitError("commit "+h.String(), fmt.Errorf("scan message: %w", err))
	}
	c.msg = ms
	return c, nil
}

// parseSignature splits "Name <email> 1700000000 +0100"; zones caches
// the time zones made (one per distinct offset, not one per commit).
func parseSignature(b []byte, zones map[string]*time.Location) (name, email []byte, when time.Time) {
	lt := bytes.IndexByte(b, '<')
	gt := bytes.LastIndexByte(b, '>')
	if lt < 0 || gt < lt {
		return bytes.TrimSpace(b), nil, time.Time{}
	}
	name = bytes.TrimSpace(b[:lt])
	email = b[lt+1 : gt]
	f := bytes.Fields(b[gt+1:])
	if len(f) >= 1 {
		if sec, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
			when = time.Unix(sec, 0).UTC()
			if len(f) >= 2 && len(f[1]) == 5 {
				if tz, err := strconv.Atoi(string(f[1][1:])); err == nil {
					off := (tz/100*60 + tz%100) * 60
					if f[1][0] == '-' {
						off = -off
					}
					z, ok := zones[string(f[1])]
					if !ok {
						z = time.FixedZone(string(f[1]), off)
						zones[string(f[1])] = z
					}
					when = when.In(z)
				}
			}
		}
	}
	return name, email, when
}
