package scanner

import "bytes"

// collectCands finds secret candidates (bounded 40-character runs of the
// base64 alphabet that could be an AWS secret) and session-token candidates
// (long base64 runs with a session-token keyword or a known token prefix)
// inside the union of the windows around the key IDs. Each run is looked
// at once, in offset order.
func (d *Detector) collectCands(b []byte, ids []idHit) (secrets, tokens []cand) {
	cls := &d.cls
	w := d.opts.Window
	var lc lineCounter
	cursor := 0 // everything before cursor has been looked at
	for _, h := range ids {
		lo, hi := max(h.start-w, cursor), min(h.start+20+w, len(b))
		if lo >= hi {
			continue
		}
		j := lo
		if j > cursor {
			for j > 0 && cls[b[j-1]]&clB64 != 0 { // do not start mid-run
				j--
			}
		}
		for j < hi {
			if cls[b[j]]&clB64 == 0 {
				j++
				continue
			}
			s := j
			for j < len(b) && cls[b[j]]&clB64 != 0 {
				j++
			}
			e := j
			switch {
			case e-s == 40:
				if e < len(b) && b[e] == '=' { // a longer base64 value
					break
				}
				if !d.validSecret(b[s:e]) {
					break
				}
				line, _ := lc.at(b, s)
				secrets = append(secrets, cand{start: s, end: e, line: line, keyword: keywordBefore(b, s, false)})
			case e-s >= minTokenLen:
				for e < len(b) && b[e] == '=' && e-j < 2 {
					e++
				}
				kw := keywordBefore(b, s, true)
				if kw || tokenPrefix(b[s:e]) {
					line, _ := lc.at(b, s)
					tokens = append(tokens, cand{start: s, end: e, line: line, keyword: kw})
				}
			}
		}
		cursor = max(j, hi)
	}
	return secrets, tokens
}

// validSecret rejects 40-character runs that cannot be an AWS secret
// access key: no mix of upper case, lower case and digits or symbols,
// all-hex (SHA-1 digests), too few distinct characters or long repeats
// (placeholders), and the documentation example unless examples are on.
func (d *Detector) validSecret(s []byte) bool {
	var seen [256]bool
	var all uint16 = 0xffff
	var any uint16
	distinct, run := 0, 0
	for i, c := range s {
		k := d.cls[c]
		all &= k
		any |= k
		if !seen[c] {
			seen[c] = true
			distinct++
		}
		if i > 0 && c == s[i-1] {
			if run++; run >= 4 {
				return false
			}
		} else {
			run = 0
		}
	}
	sym := bytes.IndexByte(s, '+') >= 0 || bytes.IndexByte(s, '/') >= 0
	if any&clUpper == 0 || any&clLower == 0 || (any&clDigit == 0 && !sym) {
		return false
	}
	if all&clHex != 0 || distinct < 15 {
		return false
	}
	if !d.opts.IncludeExamples && bytes.Contains(s, []byte("EXAMPLE")) {
		return false
	}
	return true
}

// keywordBefore reports whether the text before offset s on its line (up to
// 120 bytes) names a secret key (secret, SecretAccessKey,
// aws_secret_access_key…) or, when token is set, a session token
// (aws_session_token, SessionToken, security_token, X-Amz-Security-Token).
func keywordBefore(b []byte, s int, token bool) bool {
	lo := max(0, s-120)
	if nl := bytes.LastIndexByte(b[lo:s], '\n'); nl >= 0 {
		lo += nl + 1
	}
	var buf [120]byte
	n := 0
	for _, c := range b[lo:s] {
		switch {
		case c == '_' || c == '-':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	t := buf[:n]
	if token {
		return bytes.Contains(t, []byte("sessiontoken")) || bytes.Contains(t, []byte("securitytoken"))
	}
	return bytes.Contains(t, []byte("secret"))
}

// tokenPrefix reports whether a long base64 run starts like an STS session
// token (the base64 of their fixed binary headers).
func tokenPrefix(s []byte) bool {
	for _, p := range []string{"IQoJb3JpZ2lu", "FwoGZXIvYXdz", "FQoGZXIvYXdz", "AQoDYXdz", "AgoJb3JpZ2lu"} {
		if bytes.HasPrefix(s, []byte(p)) {
			return true
		}
	}
	return false
}
