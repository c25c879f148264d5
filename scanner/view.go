package scanner

import "sort"

// A view is a decoded copy of a buffer (base64 runs decoded, URL or JSON
// escapes undone, one byte of two for UTF-16) that maps its offsets back
// to the buffer it came from, so a key found in it points at the original.
type view struct {
	data []byte
	segs []seg // cover data in order
}

// seg says that view bytes [vstart, vstart+vlen) came from the original
// bytes [ostart, ostart+olen).
type seg struct {
	vstart, vlen, ostart, olen int
	dec                        bool
}

// orig maps a view offset to an offset in the original buffer.
func (v *view) orig(off int) int {
	i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].vstart > off }) - 1
	if i < 0 {
		return 0
	}
	s := v.segs[i]
	if !s.dec || s.vlen == 0 {
		return s.ostart + min(off-s.vstart, s.olen)
	}
	return s.ostart + (off-s.vstart)*s.olen/s.vlen
}

// decoded reports whether view offset off lies in a decoded (not copied) segment.
func (v *view) decoded(off int) bool {
	i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].vstart > off }) - 1
	return i >= 0 && v.segs[i].dec
}

// viewBuilder assembles a view from copied and decoded pieces.
type viewBuilder struct {
	v       view
	changed bool // at least one piece was decoded
}

// copyRaw appends src[from:to] unchanged.
func (vb *viewBuilder) copyRaw(src []byte, from, to int) {
	if from >= to {
		return
	}
	n := len(vb.v.segs)
	if n > 0 {
		last := &vb.v.segs[n-1]
		if !last.dec && last.ostart+last.olen == from {
			last.vlen += to - from
			last.olen += to - from
			vb.v.data = append(vb.v.data, src[from:to]...)
			return
		}
	}
	vb.v.segs = append(vb.v.segs, seg{vstart: len(vb.v.data), vlen: to - from, ostart: from, olen: to - from})
	vb.v.data = append(vb.v.data, src[from:to]...)
}

// addDecoded appends out, decoded from the original bytes [from, to).
func (vb *viewBuilder) addDecoded(out []byte, from, to int) {
	vb.changed = true
	vb.v.segs = append(vb.v.segs, seg{vstart: len(vb.v.data), vlen: len(out), ostart: from, olen: to - from, dec: true})
	vb.v.data = append(vb.v.data, out...)
}

// separate appends a blank line that maps to no original bytes, between
// windows of a view that leaves gaps.
func (vb *viewBuilder) separate() {
	n := len(vb.v.segs)
	at := 0
	if n > 0 {
		last := vb.v.segs[n-1]
		at = last.ostart + last.olen
	}
	vb.v.segs = append(vb.v.segs, seg{vstart: len(vb.v.data), vlen: 2, ostart: at, olen: 0, dec: true})
	vb.v.data = append(vb.v.data, '\n', '\n')
}
