package history

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"golang.org/x/sync/errgroup"
)

// readGoGit reads and scans the blobs with go-git alone: blobs are sorted
// by pack and offset and cut into s.opts.Workers contiguous runs; each
// worker opens its own storage (its own pack handles and a delta-base
// cache bounded to its share of s.opts.MemoryBytes) and scans what it reads.
func (s *scan) readGoGit(ctx context.Context) error {
	fs, ok := s.storageFS()
	if !ok {
		return fmt.Errorf("read blobs: go-git storage is not on a file system")
	}
	refs := s.packOrder(fs)
	s.setTotal(refs)
	runs := split(refs, s.opts.Workers)
	cacheBytes := s.opts.MemoryBytes / int64(2*max(len(runs), 1))
	g, gctx := errgroup.WithContext(ctx)
	for _, run := range runs {
		g.Go(func() error {
			st := filesystem.NewStorageWithOptions(fs, cache.NewObjectLRU(cache.FileSize(cacheBytes)),
				filesystem.Options{KeepDescriptors: true, LargeObjectThreshold: s.opts.MaxBlobBytes})
			defer st.Close()
			for _, r := range run {
				if err := gctx.Err(); err != nil {
					return err
				}
				s.readOne(gctx, st, r.id)
			}
			return nil
		})
	}
	return g.Wait()
}

func (s *scan) storageFS() (billy.Filesystem, bool) {
	st, ok := s.st.(*filesystem.Storage)
	if !ok {
		return nil, false
	}
	return st.Filesystem(), true
}

// readOne reads blob id from st and scans it; failures are unit errors.
func (s *scan) readOne(ctx context.Context, st *filesystem.Storage, id int32) {
	o, err := st.EncodedObject(plumbing.BlobObject, s.objs[id].hash)
	if errors.Is(err, plumbing.ErrObjectNotFound) && s.partial {
		s.mu.Lock()
		s.promised++ // a partial clone: the promisor remote has it
		s.mu.Unlock()
		return
	}
	if err != nil {
		s.blobErr(id, fmt.Errorf("read blob: %w", err))
		return
	}
	r, err := o.Reader()
	if err != nil {
		s.blobErr(id, fmt.Errorf("read blob: %w", err))
		return
	}
	defer r.Close()
	if o.Size() > s.opts.MaxBlobBytes {
		if err := s.scanStream(ctx, id, r, o.Size()); err != nil && ctx.Err() == nil {
			s.blobErr(id, err) // not when interrupted: the blob is simply not scanned
		}
		return
	}
	data := make([]byte, o.Size())
	if _, err := io.ReadFull(r, data); err != nil {
		s.blobErr(id, fmt.Errorf("read blob: %w", errOrEOF(err)))
		return
	}
	s.scanData(id, data)
}

// packOrder returns s.blobs sorted by pack and offset; loose blobs (and any
// whose pack index cannot be read) come last in walk order.
func (s *scan) packOrder(fs billy.Filesystem) []blobRef {
	type pos struct {
		pack int
		off  int64
	}
	at := make(map[int32]pos, len(s.blobs))
	dg := dotgit.New(fs)
	packs, err := dg.ObjectPacks()
	if err != nil {
		s.unitError("pack list", fmt.Errorf("list packs: %w", err))
	}
	for pi, ph := range packs {
		idx, err := readIdx(dg, ph)
		if err != nil {
			s.unitError("pack "+ph.String(), err)
			continue
		}
		for _, id := range s.blobs {
			if _, ok := at[id]; ok {
				continue
			}
			if off, err := idx.FindOffset(s.objs[id].hash); err == nil {
				at[id] = pos{pi, off}
			}
		}
	}
	refs := make([]blobRef, len(s.blobs))
	for i, id := range s.blobs {
		refs[i] = blobRef{id: id, loc: -1, size: -1}
	}
	sort.SliceStable(refs, func(i, j int) bool {
		a, aok := at[refs[i].id]
		b, bok := at[refs[j].id]
		if aok != bok {
			return aok
		}
		if a.pack != b.pack {
			return a.pack < b.pack
		}
		return a.off < b.off
	})
	return refs
}

func readIdx(dg *dotgit.DotGit, pack plumbing.Hash) (*idxfile.MemoryIndex, error) {
	f, err := dg.ObjectPackIdx(pack)
	if err != nil {
		return nil, fmt.Errorf("open pack index: %w", err)
	}
	defer f.Close()
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(f).Decode(idx); err != nil {
		return nil, fmt.Errorf("decode pack index: %w", err)
	}
	return idx, nil
}
