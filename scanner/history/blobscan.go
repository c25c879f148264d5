package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/keysweep/keysweep/scanner"
)

var lfsPrefix = []byte("version https://git-lfs.github.com/spec/")

// scanBytes is the one call into the detector for a blob, message or window.
func scanBytes(det *scanner.Detector, path string, b []byte) ([]scanner.Match, error) {
	return det.ScanBlob(path, b)
}

// blobUnit names a blob in unit errors. Call it only once the graph is
// built (it may read trees to find the blob's path).
func (s *scan) blobUnit(id int32) string {
	p := s.pathOf(id)
	if p == "" {
		return "blob " + s.objs[id].hash.String()
	}
	return "blob " + s.objs[id].hash.String() + " (" + p + ")"
}

// blobErr records a failure to read or scan blob id. The unit error is
// added by flushBlobErrs, once the blob's path can be named. Safe for
// concurrent use.
func (s *scan) blobErr(id int32, err error) {
	s.mu.Lock()
	s.pending = append(s.pending, blobFailure{id, err})
	s.mu.Unlock()
}

type blobFailure struct {
	id  int32
	err error
}

// flushBlobErrs turns the recorded blob failures into unit errors, and
// notes the Git LFS pointers met.
func (s *scan) flushBlobErrs() {
	s.mu.Lock()
	pending, lfs := s.pending, s.lfs
	s.pending, s.lfs = nil, nil
	s.mu.Unlock()
	for _, f := range pending {
		s.unitError(s.blobUnit(f.id), f.err)
	}
	for _, id := range lfs {
		if s.unreach[id] || s.dropped[id] {
			continue
		}
		p := s.pathOf(id)
		s.notes.add("lfs:"+p, fmt.Sprintf("Git LFS pointer %s: the stored file is not in git and was not scanned", p))
	}
}

// scanData scans a blob held whole in memory. Safe for concurrent use once
// the walk is over (it reads s.objs and writes under s.mu).
func (s *scan) scanData(id int32, data []byte) {
	if len(data) < 1024 && bytes.HasPrefix(data, lfsPrefix) {
		s.mu.Lock()
		s.lfs = append(s.lfs, id)
		s.mu.Unlock()
	}
	ms, err := scanBytes(s.det, s.objs[id].path, data)
	if err != nil {
		s.blobErr(id, fmt.Errorf("scan blob: %w", err))
	}
	s.done(id, int64(len(data)), ms)
}

// done counts a scanned blob and keeps its matches.
func (s *scan) done(id int32, size int64, ms []scanner.Match) {
	s.col.Count(size)
	s.bytes.Add(size)
	if p := s.opts.Progress; p != nil {
		p.Done.Add(1)
		p.Bytes.Add(size)
	}
	if len(ms) == 0 {
		return
	}
	s.mu.Lock()
	s.matches[id] = append(s.matches[id], ms...)
	s.mu.Unlock()
}

// scanStream scans a blob of size bytes too big to hold whole through the
// detector's ScanReader: bounded memory, and lines, columns and offsets of
// matches as in the whole blob. Archives inside such a blob are scanned as
// plain bytes only. A blob shorter than size is a read error.
func (s *scan) scanStream(ctx context.Context, id int32, r io.Reader, size int64) error {
	var all []scanner.Match
	sr := &sizedReader{r: r, left: size}
	if err := s.det.ScanReader(ctx, s.objs[id].path, sr, func(m scanner.Match) { all = append(all, m) }); err != nil {
		if errors.Is(err, errShortBlob) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read blob: %w", err)
	}
	s.done(id, size, all)
	return nil
}

// errShortBlob is a blob that ended before its size: ScanReader takes
// io.ErrUnexpectedEOF for the end of its input, so sizedReader says it so.
var errShortBlob = errors.New("blob shorter than its size")

// sizedReader reads exactly left bytes of r.
type sizedReader struct {
	r    io.Reader
	left int64
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		if s.left > 0 {
			return n, errShortBlob
		}
		err = nil
	}
	return n, err
}
