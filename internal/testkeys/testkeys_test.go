package testkeys

import (
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"testing"
)

func TestKeyIDCarriesAccount(t *testing.T) {
	g := New(1)
	for _, acct := range []uint64{123456789012, 999999999999, 100000000000} {
		id := g.KeyID("AKIA", acct)
		if len(id) != 20 {
			t.Fatalf("len(%q) = %d", id, len(id))
		}
		if c := id[4]; !(c >= 'Q' && c <= 'Z' || c >= '2' && c <= '7') {
			t.Fatalf("%s: 5th char %c is not new-format", id, c)
		}
		raw, err := base32.StdEncoding.DecodeString(id[4:])
		if err != nil {
			t.Fatal(err)
		}
		var tmp [8]byte
		copy(tmp[2:], raw[:6])
		got := (binary.BigEndian.Uint64(tmp[:]) & 0x7fffffffff80) >> 7
		if fmt.Sprintf("%012d", got) != fmt.Sprintf("%012d", acct) {
			t.Fatalf("%s decodes to %d, want %d", id, got, acct)
		}
	}
}

func TestSecretShape(t *testing.T) {
	g := New(2)
	s := g.Secret()
	if len(s) != 40 || !mixed([]byte(s)) {
		t.Fatalf("bad secret %q", s)
	}
	if g.Secret() == s {
		t.Fatal("two secrets alike")
	}
}
