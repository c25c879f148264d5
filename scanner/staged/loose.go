package staged

import (
	"bufio"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/keysweep/keysweep/scanner"
	"golang.org/x/sync/errgroup"
)

// Blobs that `git add` just wrote are loose objects: reading them straight
// from the object directory spares a commit the start of a `git cat-file`
// process, most of the staged check's cost beyond `git diff-index`. Objects
// are addressed by their hash, so whatever directory is found, an object
// read there is the object asked for; anything not found loose (packed,
// in an alternate, too big) goes through cat-file as before.

// getenv returns the value of key in o.Env (last wins) or the process
// environment, which is what the git children see.
func (o *Options) getenv(key string) string {
	for i := len(o.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(o.Env[i], "="); ok && k == key {
			return v
		}
	}
	return os.Getenv(key)
}

// objectsDir finds the object directory git would use, without running
// git: $GIT_OBJECT_DIRECTORY, or the objects of the common git directory
// (gitDirs). "" when unsure.
func (o *Options) objectsDir() string {
	if d := o.getenv("GIT_OBJECT_DIRECTORY"); d != "" {
		return o.rel(d)
	}
	if _, common := o.gitDirs(); common != "" {
		return filepath.Join(common, "objects")
	}
	return ""
}

// base is the directory git runs in.
func (o *Options) base() string {
	if o.Dir == "" {
		return "."
	}
	return o.Dir
}

// rel resolves a path from git's environment against the directory git
// runs in.
func (o *Options) rel(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(o.base(), p)
}

// findGitDir walks up from dir to the first .git and returns the git
// directory it names, "" when there is none or it cannot be read.
func findGitDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; {
		p := filepath.Join(d, ".git")
		if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				return p
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return ""
			}
			target, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
			if !ok {
				return ""
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(d, target)
			}
			return target
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// readLoose returns the content of blob id when objDir holds it as a loose
// object of at most max bytes. ok is false otherwise (absent, packed, in an
// alternate, another type, bigger, or damaged): cat-file then reads it and
// reports any damage.
func readLoose(objDir, id string, max int64) (data []byte, ok bool) {
	if objDir == "" || len(id) < 4 {
		return nil, false
	}
	typ, data, err := readLooseObject(filepath.Join(objDir, id[:2], id[2:]), max)
	if err != nil || typ != "blob" {
		return nil, false
	}
	return data, true
}

// readLooseObject reads the loose object at path when its header says at
// most max bytes, and returns its type and content. A missing file is the
// error of os.Open (os.IsNotExist); anything else that is not a
// well-formed object of at most max bytes is errUnsupported.
func readLooseObject(path string, max int64) (string, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	bad := func() (string, []byte, error) {
		return "", nil, fmt.Errorf("loose object %s: %w", path, errUnsupported)
	}
	zr, err := zlib.NewReader(bufio.NewReaderSize(f, 32<<10))
	if err != nil {
		return bad()
	}
	defer zr.Close()
	br := bufio.NewReaderSize(zr, 512)
	head, err := br.ReadString(0)
	if err != nil {
		return bad()
	}
	typ, sz, _ := strings.Cut(strings.TrimSuffix(head, "\x00"), " ")
	size, err := strconv.ParseInt(sz, 10, 64)
	if err != nil || size < 0 || size > max {
		return bad()
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(br, data); err != nil {
		return bad()
	}
	if n, _ := br.Read(make([]byte, 1)); n != 0 {
		return bad() // longer than its header says
	}
	return typ, data, nil
}

// lazyCatFile starts `git cat-file --batch` on first use only.
type lazyCatFile struct {
	ctx context.Context
	o   *Options
	c   *catFile
}

func (l *lazyCatFile) get() (*catFile, error) {
	if l.c != nil {
		return l.c, nil
	}
	c, err := l.o.startCatFile(l.ctx)
	if err != nil {
		return nil, err
	}
	l.c = c
	return c, nil
}

// close ends cat-file if it was started and reports how it exited.
func (l *lazyCatFile) close() error {
	if l.c == nil {
		return nil
	}
	return l.c.close()
}

// scanItems scans items: loose blobs read straight from objDir, in
// parallel, then the rest through cat-file. found is called once per item
// with matches, never concurrently.
func scanItems(ctx context.Context, cf *lazyCatFile, objDir string, det Scanner, col *scanner.Collector, workers int,
	items []item, found func(i int, ms []scanner.Match)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var rest []item
	var restIdx []int
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(workers)
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			g.Wait()
			return err
		}
		data, ok := readLoose(objDir, it.id, window)
		if !ok {
			rest, restIdx = append(rest, it), append(restIdx, i)
			continue
		}
		col.Count(int64(len(data)))
		g.Go(func() error {
			ms, err := det.ScanBlob(it.path, data)
			if err != nil {
				col.Note(fmt.Sprintf("%s: not fully checked: %v", name(it), err))
			}
			if len(ms) > 0 {
				mu.Lock()
				found(i, ms)
				mu.Unlock()
			}
			return nil
		})
	}
	g.Wait()
	if len(rest) == 0 {
		return nil
	}
	c, err := cf.get()
	if err != nil {
		return err
	}
	return scanObjects(ctx, c, det, col, workers, rest, func(k int, ms []scanner.Match) { found(restIdx[k], ms) })
}
