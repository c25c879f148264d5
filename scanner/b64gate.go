package scanner

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
)

// gateForm is a base64 form of a key prefix and the offset in it of the
// byte a search looks for first.
type gateForm struct {
	form []byte
	at   int
}

// gateGroup is the forms searched for through the same byte.
type gateGroup struct {
	key   byte
	forms []gateForm
}

// rarity orders bytes from rarest to commonest in source text, roughly:
// which byte of a form to search for first.
const rarity = "QJZXzqKVjYWUxkGHMOLNSRTPFCDEIBAvwybgpfmulcdhrsnioate9876543210"

// base64Gates returns, for each key prefix and each of the three byte
// alignments a prefix can have inside base64 data, the base64 characters
// that depend only on the prefix's bytes, grouped by their rarest byte.
// Base64 data holding a key ID holds one of these forms, so their absence
// rules out decoding.
func base64Gates() []gateGroup {
	var gates []gateGroup
	// The legacy A3T prefix is left out: its forms are only three
	// characters long (weak gates that would cost a search pass each) and
	// base64-encoded legacy keys are not seen in practice.
	for _, p := range []string{"AKIA", "ASIA", "ABIA", "ACCA"} {
		for k := 0; k < 3; k++ {
			buf := make([]byte, k+len(p))
			copy(buf[k:], p)
			enc := base64.StdEncoding.EncodeToString(buf)
			// sextet j covers stream bits [6j, 6j+6); the prefix covers [8k, 8k+8len(p)).
			lo := (8*k + 5) / 6
			hi := (8 * (k + len(p))) / 6
			if hi <= lo {
				continue
			}
			form := []byte(enc[lo:hi])
			at := 0
			for i, c := range form {
				if rank(c) < rank(form[at]) {
					at = i
				}
			}
			i := slices.IndexFunc(gates, func(g gateGroup) bool { return g.key == form[at] })
			if i < 0 {
				i = len(gates)
				gates = append(gates, gateGroup{key: form[at]})
			}
			gates[i].forms = append(gates[i].forms, gateForm{form, at})
		}
	}
	return gates
}

func rank(c byte) int {
	if i := strings.IndexByte(rarity, c); i >= 0 {
		return i
	}
	return len(rarity)
}

// match reports whether one of g's forms occurs with its key byte at off.
func (g *gateGroup) match(data []byte, off int) bool {
	for _, f := range g.forms {
		s := off - f.at
		if s >= 0 && bytes.HasPrefix(data[s:], f.form) {
			return true
		}
	}
	return false
}
