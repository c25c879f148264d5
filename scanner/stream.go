package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// DefaultChunkSize is the size of the chunks ScanReader reads.
const DefaultChunkSize = 4 << 20

// ScanReader scans r in overlapping chunks, so that a file of any size
// (a 50 MB single-line file, a multi-GB log) costs about
// DefaultChunkSize + 2×Options.Window bytes of memory. Each chunk goes
// through the text pipeline of ScanBlob (plain bytes and decoded views,
// but not archives, which need the whole unit): a key ID is reported by
// the one chunk that holds the whole pairing window around it, so results
// match a whole-buffer Find. emit is called from this goroutine, in offset
// order, with Line, Column, Start and End relative to the whole stream.
//
// ScanReader checks ctx between chunks and returns ctx.Err() when it is
// cancelled; a read error is returned wrapped. Matches emitted before an
// error stand.
func (d *Detector) ScanReader(ctx context.Context, path string, r io.Reader, emit func(Match)) error {
	return d.scanReader(ctx, path, r, DefaultChunkSize, emit)
}

func (d *Detector) scanReader(ctx context.Context, path string, r io.Reader, chunk int, emit func(Match)) error {
	keep := 2*d.opts.Window + 64 // bytes carried from one chunk to the next
	chunk = max(chunk, 2*keep)
	buf := make([]byte, 0, chunk+keep)
	base := 0     // stream offset of buf[0]
	lineBase := 0 // newlines before buf[0]
	colBase := 0  // bytes between the last newline before buf[0] and buf[0]
	emitFrom := 0 // offsets in buf below this were reported by the previous chunk
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := rerr == io.EOF || errors.Is(rerr, io.ErrUnexpectedEOF)
		if rerr != nil && !eof {
			d.emitChunk(buf, emitFrom, len(buf), base, lineBase, colBase, emit)
			return fmt.Errorf("read %s: %w", path, rerr)
		}
		emitTo := len(buf) - keep/2
		if eof {
			emitTo = len(buf)
		}
		d.emitChunk(buf, emitFrom, emitTo, base, lineBase, colBase, emit)
		if eof {
			return nil
		}
		drop := len(buf) - keep
		dropped := buf[:drop]
		if nl := bytes.Count(dropped, []byte{'\n'}); nl > 0 {
			lineBase += nl
			colBase = drop - (bytes.LastIndexByte(dropped, '\n') + 1)
		} else {
			colBase += drop
		}
		base += drop
		emitFrom = emitTo - drop
		buf = buf[:copy(buf, buf[drop:])]
	}
}

// emitChunk scans buf and emits the matches whose key ID starts in
// [from, to), shifted to stream coordinates.
func (d *Detector) emitChunk(buf []byte, from, to, base, lineBase, colBase int, emit func(Match)) {
	if from >= to {
		return
	}
	for _, m := range d.scanText(buf, 0) {
		if m.Start < from || m.Start >= to {
			continue
		}
		if m.Line == 1 {
			m.Column += colBase
		}
		m.Line += lineBase
		m.Start += base
		m.End += base
		emit(m)
	}
}
