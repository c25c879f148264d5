// Package staged scans what a commit or a push is about to add: the index
// blobs that differ from HEAD (the pre-commit hook), and the objects of a
// push range that the other side does not have yet (pre-push, pre-receive).
//
// For a commit it reads the index in place and, guided by the index's
// cache-tree, only the HEAD trees of directories that changed (headdiff.go),
// falling back to `git diff-index --cached` for what that does not model;
// freshly staged blobs are loose objects read directly, the rest goes
// through one `git cat-file --batch`. A pre-commit check in a 50,000-file
// repository so costs less than `git diff --cached`. Push ranges are listed
// with `git rev-list`. Everything honours the environment git gives hooks
// (GIT_DIR, GIT_INDEX_FILE for `git commit -a`/`git commit PATH`, quarantine
// directories in pre-receive), so it scans what git is about to record.
package staged

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/keysweep/keysweep/scanner"
)

// Options say where and how to run git.
type Options struct {
	Dir     string   // directory git runs in ("" = the current directory)
	Git     string   // git binary ("" = "git" from PATH)
	Env     []string // extra environment for git, "KEY=value"
	Workers int      // blobs scanned at once (0 = GOMAXPROCS)

	viaGit bool // tests: list staged changes with git diff-index only
}

// KindStaged is the Location.Kind of staged findings.
const KindStaged = "staged"

// change is one line of `git diff-index --raw`.
type change struct {
	status  byte
	oldMode string
	newMode string
	oldID   string
	newID   string
	path    string // path in the index
	oldPath string // path in HEAD (differs for renames and copies)
}

// Staged scans the blobs staged in the index that differ from HEAD (or all
// of them before the first commit) and adds every match to col with Kind
// "staged" and the path in the index. A key that HEAD's version of the same
// file (or of the file it was renamed from) already holds, with the same
// secret, gets Location.InHead = true: the commit does not add it. Deleted
// files, submodules and unmerged entries carry no new content and are
// skipped. Blobs that cannot be read become unit errors on col; an error is
// returned only when git itself fails or ctx is cancelled.
func Staged(ctx context.Context, det Scanner, col *scanner.Collector, opts Options) error {
	changes, err := opts.stagedChanges(ctx)
	if err != nil {
		return err
	}
	var news []item
	var idx []int // news[k] is changes[idx[k]]
	for i, c := range changes {
		switch {
		case c.status == 'D', c.status == 'U', isZero(c.newID):
			continue
		case c.newMode == "160000": // submodule commit, not content
			continue
		}
		news = append(news, item{id: c.newID, path: c.path})
		idx = append(idx, i)
	}
	if len(news) == 0 {
		return nil
	}
	// Freshly staged blobs are loose objects, read directly; cat-file starts
	// only for the others and for HEAD's versions of files with matches.
	cf := &lazyCatFile{ctx: ctx, o: &opts}
	defer cf.close()
	objDir := opts.objectsDir()
	found := make(map[int][]scanner.Match)
	err = scanItems(ctx, cf, objDir, det, col, opts.Workers, news, func(k int, ms []scanner.Match) {
		found[idx[k]] = ms
	})
	if err != nil {
		return err
	}
	inHead, err := headKeys(ctx, cf, objDir, det, col, opts, changes, found)
	if err != nil {
		return err
	}
	for i, ms := range found {
		for _, m := range ms {
			fp := scanner.Fingerprint(m.KeyID, m.Secret)
			col.Add(m, scanner.Location{Path: changes[i].path, Kind: KindStaged, InHead: inHead[i][fp]})
		}
	}
	return cf.close()
}

