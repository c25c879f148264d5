package scanner

import (
	"sort"
	"sync"
	"sync/atomic"
)

// Collector groups matches from many units into one Finding per credential.
// It is safe for concurrent use by any number of goroutines.
type Collector struct {
	mu        sync.Mutex
	byFP      map[string]*Finding
	errs      []UnitError
	notes     []string
	files     atomic.Int64
	bytes     atomic.Int64
	onFinding func(Finding) // optional, called (under lock) when a new credential is first seen
}

// NewCollector returns an empty collector. onNew, when not nil, is called
// once per new credential, from the goroutine that added it, while the
// collector's lock is held: it must be quick and must not call back in.
func NewCollector(onNew func(Finding)) *Collector {
	return &Collector{byFP: make(map[string]*Finding), onFinding: onNew}
}

// Add records match m seen at loc. Locations that repeat (same path, line,
// commit, member and encoding) are kept once.
func (c *Collector) Add(m Match, loc Location) {
	if loc.Line == 0 {
		loc.Line, loc.Column = m.Line, m.Column
	}
	if loc.Encoding == "" {
		loc.Encoding = m.Encoding
	}
	if loc.Member == "" {
		loc.Member = m.Member
	}
	fp := Fingerprint(m.KeyID, m.Secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.byFP[fp]
	if !ok {
		acct, _ := AccountID(m.KeyID)
		f = &Finding{
			Fingerprint:  fp,
			KeyID:        m.KeyID,
			KeyType:      TypeOf(m.KeyID),
			Secret:       m.Secret,
			AccountID:    acct,
			Canary:       IsCanary(acct),
			Example:      m.Example,
			Verification: Verification{Verdict: Unverified},
		}
		c.byFP[fp] = f
	}
	f.Candidates = mergeSecrets(f.Candidates, m.Candidates, f.Secret)
	if f.SessionToken == "" {
		f.SessionToken = m.SessionToken
	}
	for _, l := range f.Locations {
		if sameLocation(l, loc) {
			if loc.InHead {
				l.InHead = true
			}
			return
		}
	}
	f.Locations = append(f.Locations, loc)
	if !ok && c.onFinding != nil {
		c.onFinding(*f)
	}
}

func sameLocation(a, b Location) bool {
	return a.Repo == b.Repo && a.Path == b.Path && a.Line == b.Line && a.Column == b.Column &&
		a.Commit == b.Commit && a.Member == b.Member && a.Encoding == b.Encoding && a.Kind == b.Kind
}

func mergeSecrets(have, add []Secret, primary Secret) []Secret {
	for _, s := range add {
		if s == primary {
			continue
		}
		dup := false
		for _, h := range have {
			if h == s {
				dup = true
				break
			}
		}
		if !dup {
			have = append(have, s)
		}
	}
	return have
}

// AddError records a failure confined to one unit; the scan goes on.
func (c *Collector) AddError(unit string, err error) {
	if err == nil {
		return
	}
	c.mu.Lock()
	c.errs = append(c.errs, UnitError{Unit: unit, Err: err.Error()})
	c.mu.Unlock()
}

// Note records a fact the report should carry (shallow clone, submodule…).
func (c *Collector) Note(s string) {
	c.mu.Lock()
	c.notes = append(c.notes, s)
	c.mu.Unlock()
}

// Count adds one scanned unit of n bytes to the statistics.
func (c *Collector) Count(n int64) {
	c.files.Add(1)
	c.bytes.Add(n)
}

// Progress returns the units and bytes counted so far.
func (c *Collector) Progress() (files, bytes int64) { return c.files.Load(), c.bytes.Load() }

// Result returns a snapshot: findings sorted by key ID then fingerprint,
// each finding's locations sorted by date, path and line.
func (c *Collector) Result() Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := Result{
		Errors: append([]UnitError(nil), c.errs...),
		Notes:  append([]string(nil), c.notes...),
		Stats:  Stats{Files: c.files.Load(), Bytes: c.bytes.Load()},
	}
	for _, f := range c.byFP {
		cp := *f
		cp.Locations = append([]Location(nil), f.Locations...)
		cp.Candidates = append([]Secret(nil), f.Candidates...)
		SortLocations(cp.Locations)
		r.Findings = append(r.Findings, cp)
	}
	SortFindings(r.Findings)
	sort.SliceStable(r.Errors, func(i, j int) bool { return r.Errors[i].Unit < r.Errors[j].Unit })
	return r
}

// SortFindings orders findings live first, then by key ID and fingerprint.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		li, lj := fs[i].Verification.Verdict == Live, fs[j].Verification.Verdict == Live
		if li != lj {
			return li
		}
		if fs[i].KeyID != fs[j].KeyID {
			return fs[i].KeyID < fs[j].KeyID
		}
		return fs[i].Fingerprint < fs[j].Fingerprint
	})
}

// SortLocations orders locations oldest first (undated last), then by path and line.
func SortLocations(ls []Location) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if !a.Date.Equal(b.Date) {
			if a.Date.IsZero() != b.Date.IsZero() {
				return !a.Date.IsZero()
			}
			return a.Date.Before(b.Date)
		}
		if a.Repo != b.Repo {
			return a.Repo < b.Repo
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Commit < b.Commit
	})
}
