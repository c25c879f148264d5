package staged

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/keysweep/keysweep/internal/gitpack"
)

// gitIndex is a parsed index: its stage-0 entries in path order, read in
// place from the file's bytes (no allocation per entry).
type gitIndex struct {
	buf   []byte   // the file
	names []byte   // where paths live: buf, or for version 4 the rebuilt paths
	start []uint32 // path i is names[start[i]:end[i]]
	end   []uint32
	entry []uint32 // version 4: offset in buf of each entry; else start[i]-62
}

func (x *gitIndex) len() int          { return len(x.start) }
func (x *gitIndex) path(i int) []byte { return x.names[x.start[i]:x.end[i]] }
func (x *gitIndex) mode(i int) uint32 { return binary.BigEndian.Uint32(x.buf[x.off(i)+24:]) }
func (x *gitIndex) id(i int) (id [20]byte) {
	copy(id[:], x.buf[x.off(i)+40:])
	return id
}

func (x *gitIndex) off(i int) uint32 {
	if x.entry != nil {
		return x.entry[i]
	}
	return x.start[i] - 62
}

// cacheTree is the index's cache-tree extension, its nodes flattened in
// preorder: for each directory, whether it is valid and then the id of the
// tree the index entries under it would write.
type cacheTree struct {
	data  []byte
	nodes []ctNode
}

type ctNode struct {
	name, nameEnd uint32 // name is data[name:nameEnd] ("" for the root)
	id            uint32 // offset of the 20-byte id in data, valid nodes only
	valid         bool
	subs          uint32 // number of direct children
	next          uint32 // index of the node after this one's subtree
}

// root is node 0, or -1 without a cache tree.
func (c *cacheTree) root() int {
	if c == nil || len(c.nodes) == 0 {
		return -1
	}
	return 0
}

// child returns the index of node n's child called name, or -1.
func (c *cacheTree) child(n int, name []byte) int {
	if n < 0 {
		return -1
	}
	k := n + 1
	for range c.nodes[n].subs {
		if k >= len(c.nodes) {
			return -1
		}
		if bytes.Equal(c.data[c.nodes[k].name:c.nodes[k].nameEnd], name) {
			return k
		}
		k = int(c.nodes[k].next)
	}
	return -1
}

// matches reports whether node n is valid with tree id id.
func (c *cacheTree) matches(n int, id [20]byte) bool {
	return n >= 0 && c.nodes[n].valid && bytes.Equal(c.data[c.nodes[n].id:c.nodes[n].id+20], id[:])
}

// parseIndex reads a version 2, 3 or 4 index file of a SHA-1 repository.
// Anything whose meaning for `git diff-index --cached` it does not model
// is errUnsupported: conflict stages (a merge in progress), extended flags
// (intent-to-add, skip-worktree), split and sparse indexes, unknown
// required extensions.
func parseIndex(b []byte) (*gitIndex, *cacheTree, error) {
	bad := func(what string) error { return fmt.Errorf("index: %s: %w", what, errUnsupported) }
	if len(b) < 12+20 || string(b[:4]) != "DIRC" {
		return nil, nil, bad("no DIRC header")
	}
	version := binary.BigEndian.Uint32(b[4:])
	if version < 2 || version > 4 {
		return nil, nil, bad("version " + strconv.Itoa(int(version)))
	}
	n := int(binary.BigEndian.Uint32(b[8:]))
	body := b[:len(b)-20] // the trailing checksum
	if n > len(body)/40 || len(body) > 1<<31 {
		return nil, nil, bad("entry count")
	}
	x := &gitIndex{buf: b, names: b, start: make([]uint32, n), end: make([]uint32, n)}
	if version == 4 {
		x.names, x.entry = nil, make([]uint32, n)
	}
	pos := 12
	prev := 0 // version 4: start of the previous path in x.names
	for k := 0; k < n; k++ {
		start := pos
		if pos+62 > len(body) {
			return nil, nil, bad("truncated entry")
		}
		flags := binary.BigEndian.Uint16(body[pos+60:])
		pos += 62
		if flags&0x4000 != 0 {
			return nil, nil, bad("extended flags")
		}
		if flags&0x3000 != 0 {
			return nil, nil, bad("unmerged entry")
		}
		if version == 4 {
			x.entry[k] = uint32(start)
			strip64, w := gitpack.OffsetVarint(body[pos:])
			strip, prevLen := int(strip64), len(x.names)-prev
			if w == 0 || strip64 > int64(prevLen) {
				return nil, nil, bad("path prefix")
			}
			pos += w
			end := bytes.IndexByte(body[pos:], 0)
			if end < 0 {
				return nil, nil, bad("unterminated path")
			}
			s := len(x.names)
			x.names = append(x.names, x.names[prev:prev+prevLen-strip]...)
			x.names = append(x.names, body[pos:pos+end]...)
			prev = s
			x.start[k], x.end[k] = uint32(s), uint32(len(x.names))
			pos += end + 1
		} else {
			end := int(flags & 0xfff)
			if end == 0xfff || pos+end >= len(body) || body[pos+end] != 0 {
				if end = bytes.IndexByte(body[pos:], 0); end < 0 {
					return nil, nil, bad("unterminated path")
				}
			}
			x.start[k], x.end[k] = uint32(pos), uint32(pos+end)
			pos = start + (62+end+8)&^7
		}
		if x.start[k] == x.end[k] || pos > len(body) {
			return nil, nil, bad("entry path")
		}
	}
	var tree *cacheTree
	for pos+8 <= len(body) {
		sig := string(body[pos : pos+4])
		size := int(binary.BigEndian.Uint32(body[pos+4:]))
		pos += 8
		if size > len(body)-pos {
			return nil, nil, bad("extension " + strconv.Quote(sig))
		}
		data := body[pos : pos+size]
		pos += size
		switch {
		case sig == "TREE":
			t, err := parseCacheTree(data)
			if err != nil {
				return nil, nil, err
			}
			tree = t
		case sig[0] < 'A' || sig[0] > 'Z':
			return nil, nil, bad("extension " + strconv.Quote(sig)) // required: "link" (split), "sdir" (sparse)
		}
	}
	if pos != len(body) {
		return nil, nil, bad("trailing bytes")
	}
	return x, tree, nil
}

