package staged

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/keysweep/keysweep/internal/gitpack"
)

// errUnsupported marks what the in-process reading of the index and of
// HEAD's trees does not handle (alternates, replace refs, SHA-256, split
// or sparse indexes, a missing object...): the staged check then asks git.
var errUnsupported = errors.New("not handled in process")

// odb reads commits and trees of a SHA-1 object directory: loose objects
// and packs with version 2 indexes, deltas resolved. Enough to compare the
// index with HEAD without starting git; anything else is errUnsupported.
type odb struct {
	dir   string
	packs []*pack // opened on first need
	open  bool
	zr    io.ReadCloser // reused between objects (zlib.Resetter)
	br    bytes.Reader
}

type pack struct {
	idx, data         []byte // the .idx and .pack files, mapped
	unmapIdx, unmapPk func()
	n                 int // objects in the pack
}

const maxTreeBytes = 64 << 20 // a tree or commit bigger than this is not read in process

func (db *odb) close() {
	for _, p := range db.packs {
		p.unmapIdx()
		p.unmapPk()
	}
}

// read returns the type and content of object id.
func (db *odb) read(id [20]byte) (string, []byte, error) {
	hexID := hex.EncodeToString(id[:])
	if typ, data, err := readLooseObject(filepath.Join(db.dir, hexID[:2], hexID[2:]), maxTreeBytes); err == nil {
		return typ, data, nil
	} else if !os.IsNotExist(err) {
		return "", nil, err
	}
	if err := db.openPacks(); err != nil {
		return "", nil, err
	}
	for _, p := range db.packs {
		if off, ok := p.find(id); ok {
			return p.readAt(db, off, 0)
		}
	}
	return "", nil, fmt.Errorf("object %s: %w", hexID, errUnsupported)
}

func (db *odb) openPacks() error {
	if db.open {
		return nil
	}
	db.open = true
	idxs, err := filepath.Glob(filepath.Join(db.dir, "pack", "*.idx"))
	if err != nil {
		return err
	}
	for _, name := range idxs {
		idx, unmap, err := mapFile(name, false)
		if err != nil {
			return fmt.Errorf("pack index %s: %w", name, errUnsupported)
		}
		if len(idx) < 8+256*4 || !bytes.Equal(idx[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
			unmap()
			return fmt.Errorf("pack index %s: not version 2: %w", name, errUnsupported)
		}
		n := int(binary.BigEndian.Uint32(idx[8+255*4:]))
		if len(idx) < 8+256*4+n*(20+4+4)+40 {
			unmap()
			return fmt.Errorf("pack index %s: truncated: %w", name, errUnsupported)
		}
		data, unmapPk, err := mapFile(name[:len(name)-4]+".pack", false)
		if err != nil {
			unmap()
			return fmt.Errorf("pack %s: %w", name, errUnsupported)
		}
		db.packs = append(db.packs, &pack{idx: idx, data: data, unmapIdx: unmap, unmapPk: unmapPk, n: n})
	}
	return nil
}

// find returns the pack offset of id.
func (p *pack) find(id [20]byte) (int64, bool) {
	fan := func(i int) int { return int(binary.BigEndian.Uint32(p.idx[8+i*4:])) }
	lo := 0
	if id[0] > 0 {
		lo = fan(int(id[0]) - 1)
	}
	hi := fan(int(id[0]))
	names := p.idx[8+256*4:]
	i := lo + sort.Search(hi-lo, func(k int) bool { return bytes.Compare(names[(lo+k)*20:(lo+k)*20+20], id[:]) >= 0 })
	if i >= hi || !bytes.Equal(names[i*20:i*20+20], id[:]) {
		return 0, false
	}
	offs := p.idx[8+256*4+p.n*24:]
	off := binary.BigEndian.Uint32(offs[i*4:])
	if off&0x80000000 == 0 {
		return int64(off), true
	}
	large := p.idx[8+256*4+p.n*28:]
	k := int(off & 0x7fffffff)
	if len(large) < (k+1)*8+40 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(large[k*8:])), true
}

var packTypes = [...]string{1: "commit", 2: "tree", 3: "blob", 4: "tag"}

// readAt reads the object at off, following delta chains.
func (p *pack) readAt(db *odb, off int64, depth int) (string, []byte, error) {
	if depth > 10000 {
		return "", nil, fmt.Errorf("pack delta chain too deep: %w", errUnsupported)
	}
	if off < 12 || off >= int64(len(p.data)) {
		return "", nil, fmt.Errorf("pack offset %d: %w", off, errUnsupported)
	}
	h := p.data[off:min(int64(len(p.data)), off+32)]
	typ, size, i, ok := gitpack.ObjectHeader(h)
	if !ok {
		return "", nil, fmt.Errorf("pack entry header at %d: %w", off, errUnsupported)
	}
	if size > maxTreeBytes {
		return "", nil, fmt.Errorf("pack entry at %d too large: %w", off, errUnsupported)
	}
	var baseType string
	var base []byte
	var err error
	switch typ {
	case gitpack.Commit, gitpack.Tree, gitpack.Blob, gitpack.Tag:
	case gitpack.OfsDelta:
		rel, w := gitpack.OffsetVarint(h[i:])
		if w == 0 || rel <= 0 || rel > off {
			return "", nil, fmt.Errorf("pack delta base at %d: %w", off, errUnsupported)
		}
		i += w
		if baseType, base, err = p.readAt(db, off-rel, depth+1); err != nil {
			return "", nil, err
		}
	case gitpack.RefDelta:
		if i+20 > len(h) {
			return "", nil, fmt.Errorf("pack entry header at %d: %w", off, errUnsupported)
		}
		var baseID [20]byte
		copy(baseID[:], h[i:i+20])
		i += 20
		if depth > 100 {
			return "", nil, fmt.Errorf("pack delta chain too deep: %w", errUnsupported)
		}
		if baseType, base, err = db.read(baseID); err != nil {
			return "", nil, err
		}
	default:
		return "", nil, fmt.Errorf("pack entry type %d at %d: %w", typ, off, errUnsupported)
	}
	data, err := db.inflate(p.data[off+int64(i):], size)
	if err != nil {
		return "", nil, fmt.Errorf("pack entry at %d: %w", off, errUnsupported)
	}
	if typ <= 4 {
		return packTypes[typ], data, nil
	}
	out, err := gitpack.ApplyDelta(base, data, maxTreeBytes, func(n int64) []byte { return make([]byte, n) })
	if err != nil {
		return "", nil, fmt.Errorf("pack delta at %d: %v: %w", off, err, errUnsupported)
	}
	return baseType, out, nil
}

// inflate decompresses size bytes of zlib data from the start of b.
func (db *odb) inflate(b []byte, size int64) ([]byte, error) {
	db.br.Reset(b)
	if db.zr == nil {
		zr, err := zlib.NewReader(&db.br)
		if err != nil {
			return nil, err
		}
		db.zr = zr
	} else if err := db.zr.(zlib.Resetter).Reset(&db.br, nil); err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(db.zr, data); err != nil {
		return nil, err
	}
	return data, nil
}
