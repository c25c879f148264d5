package staged

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/keysweep/keysweep/scanner"
	"golang.org/x/sync/errgroup"
)

// Scanner finds credentials in one file's bytes (ScanBlob), or streamed
// from a reader in bounded memory (ScanReader); path is the file's path,
// for detectors that weigh it. *scanner.Detector satisfies it.
type Scanner interface {
	ScanBlob(path string, data []byte) ([]scanner.Match, error)
	ScanReader(ctx context.Context, path string, r io.Reader, emit func(scanner.Match)) error
}

// Blobs larger than window are streamed through ScanReader, so memory
// stays bounded whatever the size of a file.
// Archives (zip, gzip, tar) up to maxWhole bytes are read whole instead,
// as the detector needs all of one to list its members.
const (
	window   = 8 << 20
	maxWhole = 64 << 20
)

// isArchive reports whether head starts an archive the detector opens.
func isArchive(head []byte) bool {
	switch {
	case len(head) >= 4 && string(head[:4]) == "PK\x03\x04":
		return true
	case len(head) >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 8:
		return true
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return true
	}
	return false
}

// name is how an item is called in notes and errors.
func name(it item) string {
	if it.path != "" {
		return it.path
	}
	return it.typ + " " + it.id
}

// item is one blob to read and scan.
type item struct {
	id   string
	path string
	typ  string // set by scanObjects once read: "blob", "commit", "tag"
}

// scanObjects fetches items through cf and scans each blob with det, up to
// workers at a time. found is called once per item that had matches, from
// any goroutine but never concurrently. Per-blob failures go to col as unit
// errors; only a broken cat-file stream or ctx ends the run early.
func scanObjects(ctx context.Context, cf *catFile, det Scanner, col *scanner.Collector, workers int, items []item,
	found func(i int, ms []scanner.Match)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.id
	}
	var mu sync.Mutex
	// A detector error is confined to the content (a corrupt archive, a
	// size limit): the matches before it count, and the gap is a note.
	report := func(i int, ms []scanner.Match, err error) {
		if err != nil {
			col.Note(fmt.Sprintf("%s: not fully checked: %v", name(items[i]), err))
		}
		if len(ms) > 0 {
			mu.Lock()
			found(i, ms)
			mu.Unlock()
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	next := 0
	err := cf.fetch(ids, func(obj object) error {
		i := next
		next++
		if err := gctx.Err(); err != nil {
			return err
		}
		switch {
		case obj.Type == "missing":
			col.AddError(items[i].path, fmt.Errorf("read blob %s: object missing", obj.ID))
			return nil
		case obj.Type != "blob" && obj.Type != "commit" && obj.Type != "tag":
			col.AddError(items[i].path, fmt.Errorf("read blob %s: object is a %s", obj.ID, obj.Type))
			return nil
		}
		items[i].typ = obj.Type
		col.Count(obj.Size)
		var data []byte
		if obj.Size > window {
			head := make([]byte, 512)
			if _, err := io.ReadFull(obj.R, head); err != nil {
				return fmt.Errorf("read blob %s: %w", obj.ID, err)
			}
			if !isArchive(head) || obj.Size > maxWhole {
				var ms []scanner.Match
				err := det.ScanReader(gctx, items[i].path, io.MultiReader(bytes.NewReader(head), obj.R),
					func(m scanner.Match) { ms = append(ms, m) })
				if cerr := gctx.Err(); cerr != nil {
					return cerr
				}
				report(i, ms, err)
				return nil
			}
			data = make([]byte, obj.Size) // archives are scanned whole, up to maxWhole
			copy(data, head)
			if _, err := io.ReadFull(obj.R, data[len(head):]); err != nil {
				return fmt.Errorf("read blob %s: %w", obj.ID, err)
			}
		} else {
			data = make([]byte, obj.Size)
			if _, err := io.ReadFull(obj.R, data); err != nil {
				return fmt.Errorf("read blob %s: %w", obj.ID, err)
			}
		}
		g.Go(func() error {
			ms, err := det.ScanBlob(items[i].path, data)
			report(i, ms, err)
			return nil
		})
		return nil
	})
	werr := g.Wait()
	if err != nil {
		return err
	}
	return werr
}
