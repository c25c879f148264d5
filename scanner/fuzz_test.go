package scanner

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
)

func fuzzSeeds(f *testing.F) {
	g := testkeys.New(50)
	f.Add([]byte(""), uint(0), uint64(1))
	f.Add([]byte("aws_access_key_id = AKIA\naws_secret_access_key = "+g.Secret()), uint(19), uint64(2))
	f.Add([]byte("XAKIA"+g.AccessKeyID()+"AKIAAKIA"), uint(3), uint64(3))
	f.Add(sourceText(4, 2000), uint(777), uint64(4))
	f.Add([]byte("QUtJQ"+g.Secret()+"\x00A\x00K%2B\\u002F"), uint(5), uint64(5))
}

// checkOffsets verifies the Find invariants that hold for any input:
// offsets slice back to the key ID, lines and columns agree with offsets.
func checkOffsets(t *testing.T, b []byte, ms []Match) {
	t.Helper()
	for i, m := range ms {
		if m.Start < 0 || m.End > len(b) || m.End-m.Start != 20 || string(b[m.Start:m.End]) != m.KeyID {
			t.Fatalf("match %d: [%d:%d] does not slice back to %q", i, m.Start, m.End, m.KeyID)
		}
		line := bytes.Count(b[:m.Start], []byte{'\n'}) + 1
		col := m.Start - (bytes.LastIndexByte(b[:m.Start], '\n') + 1) + 1
		if m.Line != line || m.Column != col {
			t.Fatalf("match %d at %d:%d, offsets say %d:%d", i, m.Line, m.Column, line, col)
		}
		if i > 0 && ms[i-1].Start >= m.Start {
			t.Fatalf("matches out of order")
		}
	}
}

// FuzzFind checks Find on arbitrary bytes: no panic, offsets slice back,
// and a generated key planted anywhere (between separators) is found.
func FuzzFind(f *testing.F) {
	fuzzSeeds(f)
	d := New(Options{})
	f.Fuzz(func(t *testing.T, data []byte, pos uint, seed uint64) {
		checkOffsets(t, data, d.Find(data))
		checkShapes(t, d, data)

		g := testkeys.New(seed)
		id := g.KeyID([]string{"AKIA", "ASIA", "ABIA", "ACCA"}[seed%4], g.Account())
		if placeholderID([]byte(id[4:])) {
			return // one generated ID in ~10^5 looks typed by hand
		}
		p := int(pos % uint(len(data)+1))
		planted := make([]byte, 0, len(data)+22)
		planted = append(planted, data[:p]...)
		planted = append(planted, ' ')
		planted = append(planted, id...)
		planted = append(planted, ' ')
		planted = append(planted, data[p:]...)
		ms := d.Find(planted)
		checkOffsets(t, planted, ms)
		if lineAllowed(planted, p+1) {
			return // the fuzzer wrote keysweep:allow on that line
		}
		for _, m := range ms {
			if m.Start == p+1 && m.KeyID == id {
				return
			}
		}
		t.Fatalf("planted %s at %d not found; got %+v", id, p+1, ms)
	})
}

// FuzzScanBlob checks the whole pipeline on arbitrary bytes (which may
// look like archives, base64, UTF-16…): no panic, no hang, and every key
// ID Find sees in the plain bytes is still reported.
func FuzzScanBlob(f *testing.F) {
	fuzzSeeds(f)
	d := New(Options{MaxMemberSize: 1 << 20, MaxArchiveSize: 4 << 20})
	f.Fuzz(func(t *testing.T, data []byte, pos uint, seed uint64) {
		ms, _ := d.ScanBlob("fuzz", data)
		if archiveKind(data) != "" {
			return
		}
		have := map[int]bool{}
		for _, m := range ms {
			have[m.Start] = true
		}
		for _, m := range d.Find(data) {
			if !have[m.Start] {
				t.Fatalf("ScanBlob lost plain match %s at %d", m.KeyID, m.Start)
			}
		}

		// a base64-encoded key planted anywhere is found
		g := testkeys.New(seed)
		id := g.AccessKeyID()
		if placeholderID([]byte(id[4:])) {
			return
		}
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("#", int(seed%3)) + "id=" + id + "\n"))
		p := int(pos % uint(len(data)+1))
		planted := append(append(append([]byte{}, data[:p]...), " "+enc+" "...), data[p:]...)
		if archiveKind(planted) != "" || lineAllowed(planted, p+1) {
			return
		}
		ms, _ = d.ScanBlob("fuzz", planted)
		for _, m := range ms {
			if m.KeyID == id {
				return
			}
		}
		t.Fatalf("base64-encoded %s planted at %d not found", id, p+1)
	})
}

// checkShapes compares scanIDs, which skips most bytes, with a plain
// reference that looks at every offset.
func checkShapes(t *testing.T, d *Detector, b []byte) int {
	t.Helper()
	alnum := func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	var want []int
	for s := 0; s+20 <= len(b); s++ {
		ok := (s == 0 || !alnum(b[s-1])) && (s+20 == len(b) || !alnum(b[s+20])) &&
			b[s] == 'A' && strings.IndexByte("KSBC3", b[s+1]) >= 0
		for _, c := range b[s : s+20] {
			ok = ok && (c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
		}
		if ok {
			want = append(want, s)
		}
	}
	var got []int
	d.scanIDs(b, func(s int) { got = append(got, s) })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("scanIDs found runs at %v, reference at %v", got, want)
	}
	return len(want)
}

// TestScanIDsReference compares scanIDs with the reference on text made of
// few characters, mostly upper-case, where runs of every length abound.
func TestScanIDsReference(t *testing.T) {
	d := New(Options{})
	r := rand.New(rand.NewPCG(8, 9))
	runs := 0
	for _, alphabet := range []string{"AKI3T7Q ", "AB a-", "AKIAQ2\n", "AAAAAAAAAAb", "AAAAAAAKKKSSBBCC3333 ", "AAAAAAAKKKSSBBCC3333x"} {
		for k := 0; k < 300; k++ {
			b := make([]byte, 2000+r.IntN(200))
			for i := range b {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
			runs += checkShapes(t, d, b)
		}
	}
	if runs < 50 {
		t.Fatalf("only %d 20-character runs: the test text does not exercise scanIDs", runs)
	}
}
