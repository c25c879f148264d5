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

// blobUnit names a blob in unit errors.
func (s *scan) blobUnit(id int32) string {
	o := &s.objs[id]
	if o.path == "" {
		return "blob " + o.hash.String()
	}
	return "blob " + o.hash.String() + " (" + o.path + ")"
}

// scanData scans a blob held whole in memory. Safe for concurrent use once
// the walk is over (it reads s.objs and writes under s.mu).
func (s *scan) scanData(id int32, data []byte) {
	o := &s.objs[id]
	if len(data) < 1024 && bytes.HasPrefix(data, lfsPrefix) && o.path != "" {
		s.notes.add("lfs:"+o.path, fmt.Sprintf("Git LFS pointer %s: the stored file is not in git and was not scanned", o.path))
	}
	ms, err := scanBytes(s.det, o.path, data)
	if err != nil {
		s.unitError(s.blobUnit(id), fmt.Errorf("scan blob: %w", err))
	}
	s.done(id, int64(len(data)), ms)
}

// done counts a scanned blob and keeps its matches.
func (s *scan) done(id int32, size int64, ms []scanner.Match) {
	s.col.Count(size)
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
			s.unitError(s.blobUnit(id), fmt.Errorf("scan blob window at %d: %w", base, serr))
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