// parseCacheTree reads the extension's nodes: "NAME\0COUNT SUBTREES\n"
// then the tree id when COUNT is not -1, then the subtrees.
func parseCacheTree(data []byte) (*cacheTree, error) {
	c := &cacheTree{data: data, nodes: make([]ctNode, 0, len(data)/32+1)}
	pos, err := c.parseNode(0, 0)
	if err != nil {
		return nil, err
	}
	if pos != len(data) {
		return nil, fmt.Errorf("cache tree: trailing bytes: %w", errUnsupported)
	}
	return c, nil
}

var errBadCacheTree = fmt.Errorf("index: cache tree: %w", errUnsupported)

func (c *cacheTree) parseNode(pos, depth int) (int, error) {
	errBad := errBadCacheTree
	if depth > 4096 || len(c.nodes) >= 1<<30 {
		return 0, errBad
	}
	b := c.data
	nul := bytes.IndexByte(b[pos:], 0)
	if nul < 0 {
		return 0, errBad
	}
	n := ctNode{name: uint32(pos), nameEnd: uint32(pos + nul)}
	pos += nul + 1
	count, pos, ok := asciiInt(b, pos, ' ')
	if !ok {
		return 0, errBad
	}
	subs, pos, ok := asciiInt(b, pos, '\n')
	if !ok || subs < 0 || subs > len(b)-pos {
		return 0, errBad
	}
	n.subs = uint32(subs)
	if count >= 0 {
		if pos+20 > len(b) {
			return 0, errBad
		}
		n.valid, n.id = true, uint32(pos)
		pos += 20
	}
	me := len(c.nodes)
	c.nodes = append(c.nodes, n)
	for range subs {
		var err error
		if pos, err = c.parseNode(pos, depth+1); err != nil {
			return 0, err
		}
	}
	c.nodes[me].next = uint32(len(c.nodes))
	return pos, nil
}

// asciiInt parses an optionally negative decimal at b[pos:] ending with
// stop, and returns it and the position after stop.
func asciiInt(b []byte, pos int, stop byte) (int, int, bool) {
	neg := pos < len(b) && b[pos] == '-'
	if neg {
		pos++
	}
	v, digits := 0, 0
	for ; pos < len(b) && b[pos] != stop; pos++ {
		if b[pos] < '0' || b[pos] > '9' || digits >= 9 {
			return 0, 0, false
		}
		v = v*10 + int(b[pos]-'0')
		digits++
	}
	if pos >= len(b) || digits == 0 {
		return 0, 0, false
	}
	if neg {
		v = -v
	}
	return v, pos + 1, true
}
