package history

import (
	"context"
	"crypto/sha1"
	"fmt"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestPackReader rebuilds packed blobs of a repository with delta chains
// and checks each against its hash: all of them or only the second half
// (a lane whose first deltas have their bases before it), with a cache
// that keeps the bases and with one too small to keep any (every base
// rebuilt from the file).
func TestPackReader(t *testing.T) {
	r := deltaRepo(t, "repack", "-adf")
	var locs []packLoc
	es, err := listObjectsFast(context.Background(), "git", r.dir, &locs)
	if err != nil {
		t.Fatal(err)
	}
	var blobs []int // indexes into locs of the packed blobs
	var hashes []plumbing.Hash
	deltas := 0
	for _, e := range es {
		if e.typ != plumbing.BlobObject {
			continue
		}
		if i := len(hashes); locs[i].pack != "" {
			blobs = append(blobs, i)
			if locs[i].base >= 0 {
				deltas++
			}
		}
		hashes = append(hashes, e.hash)
	}
	if deltas < 10 {
		t.Fatalf("%d deltas in the pack: the test would not test them", deltas)
	}
	for _, tc := range []struct {
		name  string
		cache int64
		lane  []int
	}{
		{"cache", 1 << 20, blobs},
		{"small cache", 12 << 10, blobs}, // keeps the 3 KB bases, rebuilds the 5 KB ones
		{"no cache", 1, blobs},
		{"second half", 1 << 20, blobs[len(blobs)/2:]},
		{"second half, no cache", 1, blobs[len(blobs)/2:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := &bufPool{}
			p, err := newPackReader(locs[tc.lane[0]].pack, 1<<20, tc.cache, pool)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range tc.lane {
				p.expect(locs[i].base)
			}
			var held []*blobBuf
			for _, i := range tc.lane {
				b, shared, err := p.read(locs[i].off)
				if err != nil {
					t.Fatalf("blob %s: %v", hashes[i], err)
				}
				h := sha1.New()
				fmt.Fprintf(h, "blob %d\x00", len(b))
				h.Write(b)
				if got := plumbing.Hash(h.Sum(nil)); got != hashes[i] {
					t.Fatalf("blob %s rebuilt as %s", hashes[i], got)
				}
				if shared != nil {
					held = append(held, shared) // a scanner still holds it
				} else {
					pool.put(b)
				}
			}
			if p.st.peak > tc.cache {
				t.Errorf("%d bytes of bases cached at once, over the cache's %d", p.st.peak, tc.cache)
			}
			if len(tc.lane) == len(blobs) && tc.cache == 1<<20 && (p.st.rebuilt != 0 || p.st.evicted != 0) {
				t.Errorf("a cache big enough for every base rebuilt %d and evicted %d", p.st.rebuilt, p.st.evicted)
			}
			if len(p.need) != 0 {
				t.Errorf("bases still awaited after the lane: %v", p.need)
			}
			if p.cached != 0 || len(p.cache) != 0 {
				t.Errorf("%d bases (%d bytes) still cached after their last delta", len(p.cache), p.cached)
			}
			for _, c := range held {
				c.release(pool)
			}
			p.close()
			if tc.cache > 1 && len(held) == 0 {
				t.Error("no base shared between the cache and a scanner")
			}
		})
	}
	t.Run("over the size limit", func(t *testing.T) {
		i := blobs[0]
		p, err := newPackReader(locs[i].pack, 10, 1<<20, &bufPool{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.close()
		if _, _, err := p.read(locs[i].off); err == nil {
			t.Fatal("blob over 10 bytes read whole")
		}
	})
}

// TestPackCacheBound checks the delta-base cache against its byte bound:
// the oldest bases go first, their remaining uses are awaited again (so a
// later delta rebuilds and keeps them), a base over a quarter of the bound
// is not kept, and an evicted base a scanner still holds stays its.
func TestPackCacheBound(t *testing.T) {
	pool := &bufPool{}
	p := &packReader{pool: pool, need: make(map[int64]int32), cache: make(map[int64]*blobBuf), limit: 100}
	var first *blobBuf
	for i := range 6 {
		c := p.keep(int64(10*i), pool.get(25), 2)
		if c == nil {
			t.Fatalf("base %d not kept", i)
		}
		if i == 0 {
			first = c
			c.refs.Add(1) // a scanner holds it too
		}
		if p.cached > p.limit {
			t.Fatalf("%d bytes cached, over %d", p.cached, p.limit)
		}
	}
	if len(p.cache) != 4 || p.st.evicted != 2 {
		t.Errorf("%d cached, %d evicted; want 4 and 2", len(p.cache), p.st.evicted)
	}
	for _, off := range []int64{0, 10} {
		if _, ok := p.cache[off]; ok || p.need[off] != 2 {
			t.Errorf("base at %d: cached %v, awaited by %d deltas; want evicted, 2", off, ok, p.need[off])
		}
	}
	if n := first.refs.Load(); n != 1 {
		t.Errorf("evicted base held by %d, want the scanner alone", n)
	}
	first.release(pool)
	if c := p.keep(100, pool.get(26), 1); c != nil {
		t.Error("base over a quarter of the cache kept")
	}
	p.close()
	if p.cached != 0 || len(p.cache) != 0 {
		t.Errorf("close left %d bases (%d bytes)", len(p.cache), p.cached)
	}
}
