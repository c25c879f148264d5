package staged

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/keysweep/keysweep/scanner"
)

// Kinds of push-range locations.
const (
	KindBlob   = "blob"           // file content
	KindCommit = "commit-message" // a commit's message (or an annotated tag's)
)

// Update is one ref update that git announces to a pre-push or a
// pre-receive hook.
type Update struct {
	Ref       string // local ref (pre-push) or the ref being updated (pre-receive)
	Old       string // what the other side has now; all zeros when the ref is new
	New       string // what it will have; all zeros when the ref is deleted
	RemoteRef string // the remote's ref (pre-push only)
}

// Deleted reports whether the update deletes its ref (nothing to scan).
func (u Update) Deleted() bool { return isZero(u.New) }

// Created reports whether the ref is new on the receiving side.
func (u Update) Created() bool { return isZero(u.Old) }

// ParsePrePush reads git's pre-push standard input, one
// "<local ref> <local sha> <remote ref> <remote sha>" line per ref.
// Blank lines are skipped; any other malformed line is an error.
func ParsePrePush(r io.Reader) ([]Update, error) {
	return parseLines(r, 4, func(f []string) Update {
		return Update{Ref: f[0], New: f[1], RemoteRef: f[2], Old: f[3]}
	})
}

// ParsePreReceive reads a pre-receive hook's standard input, one
// "<old sha> <new sha> <ref>" line per ref, as git, GitHub Enterprise,
// GitLab and Gitea give it.
func ParsePreReceive(r io.Reader) ([]Update, error) {
	return parseLines(r, 3, func(f []string) Update {
		return Update{Old: f[0], New: f[1], Ref: f[2]}
	})
}

func parseLines(r io.Reader, n int, mk func([]string) Update) ([]Update, error) {
	var ups []Update
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != n {
			return nil, fmt.Errorf("read hook input line %d: want %d fields, got %d", line, n, len(f))
		}
		u := mk(f)
		if !isHex(u.Old) || !isHex(u.New) {
			return nil, fmt.Errorf("read hook input line %d: bad object id", line)
		}
		ups = append(ups, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read hook input: %w", err)
	}
	return ups, nil
}

func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// PrePush scans the objects a push would send to remote: everything
// reachable from the updates' new tips and not from their old tips or from
// any remote-tracking ref of remote (refs/remotes/<remote>/*). A new branch
// therefore costs only what the remote lacks, a deleted ref costs nothing.
// Old tips this repository does not have are ignored. remote may be a URL
// (no remote-tracking refs): then only the old tips are excluded.
func PrePush(ctx context.Context, det Scanner, col *scanner.Collector, remote string, ups []Update, opts Options) error {
	var include, exclude []string
	for _, u := range ups {
		if u.Deleted() {
			continue
		}
		include = append(include, u.New)
		if !u.Created() {
			exclude = append(exclude, u.Old)
		}
	}
	if remote != "" {
		exclude = append(exclude, "--remotes="+remote)
	}
	return Range(ctx, det, col, include, exclude, opts)
}

// PreReceive scans, on the receiving side, the objects the pushed refs
// bring: reachable from the new tips and from no existing ref (`--not
// --all`, as servers check pushes), which in pre-receive still means the
// refs before this push.
func PreReceive(ctx context.Context, det Scanner, col *scanner.Collector, ups []Update, opts Options) error {
	var include []string
	for _, u := range ups {
		if !u.Deleted() {
			include = append(include, u.New)
		}
	}
	return Range(ctx, det, col, include, []string{"--all"}, opts)
}

// Range scans every blob, commit message and annotated tag message
// reachable from include and not from exclude (rev-list arguments: object
// ids, or options like "--all" and "--remotes=origin"). Blob matches get Kind
// "blob" and the path the blob was first listed under; message matches get
// Kind "commit-message" and the commit (or tag) id.
func Range(ctx context.Context, det Scanner, col *scanner.Collector, include, exclude []string, opts Options) error {
	if len(include) == 0 {
		return nil
	}
	rangeArgs := append([]string{"--ignore-missing"}, include...)
	if len(exclude) > 0 {
		rangeArgs = append(append(rangeArgs, "--not"), exclude...)
	}
	rangeArgs = append(rangeArgs, "--")
	// Blobs (and annotated tags, listed by name) come from one listing; with
	// a type filter, git omits some commits from it, so commits come from a
	// second, plain one.
	blobs, err := opts.RunGit(ctx, append([]string{"rev-list", "--objects", "--filter=object:type=blob"}, rangeArgs...)...)
	if err != nil {
		return fmt.Errorf("list pushed objects: %w", err)
	}
	commits, err := opts.RunGit(ctx, append([]string{"rev-list"}, rangeArgs...)...)
	if err != nil {
		return fmt.Errorf("list pushed commits: %w", err)
	}
	items := parseObjects(string(commits) + string(blobs))
	if len(items) == 0 {
		return nil
	}
	cf, err := opts.startCatFile(ctx)
	if err != nil {
		return err
	}
	defer cf.close()
	type hit struct {
		it item
		ms []scanner.Match
	}
	var hits []hit
	err = scanObjects(ctx, cf, det, col, opts.Workers, items, func(i int, ms []scanner.Match) {
		hits = append(hits, hit{items[i], ms})
	})
	if err != nil {
		return err
	}
	if err := cf.close(); err != nil {
		return err
	}
	introduced := make(map[string]string) // blob id -> commit
	for _, h := range hits {
		if h.it.typ == "blob" {
			introduced[h.it.id] = ""
		}
	}
	if len(introduced) > 0 {
		if err := opts.attribute(ctx, rangeArgs, introduced); err != nil {
			col.Note(fmt.Sprintf("commits that added keys not found: %v", err))
		}
	}
	for _, h := range hits {
		for _, m := range h.ms {
			loc := scanner.Location{Path: h.it.path, Kind: KindBlob, Commit: introduced[h.it.id]}
			if h.it.typ != "blob" {
				loc = scanner.Location{Commit: h.it.id, Kind: KindCommit}
			}
			col.Add(m, loc)
		}
	}
	return nil
}

// attribute fills blobs (id -> "") with the oldest commit of the range
// whose changes add each blob, from one `git log --raw` over the range.
func (o *Options) attribute(ctx context.Context, rangeArgs []string, blobs map[string]string) error {
	args := append([]string{"log", "-z", "--raw", "--no-abbrev", "--no-renames", "--format=%x01%H"}, rangeArgs...)
	out, err := o.RunGit(ctx, args...)
	if err != nil {
		return err
	}
	for _, rec := range strings.Split(string(out), "\x01") {
		commit, raw, ok := strings.Cut(rec, "\x00")
		if !ok {
			continue
		}
		changes, err := parseRaw([]byte(strings.TrimLeft(raw, "\n")))
		if err != nil {
			return err
		}
		for _, c := range changes {
			if _, want := blobs[c.newID]; want {
				blobs[c.newID] = commit // newest first: the last one seen is the oldest
			}
		}
	}
	return nil
}

// parseObjects reads `rev-list --objects` lines: "<id>" for commits and
// tags, "<id> <path>" for blobs. Paths may hold spaces.
func parseObjects(out string) []item {
	var items []item
	seen := make(map[string]bool)
	for _, line := range strings.Split(out, "\n") {
		if line == "" {
			continue
		}
		id, path, _ := strings.Cut(line, " ")
		if seen[id] {
			continue
		}
		seen[id] = true
		items = append(items, item{id: id, path: path})
	}
	return items
}
