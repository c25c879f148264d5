package tui

import (
	"regexp"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// width is the display width of s, ignoring escape sequences.
func width(s string) int { return ansi.StringWidth(s) }

// truncate cuts s to w cells, ending with "…" when it cut.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// truncLeft cuts s to w cells from the left ("…/deep/path.go"), which
// keeps the informative end of paths.
func truncLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && width(string(r))+1 > w {
		r = r[1:]
	}
	return "…" + string(r)
}

// pad truncates s to w cells and pads it with spaces to exactly w.
func pad(s string, w int) string {
	s = truncate(s, w)
	if n := w - width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft is pad aligned right.
func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}

// secretRun matches base64-ish runs of 40 or more characters: secret
// access keys and session tokens.
var secretRun = regexp.MustCompile(`[A-Za-z0-9/+]{40,}={0,2}`)

// mask replaces every secret-shaped run in line, and each of the known
// secrets, by its redacted form (first four characters, then asterisks).
func mask(line string, known ...string) string {
	for _, k := range known {
		if k != "" {
			line = strings.ReplaceAll(line, k, redact(k))
		}
	}
	return secretRun.ReplaceAllStringFunc(line, redact)
}

func redact(s string) string {
	if len(s) <= 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:4] + strings.Repeat("*", min(len(s)-4, 36))
}
