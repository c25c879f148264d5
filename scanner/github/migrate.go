package github

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
)

// legacyGitDir returns where sweeps before bare mirrors kept the
// repository of the mirror at dir (HOST/OWNER/NAME.git): HOST/OWNER/NAME/.git,
// a repository with core.bare = false and nothing ever checked out.
func legacyGitDir(dir string) string {
	return filepath.Join(strings.TrimSuffix(dir, ".git"), ".git")
}

// migrateMirror readies dir (HOST/OWNER/NAME.git) for fetchMirror. A mirror
// in the old layout (legacyGitDir) is moved there when dir does not exist,
// so a cache made before mirrors were bare is fetched incrementally, not
// cloned again: one rename (a crash leaves one layout or the other whole),
// core.bare set to true, and the old directory removed when it is empty
// (nothing is checked out there; anything else in it is left alone).
//
// It returns an error, and touches nothing, when dir exists but is not a
// directory or the old mirror cannot be moved: an error of that repository,
// never a reason to delete what is there. When dir is already a directory
// it is used as it is and an old mirror beside it is left alone. A config
// go-git cannot rewrite is not an error here: the fetch then finds the
// mirror corrupt and clones it afresh.
func migrateMirror(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return fmt.Errorf("open mirror %s: exists and is not a directory (remove it: the next sweep puts the mirror there)", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("open mirror %s: %w", dir, err)
	}
	old := legacyGitDir(dir)
	if fi, err := os.Lstat(old); err != nil || !fi.IsDir() {
		return nil // nothing in the old layout: the fetch clones
	}
	if err := os.Rename(old, dir); err != nil {
		if fi, serr := os.Stat(dir); serr == nil && fi.IsDir() {
			return nil // another sweep on the same cache got there first
		}
		return fmt.Errorf("move mirror %s to %s: %w", old, dir, err)
	}
	_ = os.Remove(filepath.Dir(old)) // only when empty
	if repo, err := git.PlainOpen(dir); err == nil {
		if cfg, err := repo.Config(); err == nil && !cfg.Core.IsBare {
			cfg.Core.IsBare = true
			_ = repo.SetConfig(cfg) // retried by setMirrorConfig on the next fetch
		}
	}
	return nil
}

// openMirror opens the mirror at dir, or, when there is none, the one in
// the old layout that migrateMirror could not move (its last fetched state
// is still the repository's).
func openMirror(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpen(dir)
	if err == nil || !strings.HasSuffix(dir, ".git") {
		return repo, err
	}
	if fi, lerr := os.Lstat(legacyGitDir(dir)); lerr != nil || !fi.IsDir() {
		return nil, err
	}
	return git.PlainOpen(filepath.Dir(legacyGitDir(dir)))
}
