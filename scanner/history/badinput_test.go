package history

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

// noisy returns n bytes that do not compress (so a pack stores them whole).
func noisy(n int, seed byte) string {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = 'a' + byte(x%26)
	}
	return string(b)
}

// packOffset returns the offset and size in the pack of object sha.
func packOffset(t *testing.T, r *testRepo, pack, sha string) (int64, int64) {
	t.Helper()
	for _, line := range strings.Split(r.git("verify-pack", "-v", pack), "\n") {
		f := strings.Fields(line)
		if len(f) >= 5 && f[0] == sha {
			size, _ := strconv.ParseInt(f[3], 10, 64)
			off, _ := strconv.ParseInt(f[4], 10, 64)
			return off, size
		}
	}
	t.Fatalf("object %s not in %s", sha, pack)
	return 0, 0
}

// corruptRepo has a key in a packed blob, a packed blob of noise that the
// test corrupts, and a key in a loose object.
func corruptRepo(t *testing.T) (*testRepo, []key, string, string) {
	r := newRepo(t)
	k := keys(2, 11)
	r.write("a.env", k[0].text())
	r.write("noise.bin", noisy(200_000, 1))
	r.commit("packed")
	r.git("repack", "-q", "-a", "-d")
	r.write("b.env", k[1].text())
	r.commit("loose")
	noise := r.git("rev-parse", "HEAD:noise.bin")
	packs, _ := filepath.Glob(filepath.Join(r.dir, ".git/objects/pack/*.idx"))
	if len(packs) != 1 {
		t.Fatalf("packs = %v", packs)
	}
	return r, k, strings.TrimSuffix(packs[0], ".idx") + ".pack", noise
}

func TestCorruptPack(t *testing.T) {
	for _, reader := range readers() {
		t.Run(readerName(reader)+"/flipped bytes", func(t *testing.T) {
			r, k, pack, noise := corruptRepo(t)
			off, size := packOffset(t, r, strings.TrimSuffix(pack, ".pack")+".idx", noise)
			b, err := os.ReadFile(pack)
			if err != nil {
				t.Fatal(err)
			}
			for i := off + size/2; i < off+size/2+64; i++ {
				b[i] ^= 0x5a
			}
			os.Chmod(pack, 0o644)
			if err := os.WriteFile(pack, b, 0o644); err != nil {
				t.Fatal(err)
			}
			res, sum, err := scanRepo(t, r.dir, Options{Reader: reader})
			if err != nil {
				t.Fatalf("scan failed as a whole: %v", err)
			}
			for _, kk := range k {
				if findingOf(res, kk.ID) == nil {
					t.Errorf("key %s lost", kk.ID)
				}
			}
			if sum.Errors == 0 || len(res.Errors) == 0 {
				t.Fatal("corrupt object not reported")
			}
			if !strings.Contains(res.Errors[0].Unit, noise) && !strings.Contains(res.Errors[0].Err, noise) {
				t.Errorf("error does not name the corrupt blob %s: %+v", noise, res.Errors)
			}
		})
		t.Run(readerName(reader)+"/truncated", func(t *testing.T) {
			r, k, pack, _ := corruptRepo(t)
			fi, err := os.Stat(pack)
			if err != nil {
				t.Fatal(err)
			}
			os.Chmod(pack, 0o644)
			if err := os.Truncate(pack, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
			res, _, err := scanRepo(t, r.dir, Options{Reader: reader})
			if err != nil && !strings.Contains(err.Error(), "pack") {
				t.Logf("scan error: %v", err)
			}
			if findingOf(res, k[1].ID) == nil {
				t.Error("key in the loose object lost")
			}
			if len(res.Errors) == 0 {
				t.Error("truncated pack not reported")
			}
		})
	}
}

func TestMissingObject(t *testing.T) {
	for _, reader := range readers() {
		t.Run(readerName(reader), func(t *testing.T) {
			r := newRepo(t)
			k := keys(1, 12)[0]
			r.write("a.env", k.text())
			r.write("gone.txt", "this blob will be deleted\n")
			r.commit("one")
			gone := r.git("rev-parse", "HEAD:gone.txt")
			if err := os.Remove(filepath.Join(r.dir, ".git/objects", gone[:2], gone[2:])); err != nil {
				t.Fatal(err)
			}
			res, _, err := scanRepo(t, r.dir, Options{Reader: reader})
			if err != nil {
				t.Fatal(err)
			}
			if findingOf(res, k.ID) == nil {
				t.Error("key lost")
			}
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Unit+res.Errors[0].Err, gone) {
				t.Errorf("errors = %+v, want one naming %s", res.Errors, gone)
			}
		})
	}
}

func TestBadRefAndLocks(t *testing.T) {
	for _, reader := range readers() {
		t.Run(readerName(reader), func(t *testing.T) {
			r := newRepo(t)
			k := keys(1, 13)[0]
			r.write("a.env", k.text())
			r.commit("one")
			r.git("branch", "zzz")
			os.WriteFile(filepath.Join(r.dir, ".git/refs/heads/broken"), []byte("not a sha\n"), 0o644)
			for _, lock := range []string{"index.lock", "packed-refs.lock", "refs/heads/main.lock"} {
				os.WriteFile(filepath.Join(r.dir, ".git", lock), nil, 0o644)
			}
			res, _, err := scanRepo(t, r.dir, Options{Reader: reader})
			if err != nil {
				t.Fatal(err)
			}
			if findingOf(res, k.ID) == nil {
				t.Error("key lost next to a bad ref")
			}
			named := false
			for _, e := range res.Errors {
				named = named || strings.Contains(e.Unit+e.Err, "broken") || strings.Contains(e.Unit+e.Err, "main.lock")
			}
			if !named {
				t.Errorf("errors = %+v, want the bad ref named", res.Errors)
			}
		})
	}
}

func TestNotRepoAndBadRevision(t *testing.T) {
	dir := t.TempDir()
	if IsRepo(dir) || IsRepo(filepath.Join(dir, "nope")) {
		t.Error("IsRepo true for a plain directory")
	}
	_, err := Scan(context.Background(), Options{Path: dir}, scanner.New(scanner.Options{}), scanner.NewCollector(nil))
	if !errors.Is(err, ErrNotRepo) {
		t.Errorf("err = %v, want ErrNotRepo", err)
	}
	r := newRepo(t)
	r.write("a", "a\n")
	r.commit("one")
	for name, o := range map[string]Options{
		"since":  {Since: "no-such-rev"},
		"range":  {Range: "HEAD..nope"},
		"branch": {Branch: "nope"},
		"syntax": {Range: "HEAD"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := scanRepo(t, r.dir, o); err == nil {
				t.Error("bad revision accepted")
			}
		})
	}
}

func TestCancelled(t *testing.T) {
	r := newRepo(t)
	for i := range 30 {
		r.write("f"+strconv.Itoa(i), noisy(50_000, byte(i)))
		r.commit("c")
	}
	for _, reader := range readers() {
		t.Run(readerName(reader), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := Scan(ctx, Options{Path: r.dir, Reader: reader}, scanner.New(scanner.Options{}), scanner.NewCollector(nil))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			ctx, cancel = context.WithTimeout(context.Background(), 5*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err = Scan(ctx, Options{Path: r.dir, Reader: reader}, scanner.New(scanner.Options{}), scanner.NewCollector(nil))
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want nil or DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("cancelled scan took %v", d)
			}
		})
	}
}
