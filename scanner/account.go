package scanner

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
)

// AccountID decodes, offline, the 12-digit AWS account that owns a
// new-format key ID: one whose fifth character is Q–Z or 2–7. The 16
// characters after the prefix are base32; the first 6 decoded bytes, read
// as a big-endian 48-bit integer z, carry the account in bits 7..46:
// account = (z & 0x7fffffffff80) >> 7. Old-format IDs (fifth character
// A–P, e.g. AKIAI…) carry no account and give ("", false).
func AccountID(keyID string) (string, bool) {
	if len(keyID) != 20 {
		return "", false
	}
	c := keyID[4]
	if !(c >= 'Q' && c <= 'Z' || c >= '2' && c <= '7') {
		return "", false
	}
	raw, err := base32.StdEncoding.DecodeString(keyID[4:])
	if err != nil || len(raw) < 6 {
		return "", false
	}
	var tmp [8]byte
	copy(tmp[2:], raw[:6])
	z := binary.BigEndian.Uint64(tmp[:])
	return fmt.Sprintf("%012d", (z&0x7fffffffff80)>>7), true
}

// IsCanary reports whether account belongs to a known canary-token
// service: a key from one of these accounts is a tripwire, and using it
// (even to verify it) alerts whoever planted it. The list is that of
// trufflehog's AWS detector (pkg/detectors/aws/access_keys/canary.go,
// github.com/trufflesecurity/trufflehog): Thinkst canarytokens.org accounts
// and the accounts of known look-alike canary services.
func IsCanary(account string) bool {
	switch account {
	// Thinkst Canary (canarytokens.org)
	case "052310077262", "171436882533", "266735846894", "534261010715",
		"595918472158", "717712589309", "730335385048", "819147034852",
		"893192397702", "992382622183":
		return true
	// look-alike canary services
	case "044858866125", "251535659677", "344043088457", "351906852752",
		"390477818340", "426127672474", "427150556519", "439872796651",
		"445142720921", "465867158099", "637958123769", "693412236332",
		"732624840810", "735421457923", "959235150393", "982842642351":
		return true
	}
	return false
}
