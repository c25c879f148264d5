package scanner

import (
	"bytes"
	"strings"
)

// Match is one key ID found in a buffer, with the secret paired to it.
// Start and End are byte offsets of the key ID in the buffer given to Find
// (b[Start:End] == KeyID); Line and Column are 1-based. For matches that
// ScanBlob found in a decoded view, Start and End cover the encoded form in
// the original bytes instead, and Encoding names the decoding chain; for
// matches inside an archive member they are offsets into that member.
type Match struct {
	KeyID        string
	Start, End   int
	Line, Column int
	Secret       Secret   // best-paired secret, "" when none
	Candidates   []Secret // other plausible secrets, best first
	SessionToken Secret
	Encoding     string // decoding chain for matches from decoded views ("" = plain)
	Member       string // archive member path, "" otherwise
	Example      bool   // AWS documentation example key
}

// Options is the detector's policy, fixed at construction. The zero value
// is the default policy.
type Options struct {
	// IncludeExamples reports AWS's documented example keys and any key ID
	// ending in EXAMPLE (marked Example); by default they are dropped.
	IncludeExamples bool
	// Window is how far, in bytes on either side of a key ID, secrets and
	// session tokens are looked for. Zero means DefaultWindow.
	Window int
	// MaxDepth bounds nested decoding and archives in ScanBlob
	// (base64 inside a zip inside a tar counts 3). Zero means DefaultMaxDepth.
	MaxDepth int
	// MaxMemberSize bounds the decompressed size of one archive member;
	// MaxArchiveSize bounds the total decompressed size of one unit.
	// Zero means DefaultMaxMemberSize and DefaultMaxArchiveSize.
	MaxMemberSize  int64
	MaxArchiveSize int64
}

// Defaults for Options' zero fields.
const (
	DefaultWindow         = 16 << 10
	DefaultMaxDepth       = 4
	DefaultMaxMemberSize  = 64 << 20
	DefaultMaxArchiveSize = 256 << 20
)

// AllowMarker on a line suppresses every match whose key ID is on that line
// (within 1 KiB of it, for very long lines).
const AllowMarker = "keysweep:allow"

// character classes of the lookup table
const (
	clUD    = 1 << iota // A-Z 0-9: every byte of a key ID
	clAlnum             // A-Z a-z 0-9: a key ID must not touch one
	clB64               // A-Z a-z 0-9 + /: secret and token alphabet
	clB32               // A-Z 2-7: the 16 characters after the prefix
	clUpper             // A-Z
	clLower             // a-z
	clDigit             // 0-9
	clHex               // 0-9 a-f A-F
	clC1                // D E F T U V j k l z 0 1: the second of such a group (bit just below clC0)
	clC0                // M N O Q-W: base64 of a byte in A-Z 0-9, first of its group
	clNL                // \n
	clC2                // base64 digits whose value is 0 or 1 mod 4: the third of such a group
	clKey1              // K S B C 3: the second byte of a key ID
)

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// Detector finds AWS credentials in bytes. It holds only its policy and
// read-only tables, so one Detector is safe for concurrent use.
type Detector struct {
	opts Options
	cls  [256]uint16
}

// New returns a detector with the given policy.
func New(opts Options) *Detector {
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxMemberSize <= 0 {
		opts.MaxMemberSize = DefaultMaxMemberSize
	}
	if opts.MaxArchiveSize <= 0 {
		opts.MaxArchiveSize = DefaultMaxArchiveSize
	}
	d := &Detector{opts: opts}
	for c := 0; c < 256; c++ {
		var k uint16
		switch {
		case c >= 'A' && c <= 'Z':
			k = clUD | clAlnum | clB64 | clB32 | clUpper
			if c <= 'F' {
				k |= clHex
			}
		case c >= 'a' && c <= 'z':
			k = clAlnum | clB64 | clLower
			if c <= 'f' {
				k |= clHex
			}
		case c >= '0' && c <= '9':
			k = clUD | clAlnum | clB64 | clDigit | clHex
			if c >= '2' && c <= '7' {
				k |= clB32
			}
		case c == '+' || c == '/':
			k = clB64
		}
		if c == '\n' {
			k |= clNL
		}
		if strings.IndexByte("KSBC3", byte(c)) >= 0 {
			k |= clKey1
		}
		if i := strings.IndexByte(b64Alphabet, byte(c)); i >= 0 && i%4 < 2 {
			k |= clC2
		}
		if c >= 'M' && c <= 'W' && c != 'P' {
			k |= clC0
		}
		if strings.IndexByte("DEFTUVjklz01", byte(c)) >= 0 {
			k |= clC1
		}
		d.cls[c] = k
	}
	return d
}

// Find returns the credentials whose key IDs appear verbatim in b, in order
// of their offsets, each with the secrets and session token found near it.
// It decodes nothing (ScanBlob does). Safe for concurrent use; b is not
// retained or modified.
func (d *Detector) Find(b []byte) []Match {
	ids := d.findIDs(b)
	if len(ids) == 0 {
		return nil
	}
	return d.pair(b, ids)
}

// idHit is a validated key ID occurrence.
type idHit struct {
	start, line, col int
	example          bool
}

// findIDs returns the validated, non-allowed key IDs of b in offset order.
func (d *Detector) findIDs(b []byte) []idHit {
	var hits []idHit
	var lc lineCounter
	d.scanIDs(b, func(s int) {
		ok, ex := d.validID(b[s : s+20])
		if !ok {
			return
		}
		line, col := lc.at(b, s)
		if lineAllowed(b, s) {
			return
		}
		hits = append(hits, idHit{start: s, line: line, col: col, example: ex})
	})
	return hits
}

// allowReach bounds how far from a key ID, on its line, AllowMarker is
// looked for (a minified file is one long line).
const allowReach = 1024

// lineAllowed reports whether the line holding offset off carries
// AllowMarker within allowReach bytes of off.
func lineAllowed(b []byte, off int) bool {
	lo, hi := max(0, off-allowReach), min(len(b), off+allowReach)
	ls := lo + bytes.LastIndexByte(b[lo:off], '\n') + 1
	le := bytes.IndexByte(b[off:hi], '\n')
	if le < 0 {
		le = hi
	} else {
		le += off
	}
	return bytes.Contains(b[ls:le], []byte(AllowMarker))
}

// lineCounter turns increasing offsets into 1-based line and column numbers
// without rescanning the buffer from its start.
type lineCounter struct {
	pos, line, lineStart int
}

func (lc *lineCounter) at(b []byte, off int) (line, col int) {
	if lc.line == 0 {
		lc.line = 1
	}
	if off < lc.pos {
		*lc = lineCounter{line: 1}
	}
	seg := b[lc.pos:off]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		lc.line += n
		lc.lineStart = lc.pos + bytes.LastIndexByte(seg, '\n') + 1
	}
	lc.pos = off
	return lc.line, off - lc.lineStart + 1
}
