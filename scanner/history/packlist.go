package history

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/keysweep/keysweep/internal/gitpack"
)

// errNoFastList makes listObjectsFast give way to git's own listing: the
// store has something it does not read (alternates, an index version or
// a delta base it cannot place, a damaged pack).
var errNoFastList = errors.New("object store not listable from pack indexes")

// listObjectsFast lists the objects of the repository at dir as `git
// cat-file --batch-all-objects --batch-check --unordered` would (every
// packed and loose object, packed ones in pack order, sizes -1), without
// a git process inflating anything: it reads each pack's .idx and the
// object headers of the .pack, following delta chains for the types, and
// the headers of loose objects. On anything unusual it returns an error
// wrapping errNoFastList, and the caller runs git's listing instead.
//
// With locs not nil it also appends there where each blob is (see
// packLoc), one for each blob entry, in order.
func listObjectsFast(ctx context.Context, gitBin, dir string, locs *[]packLoc) ([]entry, error) {
	out, err := exec.CommandContext(ctx, gitBin, "-C", dir, "rev-parse", "--git-path", "objects").Output()
	if err != nil {
		return nil, fmt.Errorf("find object directory: %w: %w", errNoFastList, err)
	}
	objDir := strings.TrimSpace(string(out))
	if !filepath.IsAbs(objDir) {
		objDir = filepath.Join(dir, objDir)
	}
	if fi, err := os.Stat(filepath.Join(objDir, "info", "alternates")); err == nil && fi.Size() > 0 {
		return nil, fmt.Errorf("alternates: %w", errNoFastList)
	}
	packs, err := filepath.Glob(filepath.Join(objDir, "pack", "*.pack"))
	if err != nil {
		return nil, fmt.Errorf("list packs: %w: %w", errNoFastList, err)
	}
	es, err := listLoose(objDir)
	if err != nil {
		return nil, err
	}
	if locs != nil {
		for _, e := range es {
			if e.typ == plumbing.BlobObject {
				*locs = append(*locs, packLoc{off: -1, base: -1})
			}
		}
	}
	for _, p := range packs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pes, err := listPack(strings.TrimSuffix(p, ".pack"), locs)
		if err != nil {
			return nil, fmt.Errorf("list pack %s: %w: %w", filepath.Base(p), errNoFastList, err)
		}
		es = append(es, pes...)
	}
	return es, nil
}

// packObj is one object of a pack: its hash, offset and (once known) type.
type packObj struct {
	hash plumbing.Hash
	typ  plumbing.ObjectType
	size uint32 // size in its header (the object's, or the delta's), at most 4 GiB - 1
	off  int64
	base int64 // offset of its delta base (an offset delta), else -1
}

// listPack lists the objects of base.pack from base.idx (version 2), in
// pack order, with their types.
func listPack(base string, locs *[]packLoc) ([]entry, error) {
	objs, err := readIdxV2(base + ".idx")
	if err != nil {
		return nil, err
	}
	sortByOffset(objs)
	f, err := os.Open(base + ".pack")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var pos int64
	refs := map[int]deltaBase{} // objects whose base type is not known yet
	for i := range objs {
		if _, err := br.Discard(int(objs[i].off - pos)); err != nil {
			return nil, fmt.Errorf("object at %d: %w", objs[i].off, errOrEOF(err))
		}
		pos = objs[i].off
		objs[i].base = -1
		h, _ := br.Peek(32) // shorter only at the end of the file
		if len(h) == 0 {
			return nil, fmt.Errorf("object at %d: %w", pos, io.ErrUnexpectedEOF)
		}
		t, size, n, ok := gitpack.ObjectHeader(h)
		if !ok {
			return nil, fmt.Errorf("object at %d: bad header", pos)
		}
		typ := plumbing.ObjectType(t)
		objs[i].size = uint32(min(size, 1<<32-1))
		switch typ {
		case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
			objs[i].typ = typ
		case plumbing.OFSDeltaObject:
			ofs, w := gitpack.OffsetVarint(h[n:])
			if w == 0 {
				return nil, fmt.Errorf("object at %d: bad delta offset", pos)
			}
			b, ok := slices.BinarySearchFunc(objs[:i], pos-ofs, func(o packObj, off int64) int { return cmp.Compare(o.off, off) })
			if !ok {
				return nil, fmt.Errorf("object at %d: delta base at %d not in the index", pos, pos-ofs)
			}
			objs[i].typ = objs[b].typ // invalid while b is a REF_DELTA not yet placed
			objs[i].base = objs[b].off
			if objs[i].typ == plumbing.InvalidObject {
				refs[i] = deltaBase{idx: b}
			}
		case plumbing.REFDeltaObject:
			if n+20 > len(h) {
				return nil, fmt.Errorf("object at %d: bad delta base", pos)
			}
			var bh plumbing.Hash
			copy(bh[:], h[n:n+20])
			refs[i] = deltaBase{hash: &bh}
		default:
			return nil, fmt.Errorf("object at %d: type %d", pos, typ)
		}
	}
	if len(refs) > 0 {
		if err := placeRefDeltas(objs, refs); err != nil {
			return nil, err
		}
	}
	es := make([]entry, len(objs))
	name := base + ".pack" // one string for every blob's place
	for i, o := range objs {
		es[i] = entry{hash: o.hash, typ: o.typ, size: -1}
		if locs != nil && o.typ == plumbing.BlobObject {
			*locs = append(*locs, packLoc{name, o.off, o.base, int64(o.size)})
		}
	}
	return es, nil
}

