package dir

import (
	"fmt"
	"path"
	"strings"
)

// matcher holds compiled --exclude globs.
type matcher struct {
	pats [][]string // each pattern split on "/"
}

// newMatcher checks and compiles globs. A glob without a slash matches any
// file or directory of that name at any depth (node_modules, *.min.js); a
// glob with a slash matches the path from the scan root, where ** stands
// for any number of directories (vendor/**, **/testdata/*.json). An
// excluded directory is not entered. Paths use forward slashes.
func newMatcher(globs []string) (*matcher, error) {
	m := &matcher{}
	for _, g := range globs {
		p := strings.Trim(strings.TrimPrefix(strings.ReplaceAll(g, `\`, "/"), "./"), "/")
		if p == "" {
			return nil, fmt.Errorf("exclude %q: empty pattern", g)
		}
		segs := strings.Split(p, "/")
		for _, s := range segs {
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("exclude %q: %w", g, err)
			}
		}
		if len(segs) == 1 && segs[0] != "**" {
			segs = []string{"**", segs[0]}
		}
		m.pats = append(m.pats, segs)
	}
	return m, nil
}

// match reports whether rel (slash-separated, relative to the root) is excluded.
func (m *matcher) match(rel string) bool {
	if len(m.pats) == 0 {
		return false
	}
	parts := strings.Split(rel, "/")
	for _, p := range m.pats {
		if matchSegs(p, parts) {
			return true
		}
	}
	return false
}

func matchSegs(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			if len(rest) == 0 {
				return true
			}
			for i := 0; i <= len(parts); i++ {
				if matchSegs(rest, parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], parts[0]); !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}
