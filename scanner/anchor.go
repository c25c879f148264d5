package scanner

import "bytes"

// scanIDs calls fn with the start of every maximal run of exactly 20
// upper-case letters and digits that touches no other letter or digit and
// starts with A then K, S, B, C or 3: the shape of a key ID. It probes one
// byte in 20: a byte that cannot be part of a key ID rules out every ID
// covering it, so on ordinary text (mostly lower-case, spaces and
// punctuation) the loop touches a small fraction of the bytes. Only runs
// that pass this shape test are validated by the caller.
func (d *Detector) scanIDs(b []byte, fn func(start int)) {
	cls := &d.cls
	n := len(b)
	i := 0 // no key ID starts before i
	for i+20 <= n {
		p := i + 19
		if cls[b[p]]&clUD == 0 {
			i = p + 1
			continue
		}
		// a key ID covering p starts right after the last non-[A-Z0-9] byte before p
		s := p
		for s > i && cls[b[s-1]]&clUD != 0 {
			s--
		}
		if s > 0 && cls[b[s-1]]&clUD != 0 { // the run began before i: no start in [i, p]
			i = p + 1
			continue
		}
		// every key ID starts with A then K, S, B, C or 3: most runs don't
		if b[s] != 'A' || s+1 >= n || cls[b[s+1]]&clKey1 == 0 {
			i = p + 1
			continue
		}
		// the run from s must end exactly at s+20
		if s+20 > n || s+20 < n && cls[b[s+20]]&clUD != 0 {
			i = p + 1 // past the end, longer than 20 or broken before s+20: no start in [s, p]
			continue
		}
		e := p + 1
		for e < s+20 && cls[b[e]]&clUD != 0 {
			e++
		}
		if e < s+20 {
			i = e + 1 // broken at e: too short
			continue
		}
		if (s == 0 || cls[b[s-1]]&clAlnum == 0) && (e == n || cls[b[e]]&clAlnum == 0) {
			fn(s)
		}
		i = e + 1
	}
}

// validID checks a 20-byte candidate of the right shape: a credential
// prefix, the base32 alphabet after it, not a placeholder. Example IDs
// (ending in EXAMPLE) are valid only with Options.IncludeExamples.
func (d *Detector) validID(id []byte) (ok, example bool) {
	switch string(id[:4]) {
	case "AKIA", "ASIA", "ABIA", "ACCA":
	default:
		if id[0] != 'A' || id[1] != '3' || id[2] != 'T' {
			return false, false
		}
	}
	if bytes.HasSuffix(id, []byte("EXAMPLE")) {
		// AWS's documentation examples (AKIAIOSFODNN7EXAMPLE,
		// AKIAI44QH8DHBEXAMPLE) do not keep to the base32 alphabet.
		return d.opts.IncludeExamples, true
	}
	for _, c := range id[4:] {
		if d.cls[c]&clB32 == 0 {
			return false, false
		}
	}
	return !placeholderID(id[4:]), false
}

// placeholderID reports whether the 16 characters after the prefix look
// typed by a person (AKIAXXXXXXXXXXXXXXXX, AKIAAAAABBBBCCCCDDDD) rather
// than generated: five equal characters in a row, or fewer than six
// distinct characters. Random IDs trip this about once in 10^5.
func placeholderID(tail []byte) bool {
	var seen [256]bool
	distinct, run := 0, 0
	for i, c := range tail {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
		if i > 0 && c == tail[i-1] {
			run++
			if run >= 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return distinct < 6
}
