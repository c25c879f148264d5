package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/keysweep/keysweep/internal/atomicfile"
	"github.com/keysweep/keysweep/scanner"
)

// cacheVersion is the version of the on-disk cache file.
const cacheVersion = 1

// DefaultCachePath returns the on-disk cache file under the user's cache
// directory ($XDG_CACHE_HOME/keysweep/verify-cache.json on Linux).
func DefaultCachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find cache dir: %w", err)
	}
	return filepath.Join(dir, "keysweep", "verify-cache.json"), nil
}

// cache holds verdicts by pair key (a fingerprint: never a secret). Every
// verdict lives in memory for the run; definite ones (not errors) are also
// written to path, when set, and read back while younger than ttl.
type cache struct {
	mu   sync.Mutex
	mem  map[string]scanner.Verification
	path string
	ttl  time.Duration
	now  func() time.Time
}

type cacheFile struct {
	Version int                   `json:"version"`
	Entries map[string]cacheEntry `json:"entries"`
}

type cacheEntry struct {
	Verdict    scanner.Verdict `json:"verdict"`
	VerifiedAt time.Time       `json:"verified_at"`
	AccountID  string          `json:"account_id,omitempty"`
	ARN        string          `json:"arn,omitempty"`
	UserID     string          `json:"user_id,omitempty"`
}

func loadCache(path string, ttl time.Duration, now func() time.Time) (*cache, error) {
	c := &cache{mem: make(map[string]scanner.Verification), path: path, ttl: ttl, now: now}
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read verify cache: %w", err)
	}
	var f cacheFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("read verify cache %s: %w", path, err)
	}
	if f.Version != cacheVersion {
		return nil, fmt.Errorf("read verify cache %s: unsupported version %d", path, f.Version)
	}
	for k, e := range f.Entries {
		v := scanner.Verification{Verdict: e.Verdict, VerifiedAt: e.VerifiedAt, AccountID: e.AccountID, ARN: e.ARN, UserID: e.UserID}
		if c.fresh(v) {
			c.mem[k] = v
		}
	}
	return c, nil
}

// fresh reports whether v may be written to or read from disk.
func (c *cache) fresh(v scanner.Verification) bool {
	switch v.Verdict {
	case scanner.Live, scanner.WrongSecret, scanner.Invalid, scanner.Expired:
		return c.now().Sub(v.VerifiedAt) < c.ttl
	}
	return false
}

func (c *cache) get(key string) (scanner.Verification, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.mem[key]
	return v, ok
}

func (c *cache) put(key string, v scanner.Verification) {
	c.mu.Lock()
	c.mem[key] = v
	c.mu.Unlock()
}

// save writes the fresh definite verdicts to path atomically, mode 0600.
func (c *cache) save() error {
	if c.path == "" {
		return nil
	}
	c.mu.Lock()
	f := cacheFile{Version: cacheVersion, Entries: make(map[string]cacheEntry)}
	for k, v := range c.mem {
		if c.fresh(v) {
			f.Entries[k] = cacheEntry{Verdict: v.Verdict, VerifiedAt: v.VerifiedAt, AccountID: v.AccountID, ARN: v.ARN, UserID: v.UserID}
		}
	}
	c.mu.Unlock()
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode verify cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return fmt.Errorf("write verify cache: create %s: %w", filepath.Dir(c.path), err)
	}
	if err := atomicfile.Write(c.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write verify cache: %w", err)
	}
	return nil
}
