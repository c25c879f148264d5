package history

import (
	"strings"
	"testing"
)

// TestBigBlobWindows checks that a blob larger than MaxBlobBytes is
// scanned in windows without losing a key at a window edge, and that lines
// and columns are those in the whole blob.
func TestBigBlobWindows(t *testing.T) {
	k := keys(3, 51)
	var b strings.Builder
	type at struct{ line, col int }
	want := map[string]at{}
	line := 1
	filler := func(until int) {
		for b.Len() < until {
			b.WriteString("filler text for the window test, nothing here\n")
			line++
		}
	}
	plant := func(i int, prefix string) {
		want[k[i].ID] = at{line, len(prefix) + len("aws_access_key_id = ") + 1}
		b.WriteString(prefix + k[i].text())
		line += 2
	}
	filler(10_000)
	plant(0, "")
	filler(64<<10 - 30) // key ID starts just before the first window's limit
	b.WriteString("xx")
	want[k[1].ID] = at{line, 3 + len("aws_access_key_id = ")}
	b.WriteString(k[1].text())
	line += 2
	filler(300_000)
	plant(2, "  ")
	filler(400_000)
	r := newRepo(t)
	r.write("big.txt", b.String())
	r.commit("big")
	for _, reader := range readers() {
		t.Run(reader, func(t *testing.T) {
			res, sum, err := scanRepo(t, r.dir, Options{Reader: reader, MaxBlobBytes: 128 << 10})
			if err != nil {
				t.Fatal(err)
			}
			if sum.BlobBytes != int64(b.Len()) {
				t.Errorf("bytes = %d, want %d", sum.BlobBytes, b.Len())
			}
			for i, kk := range k {
				f := findingOf(res, kk.ID)
				if f == nil {
					t.Errorf("key %d lost", i)
					continue
				}
				if len(f.Locations) != 1 {
					t.Errorf("key %d: %d locations, want 1 (window overlap counted twice?)", i, len(f.Locations))
				}
				l, w := f.Locations[0], want[kk.ID]
				if l.Line != w.line || l.Column != w.col {
					t.Errorf("key %d at %d:%d, want %d:%d", i, l.Line, l.Column, w.line, w.col)
				}
			}
		})
	}
}
