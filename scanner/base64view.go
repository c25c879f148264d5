package scanner

import (
	"bytes"
	"encoding/base64"
	"sort"
)

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
// D E F T U V j k l z 0 1 (class C1); the third ends in the third byte's
// top two bits, 01 or 00 (class C2). The 20 bytes hold at least 6 whole
// groups, so the encoded ID shows such a group every 4 characters at least
// 6 times in a row ("chain"). Any encoded ID starting in [i, i+20] has a
// chain element in the 4 bytes [i+20, i+24) (5 when a wrapped block breaks
// its line there), so when
// none of those is on a long enough chain the search skips 21 bytes: on
// ordinary text it reads about one byte in four. Chains may cross one line
// break per step, so keys split by base64(1)'s wrapping are seen.
func (d *Detector) base64Hits(data []byte) []int {
	cls := &d.cls
	n := len(data)
	var hits []int
	// add records the chain through k, if long enough, and returns its end.
	add := func(k int) int {
		if !chainAt(cls, data, k) {
			return -1
		}
		lo, hi, count := k, k, 1
		for count < minChain {
			p := chainStep(cls, data, lo, -1)
			if p < 0 {
				break
			}
			lo, count = p, count+1
		}
		for {
			p := chainStep(cls, data, hi, +1)
			if p < 0 {
				break
			}
			hi, count = p, count+1
		}
		if count < minChain {
			return -1
		}
		// one hit per half window along long chains, so a window around
		// some hit covers every part of the chain
		for h := lo; h <= hi && len(hits) < maxB64Hits; h += max(d.opts.Window/2, 1) {
			hits = append(hits, h)
		}
		return hi
	}
	i := 0
	for ; i+26 <= n && len(hits) < maxB64Hits; i++ {
		q := i + 20
		// the common case: no C0 followed by C1 at any of the 5 places
		// (clC1 is the bit just below clC0, so v[k] & v[k+1]<<1 tests both)
		d6 := data[q : q+6 : q+6]
		v0, v1, v2, v3, v4, v5 := cls[d6[0]], cls[d6[1]], cls[d6[2]], cls[d6[3]], cls[d6[4]], cls[d6[5]]
		if (v0&(v1<<1)|v1&(v2<<1)|v2&(v3<<1)|v3&(v4<<1)|v4&(v5<<1))&clC0 == 0 {
			i += 20
			continue
		}
		end := q                   // no chain: next probe 21 bytes on
		for k := q; k < q+5; k++ { // 4 bytes, plus one after a line break (wrapped base64)
			end = max(end, add(k))
		}
		i = end
	}
	for ; i < n && len(hits) < maxB64Hits; i++ { // the tail the probes cannot reach
		i = max(i, add(i))
	}
	sort.Ints(hits) // a chain found late may reach back before an earlier one
	return hits
}

// chainAt reports whether data[k:k+4] can be the base64 of three bytes of
// a key ID: first character in C0, second in C1, third in C2 (the third
// byte's top two bits are 01 for a letter, 00 for a digit), fourth any.
func chainAt(cls *[256]uint16, data []byte, k int) bool {
	return k+3 < len(data) && cls[data[k]]&clC0 != 0 && cls[data[k+1]]&clC1 != 0 &&
		cls[data[k+2]]&clC2 != 0 && cls[data[k+3]]&clB64 != 0
}

// chainStep returns the chain element 4 characters from k in direction dir
// (+1 or -1), or 5 or 6 bytes away across a line break (LF or CRLF) inside
// a wrapped base64 block; -1 when there is none.
func chainStep(cls *[256]uint16, data []byte, k, dir int) int {
	if p := k + 4*dir; p >= 0 && chainAt(cls, data, p) {
		return p
	}
	for _, step := range [2]int{5, 6} {
		p := k + step*dir
		if p < 0 || p+1 >= len(data) {
			return -1
		}
		a, b := min(k, p), max(k, p)
		if chainAt(cls, data, p) && bytes.IndexByte(data[a+1:b], '\n') >= 0 {
			return p
		}
	}
	return -1
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
			run, e := d.wrappedRun(data, j)
			j = e
			for j < len(data) && data[j] == '=' && j-e < 2 {
				j++
			}
			if len(run) < minB64Run {
				continue
			}
			if out, ok := decodeB64Text(run); ok {
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

// minWrap is the shortest line of a wrapped base64 block (base64(1) wraps
// at 76 characters, PEM at 64).
const minWrap = 60

// wrappedRun returns the base64 run starting at s and the offset where it
// ends. A run whose line is at least minWrap characters long, a multiple of
// 4 and followed by a line break and more base64 continues on the next
// line, as base64(1) and PEM wrap it; the returned run then has the line
// breaks removed (a fresh slice), else it is a slice of data.
func (d *Detector) wrappedRun(data []byte, s int) ([]byte, int) {
	cls := &d.cls
	e := s
	for e < len(data) && cls[data[e]]&clB64 != 0 {
		e++
	}
	var joined []byte
	for ls := s; e-ls >= minWrap && (e-ls)%4 == 0; {
		nl := e
		if nl < len(data) && data[nl] == '\r' {
			nl++
		}
		if nl >= len(data) || data[nl] != '\n' || nl+1 >= len(data) || cls[data[nl+1]]&clB64 == 0 {
			break
		}
		if joined == nil {
			joined = append([]byte(nil), data[s:e]...)
		}
		ls = nl + 1
		e = ls
		for e < len(data) && cls[data[e]]&clB64 != 0 {
			e++
		}
		joined = append(joined, data[ls:e]...)
	}
	if joined == nil {
		return data[s:e], e
	}
	return joined, e
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
