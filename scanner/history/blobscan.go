package history

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/keysweep/keysweep/scanner"
)

// windowOverlap is how far consecutive windows of a streamed blob overlap:
// a key, its secret and the text between them fit in it.
const windowOverlap = 64 << 10

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

// scanStream scans a blob of size bytes too big to hold whole, reading r
// in windows of MaxBlobBytes that overlap by windowOverlap. Lines, columns
// and offsets of matches are those in the whole blob. Archives inside such
// a blob are scanned as plain bytes only.
func (s *scan) scanStream(id int32, r io.Reader, size int64) error {
	win := int(s.opts.MaxBlobBytes)
	if win < 2*windowOverlap {
		win = 2 * windowOverlap
	}
	buf := make([]byte, win)
	path := s.objs[id].path
	var (
		base  int64 // offset of buf[0] in the blob
		lines int   // newlines before buf[0]
		col0  int   // bytes between the last newline before buf[0] and buf[0]
		n     int   // bytes held in buf
		all   []scanner.Match
	)
	for {
		m, err := io.ReadFull(r, buf[n:])
		n += m
		last := base+int64(n) >= size
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read blob: %w", err)
		}
		if err != nil && !last {
			return fmt.Errorf("read blob: %w", io.ErrUnexpectedEOF)
		}
		ms, serr := scanBytes(s.det, path, buf[:n])
		if serr != nil {
			s.blobErr(id, fmt.Errorf("scan blob window at %d: %w", base, serr))
		}
		limit := n
		if !last {
			limit = n - windowOverlap
		}
		for _, mt := range ms {
			if mt.Start >= limit {
				continue // found again, whole, in the next window
			}
			if mt.Line == 1 {
				mt.Column += col0
			}
			mt.Line += lines
			mt.Start += int(base)
			mt.End += int(base)
			all = append(all, mt)
		}
		if last {
			break
		}
		seg := buf[:limit]
		if nl := bytes.Count(seg, []byte{'\n'}); nl > 0 {
			lines += nl
			col0 = limit - (bytes.LastIndexByte(seg, '\n') + 1)
		} else {
			col0 += limit
		}
		copy(buf, buf[limit:n])
		base += int64(limit)
		n -= limit
	}
	s.done(id, size, all)
	return nil
}
