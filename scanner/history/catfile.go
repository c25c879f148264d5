package history

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// maxRestarts bounds how often one lane restarts git after a fatal error
// (each restart skips the object git died on).
const maxRestarts = 64

// errMissing is the unit error of an object the store does not have.
var errMissing = errors.New("object missing from the object store")

// batchFunc handles object i of a batch: it must read exactly size bytes
// of content from r. An error stops the batch and blames object i.
type batchFunc func(i int, size int64, r *bufio.Reader) error

// batch feeds n objects (hashOf(i)) to `git cat-file --batch` and calls fn
// for each, in order. A missing object, and an object git dies on (a
// corrupt pack), is reported to fail and skipped; git is restarted for the
// rest, up to maxRestarts times. It returns early only when ctx is done.
func (s *scan) batch(ctx context.Context, n int, hashOf func(int) plumbing.Hash, fn batchFunc, fail func(int, error)) error {
	for first, restarts := 0, 0; first < n; restarts++ {
		done, err := s.catBatch(ctx, first, n, hashOf, fn, fail)
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		first = done
		if err == nil {
			continue
		}
		if first >= n {
			s.unitError("git cat-file", err)
			return nil
		}
		fail(first, err)
		first++
		if restarts == maxRestarts {
			s.unitError("git cat-file", fmt.Errorf("gave up after %d failures: %d objects not read", restarts+1, n-first))
			return nil
		}
	}
	return nil
}

// catBatch runs one git process over objects first..n-1 and returns the
// index of the first object it did not deal with.
func (s *scan) catBatch(ctx context.Context, first, n int, hashOf func(int) plumbing.Hash, fn batchFunc, fail func(int, error)) (int, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(pctx, s.gitBin, "-C", s.opts.Path, "cat-file", "--batch", "--buffer")
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	in, err := cmd.StdinPipe()
	if err != nil {
		return first, fmt.Errorf("start git cat-file: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return first, fmt.Errorf("start git cat-file: %w", err)
	}
	growPipe(out)
	if err := cmd.Start(); err != nil {
		return first, fmt.Errorf("start git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriterSize(in, 64<<10)
		var hex [41]byte
		hex[40] = '\n'
		for i := first; i < n; i++ {
			h := hashOf(i)
			encodeHex(hex[:40], h[:])
			if _, err := w.Write(hex[:]); err != nil {
				break
			}
		}
		w.Flush()
		in.Close()
	}()
	br := bufio.NewReaderSize(out, 1<<20)
	i, rerr := readBatch(br, first, n, fn, fail)
	cancel()
	werr := cmd.Wait()
	if rerr == nil || ctx.Err() != nil {
		return i, rerr
	}
	if msg := bytes.TrimSpace(stderr.Bytes()); len(msg) > 0 {
		return i, fmt.Errorf("git cat-file: %s", msg)
	}
	if werr != nil {
		return i, fmt.Errorf("git cat-file: %w", werr)
	}
	return i, rerr
}

func encodeHex(dst, src []byte) {
	const digits = "0123456789abcdef"
	for i, b := range src {
		dst[2*i], dst[2*i+1] = digits[b>>4], digits[b&15]
	}
}

// readBatch reads cat-file's answers for objects first..n-1, in order.
func readBatch(br *bufio.Reader, first, n int, fn batchFunc, fail func(int, error)) (int, error) {
	for i := first; i < n; i++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return i, fmt.Errorf("read object header: %w", errOrEOF(err))
		}
		f := bytes.Fields(line)
		if len(f) == 2 && string(f[1]) == "missing" {
			fail(i, errMissing)
			continue
		}
		var size int64 = -1
		if len(f) == 3 {
			size, err = strconv.ParseInt(string(f[2]), 10, 64)
		}
		if size < 0 || err != nil {
			return i, fmt.Errorf("bad object header %q", bytes.TrimSpace(line))
		}
		if err := fn(i, size, br); err != nil {
			return i, err
		}
		if b, err := br.ReadByte(); err != nil || b != '\n' {
			return i, errors.New("git cat-file: lost framing after object")
		}
	}
	return n, nil
}

// job is a blob read whole, waiting for a scanner.
type job struct {
	id     int32
	data   []byte
	pooled bool     // data is from s.bufs and goes back there once scanned
	shared *blobBuf // not nil: data is shared.data, released once scanned
}

// releaseJob gives back j's buffer once it is scanned (or dropped).
func (s *scan) releaseJob(j job) {
	switch {
	case j.shared != nil:
		j.shared.release(&s.bufs)
	case j.pooled:
		s.bufs.put(j.data)
	}
}

