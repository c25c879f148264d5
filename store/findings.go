package store

import (
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/keysweep/keysweep/scanner"
)

// Sweep statuses of a finding, as in scanner.Finding.Status.
const (
	StatusNew     = "new"     // first seen by the sweep being reported
	StatusKnown   = "known"   // seen by an earlier sweep
	StatusRemoved = "removed" // was at the head of a default branch, is no longer
)

// VerdictEntry is one verification of a finding, kept as history.
type VerdictEntry struct {
	At      time.Time       `json:"at"`
	Verdict scanner.Verdict `json:"verdict"`
	ARN     string          `json:"arn,omitempty"`
	Error   string          `json:"error,omitempty"`
}

// record is a finding as stored. Secrets are stored in plain text (the file
// is 0600): scanner.Secret's JSON form is redacted on purpose.
type record struct {
	Fingerprint  string               `json:"fingerprint"`
	KeyID        string               `json:"key_id"`
	KeyType      scanner.KeyType      `json:"key_type"`
	Secret       string               `json:"secret,omitempty"`
	Candidates   []string             `json:"candidates,omitempty"`
	SessionToken string               `json:"session_token,omitempty"`
	AccountID    string               `json:"account_id,omitempty"`
	Canary       bool                 `json:"canary,omitempty"`
	Example      bool                 `json:"example,omitempty"`
	Verification scanner.Verification `json:"verification"`
	Verdicts     []VerdictEntry       `json:"verdicts,omitempty"`
	FirstSeen    time.Time            `json:"first_seen"`
	LastSeen     time.Time            `json:"last_seen"`
	FirstSweep   string               `json:"first_sweep"`
	LastSweep    string               `json:"last_sweep"`
	WasInHead    bool                 `json:"was_in_head,omitempty"`
	Locations    []scanner.Location   `json:"locations"`
}

func mergeFinding(fb *bbolt.Bucket, f scanner.Finding, sweep string, now time.Time) error {
	var rec record
	if v := fb.Get([]byte(f.Fingerprint)); v != nil {
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode finding %s: %w", f.Fingerprint, err)
		}
	} else {
		rec = record{
			Fingerprint: f.Fingerprint, KeyID: f.KeyID, KeyType: f.KeyType, Secret: f.Secret.Reveal(),
			SessionToken: f.SessionToken.Reveal(), AccountID: f.AccountID, Canary: f.Canary,
			Example: f.Example, Verification: f.Verification, FirstSeen: now, FirstSweep: sweep,
		}
	}
	for _, c := range f.Candidates {
		if !containsString(rec.Candidates, c.Reveal()) {
			rec.Candidates = append(rec.Candidates, c.Reveal())
		}
	}
	if rec.SessionToken == "" {
		rec.SessionToken = f.SessionToken.Reveal()
	}
	rec.LastSeen, rec.LastSweep = now, sweep
	for _, l := range f.Locations {
		if l.InHead {
			rec.WasInHead = true
		}
		i := indexLocation(rec.Locations, l)
		if i < 0 {
			rec.Locations = append(rec.Locations, l)
		} else {
			rec.Locations[i] = l
		}
	}
	return putJSON(fb, []byte(f.Fingerprint), rec)
}

func indexLocation(ls []scanner.Location, l scanner.Location) int {
	for i, o := range ls {
		if o.Repo == l.Repo && o.Path == l.Path && o.Line == l.Line && o.Column == l.Column &&
			o.Commit == l.Commit && o.Member == l.Member && o.Encoding == l.Encoding && o.Kind == l.Kind {
			return i
		}
	}
	return -1
}

func containsString(ss []string, s string) bool {
	for _, o := range ss {
		if o == s {
			return true
		}
	}
	return false
}

// ResultOptions select what Result returns.
type ResultOptions struct {
	// Sweep is the ID whose first sightings are "new"; "" means the last sweep.
	Sweep string
	// Repo, when not nil, keeps only locations (and findings with at least
	// one location) in repositories it accepts, and only their errors.
	Repo func(name string) bool
}

