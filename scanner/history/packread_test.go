package history

import (
	"context"
	"crypto/sha1"
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestPackReader rebuilds every packed blob of a repository with delta
// chains and checks each against its hash, with a cache that keeps the
// bases and with one too small to keep any (every base rebuilt from the
// file), buffers allocated and from a pool.
func TestPackReader(t *testing.T) {
	r := deltaRepo(t, "repack", "-adf")
	var locs []packLoc
	es, err := listObjectsFast(context.Background(), "git", r.dir, &locs)
	if err != nil {
		t.Fatal(err)
	}
	deltas := 0
	for _, l := range locs {
		deltas += int(l.uses)
	}
	if deltas == 0 {
		t.Fatal("no deltas in the pack: the test would not test them")
	}
	for _, tc := range []struct {
		name  string
		cache int64
		pool  *bufPool
	}{
		{"cache", 1 << 20, nil},
		{"no cache", 1, nil},
		{"pool", 1 << 20, &bufPool{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			readers := make(map[string]*packReader)
			n := 0
			for i, e := range es {
				at := locs[i]
				if e.typ != plumbing.BlobObject || at.pack == "" {
					continue
				}
				p := readers[at.pack]
				if p == nil {
					if p, err = newPackReader(at.pack, 1<<20, tc.cache); err != nil {
						t.Fatal(err)
					}
					defer p.close()
					readers[at.pack] = p
				}
				b, _, err := p.read(at.off, at.uses, tc.pool)
				if err != nil {
					t.Fatalf("blob %s: %v", e.hash, err)
				}
				h := sha1.New()
				fmt.Fprintf(h, "blob %d\x00", len(b))
				h.Write(b)
				if got := plumbing.Hash(h.Sum(nil)); got != e.hash {
					t.Fatalf("blob %s rebuilt as %s", e.hash, got)
				}
				n++
			}
			if n < 20 {
				t.Fatalf("%d blobs read", n)
			}
		})
	}
	t.Run("over the size limit", func(t *testing.T) {
		for i, e := range es {
			if at := locs[i]; e.typ == plumbing.BlobObject && at.pack != "" {
				p, err := newPackReader(at.pack, 10, 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				defer p.close()
				if _, _, err := p.read(at.off, at.uses, nil); err == nil {
					t.Fatal("blob over 10 bytes read whole")
				}
				return
			}
		}
	})
}

func TestApplyDelta(t *testing.T) {
	base := []byte("0123456789")
	alloc := func(n int) []byte { return make([]byte, n) }
	for _, tc := range []struct {
		name  string
		delta []byte
		want  string // "" for an error
	}{
		{"copy and insert", []byte{10, 6, 0x91, 2, 3, 3, 'a', 'b', 'c'}, "234abc"},
		{"copy of 0x10000 spelled 0", []byte{10, 10, 0x80}, ""}, // 64 KiB from a 10-byte base
		{"base size differs", []byte{9, 1, 1, 'x'}, ""},
		{"copy out of range", []byte{10, 4, 0x91, 8, 4}, ""},
		{"insert past the end", []byte{10, 1, 3, 'a'}, ""},
		{"opcode 0", []byte{10, 1, 0}, ""},
		{"result shorter than said", []byte{10, 5, 1, 'a'}, ""},
		{"no header", []byte{0x80}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyDelta(base, tc.delta, 1<<20, alloc)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("applied to %q, want an error", got)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
