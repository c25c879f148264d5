package github

import (
	"fmt"

	"github.com/keysweep/keysweep/hooks"
	"github.com/keysweep/keysweep/scanner"
)

// ApplyRepoAllowlists honours each repository's own allowlist: the
// .keysweep.toml at the head of its default branch, read from its mirror
// (mirrors: repository → mirror directory, as in Summary.Mirrors). It removes
// from res the locations in a repository that its allowlist allows, and the
// findings left with none; locations in other repositories are judged by
// their own. It returns how many findings it removed, and one error per
// allowlist that does not parse (that repository's locations are then kept).
// Applied at report time, so that removing an entry brings its keys back.
func ApplyRepoAllowlists(res *scanner.Result, mirrors map[string]string) (dropped int, errs []scanner.UnitError) {
	policies := map[string]*hooks.Policy{}
	policy := func(repo string) *hooks.Policy {
		if p, ok := policies[repo]; ok {
			return p
		}
		p, err := readPolicy(mirrors[repo])
		if err != nil {
			errs = append(errs, scanner.UnitError{Unit: repo + " .keysweep.toml", Err: err.Error()})
		}
		policies[repo] = p
		return p
	}
	kept := res.Findings[:0]
	for _, f := range res.Findings {
		var locs []scanner.Location
		for _, l := range f.Locations {
			if _, ok := mirrors[l.Repo]; !ok || !policy(l.Repo).Removes(&f, l) {
				locs = append(locs, l)
			}
		}
		if len(locs) == 0 && len(f.Locations) > 0 {
			dropped++
			continue
		}
		f.Locations = locs
		kept = append(kept, f)
	}
	clear(res.Findings[len(kept):])
	res.Findings = kept
	return dropped, errs
}

// readPolicy parses the .keysweep.toml at HEAD of the mirror at dir; nil
// (and no error) when there is none.
func readPolicy(dir string) (*hooks.Policy, error) {
	if dir == "" {
		return nil, nil
	}
	repo, err := openMirror(dir)
	if err != nil {
		return nil, nil // never cloned (failed, empty): nothing to honour
	}
	ref, err := repo.Head()
	if err != nil {
		return nil, nil
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, fmt.Errorf("read HEAD: %w", err)
	}
	f, err := c.File(".keysweep.toml")
	if err != nil {
		return nil, nil
	}
	data, err := f.Contents()
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	p, err := hooks.ParsePolicy([]byte(data))
	if err != nil {
		return nil, err
	}
	return p, nil
}