// headKeys scans HEAD's version of every changed file that had matches and
// returns, per change, the fingerprints found there. A file added with
// matches is compared with every file the commit deletes: a key moved out
// of a deleted file is already in HEAD (this covers renames whether or not
// the list of changes paired them).
func headKeys(ctx context.Context, cf *lazyCatFile, objDir string, det Scanner, col *scanner.Collector, opts Options,
	changes []change, found map[int][]scanner.Match) (map[int]map[string]bool, error) {
	var olds []item
	var idx []int // olds[k] is HEAD's version of changes[idx[k]], or of a deleted file when idx[k] < 0
	anyAdded := false
	for i := range found {
		c := changes[i]
		if c.status == 'A' || isZero(c.oldID) || c.oldMode == "160000" {
			anyAdded = true
			continue
		}
		olds = append(olds, item{id: c.oldID, path: c.oldPath})
		idx = append(idx, i)
	}
	if anyAdded {
		for _, c := range changes {
			if c.status == 'D' && !isZero(c.oldID) && c.oldMode != "160000" {
				olds = append(olds, item{id: c.oldID, path: c.oldPath})
				idx = append(idx, -1)
			}
		}
	}
	inHead := make(map[int]map[string]bool)
	deleted := make(map[string]bool)
	// Matches in HEAD's blobs only tell old from new: they are not added to col.
	scratch := scanner.NewCollector(nil)
	err := scanItems(ctx, cf, objDir, det, scratch, opts.Workers, olds, func(k int, ms []scanner.Match) {
		set := make(map[string]bool, len(ms))
		for _, m := range ms {
			set[scanner.Fingerprint(m.KeyID, m.Secret)] = true
		}
		if idx[k] < 0 {
			for fp := range set {
				deleted[fp] = true
			}
			return
		}
		inHead[idx[k]] = set
	})
	for _, e := range scratch.Result().Errors {
		col.AddError(e.Unit, fmt.Errorf("read HEAD version: %s", e.Err))
	}
	if len(deleted) > 0 {
		for i := range found {
			if inHead[i] == nil {
				inHead[i] = deleted
			}
		}
	}
	return inHead, err
}

// stagedChanges lists the index entries that differ from HEAD, or from the
// empty tree when HEAD does not exist yet (before the first commit): read
// in process when the repository allows (headdiff.go), else from git.
func (o *Options) stagedChanges(ctx context.Context) ([]change, error) {
	if !o.viaGit {
		if cs, err := o.inProcessChanges(); err == nil {
			return cs, nil
		}
	}
	args := []string{"diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "--ignore-submodules=all"}
	out, err := o.RunGit(ctx, append(args, "HEAD", "--")...)
	if err != nil {
		if exitCode(err) != 128 || o.headExists(ctx) {
			return nil, fmt.Errorf("list staged changes: %w", err)
		}
		empty, terr := o.emptyTree(ctx)
		if terr != nil {
			return nil, fmt.Errorf("list staged changes: %w", terr)
		}
		if out, err = o.RunGit(ctx, append(args, empty, "--")...); err != nil {
			return nil, fmt.Errorf("list staged changes: %w", err)
		}
	}
	return parseRaw(out)
}

// headExists reports whether HEAD names a commit (false on an unborn branch).
func (o *Options) headExists(ctx context.Context) bool {
	_, err := o.RunGit(ctx, "rev-parse", "-q", "--verify", "HEAD^{commit}")
	return err == nil
}

// emptyTree returns the id of the empty tree in the repository's hash.
func (o *Options) emptyTree(ctx context.Context) (string, error) {
	out, err := o.RunGit(ctx, "rev-parse", "--show-object-format")
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(out)) == "sha256" {
		return "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321", nil
	}
	return "4b825dc642cb6eb9a060e54bf8d69288fbee4904", nil
}

// parseRaw parses `git diff-index -z --raw` output:
// ":oldmode newmode oldid newid status\0path\0" with a second path for
// renames and copies.
func parseRaw(out []byte) ([]change, error) {
	var cs []change
	out = bytes.TrimSuffix(out, []byte{0})
	if len(out) == 0 {
		return nil, nil
	}
	fields := bytes.Split(out, []byte{0})
	for i := 0; i < len(fields); i++ {
		head := string(fields[i])
		meta := strings.Fields(strings.TrimPrefix(head, ":"))
		if !strings.HasPrefix(head, ":") || len(meta) != 5 || i+1 >= len(fields) {
			return nil, fmt.Errorf("parse git diff-index output: unexpected %q", head)
		}
		c := change{oldMode: meta[0], newMode: meta[1], oldID: meta[2], newID: meta[3], status: meta[4][0]}
		i++
		c.path, c.oldPath = string(fields[i]), string(fields[i])
		if c.status == 'R' || c.status == 'C' {
			if i+1 >= len(fields) {
				return nil, fmt.Errorf("parse git diff-index output: rename without target after %q", head)
			}
			i++
			c.path = string(fields[i])
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// isZero reports whether id is git's all-zero object id.
func isZero(id string) bool {
	return id != "" && strings.Trim(id, "0") == ""
}
