package history

import (
	"math/bits"
	"sync"
)

// bufPool recycles blob buffers by power-of-two size class, so reading a
// gigabyte of blobs does not allocate (and clear) a gigabyte. Safe for
// concurrent use.
type bufPool struct {
	classes [40]sync.Pool
}

// get returns a buffer of length n.
func (p *bufPool) get(n int64) []byte {
	c := bits.Len64(uint64(max(n, 1) - 1))
	if b, ok := p.classes[c].Get().(*[]byte); ok {
		return (*b)[:n]
	}
	return make([]byte, n, 1<<c)
}

// put gives b back for reuse; b must not be used afterwards.
func (p *bufPool) put(b []byte) {
	c := bits.Len64(uint64(max(cap(b), 1) - 1))
	if 1<<c != cap(b) {
		return // not one of ours
	}
	b = b[:0]
	p.classes[c].Put(&b)
}
