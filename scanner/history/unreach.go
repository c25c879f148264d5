package history

import (
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// walkUnreachable adds what no ref reaches (AllObjects): commits are walked
// like tips, so their blobs get commits and paths; tag messages are
// scanned; the blobs left over are scanned without a commit.
func (s *scan) walkUnreachable(ctx context.Context, list *listing) error {
	es, err := s.allObjects(ctx, list)
	if err != nil {
		s.unitError("object listing", err)
	}
	var stack []plumbing.Hash
	for _, e := range es {
		if e.typ != plumbing.CommitObject {
			continue
		}
		if _, ok := s.commitIdx[e.hash]; !ok {
			stack = append(stack, e.hash)
		}
	}
	first := len(s.commits)
	if _, err := s.walkCommits(ctx, stack); err != nil {
		return err
	}
	if err := s.walkTrees(ctx, first); err != nil {
		return err
	}
	var tags []plumbing.Hash
	for _, e := range es {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch e.typ {
		case plumbing.TagObject:
			tags = append(tags, e.hash)
		case plumbing.BlobObject:
			if _, ok := s.ids[e.hash]; ok {
				continue
			}
			if _, ok := s.exclO[e.hash]; ok {
				continue
			}
			s.unreach[s.add(node{hash: e.hash})] = true
		}
	}
	s.unreachableTags(tags)
	return nil
}

// allObjects returns every object of the store: the git listing when
// there is one, else go-git's iteration (which inflates every object).
func (s *scan) allObjects(ctx context.Context, list *listing) ([]entry, error) {
	if list != nil {
		return list.wait()
	}
	iter, err := s.st.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		return nil, fmt.Errorf("list objects: %w", err)
	}
	defer iter.Close()
	var es []entry
	err = iter.ForEach(func(o plumbing.EncodedObject) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		es = append(es, entry{o.Hash(), o.Type(), o.Size()})
		return nil
	})
	if err != nil && err != storer.ErrStop {
		return es, fmt.Errorf("list objects: %w", err)
	}
	return es, nil
}

// collectBlobs lists the blobs to read, in walk order.
func (s *scan) collectBlobs() {
	s.blobs = s.blobs[:0]
	for i := range s.objs {
		if !s.objs[i].tree {
			s.blobs = append(s.blobs, int32(i))
		}
	}
	s.sum.Blobs = len(s.blobs)
}
