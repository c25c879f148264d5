package history

import (
	"bufio"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/keysweep/keysweep/internal/gitpack"
)

// packReader rebuilds blobs straight from a .pack file, in pack order,
// without a git process: most blob bytes of a history come from applying
// small deltas to a base read just before, so this costs less than git
// inflating them and the pipe carrying them to us. It reads only what it
// understands (offset deltas, objects of at most maxSize bytes); anything
// else is an error and the caller reads that blob through git instead,
// so git stays the judge of damaged objects. Not safe for concurrent use:
// each lane has its own.
//
// Delta bases are kept while deltas of the lane still need them: the
// lane says which (expect) before reading. Buffers come from, and go back
// to, a pool: a base is shared by the cache and a scanner (see blobBuf).
type packReader struct {
	path    string
	f       *os.File
	maxSize int64
	pool    *bufPool

	seq      *bufio.Reader // sequential reader over the file from seqStart
	seqStart int64
	cr       countReader
	rnd      *bufio.Reader // for delta bases out of the cache
	zr       io.ReadCloser
	delta    []byte // scratch for the delta being applied

	need   map[int64]int32    // deltas of the lane still to read, by base offset
	cache  map[int64]*blobBuf // delta bases by offset
	fifo   []int64
	cached int64 // bytes in cache
	limit  int64
	st     packStats
}

// packStats counts a pack reader's cache misses, for tests and tuning.
type packStats struct {
	rebuilt, rebuiltBytes int64 // bases read again from the file
	evicted, evictedBytes int64 // bases dropped before their last delta
	peak                  int64 // most bytes cached at once
}

// blobBuf is a buffer from a bufPool held by the pack reader's cache and
// by a scanner: the last of them to release it gives it back to the pool.
type blobBuf struct {
	data []byte
	uses int32        // deltas still to read it as their base (the reader's alone)
	refs atomic.Int32 // holders
}

// release drops one holder of b, giving its buffer back to pool after the
// last. Safe for concurrent use.
func (b *blobBuf) release(pool *bufPool) {
	switch n := b.refs.Add(-1); {
	case n == 0:
		pool.put(b.data)
	case n < 0:
		panic("history: blobBuf released once too often")
	}
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

// newPackReader opens the pack at path; cacheBytes bounds the delta bases
// it keeps, and its buffers come from pool.
func newPackReader(path string, maxSize, cacheBytes int64, pool *bufPool) (*packReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &packReader{path: path, f: f, maxSize: maxSize, pool: pool,
		need: make(map[int64]int32), cache: make(map[int64]*blobBuf),
		limit: cacheBytes, rnd: bufio.NewReaderSize(nil, 4096)}, nil
}

// close closes the file and gives the cached bases back to the pool.
func (p *packReader) close() {
	p.f.Close()
	for off, b := range p.cache {
		delete(p.cache, off)
		b.release(p.pool)
	}
	p.cached = 0
}

// expect says that a delta the lane will read has its base at offset base
// (of this pack): the base is kept until its last such delta is read.
func (p *packReader) expect(base int64) {
	if base >= 0 {
		p.need[base]++
	}
}

// read returns the content of the object at off, read sequentially (off
// should grow from call to call). When shared is nil, b is the caller's
// (from the pool, to go back there once used); else b is shared.data, kept
// also as a delta base, and the caller releases shared once done with it.
func (p *packReader) read(off int64) (b []byte, shared *blobBuf, err error) {
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
		return nil, nil, errOrEOF(err)
	}
	if b, err = p.object(off, p.seq); err != nil {
		return nil, nil, err
	}
	if n := p.need[off]; n > 0 {
		delete(p.need, off)
		if c := p.keep(off, b, n); c != nil {
			c.refs.Add(1) // and the caller
			return b, c, nil
		}
	}
	return b, nil, nil
}

