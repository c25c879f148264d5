// Package gitpack decodes the pieces of git's pack format that more than
// one reader here needs: an object's header in a pack, git's offset
// varint, and deltas. Standard library only, so the small hooks binary can
// use it too.
package gitpack

import "errors"

// Object types of a pack entry's header.
const (
	Commit   = 1
	Tree     = 2
	Blob     = 3
	Tag      = 4
	OfsDelta = 6 // delta against the object an offset back in the same pack
	RefDelta = 7 // delta against the object named by the 20-byte id that follows
)

// ErrTooBig is returned by ApplyDelta for a result over its size limit.
var ErrTooBig = errors.New("object over the size read whole")

// ObjectHeader decodes the header at the start of h: the type and
// inflated size of the object (for a delta, the size of the delta), and
// the header's length in bytes. ok is false when h ends inside the header
// or the size overflows 64 bits.
func ObjectHeader(h []byte) (typ int, size int64, n int, ok bool) {
	if len(h) == 0 {
		return 0, 0, 0, false
	}
	c := h[0]
	typ, size, n = int(c>>4)&7, int64(c&15), 1
	for shift := 4; c&0x80 != 0; shift += 7 {
		if n >= len(h) || shift > 56 {
			return 0, 0, 0, false
		}
		c = h[n]
		size |= int64(c&0x7f) << shift
		n++
	}
	return typ, size, n, true
}

// OffsetVarint decodes git's offset varint at the start of b (an
// OFS_DELTA's distance back to its base, a version 4 index's prefix
// length): each continuation byte adds one before shifting. n is the bytes
// used, 0 when b ends inside it or the value passes 2^56.
func OffsetVarint(b []byte) (v int64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v, n = int64(c&0x7f), 1
	for c&0x80 != 0 {
		if n >= len(b) || v >= 1<<49 {
			return 0, 0
		}
		c = b[n]
		n++
		v = (v+1)<<7 | int64(c&0x7f)
	}
	return v, n
}

// ApplyDelta rebuilds an object from base and a git delta, into a buffer
// from alloc (returned with the error too, when there is one, for reuse).
// A result over maxSize is ErrTooBig.
func ApplyDelta(base, delta []byte, maxSize int64, alloc func(int64) []byte) ([]byte, error) {
	src, delta, ok := deltaVarint(delta)
	if !ok || src != uint64(len(base)) {
		return nil, errors.New("delta base size does not match")
	}
	dst, delta, ok := deltaVarint(delta)
	if !ok {
		return nil, errors.New("bad delta header")
	}
	if dst > uint64(maxSize) {
		return nil, ErrTooBig
	}
	buf := alloc(int64(dst))
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

// deltaVarint is a delta header's size: little-endian base-128.
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
