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

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// maxRestarts bounds how often one lane restarts git after a fatal error
// (each restart skips the object git died on).
const maxRestarts = 64

// job is a blob read whole, waiting for a scanner.
type job struct {
	id   int32
	data []byte
}

// readGit reads the blobs in refs through `git cat-file --batch`
// processes, one per lane, each given a contiguous run of the pack order
// (so delta bases stay in its cache), and scans them on s.opts.Workers
// goroutines. Blob bytes in flight are bounded by s.opts.MemoryBytes.
func (s *scan) readGit(ctx context.Context, refs []blobRef) error {
	s.setTotal(refs)
	lanes := split(refs, s.opts.Workers)
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
			}
			return nil
		})
	}
	readers, rctx := errgroup.WithContext(ctx)
	for _, lane := range lanes {
		readers.Go(func() error { return s.lane(rctx, lane, jobs, sem) })
	}
	err := readers.Wait()
	close(jobs)
	scanners.Wait()
	return err
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

// lane reads refs with one git process at a time; when git dies on an
// object (a corrupt pack), that object becomes a unit error and a new
// process carries on with the rest.
func (s *scan) lane(ctx context.Context, refs []blobRef, jobs chan<- job, sem *semaphore.Weighted) error {
	for restarts := 0; len(refs) > 0; restarts++ {
		n, err := s.catBatch(ctx, refs, jobs, sem)
		refs = refs[n:]
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err == nil {
			continue
		}
		if len(refs) == 0 {
			s.unitError("git cat-file", err)
			return nil
		}
		s.unitError(s.blobUnit(refs[0].id), err)
		refs = refs[1:]
		if restarts == maxRestarts {
			s.unitError("git cat-file", fmt.Errorf("gave up after %d failures: %d blobs not read", restarts+1, len(refs)))
			return nil
		}
	}
	return nil
}

// catBatch runs one `git cat-file --batch` over refs and returns how many
// of them it dealt with (read, or reported missing) before git failed.
func (s *scan) catBatch(ctx context.Context, refs []blobRef, jobs chan<- job, sem *semaphore.Weighted) (int, error) {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(pctx, s.gitBin, "-C", s.opts.Path, "cat-file", "--batch")
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, fmt.Errorf("start git cat-file: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, fmt.Errorf("start git cat-file: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriterSize(in, 64<<10)
		for _, r := range refs {
			w.WriteString(s.objs[r.id].hash.String())
			if w.WriteByte('\n') != nil {
				break
			}
		}
		w.Flush()
		in.Close()
	}()
	br := bufio.NewReaderSize(out, 1<<20)
	n, rerr := s.readBatch(pctx, br, refs, jobs, sem)
	cancel()
	werr := cmd.Wait()
	if rerr == nil || ctx.Err() != nil {
		return n, rerr
	}
	if msg := bytes.TrimSpace(stderr.Bytes()); len(msg) > 0 {
		return n, fmt.Errorf("git cat-file: %s", msg)
	}
	if werr != nil {
		return n, fmt.Errorf("git cat-file: %w", werr)
	}
	return n, rerr
}

// readBatch reads cat-file's answers for refs, in order.
func (s *scan) readBatch(ctx context.Context, br *bufio.Reader, refs []blobRef, jobs chan<- job, sem *semaphore.Weighted) (int, error) {
	for i, r := range refs {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return i, fmt.Errorf("read object header: %w", errOrEOF(err))
		}
		f := bytes.Fields(line)
		if len(f) == 2 && string(f[1]) == "missing" {
			s.unitError(s.blobUnit(r.id), errors.New("object missing from the object store"))
			continue
		}
		if len(f) != 3 {
			return i, fmt.Errorf("bad object header %q", bytes.TrimSpace(line))
		}
		size, err := strconv.ParseInt(string(f[2]), 10, 64)
		if err != nil || size < 0 {
			return i, fmt.Errorf("bad object header %q", bytes.TrimSpace(line))
		}
		if size > s.opts.MaxBlobBytes {
			if err := s.scanStream(r.id, io.LimitReader(br, size), size); err != nil {
				return i, err
			}
		} else {
			if err := sem.Acquire(ctx, s.weight(size)); err != nil {
				return i, err
			}
			data := make([]byte, size)
			if _, err := io.ReadFull(br, data); err != nil {
				sem.Release(s.weight(size))
				return i, fmt.Errorf("read object: %w", errOrEOF(err))
			}
			select {
			case jobs <- job{r.id, data}:
			case <-ctx.Done():
				sem.Release(s.weight(size))
				return i, ctx.Err()
			}
		}
		if b, err := br.ReadByte(); err != nil || b != '\n' {
			return i, errors.New("git cat-file: lost framing after object")
		}
	}
	return len(refs), nil
}

func errOrEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
