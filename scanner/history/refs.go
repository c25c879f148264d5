package history

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/go-git/go-billy/v5/util"
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
		named = s.allRefs(ctx)
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
func (s *scan) allRefs(ctx context.Context) []tip {
	var out []tip
	iter, err := s.repo.References()
	if err == nil {
		err = iter.ForEach(func(r *plumbing.Reference) error {
			if r.Type() == plumbing.HashReference {
				out = append(out, tip{r.Name().String(), r.Hash()})
			}
			return nil
		})
	}
	if err != nil {
		// One unreadable ref file (an empty main.lock left by a crashed
		// git, garbage) makes go-git give up on all of them: list them
		// again, skipping only what is broken.
		fsTips, explained := s.fsRefs()
		if !explained {
			s.unitError("refs", fmt.Errorf("list refs: %w", err))
		}
		out = mergeTips(out, fsTips)
		if s.gitBin != "" {
			out = mergeTips(out, s.gitRefs(ctx))
		}
	}
	return out
}

// fsRefs reads packed-refs and the loose refs under refs/ directly. Lock
// files are skipped with a note, files that hold no SHA are unit errors;
// explained is true when it found either.
func (s *scan) fsRefs() (tips []tip, explained bool) {
	fs, ok := s.storageFS()
	if !ok {
		return nil, false
	}
	loose := make(map[string]plumbing.Hash)
	var walk func(dir string)
	walk = func(dir string) {
		fis, err := fs.ReadDir(dir)
		if err != nil {
			return
		}
		for _, fi := range fis {
			p := dir + "/" + fi.Name()
			if fi.IsDir() {
				walk(p)
				continue
			}
			if strings.HasSuffix(p, ".lock") {
				explained = true
				s.notes.add("lock:"+p, fmt.Sprintf("lock file %s present (a git process is running, or crashed): refs read as they are", p))
				continue
			}
			b, err := util.ReadFile(fs, p)
			if err != nil {
				explained = true
				s.unitError("ref "+p, fmt.Errorf("read ref: %w", err))
				continue
			}
			switch h := strings.TrimSpace(string(b)); {
			case plumbing.IsHash(h):
				loose[p] = plumbing.NewHash(h)
			case !strings.HasPrefix(h, "ref: "):
				explained = true
				s.unitError("ref "+p, errors.New("ref file holds no object name"))
			}
		}
	}
	walk("refs")
	var out []tip
	if b, err := util.ReadFile(fs, "packed-refs"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			h, name, ok := strings.Cut(strings.TrimSpace(line), " ")
			if _, dup := loose[name]; ok && plumbing.IsHash(h) && !dup {
				out = append(out, tip{name, plumbing.NewHash(h)})
			}
		}
	}
	for name, h := range loose {
		out = append(out, tip{name, h})
	}
	return out, explained
}

// gitRefs lists refs with `git for-each-ref`, which skips (and warns
// about) broken ones instead of failing: the fallback when go-git cannot
// read every ref.
func (s *scan) gitRefs(ctx context.Context) []tip {
	out, err := exec.CommandContext(ctx, s.gitBin, "-C", s.opts.Path, "for-each-ref", "--format=%(objectname) %(refname)").Output()
	if err != nil {
		return nil
	}
	var tips []tip
	for _, line := range strings.Split(string(out), "\n") {
		h, name, ok := strings.Cut(line, " ")
		if ok && plumbing.IsHash(h) {
			tips = append(tips, tip{name, plumbing.NewHash(h)})
		}
	}
	return tips
}

// mergeTips adds the tips of b whose names a lacks.
func mergeTips(a, b []tip) []tip {
	have := make(map[string]bool, len(a))
	for _, t := range a {
		have[t.name] = true
	}
	for _, t := range b {
		if !have[t.name] {
			a = append(a, t)
		}
	}
	return a
}

// peel follows annotated tags (scanning their messages) down to the object
// a ref finally names. Commits become walk tips; trees and blobs become
// roots of their own, attributed to the ref.
func (s *scan) peel(t tip) (tip, bool) {
	h := t.hash
	if h.IsZero() {
		s.unitError("ref "+t.name, errors.New("ref does not hold an object name"))
		return tip{}, false
	}
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
