// Package dir is the directory source: it walks a tree on disk and scans
// every regular file with a scanner.Detector, in parallel.
package dir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/keysweep/keysweep/scanner"
	"golang.org/x/sync/errgroup"
)

// Options configure a directory scan.
type Options struct {
	Root     string   // directory (or single file) to scan
	Excludes []string // globs of paths to skip, see newMatcher
	Workers  int      // files scanned at once; <= 0 means runtime.NumCPU()
	// MaxBlob is the largest file read whole and given to ScanBlob (so
	// archives are opened and nested encodings decoded); larger files are
	// streamed through ScanReader with bounded memory. <= 0 means DefaultMaxBlob.
	MaxBlob int64
}

// DefaultMaxBlob is Options.MaxBlob's default.
const DefaultMaxBlob = 32 << 20

// skipDir reports whether a directory name is version-control metadata, never scanned.
func skipDir(name string) bool { return name == ".git" || name == ".hg" || name == ".svn" }

// Scan walks opts.Root and scans each regular file into col, with at most
// opts.Workers files in flight. Locations carry paths relative to the root
// with forward slashes and Kind "file". Symbolic links are not followed
// (their targets inside the root are scanned where they are; targets
// outside it are never read); .git is skipped. A file that cannot be read,
// a special file (device, FIFO, socket) or an archive past its limits is a
// unit error on col and the walk goes on; each scanned file is counted
// with col.Count.
//
// Scan returns an error only for what stops the whole scan: a bad exclude
// glob, an unreadable root, or ctx's error when it is cancelled — then col
// holds everything found up to that point.
func Scan(ctx context.Context, det *scanner.Detector, col *scanner.Collector, opts Options) error {
	return scan(ctx, det, col, opts, func(p string) (file, error) { return os.Open(p) })
}

// file is what scanFile needs of an open file; tests substitute failing ones.
type file interface {
	io.ReadSeekCloser
	Stat() (fs.FileInfo, error)
}

func scan(ctx context.Context, det *scanner.Detector, col *scanner.Collector, opts Options, open func(string) (file, error)) error {
	m, err := newMatcher(opts.Excludes)
	if err != nil {
		return err
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.MaxBlob <= 0 {
		opts.MaxBlob = DefaultMaxBlob
	}
	root, err := filepath.EvalSymlinks(opts.Root)
	if err != nil {
		return fmt.Errorf("scan %s: %w", opts.Root, err)
	}
	st, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("scan %s: %w", opts.Root, err)
	}
	s := &walker{det: det, col: col, opts: opts, open: open}
	if !st.IsDir() {
		s.scanFile(ctx, root, filepath.Base(root))
		return ctx.Err()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Workers)
	werr := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if cerr := gctx.Err(); cerr != nil {
			return cerr
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == root {
				return err
			}
			col.AddError(rel, fmt.Errorf("read %s: %w", rel, unwrapPath(err)))
			return nil
		}
		if d.IsDir() {
			if p != root && (skipDir(d.Name()) || m.match(rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if m.match(rel) {
			return nil
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			return nil
		case !t.IsRegular():
			col.AddError(rel, fmt.Errorf("skip %s: not a regular file (%s)", rel, t))
			return nil
		}
		g.Go(func() error {
			s.scanFile(gctx, p, rel)
			return nil
		})
		return nil
	})
	g.Wait()
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if werr != nil {
		return fmt.Errorf("scan %s: %w", opts.Root, werr)
	}
	return nil
}

// unwrapPath drops the *PathError wrapper, whose path is absolute and
// would repeat the unit's name.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type walker struct {
	det  *scanner.Detector
	col  *scanner.Collector
	opts Options
	open func(string) (file, error)
	bufs sync.Pool // *[]byte read buffers, reused across files
}

// buffer returns a pooled buffer with room for a file of size bytes.
func (s *walker) buffer(size int64) *[]byte {
	bp, _ := s.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	if int64(cap(*bp)) < size+1 {
		*bp = make([]byte, 0, size+512)
	}
	return bp
}

// readAll reads r into buf until EOF or limit bytes, growing buf as needed.
func readAll(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// scanFile scans one file into the collector; problems become unit errors.
func (s *walker) scanFile(ctx context.Context, p, rel string) {
	if ctx.Err() != nil {
		return
	}
	f, err := s.open(p)
	if err != nil {
		s.col.AddError(rel, fmt.Errorf("open %s: %w", rel, unwrapPath(err)))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.col.AddError(rel, fmt.Errorf("stat %s: %w", rel, unwrapPath(err)))
		return
	}
	if !st.Mode().IsRegular() { // replaced by something else since the walk saw it
		s.col.AddError(rel, fmt.Errorf("skip %s: not a regular file (%s)", rel, st.Mode().Type()))
		return
	}
	loc := scanner.Location{Path: rel, Kind: "file"}
	add := func(m scanner.Match) { s.col.Add(m, loc) }
	if st.Size() <= s.opts.MaxBlob {
		bp := s.buffer(st.Size())
		defer s.bufs.Put(bp)
		data, err := readAll(f, (*bp)[:0], s.opts.MaxBlob+1)
		*bp = data[:0]
		if err != nil {
			s.col.AddError(rel, fmt.Errorf("read %s: %w", rel, unwrapPath(err)))
			return
		}
		if int64(len(data)) <= s.opts.MaxBlob {
			s.col.Count(int64(len(data)))
			ms, err := s.det.ScanBlob(rel, data) // matches copy what they keep: data can be reused
			for _, m := range ms {
				add(m)
			}
			s.col.AddError(rel, err)
			return
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil { // grew while we read it
			s.col.AddError(rel, fmt.Errorf("seek %s: %w", rel, unwrapPath(err)))
			return
		}
	}
	var head [512]byte
	n, _ := io.ReadFull(f, head[:])
	if scanner.IsArchive(head[:n]) {
		s.col.Note(fmt.Sprintf("%s: archive over %d MiB scanned as raw bytes, members not opened", rel, s.opts.MaxBlob>>20))
	}
	cr := &countReader{r: io.MultiReader(bytes.NewReader(head[:n]), f)}
	err = s.det.ScanReader(ctx, rel, cr, add)
	s.col.Count(cr.n)
	if err != nil && ctx.Err() == nil {
		s.col.AddError(rel, err)
	}
}

// countReader counts the bytes read through it and drops the absolute
// path from read errors (the unit already names the file).
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		err = unwrapPath(err)
	}
	return n, err
}
