package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"

	"github.com/keysweep/keysweep/scanner"
)

// Repo is what the store keeps of one swept repository (or other unit such
// as a gist): the ref tips already scanned, so the next sweep scans only
// objects that are new, and the outcome of its last sweep.
type Repo struct {
	Name          string            `json:"name"` // full name, "org/repo"
	URL           string            `json:"url,omitempty"`
	DefaultBranch string            `json:"default_branch,omitempty"`
	Tips          map[string]string `json:"tips,omitempty"`     // ref name → commit scanned
	PushedAt      time.Time         `json:"pushed_at,omitzero"` // as the API said at the last sweep
	SweepID       string            `json:"sweep_id,omitempty"` // sweep that last committed it
	SweptAt       time.Time         `json:"swept_at,omitzero"`  // when its last fetch started (commit time when zero)
	Err           string            `json:"error,omitempty"`    // per-repo failure of that sweep
	Comments      time.Time         `json:"comments,omitzero"`  // comments scanned up to
	Bytes         int64             `json:"bytes,omitempty"`    // bytes scanned by that sweep
}

// Repo returns the stored state of the repository name; ok is false when it
// was never committed.
func (s *Store) Repo(name string) (r Repo, ok bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketRepos).Get([]byte(name))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return Repo{}, false, fmt.Errorf("read repo %s: %w", name, err)
	}
	return r, ok, nil
}

// Repos returns every stored repository, sorted by name.
func (s *Store) Repos() ([]Repo, error) {
	var out []Repo
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketRepos).ForEach(func(k, v []byte) error {
			var r Repo
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode repo %s: %w", k, err)
			}
			out = append(out, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read repos: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// CommitRepo records, in one transaction, the state of repository r after
// a sweep and the findings its new objects produced. Findings already stored
// keep their first sighting and gain the new locations. When stillInHead is
// not nil, every stored location of r.Name marked InHead is re-checked
// with it (the default branch may have moved since); it is called inside the
// write transaction and must be quick and must not use the store.
// found must carry plain secrets (fingerprints are recomputed from nothing:
// the caller's Fingerprint is trusted).
func (s *Store) CommitRepo(r Repo, found []scanner.Finding, stillInHead func(keyID string, loc scanner.Location) bool, now time.Time) error {
	now = now.UTC()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		fb, idx := tx.Bucket(bucketFindings), tx.Bucket(bucketRepoFindings)
		if stillInHead != nil {
			if err := recheckHead(fb, idx, r.Name, stillInHead); err != nil {
				return err
			}
		}
		for _, f := range found {
			if err := mergeFinding(fb, f, r.SweepID, now); err != nil {
				return err
			}
			for _, l := range f.Locations {
				if l.Repo != "" {
					if err := idx.Put(indexKey(l.Repo, f.Fingerprint), nil); err != nil {
						return err
					}
				}
			}
		}
		if r.SweptAt.IsZero() {
			r.SweptAt = now
		}
		return putJSON(tx.Bucket(bucketRepos), []byte(r.Name), r)
	})
	if err != nil {
		return fmt.Errorf("commit repo %s: %w", r.Name, err)
	}
	return nil
}

// recheckHead clears InHead on the stored locations of repo that are no
// longer at the head of its default branch.
func recheckHead(fb, idx *bbolt.Bucket, repo string, still func(string, scanner.Location) bool) error {
	prefix := indexKey(repo, "")
	c := idx.Cursor()
	var fps [][]byte
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		fps = append(fps, append([]byte(nil), k[len(prefix):]...))
	}
	for _, fp := range fps {
		var rec record
		if err := getJSON(fb, fp, &rec); err != nil {
			return err
		}
		changed := false
		for i, l := range rec.Locations {
			if l.Repo == repo && l.InHead && !still(rec.KeyID, l) {
				rec.Locations[i].InHead = false
				changed = true
			}
		}
		if changed {
			if err := putJSON(fb, fp, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

func indexKey(repo, fp string) []byte { return []byte(repo + "\x00" + fp) }

func hasPrefix(k, p []byte) bool { return len(k) >= len(p) && string(k[:len(p)]) == string(p) }