// Result returns the stored findings as a scan result, with Status set
// (new, known, removed) and the per-repository errors of their last sweep.
// Findings are sorted with scanner.SortFindings and carry plain secrets.
func (s *Store) Result(opts ResultOptions) (scanner.Result, error) {
	var res scanner.Result
	err := s.db.View(func(tx *bbolt.Tx) error {
		sweep := opts.Sweep
		if sweep == "" {
			sweep = string(tx.Bucket(bucketMeta).Get(keyLastSweep))
		}
		err := tx.Bucket(bucketFindings).ForEach(func(k, v []byte) error {
			var rec record
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode finding %s: %w", k, err)
			}
			if f, ok := rec.finding(sweep, opts.Repo); ok {
				res.Findings = append(res.Findings, f)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketRepos).ForEach(func(k, v []byte) error {
			var r Repo
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode repo %s: %w", k, err)
			}
			if opts.Repo != nil && !opts.Repo(r.Name) {
				return nil
			}
			if r.Err != "" {
				res.Errors = append(res.Errors, scanner.UnitError{Unit: r.Name, Err: r.Err})
			}
			return nil
		})
	})
	if err != nil {
		return scanner.Result{}, fmt.Errorf("read findings: %w", err)
	}
	scanner.SortFindings(res.Findings)
	return res, nil
}

// Findings returns every stored finding, statuses relative to the last
// sweep: what `keysweep findings` and `keysweep triage --store` show.
func (s *Store) Findings() (scanner.Result, error) {
	res, err := s.Result(ResultOptions{})
	res.Target = "store:" + s.path
	return res, err
}

func (rec *record) finding(sweep string, keep func(string) bool) (scanner.Finding, bool) {
	f := scanner.Finding{
		Fingerprint: rec.Fingerprint, KeyID: rec.KeyID, KeyType: rec.KeyType,
		Secret: scanner.Secret(rec.Secret), SessionToken: scanner.Secret(rec.SessionToken),
		AccountID: rec.AccountID, Canary: rec.Canary, Example: rec.Example, Verification: rec.Verification,
	}
	for _, c := range rec.Candidates {
		f.Candidates = append(f.Candidates, scanner.Secret(c))
	}
	inHead := false
	for _, l := range rec.Locations {
		inHead = inHead || l.InHead
		if keep == nil || keep(l.Repo) {
			f.Locations = append(f.Locations, l)
		}
	}
	if len(f.Locations) == 0 {
		return f, false
	}
	scanner.SortLocations(f.Locations)
	switch {
	case rec.FirstSweep == sweep:
		f.Status = StatusNew
	case rec.WasInHead && !inHead:
		f.Status = StatusRemoved
	default:
		f.Status = StatusKnown
	}
	if f.Verification.Verdict == "" {
		f.Verification.Verdict = scanner.Unverified
	}
	return f, true
}

// RecordVerdicts stores the verification of each finding (by fingerprint)
// as its current verdict and appends it to its history. Unverified findings
// and fingerprints not in the store are skipped.
func (s *Store) RecordVerdicts(fs []scanner.Finding) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		fb := tx.Bucket(bucketFindings)
		for _, f := range fs {
			v := f.Verification
			if v.Verdict == "" || v.Verdict == scanner.Unverified || fb.Get([]byte(f.Fingerprint)) == nil {
				continue
			}
			var rec record
			if err := getJSON(fb, []byte(f.Fingerprint), &rec); err != nil {
				return err
			}
			rec.Verification = v
			rec.Verdicts = append(rec.Verdicts, VerdictEntry{At: v.VerifiedAt.UTC(), Verdict: v.Verdict, ARN: v.ARN, Error: v.Error})
			if err := putJSON(fb, []byte(f.Fingerprint), rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record verdicts: %w", err)
	}
	return nil
}

// Verdicts returns the verdict history of the finding fp, oldest first.
func (s *Store) Verdicts(fp string) ([]VerdictEntry, error) {
	h, err := s.History(fp)
	return h.Verdicts, err
}

// History is what the store remembers of one finding across sweeps.
type History struct {
	FirstSeen, LastSeen   time.Time
	FirstSweep, LastSweep string
	Verdicts              []VerdictEntry // oldest first
}

// History returns the sightings and verdicts of the finding fp.
func (s *Store) History(fp string) (History, error) {
	var rec record
	err := s.db.View(func(tx *bbolt.Tx) error { return getJSON(tx.Bucket(bucketFindings), []byte(fp), &rec) })
	if err != nil {
		return History{}, fmt.Errorf("read history of %s: %w", fp, err)
	}
	return History{FirstSeen: rec.FirstSeen, LastSeen: rec.LastSeen, FirstSweep: rec.FirstSweep,
		LastSweep: rec.LastSweep, Verdicts: rec.Verdicts}, nil
}
