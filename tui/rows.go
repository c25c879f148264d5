package tui

import (
	"sort"
	"strings"

	"github.com/keysweep/keysweep/scanner"
)

// row is the app's state for one credential. Only Update touches it.
type row struct {
	f         scanner.Finding
	allowed   bool // marked false positive in this session
	contained bool
	verifying bool
	owner     *Owner
	ownerErr  error
	journal   []JournalEntry // the responder's journal, when loaded
	session   []JournalEntry // what this session did, shown until the journal is reloaded
	inv       *Investigation
	snippets  map[int]snippetState
}

type snippetState struct {
	s   Snippet
	err error
}

// hidden reports whether the row is hidden unless "show hidden" is on.
func (r *row) hidden() bool { return r.allowed || r.f.Example }

// firstSeen returns the oldest dated location (locations are kept sorted
// oldest first), or the first location.
func (r *row) firstSeen() scanner.Location {
	if len(r.f.Locations) == 0 {
		return scanner.Location{}
	}
	return r.f.Locations[0]
}

// account returns the verified account, else the offline-decoded one.
func (r *row) account() string {
	if a := r.f.Verification.AccountID; a != "" {
		return a
	}
	return r.f.AccountID
}

// user returns the IAM user owning the key as far as the app knows.
func (r *row) user() string {
	if r.owner != nil && r.owner.UserName != "" {
		return r.owner.UserName
	}
	arn := r.f.Verification.ARN
	if i := strings.LastIndex(arn, ":user/"); i >= 0 {
		p := arn[i+len(":user/"):]
		if j := strings.LastIndex(p, "/"); j >= 0 {
			p = p[j+1:]
		}
		return p
	}
	return ""
}

// rank orders verdicts for the default sort: live first, examples last.
func (r *row) rank() int {
	switch {
	case r.hidden():
		return 9
	case r.f.Verification.Verdict == scanner.Live:
		return 0
	case r.f.Verification.Verdict == scanner.WrongSecret:
		return 1
	case r.f.Verification.Verdict == scanner.VerifyError:
		return 2
	case r.f.Verification.Verdict == scanner.Unverified || r.f.Verification.Verdict == "":
		return 3
	}
	return 4
}

// matches reports whether the row contains q (case-insensitive) in its
// key ID, account, verdict, user, or any location's repo, path or author.
func (r *row) matches(q string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	fields := []string{r.f.KeyID, r.account(), string(r.f.Verification.Verdict), r.user(), r.f.Verification.ARN}
	for _, l := range r.f.Locations {
		fields = append(fields, l.Repo, l.Path, l.Author, l.Email, l.Commit)
	}
	for _, s := range fields {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// sortMode is the list order.
type sortMode int

const (
	byVerdict sortMode = iota
	byFirstSeen
	byKeyID
	byLocations
	numSortModes
)

func (m sortMode) String() string {
	return [...]string{"verdict", "first seen", "key ID", "locations"}[m]
}

func sortRows(rs []*row, m sortMode) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		switch m {
		case byFirstSeen:
			da, db := a.firstSeen().Date, b.firstSeen().Date
			if !da.Equal(db) {
				if da.IsZero() != db.IsZero() {
					return !da.IsZero()
				}
				return da.Before(db)
			}
		case byLocations:
			if len(a.f.Locations) != len(b.f.Locations) {
				return len(a.f.Locations) > len(b.f.Locations)
			}
		case byVerdict:
			if a.rank() != b.rank() {
				return a.rank() < b.rank()
			}
		}
		if a.f.KeyID != b.f.KeyID {
			return a.f.KeyID < b.f.KeyID
		}
		return a.f.Fingerprint < b.f.Fingerprint
	})
}
