// Package testkeys makes fake AWS credentials for tests, the demo and the
// benchmark corpora. They have the shape of real ones (and a key ID can
// carry a chosen account ID, decodable offline like AWS's) but are random,
// so they are never anybody's key. Never use these outside tests and demos.
package testkeys

import (
	"encoding/base32"
	"encoding/binary"
	"math/rand/v2"
)

// AWS's documented example pair, for tests of example handling.
const (
	ExampleKeyID  = "AKIAIOSFODNN7EXAMPLE"
	ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// Gen makes credentials from a seeded source, so a failing test can be
// replayed with the same seed.
type Gen struct{ r *rand.Rand }

// New returns a generator seeded with seed.
func New(seed uint64) *Gen { return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

// KeyID returns a new-format key ID with prefix ("AKIA", "ASIA", …) that
// decodes offline to account (a 12-digit AWS account number).
func (g *Gen) KeyID(prefix string, account uint64) string {
	var b [10]byte
	z := uint64(1)<<47 | (account&(1<<40-1))<<7 | uint64(g.r.IntN(128))
	var tmp [8]byte
	binary.BigEndian.PutUint64(tmp[:], z)
	copy(b[:6], tmp[2:])
	for i := 6; i < 10; i++ {
		b[i] = byte(g.r.IntN(256))
	}
	return prefix + base32.StdEncoding.EncodeToString(b[:])
}

// AccessKeyID returns an AKIA key ID in a random 12-digit account.
func (g *Gen) AccessKeyID() string { return g.KeyID("AKIA", g.Account()) }

// SessionKeyID returns an ASIA key ID in a random 12-digit account.
func (g *Gen) SessionKeyID() string { return g.KeyID("ASIA", g.Account()) }

// Account returns a random 12-digit account number.
func (g *Gen) Account() uint64 { return 100000000000 + g.r.Uint64N(899999999999) }

// Secret returns a 40-character secret access key with upper, lower, digit
// and symbol characters, as AWS's are.
func (g *Gen) Secret() string {
	for {
		b := make([]byte, 40)
		for i := range b {
			b[i] = secretAlphabet[g.r.IntN(len(secretAlphabet))]
		}
		if mixed(b) {
			return string(b)
		}
	}
}

// SessionToken returns a session-token-shaped string (base64, ~356 chars).
func (g *Gen) SessionToken() string {
	b := make([]byte, 356)
	for i := range b {
		b[i] = secretAlphabet[g.r.IntN(len(secretAlphabet))]
	}
	copy(b, "IQoJb3JpZ2luX2Vj")
	return string(b)
}

func mixed(b []byte) bool {
	var up, lo, dg bool
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= '0' && c <= '9':
			dg = true
		}
	}
	return up && lo && dg
}
