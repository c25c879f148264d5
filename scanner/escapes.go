package scanner

import "bytes"

// urlGate reports whether data holds a percent-escape.
func urlGate(data []byte) bool {
	i := bytes.IndexByte(data, '%')
	for i >= 0 && i+2 < len(data) {
		if isHex(data[i+1]) && isHex(data[i+2]) {
			return true
		}
		j := bytes.IndexByte(data[i+1:], '%')
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

// urlView undoes percent-encoding (%2B, %2F, %3D…). A plus stays a plus:
// in a secret it is a plus, and a space never is part of one.
func (d *Detector) urlView(data []byte) (*view, bool) {
	var vb viewBuilder
	copied := 0
	for i := 0; i+2 < len(data); i++ {
		if data[i] != '%' || !isHex(data[i+1]) || !isHex(data[i+2]) {
			continue
		}
		vb.copyRaw(data, copied, i)
		vb.addDecoded([]byte{unhex(data[i+1])<<4 | unhex(data[i+2])}, i, i+3)
		copied = i + 3
		i += 2
	}
	if !vb.changed {
		return nil, false
	}
	vb.copyRaw(data, copied, len(data))
	return &vb.v, true
}

// jsonGate reports whether data holds a JSON or JavaScript escape that
// could split a secret: \/ , \u00XX or \xXX.
func jsonGate(data []byte) bool {
	return bytes.Contains(data, []byte(`\/`)) || bytes.Contains(data, []byte(`\u00`)) ||
		bytes.Contains(data, []byte(`\x`))
}

// jsonView undoes the escapes JSON and JavaScript writers put into
// secrets: \/ and \\, \u00XX (ASCII only) and \xXX.
func (d *Detector) jsonView(data []byte) (*view, bool) {
	var vb viewBuilder
	copied := 0
	for i := 0; i+1 < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		var out byte
		n := 0
		switch c := data[i+1]; {
		case c == '/' || c == '\\':
			out, n = c, 2
		case c == 'u' && i+5 < len(data) && data[i+2] == '0' && data[i+3] == '0' && isHex(data[i+4]) && isHex(data[i+5]):
			out, n = unhex(data[i+4])<<4|unhex(data[i+5]), 6
		case c == 'x' && i+3 < len(data) && isHex(data[i+2]) && isHex(data[i+3]):
			out, n = unhex(data[i+2])<<4|unhex(data[i+3]), 4
		default:
			i++ // skip the escaped character
			continue
		}
		vb.copyRaw(data, copied, i)
		vb.addDecoded([]byte{out}, i, i+n)
		copied = i + n
		i += n - 1
	}
	if !vb.changed {
		return nil, false
	}
	vb.copyRaw(data, copied, len(data))
	return &vb.v, true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