// deltaBase is the base of a delta: a hash (REF_DELTA) or, when hash is
// nil, the object at index idx of the pack (OFS_DELTA).
type deltaBase struct {
	hash *plumbing.Hash
	idx  int
}

// placeRefDeltas gives the objects in refs the type of their base. Bases
// outside the pack (a thin pack) are not followed.
func placeRefDeltas(objs []packObj, refs map[int]deltaBase) error {
	byHash := make(map[plumbing.Hash]int, len(objs))
	for i, o := range objs {
		byHash[o.hash] = i
	}
	for len(refs) > 0 {
		progress := false
		for i, b := range refs {
			base := b.idx
			if b.hash != nil {
				j, ok := byHash[*b.hash]
				if !ok {
					return fmt.Errorf("delta base %s not in the pack", *b.hash)
				}
				base = j
			}
			if objs[base].typ != plumbing.InvalidObject {
				objs[i].typ = objs[base].typ
				delete(refs, i)
				progress = true
			}
		}
		if !progress {
			return errors.New("delta chain without a base")
		}
	}
	return nil
}

// readIdxV2 reads the names and offsets of a version 2 pack index.
func readIdxV2(path string) ([]packObj, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	var head [8 + 256*4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), errOrEOF(err))
	}
	if !bytes.Equal(head[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return nil, fmt.Errorf("read %s: not a version 2 index", filepath.Base(path))
	}
	n := int(binary.BigEndian.Uint32(head[8+255*4:]))
	objs := make([]packObj, n)
	for i := range objs {
		if _, err := io.ReadFull(br, objs[i].hash[:]); err != nil {
			return nil, fmt.Errorf("read %s: %w", filepath.Base(path), errOrEOF(err))
		}
	}
	if _, err := br.Discard(4 * n); err != nil { // CRC32s
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), errOrEOF(err))
	}
	var w [8]byte
	var large []int
	for i := range objs {
		if _, err := io.ReadFull(br, w[:4]); err != nil {
			return nil, fmt.Errorf("read %s: %w", filepath.Base(path), errOrEOF(err))
		}
		v := binary.BigEndian.Uint32(w[:4])
		objs[i].off = int64(v)
		if v&0x80000000 != 0 {
			objs[i].off = int64(v & 0x7fffffff)
			large = append(large, i)
		}
	}
	if len(large) > 0 {
		// Large offsets are in index order; read as many as are named.
		var big []int64
		for range large {
			if _, err := io.ReadFull(br, w[:]); err != nil {
				return nil, fmt.Errorf("read %s: %w", filepath.Base(path), errOrEOF(err))
			}
			big = append(big, int64(binary.BigEndian.Uint64(w[:])))
		}
		for _, i := range large {
			k := objs[i].off
			if k >= int64(len(big)) {
				return nil, fmt.Errorf("read %s: bad large offset", filepath.Base(path))
			}
			objs[i].off = big[k]
		}
	}
	return objs, nil
}

// listLoose lists the loose objects under objDir, reading each one's type
// from its inflated header.
func listLoose(objDir string) ([]entry, error) {
	var es []entry
	var zr io.ReadCloser
	var hdr [32]byte
	for d := range 256 {
		sub := filepath.Join(objDir, fmt.Sprintf("%02x", d))
		names, err := os.ReadDir(sub)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("list loose objects: %w: %w", errNoFastList, err)
		}
		for _, de := range names {
			name := de.Name()
			if len(name) != 38 || !plumbing.IsHash(sub[len(sub)-2:]+name) {
				continue // a temporary file
			}
			typ, err := looseType(filepath.Join(sub, name), &zr, hdr[:])
			if err != nil {
				return nil, fmt.Errorf("loose object %s%s: %w: %w", sub[len(sub)-2:], name, errNoFastList, err)
			}
			es = append(es, entry{hash: plumbing.NewHash(sub[len(sub)-2:] + name), typ: typ, size: -1})
		}
	}
	return es, nil
}

// looseType reads the type from the header ("blob 123\x00") of a loose
// object; zr is reused across calls.
func looseType(path string, zr *io.ReadCloser, hdr []byte) (plumbing.ObjectType, error) {
	f, err := os.Open(path)
	if err != nil {
		return plumbing.InvalidObject, err
	}
	defer f.Close()
	if *zr == nil {
		if *zr, err = zlib.NewReader(f); err != nil {
			return plumbing.InvalidObject, err
		}
	} else if err := (*zr).(zlib.Resetter).Reset(f, nil); err != nil {
		return plumbing.InvalidObject, err
	}
	n, err := io.ReadFull(*zr, hdr)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return plumbing.InvalidObject, err
	}
	sp := bytes.IndexByte(hdr[:n], ' ')
	if sp < 0 || bytes.IndexByte(hdr[:n], 0) < sp {
		return plumbing.InvalidObject, errors.New("bad header")
	}
	return plumbing.ParseObjectType(string(hdr[:sp]))
}

// sortByOffset puts objs in pack order. Offset and index packed in one
// integer sort several times faster than the structs themselves.
func sortByOffset(objs []packObj) {
	const idxBits = 24
	keys := make([]uint64, len(objs))
	for i, o := range objs {
		if len(objs) >= 1<<idxBits || o.off >= 1<<(64-idxBits) {
			slices.SortFunc(objs, func(a, b packObj) int { return cmp.Compare(a.off, b.off) })
			return
		}
		keys[i] = uint64(o.off)<<idxBits | uint64(i)
	}
	slices.Sort(keys)
	sorted := make([]packObj, len(objs))
	for i, k := range keys {
		sorted[i] = objs[k&(1<<idxBits-1)]
	}
	copy(objs, sorted)
}
