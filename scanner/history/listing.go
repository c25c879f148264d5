package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
)

// entry is one object of the object store, as `git cat-file
// --batch-all-objects --batch-check --unordered` lists them: in pack order.
// The size is -1 when not listed (asking git for sizes costs a third more).
type entry struct {
	hash plumbing.Hash
	typ  plumbing.ObjectType
	size int64
}

// packLoc is where the pack listing found a blob (pack "" when loose):
// its .pack file, offset, the offset of its delta base when it is an
// offset delta (else -1), and the size its header gives (a delta's own
// size for a delta).
type packLoc struct {
	pack string
	off  int64
	base int64
	size int64
}

// listing is the object store's table of contents, read by one git process
// while the commit graph is walked.
type listing struct {
	done    chan struct{}
	entries []entry
	locs    []packLoc // with withLocs and a pack listing: the blob entries' places
	err     error
}

// startListing lists every object of the repository at dir in the
// background: from the pack indexes when it can, else with git.
func startListing(ctx context.Context, gitBin, dir string, withLocs bool) *listing {
	l := &listing{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		var locs *[]packLoc
		if withLocs {
			locs = &l.locs
		}
		l.entries, l.err = listObjectsFast(ctx, gitBin, dir, locs)
		if errors.Is(l.err, errNoFastList) {
			l.locs = nil
			l.entries, l.err = listObjects(ctx, gitBin, dir)
		}
	}()
	return l
}

func listObjects(ctx context.Context, gitBin, dir string) ([]entry, error) {
	cmd := exec.CommandContext(ctx, gitBin, "-C", dir, "cat-file", "--buffer", "--batch-all-objects",
		"--batch-check=%(objectname) %(objecttype)", "--unordered")
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	var es []entry
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if e, ok := parseEntry(sc.Bytes()); ok {
			es = append(es, e)
		}
	}
	werr := cmd.Wait()
	if werr != nil {
		return es, fmt.Errorf("list objects: %w: %s", werr, bytes.TrimSpace(stderr.Bytes()))
	}
	return es, sc.Err()
}

func parseEntry(line []byte) (entry, bool) {
	f := bytes.Fields(line)
	if len(f) < 2 || !plumbing.IsHash(string(f[0])) {
		return entry{}, false
	}
	typ, err := plumbing.ParseObjectType(string(f[1]))
	if err != nil {
		return entry{}, false
	}
	size := int64(-1)
	if len(f) == 3 {
		if size, err = strconv.ParseInt(string(f[2]), 10, 64); err != nil {
			return entry{}, false
		}
	}
	return entry{hash: plumbing.NewHash(string(f[0])), typ: typ, size: size}, true
}

// wait returns the listing once the git process is done.
func (l *listing) wait() ([]entry, error) {
	<-l.done
	return l.entries, l.err
}

// blobRef is a blob to read and its size (-1 when unknown); loc indexes
// s.blobLocs (-1: not known, ReaderPack only).
type blobRef struct {
	id   int32
	loc  int32
	size int64
}

// order returns the blobs of s.blobs in pack order, as listed; the ones
// the store lacks are recorded as missing (or promised, in a partial clone).
func (l *listing) order(s *scan) []blobRef {
	es, err := l.wait()
	if err != nil {
		s.unitError("object listing", err)
	}
	want := make(map[int32]bool, len(s.blobs))
	for _, id := range s.blobs {
		want[id] = true
	}
	out := make([]blobRef, 0, len(s.blobs))
	for _, e := range es {
		if e.typ != plumbing.BlobObject {
			continue
		}
		if id, ok := s.ids[e.hash]; ok && want[id] {
			delete(want, id)
			out = append(out, blobRef{id: id, loc: -1, size: e.size})
		}
	}
	// Blobs the listing lacks are not asked of git: in a partial clone
	// that would fetch them from the promisor remote.
	for _, id := range s.blobs {
		if !want[id] {
			continue
		}
		if s.partial {
			s.promised++
		} else {
			s.blobErr(id, errMissing)
		}
	}
	return out
}

// limitedBuffer keeps the first max bytes written to it (a process's stderr).
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