// readGit reads the blobs in refs in lanes and scans them on
// s.opts.Workers goroutines: through `git cat-file --batch` processes,
// one per lane, each given a contiguous run of the pack order (so delta
// bases stay in its cache), or with the pack reader (see lanes), which
// splits them by delta family. Blob bytes in flight are bounded by
// s.opts.MemoryBytes; blobs over s.opts.MaxBlobBytes are streamed by the
// lane itself.
func (s *scan) readGit(ctx context.Context, refs []blobRef) error {
	s.setTotal(refs)
	sem := semaphore.NewWeighted(s.opts.MemoryBytes)
	jobs := make(chan job, 2*s.opts.Workers)
	var scanners errgroup.Group
	for range s.opts.Workers {
		scanners.Go(func() error {
			for j := range jobs {
				if ctx.Err() == nil {
					s.scanData(j.id, j.data)
				}
				sem.Release(s.weight(int64(len(j.data))))
				s.releaseJob(j)
			}
			return nil
		})
	}
	readers, rctx := errgroup.WithContext(ctx)
	lanes, pack := s.lanes(refs)
	for _, lane := range lanes {
		readers.Go(func() error {
			if pack {
				return s.readLane(rctx, lane, sem, jobs)
			}
			return s.readGitRefs(rctx, lane, sem, jobs)
		})
	}
	err := readers.Wait()
	close(jobs)
	scanners.Wait()
	return err
}

// readLane (ReaderPack) reads the blobs of one lane and hands them to
// the scanners on jobs: packed ones straight from their pack (see
// packReader), the rest (loose, over the size read whole, or not readable
// there) then through one git process, which reports what is damaged.
func (s *scan) readLane(ctx context.Context, lane []blobRef, sem *semaphore.Weighted, jobs chan<- job) error {
	packs := make(map[string]*packReader)
	defer func() {
		for _, p := range packs {
			if p != nil {
				p.close()
			}
		}
	}()
	for _, r := range lane {
		if r.loc < 0 {
			continue
		}
		at := s.blobLocs[r.loc]
		p, ok := packs[at.pack]
		if !ok {
			p, _ = newPackReader(at.pack, s.opts.MaxBlobBytes, s.packCacheBytes(), &s.bufs)
			packs[at.pack] = p // nil when it does not open: git reads its blobs
		}
		if p != nil {
			p.expect(at.base)
		}
	}
	var rest []blobRef
	for _, r := range lane {
		if err := ctx.Err(); err != nil {
			return err
		}
		var p *packReader
		if r.loc >= 0 {
			p = packs[s.blobLocs[r.loc].pack]
		}
		if p == nil {
			rest = append(rest, r)
			continue
		}
		data, shared, err := p.read(s.blobLocs[r.loc].off)
		if err != nil {
			rest = append(rest, r)
			continue
		}
		if err := sem.Acquire(ctx, s.weight(int64(len(data)))); err != nil {
			s.releaseJob(job{data: data, pooled: shared == nil, shared: shared})
			return err
		}
		select {
		case jobs <- job{id: r.id, data: data, pooled: shared == nil, shared: shared}:
		case <-ctx.Done():
			sem.Release(s.weight(int64(len(data))))
			s.releaseJob(job{data: data, pooled: shared == nil, shared: shared})
			return ctx.Err()
		}
	}
	return s.readGitRefs(ctx, rest, sem, jobs)
}

// readGitRefs reads the blobs in refs through one git process.
func (s *scan) readGitRefs(ctx context.Context, refs []blobRef, sem *semaphore.Weighted, jobs chan<- job) error {
	if len(refs) == 0 {
		return nil
	}
	fn := func(i int, size int64, r *bufio.Reader) error {
		id := refs[i].id
		if size > s.opts.MaxBlobBytes {
			return s.scanStream(ctx, id, r, size)
		}
		if err := sem.Acquire(ctx, s.weight(size)); err != nil {
			return err
		}
		data := s.bufs.get(size)
		if _, err := io.ReadFull(r, data); err != nil {
			s.bufs.put(data)
			sem.Release(s.weight(size))
			return fmt.Errorf("read object: %w", errOrEOF(err))
		}
		select {
		case jobs <- job{id: id, data: data, pooled: true}:
			return nil
		case <-ctx.Done():
			s.bufs.put(data)
			sem.Release(s.weight(size))
			return ctx.Err()
		}
	}
	hashOf := func(i int) plumbing.Hash { return s.objs[refs[i].id].hash }
	fail := func(i int, err error) { s.blobErr(refs[i].id, err) }
	return s.batch(ctx, len(refs), hashOf, fn, fail)
}

func (s *scan) weight(size int64) int64 { return min(max(size, 1), s.opts.MemoryBytes) }

func (s *scan) setTotal(refs []blobRef) {
	p := s.opts.Progress
	if p == nil {
		return
	}
	var b int64
	for _, r := range refs {
		b += max(r.size, 0)
	}
	p.Total.Store(int64(len(refs)))
	p.TotalBytes.Store(b)
}

// split cuts refs into at most n contiguous runs of about equal bytes.
func split(refs []blobRef, n int) [][]blobRef {
	var total int64
	for _, r := range refs {
		total += max(r.size, 1)
	}
	per := total/int64(max(n, 1)) + 1
	var out [][]blobRef
	start, acc := 0, int64(0)
	for i, r := range refs {
		acc += max(r.size, 1)
		if acc >= per && len(out) < n-1 {
			out = append(out, refs[start:i+1])
			start, acc = i+1, 0
		}
	}
	if start < len(refs) {
		out = append(out, refs[start:])
	}
	return out
}

func errOrEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
