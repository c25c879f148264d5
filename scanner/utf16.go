package scanner

import "bytes"

// utf16Gate reports whether data may hold a UTF-16 (LE or BE) key ID: it
// has NUL bytes and a prefix's tell-tale pair with NULs between.
func (d *Detector) utf16Gate(data []byte) bool {
	if bytes.IndexByte(data, 0) < 0 {
		return false
	}
	for _, p := range []string{"I\x00A\x00", "\x00I\x00A", "C\x00A\x00", "\x00C\x00A", "3\x00T\x00", "\x003\x00T"} {
		if bytes.Contains(data, []byte(p)) {
			return true
		}
	}
	return false
}

// utf16Views returns the even and the odd bytes of data: for UTF-16 text
// in the ASCII range, one of them is the text whatever the byte order and
// whether or not a BOM is present.
func (d *Detector) utf16Views(data []byte, _ bool) []*view {
	if !d.utf16Gate(data) {
		return nil
	}
	var vs []*view
	for parity := 0; parity < 2; parity++ {
		n := (len(data) - parity + 1) / 2
		if n <= 0 {
			continue
		}
		out := make([]byte, n)
		for i := range out {
			out[i] = data[parity+2*i]
		}
		vs = append(vs, &view{data: out, segs: []seg{{vstart: 0, vlen: n, ostart: parity, olen: 2 * n, dec: true}}})
	}
	return vs
}
