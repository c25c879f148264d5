package hooks

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/keysweep/keysweep/internal/atomicfile"
	"github.com/keysweep/keysweep/scanner"
)

// BaselineVersion is the version of the baseline file format.
const BaselineVersion = 1

// Baseline is the set of findings a repository had when it adopted
// keysweep: scans given it report only findings not in it. It records
// fingerprints (which reveal no secret), key IDs and paths for people
// reading it. Any keysweep JSON report is also a valid baseline: both carry
// `findings[].fingerprint`.
type Baseline struct {
	Version  int             `json:"version"`
	Created  time.Time       `json:"created"`
	Target   string          `json:"target,omitempty"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry is one recorded credential.
type BaselineEntry struct {
	Fingerprint string   `json:"fingerprint"`
	KeyID       string   `json:"key_id,omitempty"`
	Paths       []string `json:"paths,omitempty"`
}

// NewBaseline records the findings of res, sorted by fingerprint, at now.
func NewBaseline(res *scanner.Result, now time.Time) *Baseline {
	b := &Baseline{Version: BaselineVersion, Created: now.UTC(), Target: res.Target, Findings: []BaselineEntry{}}
	for _, f := range res.Findings {
		e := BaselineEntry{Fingerprint: f.Fingerprint, KeyID: f.KeyID}
		seen := map[string]bool{}
		for _, l := range f.Locations {
			if l.Path != "" && !seen[l.Path] {
				seen[l.Path] = true
				e.Paths = append(e.Paths, l.Path)
			}
		}
		sort.Strings(e.Paths)
		b.Findings = append(b.Findings, e)
	}
	sort.Slice(b.Findings, func(i, j int) bool { return b.Findings[i].Fingerprint < b.Findings[j].Fingerprint })
	return b
}

// WriteBaseline writes b to path as indented JSON, atomically (a temporary
// file renamed over path), mode 0644: it holds no secret.
func WriteBaseline(path string, b *Baseline) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write baseline: %w", err)
	}
	return nil
}

// ReadBaseline reads a baseline (or a keysweep JSON report) from path.
// A file that is not valid JSON, has an unknown version or an entry with no
// fingerprint is an error.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read baseline: %w", err)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", path, err)
	}
	if b.Version < 1 || b.Version > BaselineVersion {
		return nil, fmt.Errorf("read baseline %s: unsupported version %d", path, b.Version)
	}
	for i, e := range b.Findings {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("read baseline %s: finding %d has no fingerprint", path, i+1)
		}
	}
	return &b, nil
}

func (b *Baseline) set() map[string]bool {
	m := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		m[e.Fingerprint] = true
	}
	return m
}
