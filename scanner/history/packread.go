package history

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/go-git/go-git/v5/plumbing"
)

// packReader rebuilds blobs straight from a .pack file, in pack order,
// without a git process: most blob bytes of a history come from applying
// small deltas to a base read just before, so this costs less than git
// inflating them and the pipe carrying them to us. It reads only what it
// understands (offset deltas, objects of at most maxSize bytes); anything
// else is an error and the caller reads that blob through git instead,
// so git stays the judge of damaged objects. Not safe for concurrent use:
// each lane has its own.
type packReader struct {
	path    string
	f       *os.File
	maxSize int64

	seq      *bufio.Reader // sequential reader over the file from seqStart
	seqStart int64
	cr       countReader
	rnd      *bufio.Reader // for delta bases out of the cache
	zr       io.ReadCloser
	delta    []byte // scratch for the delta being applied

	cache  map[int64]*cachedBase // delta bases by offset
	fifo   []int64
	cached int64 // bytes in cache
	limit  int64
}

// countReader counts the bytes read from r.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newPackReader(path string, maxSize, cacheBytes int64) (*packReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &packReader{path: path, f: f, maxSize: maxSize, cache: make(map[int64]*cachedBase),
		limit: cacheBytes, rnd: bufio.NewReaderSize(nil, 4096)}, nil
}

func (p *packReader) close() { p.f.Close() }

// read returns the content of the object at off, read sequentially (off
// should grow from call to call); it is kept for the uses deltas that
// have it as their base.
//
// Objects no delta needs come from pool (nil: allocated), to go back there
// once scanned: pooled reports which.
func (p *packReader) read(off int64, uses int32, pool *bufPool) (b []byte, pooled bool, err error) {
	pos := int64(-1)
	if p.seq != nil {
		// Its start, plus what it took from the file, minus what it holds unread.
		pos = p.seqStart + p.cr.n - int64(p.seq.Buffered())
	}
	if pos < 0 || off < pos || off-pos > 1<<20 {
		p.cr = countReader{r: io.NewSectionReader(p.f, off, 1<<62)}
		p.seqStart = off
		if p.seq == nil {
			p.seq = bufio.NewReaderSize(&p.cr, 256<<10)
		} else {
			p.seq.Reset(&p.cr)
		}
	} else if _, err := p.seq.Discard(int(off - pos)); err != nil {
		return nil, false, errOrEOF(err)
	}
	if uses > 0 {
		pool = nil // kept in the cache: not recycled after scanning
	}
	b, err = p.object(off, p.seq, pool)
	if err == nil && uses > 0 {
		p.keep(off, b, uses)
	}
	return b, pool != nil && err == nil, err
}

// base returns the content of the delta base at off: from the cache
// (dropped from it after its last use) or, rebuilt, from the file (kept
// then until the cache is full).
func (p *packReader) base(off int64) ([]byte, error) {
	if c, ok := p.cache[off]; ok {
		if c.uses--; c.uses == 0 {
			p.cached -= int64(len(c.data))
			delete(p.cache, off)
		}
		return c.data, nil
	}
	p.rnd.Reset(io.NewSectionReader(p.f, off, 1<<62))
	b, err := p.object(off, p.rnd, nil)
	if err == nil {
		p.keep(off, b, -1)
	}
	return b, err
}

