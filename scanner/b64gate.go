package scanner

import "encoding/base64"

// base64Gates returns, for each key prefix and each of the three byte
// alignments a prefix can have inside base64 data, the base64 characters
// that depend only on the prefix's bytes. Base64 data holding a key ID
// holds one of these strings, so their absence rules out decoding.
func base64Gates() [][]byte {
	var gates [][]byte
	for _, p := range []string{"AKIA", "ASIA", "ABIA", "ACCA", "A3T"} {
		for k := 0; k < 3; k++ {
			buf := make([]byte, k+len(p))
			copy(buf[k:], p)
			enc := base64.StdEncoding.EncodeToString(buf)
			// sextet j covers stream bits [6j, 6j+6); the prefix covers [8k, 8k+8len(p)).
			lo := (8*k + 5) / 6
			hi := (8 * (k + len(p))) / 6
			if hi > lo {
				gates = append(gates, []byte(enc[lo:hi]))
			}
		}
	}
	return gates
}
