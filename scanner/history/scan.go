package history

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/keysweep/keysweep/scanner"
)

const (
	defaultMaxBlob = 32 << 20
	defaultMemory  = 64 << 20
)

// object is one tree or blob of the walked graph. Objects are numbered in
// the order the walk first met them; kids hold the numbers of a tree's
// entries (subtrees and blobs, not submodules).
type node struct {
	hash   plumbing.Hash
	tree   bool
	kids   []int32
	path   string // the first path the walk met it at ("" until known)
	parent int32  // bulk mode: a tree holding it, to find its path; -1 none
}

// commitNode is a walked commit.
type commitNode struct {
	hash     plumbing.Hash
	tree     int32 // object number of the root tree, -1 when unreadable or excluded
	treeHash plumbing.Hash
	parents  []plumbing.Hash
	author   string
	email    string
	when     time.Time
}

// rootTip is a tree or blob a ref names directly, before the walk numbers it.
type rootTip struct {
	label string
	hash  plumbing.Hash
	tree  bool
}

// root is an object a ref names directly (a tag of a tree or a blob).
type root struct {
	label string
	obj   int32
}

// scan is the state of one Scan call. The walk fills the graph from one
// goroutine; blob readers and scanners run in parallel afterwards and
// touch only matches (under mu) and the collector.
type scan struct {
	opts   Options
	det    *scanner.Detector
	col    *scanner.Collector
	repo   *git.Repository
	st     storer.EncodedObjectStorer
	gitBin string // "" when blobs are read with go-git
	notes  *noter

	ids       map[plumbing.Hash]int32
	objs      []node
	commits   []commitNode
	commitIdx map[plumbing.Hash]int32
	exclC     map[plumbing.Hash]struct{} // excluded commits
	inc       map[plumbing.Hash]bool     // when not nil: the only commits to walk (git rev-list)
	exclO     map[plumbing.Hash]struct{} // trees and blobs reachable from boundary commits
	rootTips  []rootTip
	roots     []root
	tags      map[plumbing.Hash]bool // tag objects whose message was scanned
	shallow   map[plumbing.Hash]bool // shallow boundary commits (their parents are absent)
	partial   bool                   // a partial clone: objects may be missing by design
	names     map[string]string      // interned author names and emails
	zones     map[string]*time.Location
	promised  int            // objects a partial clone lacks (under mu while readers run)
	unreach   map[int32]bool // blobs no ref reaches (AllObjects)
	blobs     []int32        // blobs to read
	blobLocs  []packLoc      // where blobRef.loc says the blobs are (pack and auto readers)

	mu      sync.Mutex
	matches map[int32][]scanner.Match
	errs    int
	pending []blobFailure  // blob errors, named after the walk
	lfs     []int32        // Git LFS pointer blobs
	dropped map[int32]bool // blobs read but no scanned ref reaches (bulk mode without AllObjects)
	bytes   atomic.Int64   // blob bytes scanned
	bufs    bufPool
	sum     Summary
}

func newScan(ctx context.Context, opts Options, det *scanner.Detector, col *scanner.Collector) (*scan, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan %s: %w", opts.Path, err)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.MaxBlobBytes <= 0 {
		opts.MaxBlobBytes = defaultMaxBlob
	}
	if opts.MemoryBytes <= 0 {
		opts.MemoryBytes = defaultMemory
	}
	opts.MaxBlobBytes = min(opts.MaxBlobBytes, opts.MemoryBytes) // a whole blob fits the budget
	repo, err := openRepo(opts.Path)
	if err != nil {
		return nil, err
	}
	repo, err = keepOpen(repo, opts.MemoryBytes/4)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", opts.Path, err)
	}
	s := &scan{
		opts: opts, det: det, col: col, repo: repo, st: repo.Storer,
		notes:     newNoter(col),
		ids:       make(map[plumbing.Hash]int32),
		commitIdx: make(map[plumbing.Hash]int32),
		exclC:     make(map[plumbing.Hash]struct{}),
		exclO:     make(map[plumbing.Hash]struct{}),
		unreach:   make(map[int32]bool),
		tags:      make(map[plumbing.Hash]bool),
		dropped:   make(map[int32]bool),
		shallow:   make(map[plumbing.Hash]bool),
		names:     make(map[string]string),
		zones:     make(map[string]*time.Location),
		matches:   make(map[int32][]scanner.Match),
	}
	s.sum.Tips = make(map[string]string)
	switch opts.Reader {
	case ReaderAuto, ReaderGit, ReaderPack:
		bin, err := exec.LookPath("git")
		if err != nil && opts.Reader != ReaderAuto {
			return nil, fmt.Errorf("find git binary: %w", err)
		}
		if err == nil {
			s.gitBin = bin
		}
	case ReaderGoGit:
	default:
		return nil, fmt.Errorf("scan %s: unknown reader %q", opts.Path, opts.Reader)
	}
	s.sum.Reader = ReaderGoGit
	if s.gitBin != "" {
		s.sum.Reader = ReaderGit
		if opts.Reader == ReaderPack {
			s.sum.Reader = ReaderPack
		}
	}
	return s, nil
}

