package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/keysweep/keysweep/scanner"
)

// ConfigFile is the name of the allowlist file at a repository's root.
const ConfigFile = ".keysweep.toml"

// AllowEntry is one [[allow]] table of .keysweep.toml. At least one of
// Fingerprint, Path and KeyID is set, and Reason always is. When several are
// set, all must match: {KeyID, Path} allows that key in those files only.
type AllowEntry struct {
	Fingerprint string `toml:"fingerprint,omitempty"` // Finding.Fingerprint (key ID and secret)
	Path        string `toml:"path,omitempty"`        // glob over paths relative to the repository root
	KeyID       string `toml:"key_id,omitempty"`      // every secret paired with this key ID
	Reason      string `toml:"reason"`                // why this is not a leak; required
}

// Validate reports what is missing or malformed in e.
func (e AllowEntry) Validate() error {
	if e.Fingerprint == "" && e.Path == "" && e.KeyID == "" {
		return errors.New("needs fingerprint, path or key_id")
	}
	if strings.TrimSpace(e.Reason) == "" {
		return errors.New("needs a reason")
	}
	if e.Path != "" {
		if err := checkGlob(e.Path); err != nil {
			return err
		}
	}
	return nil
}

// config is the whole of .keysweep.toml.
type config struct {
	Baseline string       `toml:"baseline,omitempty"` // baseline file, relative to the root
	Allow    []AllowEntry `toml:"allow"`
}

// Policy is what a scan must not report: allowlisted findings and those
// recorded in a baseline. A nil *Policy allows nothing. A Policy is
// read-only after loading and safe for concurrent use.
type Policy struct {
	Allow        []AllowEntry
	Baseline     map[string]bool // fingerprints
	ConfigPath   string          // the .keysweep.toml read, "" when none
	BaselinePath string          // the baseline read, "" when none
}

// LoadPolicy reads root/.keysweep.toml, when it exists, and the baseline:
// baselinePath when not empty, else the file the config's `baseline` key
// names (relative to root). A missing .keysweep.toml is an empty allowlist;
// a config or baseline that cannot be read or parsed is an error, never
// silently ignored. An empty root reads no config, only the baseline.
func LoadPolicy(root, baselinePath string) (*Policy, error) {
	p := &Policy{}
	cfgPath := filepath.Join(root, ConfigFile)
	data, err := os.ReadFile(cfgPath)
	switch {
	case root == "":
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", cfgPath, err)
	default:
		cfg, err := parseConfig(data)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", cfgPath, err)
		}
		p.Allow, p.ConfigPath = cfg.Allow, cfgPath
		if baselinePath == "" && cfg.Baseline != "" {
			baselinePath = cfg.Baseline
			if !filepath.IsAbs(baselinePath) {
				baselinePath = filepath.Join(root, baselinePath)
			}
		}
	}
	if baselinePath != "" {
		b, err := ReadBaseline(baselinePath)
		if err != nil {
			return nil, err
		}
		p.Baseline, p.BaselinePath = b.set(), baselinePath
	}
	return p, nil
}

// ParsePolicy parses the contents of a .keysweep.toml (for example read
// from a pushed commit by a server-side hook). Its `baseline` key is ignored.
func ParsePolicy(data []byte) (*Policy, error) {
	cfg, err := parseConfig(data)
	if err != nil {
		return nil, err
	}
	return &Policy{Allow: cfg.Allow}, nil
}

func parseConfig(data []byte) (config, error) {
	var cfg config
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&cfg)
	if err != nil {
		return cfg, fmt.Errorf("parse: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return cfg, fmt.Errorf("parse: unknown key %q", und[0].String())
	}
	for i, e := range cfg.Allow {
		if err := e.Validate(); err != nil {
			return cfg, fmt.Errorf("allow entry %d: %w", i+1, err)
		}
	}
	return cfg, nil
}

// Merge returns a policy allowing what p or q allows. Either may be nil.
func (p *Policy) Merge(q *Policy) *Policy {
	switch {
	case p == nil:
		return q
	case q == nil:
		return p
	}
	out := &Policy{ConfigPath: p.ConfigPath, BaselinePath: p.BaselinePath, Baseline: map[string]bool{}}
	out.Allow = append(append([]AllowEntry(nil), p.Allow...), q.Allow...)
	for fp := range p.Baseline {
		out.Baseline[fp] = true
	}
	for fp := range q.Baseline {
		out.Baseline[fp] = true
	}
	return out
}

// Removes reports whether Filter would remove location l of finding f: the
// baseline holds the finding, or an allow entry matches it at l.
func (p *Policy) Removes(f *scanner.Finding, l scanner.Location) bool {
	return p != nil && (p.Baseline[f.Fingerprint] || p.allows(f, l.Path))
}

// Filter removes from res the findings the baseline holds, the locations
// an allow entry matches, and the findings left with no location. It
// returns how many findings it removed. res.Errors and res.Notes are kept.
func (p *Policy) Filter(res *scanner.Result) (dropped int) {
	if p == nil || (len(p.Allow) == 0 && len(p.Baseline) == 0) {
		return 0
	}
	kept := res.Findings[:0]
	for _, f := range res.Findings {
		if p.Baseline[f.Fingerprint] {
			dropped++
			continue
		}
		had := len(f.Locations)
		locs := make([]scanner.Location, 0, had)
		for _, l := range f.Locations {
			if !p.allows(&f, l.Path) {
				locs = append(locs, l)
			}
		}
		if len(locs) == 0 && (had > 0 || p.allows(&f, "")) {
			dropped++
			continue
		}
		f.Locations = locs
		kept = append(kept, f)
	}
	clear(res.Findings[len(kept):])
	res.Findings = kept
	return dropped
}

// allows reports whether an entry covers finding f seen at path ("" when
// the finding has no location: then entries with a path do not match).
func (p *Policy) allows(f *scanner.Finding, path string) bool {
	for _, e := range p.Allow {
		if e.Fingerprint != "" && e.Fingerprint != f.Fingerprint {
			continue
		}
		if e.KeyID != "" && e.KeyID != f.KeyID {
			continue
		}
		if e.Path != "" && (path == "" || !matchGlob(e.Path, path)) {
			continue
		}
		return true
	}
	return false
}

// AppendAllow adds e to the .keysweep.toml at tomlPath, creating it (mode
// 0644: it holds no secret) if needed. An existing file is checked first
// and left untouched if it does not parse, so nothing in it is lost; its
// comments and layout are kept, the entry is appended at the end.
func AppendAllow(tomlPath string, e AllowEntry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("append allow entry: %w", err)
	}
	old, err := os.ReadFile(tomlPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("append allow entry: %w", err)
	}
	if _, err := parseConfig(old); err != nil {
		return fmt.Errorf("append allow entry: %s: %w", tomlPath, err)
	}
	var buf bytes.Buffer
	if len(old) == 0 {
		buf.WriteString("# keysweep allowlist: see docs/hooks.md. Every entry needs a reason.\n")
	} else if old[len(old)-1] != '\n' {
		buf.WriteByte('\n')
	}
	buf.WriteByte('\n')
	if err := toml.NewEncoder(&buf).Encode(struct {
		Allow []AllowEntry `toml:"allow"`
	}{[]AllowEntry{e}}); err != nil {
		return fmt.Errorf("append allow entry: %w", err)
	}
	f, err := os.OpenFile(tomlPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("append allow entry: %w", err)
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("append allow entry: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("append allow entry: %w", err)
	}
	return nil
}
