package scanner

import "encoding/base64"

const (
	minB64Run  = 16   // shortest base64 run decoded into the view
	maxB64Hits = 4096 // gate hits looked at per buffer
	minChain   = 6    // stride-4 C0 characters in any base64-encoded key ID
)

// base64Hits returns the offsets (sorted, at most maxB64Hits) of the
// places where data may hold a base64-encoded key ID.
//
// A key ID is 20 bytes of A–Z and 0–9. Base64 turns each 3-byte group
// into 4 characters, the first being the group's first byte shifted right
// by 2: for A–Z and 0–9 always one of M N O Q R S T U V W (class C0); the
// second mixes its low 2 bits with the next byte's high 4, always one of
// D E F T U V j k l z 0 1 (class C1). The 20 bytes hold at least 6 whole
// groups, so the encoded ID shows a C0 character followed by a C1 one
// every 4 characters at least 6 times in a row ("chain"). Any
// encoded ID starting in [i, i+20] has a chain element in the 4 bytes
// [i+20, i+24), so when none of those 4 is on a long enough chain the
// search skips 21 bytes: on ordinary text it reads about one byte in five.
func (d *Detector) base64Hits(data []byte) []int {
	cls := &d.cls
	n := len(data)
	var hits []int
	for i := 0; i+24 <= n && len(hits) < maxB64Hits; {
		q := i + 20
		end := -1
		for k := q; k < q+4; k++ {
			if !chainAt(cls, data, k) {
				continue
			}
			lo, hi := k, k
			for lo >= 4 && hi-lo < 4*(minChain-1) && chainAt(cls, data, lo-4) {
				lo -= 4
			}
			for chainAt(cls, data, hi+4) {
				hi += 4
			}
			if (hi-lo)/4+1 >= minChain {
				// one hit per half window along long chains, so a window
				// around some hit covers every part of the chain
				for h := lo; h <= hi && len(hits) < maxB64Hits; h += max(d.opts.Window/2, 1) {
					hits = append(hits, h)
				}
				end = max(end, hi)
			}
		}
		if end < 0 {
			i += 21
		} else {
			i = end + 1
		}
	}
	return hits
}

// chainAt reports whether data[k] and data[k+1] can start the base64
// group of three bytes of a key ID.
func chainAt(cls *[256]uint16, data []byte, k int) bool {
	return k+1 < len(data) && cls[data[k]]&clC0 != 0 && cls[data[k+1]]&clC1 != 0
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
	vb.v.data = make([]byte, 0, min(len(data), len(hits)*(2*w+64)))
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
