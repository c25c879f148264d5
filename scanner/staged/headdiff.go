package staged

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// The staged check's list of changes comes, when it can, from reading the
// index and HEAD's trees in process instead of from `git diff-index
// --cached`: git spends most of that command parsing every index entry into
// its own structures (about 7 ms for 50,000 files), while here the index is
// one read and the cache-tree extension names the directories that can
// differ from HEAD, so only their trees are read. The result has no rename
// detection; Staged makes up for it by counting a key found in a deleted
// file as already in HEAD. Whatever this path does not model is
// errUnsupported, and git answers instead.

// gitEnvUnsupported are variables that change where git looks for objects,
// refs or the index in ways this path does not follow.
var gitEnvUnsupported = []string{"GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_NAMESPACE", "GIT_REPLACE_REF_BASE", "GIT_QUARANTINE_PATH", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"}

// inProcessChanges lists the index entries that differ from HEAD like
// `git diff-index --cached --ignore-submodules=all HEAD` without -M.
func (o *Options) inProcessChanges() ([]change, error) {
	if o.Git != "" && o.Git != "git" {
		return nil, fmt.Errorf("git binary %q: %w", o.Git, errUnsupported)
	}
	for _, k := range gitEnvUnsupported {
		if o.getenv(k) != "" {
			return nil, fmt.Errorf("%s set: %w", k, errUnsupported)
		}
	}
	gitDir, commonDir := o.gitDirs()
	if gitDir == "" {
		return nil, fmt.Errorf("no git directory found: %w", errUnsupported)
	}
	if err := plainRepo(commonDir); err != nil {
		return nil, err
	}
	indexFile := filepath.Join(gitDir, "index")
	if f := o.getenv("GIT_INDEX_FILE"); f != "" {
		indexFile = o.rel(f)
	}
	b, unmap, err := mapFile(indexFile, true)
	if err != nil {
		return nil, fmt.Errorf("read index: %v: %w", err, errUnsupported)
	}
	defer unmap()
	x, ct, err := parseIndex(b)
	if err != nil {
		return nil, err
	}
	db := &odb{dir: filepath.Join(commonDir, "objects")}
	defer db.close()
	head, err := headTree(db, gitDir, commonDir)
	if err != nil {
		return nil, err
	}
	d := &treeDiff{db: db, x: x, ct: ct}
	if err := d.diff(nil, head, ct.root(), 0, x.len()); err != nil {
		return nil, err
	}
	return d.changes, nil
}

// gitDirs returns the git directory (per worktree: HEAD, index) and the
// common one (objects, refs), "" when not found.
func (o *Options) gitDirs() (gitDir, commonDir string) {
	if d := o.getenv("GIT_DIR"); d != "" {
		gitDir = o.rel(d)
	} else {
		gitDir = findGitDir(o.base())
	}
	if gitDir == "" {
		return "", ""
	}
	commonDir = gitDir
	if b, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(gitDir, c)
		}
		commonDir = c
	}
	return gitDir, commonDir
}

// plainRepo rejects repositories whose objects or refs this path would
// misread: SHA-256 or reftable (named in the config), alternates, replace
// refs.
func plainRepo(commonDir string) error {
	cfg, err := os.ReadFile(filepath.Join(commonDir, "config"))
	if err != nil {
		return fmt.Errorf("read config: %v: %w", err, errUnsupported)
	}
	low := bytes.ToLower(cfg)
	for _, k := range []string{"objectformat", "refstorage", "compatobjectformat"} {
		if bytes.Contains(low, []byte(k)) {
			return fmt.Errorf("config sets %s: %w", k, errUnsupported)
		}
	}
	if _, err := os.Stat(filepath.Join(commonDir, "objects", "info", "alternates")); err == nil {
		return fmt.Errorf("alternates: %w", errUnsupported)
	}
	if ents, err := os.ReadDir(filepath.Join(commonDir, "refs", "replace")); err == nil && len(ents) > 0 {
		return fmt.Errorf("replace refs: %w", errUnsupported)
	}
	if pr, err := os.ReadFile(filepath.Join(commonDir, "packed-refs")); err == nil && bytes.Contains(pr, []byte(" refs/replace/")) {
		return fmt.Errorf("replace refs: %w", errUnsupported)
	}
	return nil
}

// headTree returns the id of HEAD's tree, or the zero id on an unborn
// branch (the first commit: every entry is added).
func headTree(db *odb, gitDir, commonDir string) ([20]byte, error) {
	var zero [20]byte
	ref := "HEAD"
	for range 5 {
		dir := commonDir
		if ref == "HEAD" {
			dir = gitDir
		}
		val, found, err := readRef(dir, commonDir, ref)
		if err != nil {
			return zero, err
		}
		if !found {
			if ref == "HEAD" {
				return zero, fmt.Errorf("no HEAD: %w", errUnsupported)
			}
			return zero, nil // unborn branch
		}
		if target, ok := strings.CutPrefix(val, "ref: "); ok {
			ref = strings.TrimSpace(target)
			continue
		}
		id, err := parseID(val)
		if err != nil {
			return zero, err
		}
		typ, body, err := db.read(id)
		if err != nil {
			return zero, err
		}
		hexTree, ok := strings.CutPrefix(string(body[:min(len(body), 46)]), "tree ")
		if typ != "commit" || !ok || len(hexTree) < 40 {
			return zero, fmt.Errorf("HEAD is a %s: %w", typ, errUnsupported)
		}
		return parseID(hexTree[:40])
	}
	return zero, fmt.Errorf("HEAD: symbolic refs nested too deep: %w", errUnsupported)
}

