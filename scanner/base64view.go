package scanner

import (
	"bytes"
	"encoding/base64"
)

const minB64Run = 16 // shortest base64 run decoded into the view

// hasBase64Anchor reports whether data may hold a base64-encoded key ID:
// one of the prefixes' base64 forms occurs in it.
func (d *Detector) hasBase64Anchor(data []byte) bool {
	for _, g := range d.b64gates {
		if bytes.Index(data, g) >= 0 {
			return true
		}
	}
	return false
}

// base64View decodes every base64 run of data that decodes to text (so
// that a Kubernetes Secret's ID and secret, each encoded on its own line,
// land side by side in the view) and copies everything else. It returns
// false when nothing was decoded.
func (d *Detector) base64View(data []byte) (*view, bool) {
	cls := &d.cls
	var vb viewBuilder
	copied := 0
	for j := 0; j < len(data); {
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
		if e-s < minB64Run || (s > 0 && cls[data[s-1]]&clAlnum != 0) {
			continue
		}
		out, ok := decodeB64Text(data[s:e])
		if !ok {
			continue
		}
		vb.copyRaw(data, copied, s)
		vb.addDecoded(out, s, j)
		copied = j
	}
	if !vb.changed {
		return nil, false
	}
	vb.copyRaw(data, copied, len(data))
	return &vb.v, true
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