// keepOpen reopens repo over a storage that keeps pack files open (go-git
// otherwise reopens the pack for every object) with a delta-base and
// object cache of cacheBytes.
func keepOpen(repo *git.Repository, cacheBytes int64) (*git.Repository, error) {
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo, nil
	}
	kept := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(cache.FileSize(cacheBytes)),
		filesystem.Options{KeepDescriptors: true})
	return git.Open(kept, nil)
}

// freshStorage drops go-git's storage (and the pack indexes it loaded to
// resolve the refs) for a new one that loads them again only if asked.
// Only before the walk: objects numbered so far stay valid.
func (s *scan) freshStorage() {
	repo, err := keepOpen(s.repo, s.opts.MemoryBytes/4)
	if err != nil || repo == s.repo {
		return
	}
	s.close()
	s.repo, s.st = repo, repo.Storer
}

func (s *scan) close() {
	if c, ok := s.st.(interface{ Close() error }); ok {
		c.Close()
	}
}

// unitError records a per-object or per-ref failure; the scan goes on.
func (s *scan) unitError(unit string, err error) {
	s.mu.Lock()
	s.errs++
	s.mu.Unlock()
	s.col.AddError(s.unitName(unit), err)
}

func (s *scan) unitName(unit string) string {
	if s.opts.Repo != "" {
		return s.opts.Repo + ": " + unit
	}
	return unit
}

// run does the phases in order: refs, graph, blobs, attribution.
func (s *scan) run(ctx context.Context) (Summary, error) {
	s.checkShallow()
	s.checkPartial()
	var list *listing
	if s.gitBin != "" {
		list = startListing(ctx, s.gitBin, s.opts.Path, s.opts.Reader == ReaderPack || s.opts.Reader == ReaderAuto)
	}
	tips, excl, err := s.resolve(ctx)
	if err != nil {
		if list != nil {
			list.wait()
		}
		return s.summary(), err
	}
	var rerr error
	if list != nil && len(excl) == 0 {
		es, lerr := list.wait()
		locs := list.locs
		list.entries, list.locs = nil, nil // runBulk owns them and lets them go once numbered
		if lerr == nil {
			rerr = s.runBulk(ctx, es, locs, tips)
		} else {
			// The listing failed (a pack git refuses to read): the walk
			// reads object by object and blames only what fails.
			s.unitError("object listing", lerr)
			rerr = s.runWalk(ctx, nil, tips, excl)
		}
	} else {
		rerr = s.runWalk(ctx, list, tips, excl)
	}
	s.flushBlobErrs()
	s.notePartial()
	s.attribute(ctx)
	s.notes.flush()
	if rerr == nil {
		rerr = ctx.Err()
	}
	if rerr != nil {
		return s.summary(), fmt.Errorf("scan %s: %w", s.opts.Path, rerr)
	}
	return s.summary(), nil
}

// runWalk walks the graph with go-git from the tips (minus what excl
// reaches), then reads the blobs it met: with git processes in pack order
// when list is not nil, else with go-git.
func (s *scan) runWalk(ctx context.Context, list *listing, tips []tip, excl []plumbing.Hash) error {
	if err := s.walkAll(ctx, tips, excl); err != nil {
		return err
	}
	if s.opts.AllObjects {
		if err := s.walkUnreachable(ctx, list); err != nil {
			return err
		}
	}
	s.collectBlobs()
	if list != nil {
		return s.readGit(ctx, list.order(s))
	}
	return s.readGoGit(ctx)
}

func (s *scan) summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := s.sum
	sum.Commits = len(s.commits)
	sum.Matched = len(s.matches)
	sum.Errors = s.errs
	for _, o := range s.objs {
		if o.tree {
			sum.Trees++
		}
	}
	for id := range s.unreach {
		if _, ok := s.matches[id]; ok {
			sum.Unreachable++
		}
	}
	sum.BlobBytes = s.bytes.Load()
	return sum
}

// checkPartial notes a partial clone (a pack marked .promisor): objects
// its filter left on the server are counted in one note, not as errors.
func (s *scan) checkPartial() {
	fs, ok := s.storageFS()
	if !ok {
		return
	}
	fis, err := fs.ReadDir("objects/pack")
	if err != nil {
		return
	}
	for _, fi := range fis {
		if strings.HasSuffix(fi.Name(), ".promisor") {
			s.partial = true
			return
		}
	}
}

// notePartial reports what a partial clone lacked.
func (s *scan) notePartial() {
	if s.promised > 0 {
		s.notes.add("partial", fmt.Sprintf("partial clone: %d objects named by trees were left on the promisor remote; they are not present and were not scanned", s.promised))
	}
}

func (s *scan) checkShallow() {
	sh, err := s.st.(storer.ShallowStorer).Shallow()
	if err != nil || len(sh) == 0 {
		return
	}
	s.sum.Shallow = true
	for _, h := range sh {
		s.shallow[h] = true
	}
	s.notes.add("shallow", fmt.Sprintf("shallow clone: history stops at %d boundary commit(s); scanned what is present (keys in older history cannot be seen — fetch with --unshallow to scan it)", len(sh)))
}

// intern returns one shared copy of b's text (authors repeat across
// hundreds of thousands of commits). Not for concurrent use.
func (s *scan) intern(b []byte) string {
	if v, ok := s.names[string(b)]; ok {
		return v
	}
	v := string(b)
	s.names[v] = v
	return v
}