// readRef reads ref as a file under dir, then from commonDir's packed-refs.
func readRef(dir, commonDir, ref string) (string, bool, error) {
	if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref))); err == nil {
		return strings.TrimSpace(string(b)), true, nil
	} else if !os.IsNotExist(err) {
		return "", false, fmt.Errorf("read %s: %v: %w", ref, err, errUnsupported)
	}
	if ref == "HEAD" {
		return "", false, nil
	}
	pr, err := os.ReadFile(filepath.Join(commonDir, "packed-refs"))
	if err != nil {
		return "", false, nil
	}
	for _, line := range strings.Split(string(pr), "\n") {
		if id, name, ok := strings.Cut(line, " "); ok && name == ref {
			return id, true, nil
		}
	}
	return "", false, nil
}

func parseID(s string) ([20]byte, error) {
	var id [20]byte
	if len(s) != 40 {
		return id, fmt.Errorf("object id %q: %w", s, errUnsupported)
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("object id %q: %w", s, errUnsupported)
	}
	return id, nil
}

// treeDiff compares index entries with HEAD's trees.
type treeDiff struct {
	db      *odb
	x       *gitIndex
	ct      *cacheTree // nil without the extension
	changes []change
}

type treeEntry struct {
	name []byte // within the tree object's bytes
	mode uint32
	id   [20]byte
}

const modeTree, modeGitlink = 0o40000, 0o160000

func parseTreeObject(b []byte) ([]treeEntry, error) {
	var out []treeEntry
	for len(b) > 0 {
		sp := bytes.IndexByte(b, ' ')
		nul := bytes.IndexByte(b, 0)
		if sp <= 0 || nul < sp || nul+21 > len(b) {
			return nil, fmt.Errorf("bad tree: %w", errUnsupported)
		}
		var mode uint32
		for _, c := range b[:sp] {
			if c < '0' || c > '7' || mode > 1<<24 {
				return nil, fmt.Errorf("bad tree: %w", errUnsupported)
			}
			mode = mode<<3 | uint32(c-'0')
		}
		e := treeEntry{name: b[sp+1 : nul], mode: canonMode(mode)}
		copy(e.id[:], b[nul+1:nul+21])
		out = append(out, e)
		b = b[nul+21:]
	}
	return out, nil
}

// canonMode is git's canon_mode: old trees may hold regular-file modes
// such as 100664, which git reads as 100644 (or 100755 with an exec bit).
func canonMode(m uint32) uint32 {
	switch m & 0o170000 {
	case 0o100000:
		if m&0o111 != 0 {
			return 0o100755
		}
		return 0o100644
	case 0o120000, modeTree, modeGitlink:
		return m & 0o170000
	}
	return m
}

// diff compares the index entries [lo, hi), whose paths all start with
// prefix, with the tree id (zero: absent), skipping a directory whose
// cache-tree node (-1: none) says the index would write that very tree.
func (d *treeDiff) diff(prefix []byte, id [20]byte, node, lo, hi int) error {
	if d.ct.matches(node, id) {
		return nil
	}
	var tree []treeEntry
	if id != ([20]byte{}) {
		typ, body, err := d.db.read(id)
		if err != nil {
			return err
		}
		if typ != "tree" {
			return fmt.Errorf("%s is a %s: %w", prefix, typ, errUnsupported)
		}
		if tree, err = parseTreeObject(body); err != nil {
			return err
		}
	}
	x := d.x
	i := lo
	added := func(before []byte) {
		for ; i < hi && bytes.Compare(x.path(i), before) < 0; i++ {
			d.add('A', 0, x.mode(i), [20]byte{}, x.id(i), x.path(i))
		}
	}
	name := slices.Clip(prefix)
	for _, te := range tree {
		name = append(name[:len(prefix)], te.name...)
		if te.mode == modeTree {
			dir := append(name, '/')
			added(dir)
			j := i + sort.Search(hi-i, func(k int) bool { return !bytes.HasPrefix(x.path(i+k), dir) })
			if err := d.diff(dir, te.id, d.ct.child(node, te.name), i, j); err != nil {
				return err
			}
			i = j
			continue
		}
		added(name)
		if i < hi && bytes.Equal(x.path(i), name) {
			mode, eid := x.mode(i), x.id(i)
			i++
			if mode != te.mode || eid != te.id {
				status := byte('M')
				if mode&0o170000 != te.mode&0o170000 {
					status = 'T'
				}
				d.add(status, te.mode, mode, te.id, eid, name)
			}
			continue
		}
		d.add('D', te.mode, 0, te.id, [20]byte{}, name)
	}
	for ; i < hi; i++ {
		d.add('A', 0, x.mode(i), [20]byte{}, x.id(i), x.path(i))
	}
	return nil
}

// add records one change as `git diff-index --raw` would print it, minus
// the submodules --ignore-submodules=all leaves out.
func (d *treeDiff) add(status byte, oldMode, newMode uint32, oldID, newID [20]byte, path []byte) {
	if oldMode == modeGitlink || newMode == modeGitlink {
		return
	}
	d.changes = append(d.changes, change{
		status: status, path: string(path), oldPath: string(path),
		oldMode: fmt.Sprintf("%06o", oldMode), newMode: fmt.Sprintf("%06o", newMode),
		oldID: hex.EncodeToString(oldID[:]), newID: hex.EncodeToString(newID[:]),
	})
}
