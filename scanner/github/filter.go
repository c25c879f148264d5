package github

import (
	"fmt"
	"hash/fnv"
	"path"
	"strconv"
	"strings"
)

// Filter selects repositories from the listing. The zero Filter keeps
// public, private and internal repositories that are neither forks nor
// archived.
type Filter struct {
	IncludeForks    bool
	IncludeArchived bool
	Visibility      string   // "", "all", "public", "private" or "internal"
	Repos           []string // keep only names or full names matching one of these globs
	Excludes        []string // drop names or full names matching one of these globs
}

// Validate checks the globs and the visibility.
func (f Filter) Validate() error {
	switch f.Visibility {
	case "", "all", "public", "private", "internal":
	default:
		return fmt.Errorf("bad visibility %q (want all, public, private or internal)", f.Visibility)
	}
	for _, g := range append(append([]string(nil), f.Repos...), f.Excludes...) {
		if _, err := path.Match(g, ""); err != nil {
			return fmt.Errorf("bad repository glob %q: %w", g, err)
		}
	}
	return nil
}

// Keep reports whether r passes the filter.
func (f Filter) Keep(r Repo) bool {
	if r.Fork && !f.IncludeForks {
		return false
	}
	if r.Archived && !f.IncludeArchived {
		return false
	}
	if f.Visibility != "" && f.Visibility != "all" && r.Visibility != f.Visibility {
		return false
	}
	if len(f.Repos) > 0 && !matchAny(f.Repos, r) {
		return false
	}
	return !matchAny(f.Excludes, r)
}

func matchAny(globs []string, r Repo) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, r.FullName); ok {
			return true
		}
		if ok, _ := path.Match(g, r.Name); ok {
			return true
		}
	}
	return false
}

// Shard is one of N deterministic partitions of the repositories: a
// repository belongs to shard K when the FNV-1a hash of its lower-cased full
// name is K modulo N. The zero Shard takes everything.
type Shard struct {
	K, N int
}

// ParseShard parses "K/N" with 0 <= K < N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 0 || ki >= ni {
		return Shard{}, fmt.Errorf("bad shard %q (want K/N with 0 <= K < N, e.g. 0/4)", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// Has reports whether the repository fullName belongs to the shard.
func (s Shard) Has(fullName string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(fullName)))
	return h.Sum64()%uint64(s.N) == uint64(s.K)
}

// String returns "K/N", or "" for the zero shard.
func (s Shard) String() string {
	if s.N <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}