// base returns the content of the delta base at off: from the cache
// (dropped from it after its last use) or, rebuilt, from the file (kept
// then if more deltas of the lane need it). Once the delta is applied the
// caller releases drop, when not nil.
func (p *packReader) base(off int64) (data []byte, drop *blobBuf, err error) {
	if c, ok := p.cache[off]; ok {
		if c.uses--; c.uses > 0 {
			return c.data, nil, nil
		}
		p.cached -= int64(len(c.data))
		delete(p.cache, off)
		return c.data, c, nil
	}
	p.rnd.Reset(io.NewSectionReader(p.f, off, 1<<62))
	b, err := p.object(off, p.rnd)
	if err != nil {
		return nil, nil, err
	}
	p.st.rebuilt++
	p.st.rebuiltBytes += int64(len(b))
	if n := p.need[off]; n > 1 { // this use and more to come
		delete(p.need, off)
		if c := p.keep(off, b, n-1); c != nil {
			return b, nil, nil
		}
	} else if n == 1 {
		delete(p.need, off)
	}
	c := &blobBuf{data: b}
	c.refs.Store(1)
	return b, c, nil
}

// object reads the object whose header is next in r (at offset off), into
// a buffer from the pool.
func (p *packReader) object(off int64, r *bufio.Reader) ([]byte, error) {
	h, _ := r.Peek(32) // shorter only at the end of the file
	if len(h) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	t, size, n, ok := gitpack.ObjectHeader(h)
	if !ok {
		if len(h) < 32 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, errors.New("object size overflows")
	}
	if size > p.maxSize {
		return nil, errTooBig
	}
	var baseOff int64 = -1
	switch typ := plumbing.ObjectType(t); typ {
	case plumbing.BlobObject, plumbing.TreeObject, plumbing.CommitObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		ofs, w := gitpack.OffsetVarint(h[n:])
		if w == 0 && len(h) < 32 {
			return nil, io.ErrUnexpectedEOF
		}
		n += w
		if baseOff = off - ofs; baseOff < 0 || baseOff >= off {
			return nil, fmt.Errorf("bad delta base offset at %d", off)
		}
	default:
		return nil, fmt.Errorf("object type %d at %d not read here", typ, off)
	}
	if _, err := r.Discard(n); err != nil {
		return nil, errOrEOF(err)
	}
	if baseOff < 0 {
		data := p.pool.get(size)
		if err := p.inflate(r, data); err != nil {
			p.pool.put(data)
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
		delta = p.pool.get(size)
		defer p.pool.put(delta)
	}
	if err := p.inflate(r, delta); err != nil {
		return nil, err
	}
	base, drop, err := p.base(baseOff)
	if err != nil {
		return nil, err
	}
	data, err := gitpack.ApplyDelta(base, delta, p.maxSize, p.pool.get)
	if drop != nil {
		drop.release(p.pool)
	}
	if err != nil {
		if data != nil {
			p.pool.put(data)
		}
		return nil, fmt.Errorf("delta at %d: %w", off, err)
	}
	return data, nil
}

var errTooBig = gitpack.ErrTooBig

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

// keepMax is the largest base the cache keeps: a quarter of it.
func (p *packReader) keepMax() int64 { return p.limit / 4 }

// keep caches b, from the pool, as the base of uses more deltas, evicting
// the oldest entries over the limit (their deltas still to come rebuild
// them from the file). It returns the entry, or nil when b is too big to
// keep (then b stays the caller's).
func (p *packReader) keep(off int64, b []byte, uses int32) *blobBuf {
	if _, ok := p.cache[off]; ok || int64(len(b)) > p.keepMax() {
		return nil
	}
	c := &blobBuf{data: b, uses: uses}
	c.refs.Store(1)
	p.cache[off] = c
	p.fifo = append(p.fifo, off)
	p.cached += int64(len(b))
	if p.cached > p.st.peak {
		p.st.peak = p.cached
	}
	for p.cached > p.limit && len(p.fifo) > 0 {
		old := p.fifo[0]
		p.fifo = p.fifo[1:]
		if e, ok := p.cache[old]; ok && old != off {
			p.cached -= int64(len(e.data))
			delete(p.cache, old)
			p.need[old] = e.uses
			p.st.evicted++
			p.st.evictedBytes += int64(len(e.data))
			e.release(p.pool)
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
	return c
}
