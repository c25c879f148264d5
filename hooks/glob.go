package hooks

import (
	"fmt"
	"path"
	"strings"
)

// matchGlob reports whether name (a slash-separated path relative to the
// repository root) matches pattern:
//   - `*`, `?` and `[…]` match within one path element (path.Match);
//   - a `**` element matches any number of elements, none included;
//   - a pattern without a slash matches the file's base name anywhere
//     ("*.pem"), like .gitignore;
//   - a pattern ending in `/` matches everything under that directory;
//   - a leading `/` or `./` is ignored: patterns are always rooted.
func matchGlob(pattern, name string) bool {
	name = strings.TrimPrefix(name, "./")
	pattern = strings.TrimPrefix(strings.TrimPrefix(pattern, "./"), "/")
	if strings.HasSuffix(pattern, "/") {
		pattern += "**"
	}
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(name))
		return ok
	}
	return matchElems(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchElems(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(name); i++ {
				if matchElems(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// checkGlob reports a malformed pattern.
func checkGlob(pattern string) error {
	for _, el := range strings.Split(pattern, "/") {
		if el == "**" {
			continue
		}
		if _, err := path.Match(el, ""); err != nil {
			return fmt.Errorf("bad path glob %q: %w", pattern, err)
		}
	}
	return nil
}
