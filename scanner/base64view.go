package scanner

import (
	"bytes"
	"encoding/base64"
	"sort"
)

const (
	minB64Run  = 16   // shortest base64 run decoded into the view
	maxB64Hits = 4096 // gate hits looked at per buffer
)

// base64Hits returns the offsets (sorted, at most maxB64Hits) where one of
// the key prefixes' base64 forms occurs: base64 data can hold a key ID
// only around one of them. The search is one IndexByte pass per distinct
// rarest byte of the forms, checking the forms sharing it at each hit.
func (d *Detector) base64Hits(data []byte) []int {
	var hits []int
	for gi := range d.b64gates {
		grp := &d.b64gates[gi]
		for off := 0; off < len(data) && len(hits) < maxB64Hits; off++ {
			i := bytes.IndexByte(data[off:], grp.key)
			if i < 0 {
				break
			}
			off += i
			if grp.match(data, off) {
				hits = append(hits, off)
			}
		}
	}
	sort.Ints(hits)
	return hits
}

// base64Views returns one view made of the windows around the gate hits,
// in which every base64 run that decodes to text is decoded (so that a
// Kubernetes Secret's ID and secret, each encoded on its own line, land
// side by side) and everything else is copied; windows are joined by a
// blank line. Nil when nothing decoded.
func (d *Detector) base64Views(data []byte, _ bool) []*view {
	hits := d.base64Hits(data)
	if len(hits) == 0 {
		return nil
	}
	cls := &d.cls
	w := d.opts.Window
	var vb viewBuilder
	done := 0 // data[:done] has been looked at
	for _, h := range hits {
		lo, hi := max(h-w, done), min(h+w, len(data))
		if lo >= hi {
			continue
		}
		if lo > done && done > 0 {
			vb.separate()
		}
		for lo > done && cls[data[lo-1]]&clB64 != 0 { // do not start mid-run
			lo--
		}
		copied, j := lo, lo
		for j < hi {
			if cls[data[j]]&clB64 == 0 {
				j++
				continue
			}
			s := j
			for j < len(data) && cls[data[j]]&clB64 != 0 {
				j++
			}
			e := j
			for j < len(data) && data[j] == '=' && j-e < 2 {
				j++
			}
			if e-s < minB64Run {
				continue
			}
			if out, ok := decodeB64Text(data[s:e]); ok {
				vb.copyRaw(data, copied, s)
				vb.addDecoded(out, s, j)
				copied = j
			}
		}
		vb.copyRaw(data, copied, j)
		done = j
	}
	if !vb.changed {
		return nil
	}
	return []*view{&vb.v}
}

// decodeB64Text decodes an unpadded base64 run and accepts it only when the
// result is printable text.
func decodeB64Text(run []byte) ([]byte, bool) {
	if len(run)%4 == 1 {
		run = run[:len(run)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(run)))
	n, err := base64.RawStdEncoding.Decode(out, run)
	if err != nil {
		return nil, false
	}
	out = out[:n]
	return out, printable(out)
}

// printable reports whether b is (almost all) printable ASCII or whitespace.
func printable(b []byte) bool {
	bad := 0
	for _, c := range b {
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7f {
			bad++
		}
	}
	return bad*20 <= len(b)
}
