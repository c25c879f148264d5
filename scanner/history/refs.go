package history

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// tip is a commit to walk from and the ref (or revision) that named it.
type tip struct {
	name string
	hash plumbing.Hash
}

// resolve turns the options into the tips to walk and the commits to
// exclude. Every ref counts unless Branch or Range narrows the scan. A ref
// that cannot be read is a unit error; a revision the user named that does
// not resolve is an error for the whole scan.
func (s *scan) resolve(ctx context.Context) (tips []tip, excl []plumbing.Hash, err error) {
	var named []tip
	switch {
	case s.opts.Range != "":
		a, b, ok := strings.Cut(s.opts.Range, "..")
		if !ok || a == "" || b == "" || strings.HasPrefix(b, ".") {
			return nil, nil, fmt.Errorf("parse range %q: want A..B", s.opts.Range)
		}
		ha, err := s.rev(a)
		if err != nil {
			return nil, nil, err
		}
		hb, err := s.rev(b)
		if err != nil {
			return nil, nil, err
		}
		named = []tip{{b, hb}}
		excl = append(excl, ha)
	case s.opts.Branch != "":
		h, err := s.rev("refs/heads/" + s.opts.Branch)
		if err != nil {
			if h, err = s.rev(s.opts.Branch); err != nil {
				return nil, nil, err
			}
		}
		named = []tip{{s.opts.Branch, h}}
	default:
		named = s.allRefs()
	}
	if s.opts.Since != "" {
		h, err := s.rev(s.opts.Since)
		if err != nil {
			return nil, nil, err
		}
		excl = append(excl, h)
	}
	for _, x := range s.opts.Exclude {
		h, err := s.rev(x)
		if err != nil {
			s.notes.add("exclude", fmt.Sprintf("excluded commit %s is not in the repository; ignored", x))
			continue
		}
		excl = append(excl, h)
	}
	for _, t := range named {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		s.sum.Tips[t.name] = t.hash.String()
		if c, ok := s.peel(t); ok {
			tips = append(tips, c)
		}
	}
	return tips, excl, nil
}

// rev resolves a revision (SHA, ref name, rev expression) to an object hash.
func (s *scan) rev(r string) (plumbing.Hash, error) {
	if plumbing.IsHash(r) {
		h := plumbing.NewHash(r)
		if _, err := s.st.EncodedObject(plumbing.AnyObject, h); err != nil {
			return h, fmt.Errorf("resolve revision %s: %w", r, err)
		}
		return h, nil
	}
	h, err := s.repo.ResolveRevision(plumbing.Revision(r))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolve revision %s: %w", r, err)
	}
	return *h, nil
}

// allRefs lists every ref that names an object: branches, tags, remotes,
// stash, notes, pull refs, and HEAD when detached.
func (s *scan) allRefs() []tip {
	var out []tip
	iter, err := s.repo.References()
	if err != nil {
		s.unitError("refs", fmt.Errorf("list refs: %w", err))
		return nil
	}
	err = iter.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		out = append(out, tip{r.Name().String(), r.Hash()})
		return nil
	})
	if err != nil {
		s.unitError("refs", fmt.Errorf("list refs: %w", err))
	}
	return out
}

// peel follows annotated tags (scanning their messages) down to the object
// a ref finally names. Commits become walk tips; trees and blobs become
// roots of their own, attributed to the ref.
func (s *scan) peel(t tip) (tip, bool) {
	h := t.hash
	for depth := 0; depth < 16; depth++ {
		o, err := s.st.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			s.unitError("ref "+t.name, fmt.Errorf("read object %s: %w", h, err))
			return tip{}, false
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return tip{t.name, h}, true
		case plumbing.TagObject:
			tag, err := object.DecodeTag(s.st, o)
			if err != nil {
				s.unitError("tag "+h.String(), fmt.Errorf("decode tag: %w", err))
				return tip{}, false
			}
			s.scanTag(t.name, tag)
			h = tag.Target
		case plumbing.TreeObject, plumbing.BlobObject:
			s.rootTips = append(s.rootTips, rootTip{t.name, h, o.Type() == plumbing.TreeObject})
			return tip{}, false
		default:
			s.unitError("ref "+t.name, fmt.Errorf("unexpected object type %s", o.Type()))
			return tip{}, false
		}
	}
	s.unitError("ref "+t.name, errors.New("tag chain too long"))
	return tip{}, false
}

// scanTag scans an annotated tag's message; name is the ref that named it.
func (s *scan) scanTag(name string, tag *object.Tag) {
	if s.tags[tag.Hash] {
		return
	}
	s.tags[tag.Hash] = true
	s.sum.Messages++
	loc := s.loc()
	loc.Kind = "tag-message"
	loc.Path = name
	loc.Commit = tag.Hash.String()
	loc.Author, loc.Email, loc.Date = tag.Tagger.Name, tag.Tagger.Email, tag.Tagger.When
	s.scanMessage("tag "+tag.Hash.String(), tag.Message, loc)
}