// object reads the object whose header is next in r (at offset off), into
// a buffer from pool (nil: allocated).
func (p *packReader) object(off int64, r *bufio.Reader, pool *bufPool) ([]byte, error) {
	c, err := r.ReadByte()
	if err != nil {
		return nil, errOrEOF(err)
	}
	typ := plumbing.ObjectType((c >> 4) & 7)
	size, shift := int64(c&15), 4
	for c&0x80 != 0 {
		if c, err = r.ReadByte(); err != nil {
			return nil, errOrEOF(err)
		}
		if shift > 56 {
			return nil, errors.New("object size overflows")
		}
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	if size > p.maxSize {
		return nil, errTooBig
	}
	var baseOff int64 = -1
	switch typ {
	case plumbing.BlobObject, plumbing.TreeObject, plumbing.CommitObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		if c, err = r.ReadByte(); err != nil {
			return nil, errOrEOF(err)
		}
		ofs := int64(c & 0x7f)
		for c&0x80 != 0 {
			if c, err = r.ReadByte(); err != nil {
				return nil, errOrEOF(err)
			}
			ofs = (ofs+1)<<7 | int64(c&0x7f)
		}
		if baseOff = off - ofs; baseOff < 0 || baseOff >= off {
			return nil, fmt.Errorf("bad delta base offset at %d", off)
		}
	default:
		return nil, fmt.Errorf("object type %d at %d not read here", typ, off)
	}
	alloc := func(n int) []byte {
		if pool != nil {
			return pool.get(int64(n))
		}
		return make([]byte, n)
	}
	if baseOff < 0 {
		data := alloc(int(size))
		if err := p.inflate(r, data); err != nil {
			if pool != nil {
				pool.put(data)
			}
			return nil, err
		}
		return data, nil
	}
	var delta []byte // the object's own bytes: a delta, used at once
	if r == p.seq {
		// Only the sequential read may use the scratch: base below may
		// read other deltas (through p.rnd) while this one waits.
		if int64(cap(p.delta)) < size {
			p.delta = make([]byte, size)
		}
		delta = p.delta[:size]
	} else {
		delta = make([]byte, size)
	}
	if err := p.inflate(r, delta); err != nil {
		return nil, err
	}
	base, err := p.base(baseOff)
	if err != nil {
		return nil, err
	}
	data, err := applyDelta(base, delta, p.maxSize, alloc)
	if err != nil {
		if pool != nil && data != nil {
			pool.put(data)
		}
		return nil, fmt.Errorf("delta at %d: %w", off, err)
	}
	return data, nil
}

var errTooBig = errors.New("object over the size read whole")

// inflate fills data from the zlib stream next in r, checking that the
// stream ends there (and its checksum).
func (p *packReader) inflate(r *bufio.Reader, data []byte) error {
	var err error
	if p.zr == nil {
		p.zr, err = zlib.NewReader(r)
	} else {
		err = p.zr.(zlib.Resetter).Reset(r, nil)
	}
	if err != nil {
		return fmt.Errorf("inflate: %w", err)
	}
	if _, err := io.ReadFull(p.zr, data); err != nil {
		return fmt.Errorf("inflate: %w", errOrEOF(err))
	}
	var one [1]byte
	if n, err := p.zr.Read(one[:]); n != 0 || !errors.Is(err, io.EOF) {
		return errors.New("inflate: object longer than its header says")
	}
	return nil
}

// keep caches b as the base of uses more deltas (-1: not known), dropping
// the oldest entries over the limit.
func (p *packReader) keep(off int64, b []byte, uses int32) {
	if int64(len(b)) > p.limit/4 {
		return
	}
	if _, ok := p.cache[off]; ok {
		return
	}
	p.cache[off] = &cachedBase{b, uses}
	p.fifo = append(p.fifo, off)
	p.cached += int64(len(b))
	for p.cached > p.limit && len(p.fifo) > 0 {
		old := p.fifo[0]
		p.fifo = p.fifo[1:]
		if c, ok := p.cache[old]; ok {
			p.cached -= int64(len(c.data))
			delete(p.cache, old)
		}
	}
	if len(p.fifo) > 4*len(p.cache)+1024 { // offsets already dropped by use
		live := p.fifo[:0]
		for _, o := range p.fifo {
			if _, ok := p.cache[o]; ok {
				live = append(live, o)
			}
		}
		p.fifo = live
	}
}

// cachedBase is a delta base kept for the deltas still to come.
type cachedBase struct {
	data []byte
	uses int32 // -1: not known
}

// applyDelta rebuilds an object from base and a git delta, into a buffer
// from alloc (returned with the error too, when there is one, for reuse).
func applyDelta(base, delta []byte, maxSize int64, alloc func(int) []byte) ([]byte, error) {
	src, delta, ok := deltaVarint(delta)
	if !ok || src != uint64(len(base)) {
		return nil, errors.New("delta base size does not match")
	}
	dst, delta, ok := deltaVarint(delta)
	if !ok {
		return nil, errors.New("bad delta header")
	}
	if dst > uint64(maxSize) {
		return nil, errTooBig
	}
	buf := alloc(int(dst))
	out := buf[:0]
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, n uint64
			for i := range 4 {
				if op&(1<<i) != 0 {
					if len(delta) == 0 {
						return buf, errors.New("truncated delta")
					}
					off |= uint64(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			for i := range 3 {
				if op&(0x10<<i) != 0 {
					if len(delta) == 0 {
						return buf, errors.New("truncated delta")
					}
					n |= uint64(delta[0]) << (8 * i)
					delta = delta[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out))+n > dst {
				return buf, errors.New("delta copies out of range")
			}
			out = append(out, base[off:off+n]...)
		case op != 0:
			if int(op) > len(delta) || uint64(len(out))+uint64(op) > dst {
				return buf, errors.New("truncated delta")
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		default:
			return buf, errors.New("delta opcode 0")
		}
	}
	if uint64(len(out)) != dst {
		return buf, errors.New("delta result size does not match")
	}
	return out, nil
}

func deltaVarint(b []byte) (uint64, []byte, bool) {
	var v uint64
	for i, shift := 0, 0; i < len(b) && shift < 64; i, shift = i+1, shift+7 {
		v |= uint64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return v, b[i+1:], true
		}
	}
	return 0, nil, false
}
