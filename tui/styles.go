package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/keysweep/keysweep/scanner"
)

// styles are every lipgloss style of the app, made from one renderer so
// that the colour profile (and NO_COLOR) is decided in one place.
type styles struct {
	r *lipgloss.Renderer

	Title, Subtle, Header, Selected, Bold   lipgloss.Style
	Error, Hint, OK, Warn, Box, Danger      lipgloss.Style
	Live, Wrong, Invalid, Unverified, Other lipgloss.Style
	Label                                   lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) styles {
	s := styles{r: r}
	red := lipgloss.AdaptiveColor{Light: "#C00000", Dark: "#FF5F5F"}
	yellow := lipgloss.AdaptiveColor{Light: "#8A6D00", Dark: "#FFD75F"}
	green := lipgloss.AdaptiveColor{Light: "#007A00", Dark: "#5FD75F"}
	grey := lipgloss.AdaptiveColor{Light: "#6C6C6C", Dark: "#8A8A8A"}
	blue := lipgloss.AdaptiveColor{Light: "#005FAF", Dark: "#5FAFFF"}

	s.Title = r.NewStyle().Bold(true).Foreground(blue)
	s.Subtle = r.NewStyle().Foreground(grey)
	s.Header = r.NewStyle().Bold(true).Underline(true)
	s.Selected = r.NewStyle().Reverse(true)
	s.Bold = r.NewStyle().Bold(true)
	s.Error = r.NewStyle().Foreground(red).Bold(true)
	s.Hint = r.NewStyle().Foreground(yellow)
	s.OK = r.NewStyle().Foreground(green)
	s.Warn = r.NewStyle().Foreground(yellow)
	s.Danger = r.NewStyle().Foreground(red).Bold(true)
	s.Box = r.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1)
	s.Label = r.NewStyle().Foreground(grey).Width(12)

	s.Live = r.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#D70000"))
	s.Wrong = r.NewStyle().Foreground(yellow)
	s.Invalid = r.NewStyle().Foreground(grey)
	s.Unverified = r.NewStyle()
	s.Other = r.NewStyle().Foreground(grey).Italic(true)
	return s
}

// badgeWidth is the display width of the widest verdict badge.
const badgeWidth = 12

// badge returns the row's verdict badge text and style: LIVE stands out by
// its capitals even without colour.
func (s styles) badge(r *row) (string, lipgloss.Style) {
	switch {
	case r.allowed:
		return "allowed", s.Other
	case r.f.Example:
		return "example", s.Other
	case r.verifying:
		return "verifying…", s.Subtle
	case r.contained && r.f.Verification.Verdict != scanner.Live:
		return "contained", s.OK
	}
	switch r.f.Verification.Verdict {
	case scanner.Live:
		return "LIVE", s.Live
	case scanner.WrongSecret:
		return "wrong-secret", s.Wrong
	case scanner.Invalid:
		return "invalid", s.Invalid
	case scanner.Expired:
		return "expired", s.Invalid
	case scanner.VerifyError:
		return "verify-error", s.Wrong
	}
	if r.f.Canary {
		return "canary", s.Other
	}
	return "unverified", s.Unverified
}
