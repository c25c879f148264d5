// Package store is keysweep's embedded state: one bbolt file holding, per
// swept repository, the ref tips already scanned, and per credential its
// locations, first and last sighting and verdict history. Every write is one
// bbolt transaction, so a process killed mid-sweep leaves the file consistent:
// repositories committed before the kill stay done, the rest are swept again.
//
// The file holds secrets (so a later run can verify and respond), which is
// why it is created, and kept, with mode 0600.
package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Bucket names. The layout is versioned by metaSchema.
var (
	bucketMeta         = []byte("meta")
	bucketSweeps       = []byte("sweeps")
	bucketRepos        = []byte("repos")
	bucketFindings     = []byte("findings")
	bucketRepoFindings = []byte("repo_findings") // key: repo NUL fingerprint
	keySchema          = []byte("schema")
	keyLastSweep       = []byte("last_sweep")
)

const schemaVersion = "1"

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("state file is in use by another keysweep process")

// Store is an open state file. Its methods are safe for concurrent use;
// writes are serialised by bbolt.
type Store struct {
	db   *bbolt.DB
	path string
}

// DefaultPath returns the state file used when --state is not given:
// $XDG_STATE_HOME/keysweep/state.db, else ~/.local/state/keysweep/state.db,
// else the user config directory.
func DefaultPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "keysweep", "state.db"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "state", "keysweep", "state.db"), nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find state dir: %w", err)
	}
	return filepath.Join(d, "keysweep", "state.db"), nil
}

// Open opens (creating it and its directory when missing) the state file at
// path with mode 0600. It waits at most two seconds for another process's
// lock, then returns an error wrapping ErrLocked.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open state %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	s := &Store{db: db, path: path}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketSweeps, bucketRepos, bucketFindings, bucketRepoFindings} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get(keySchema); {
		case v == nil:
			return meta.Put(keySchema, []byte(schemaVersion))
		case string(v) != schemaVersion:
			return fmt.Errorf("unsupported schema version %q (want %s)", v, schemaVersion)
		}
		return nil
	})
}

// Path returns the file the store was opened from.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock.
func (s *Store) Close() error { return s.db.Close() }
