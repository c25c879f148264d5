package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// investigateModel is the CloudTrail summary screen of one key.
type investigateModel struct {
	fp    string
	keyID string
	vp    viewport.Model
}

// showInvestigation opens the summary of r's investigation.
func (a *App) showInvestigation(r *row) {
	a.inv = &investigateModel{fp: r.f.Fingerprint, keyID: r.f.KeyID, vp: viewport.New(a.width, 10)}
	a.inv.resize(a)
	a.screen = investigateScreen
}

func (m *investigateModel) resize(a *App) {
	m.vp.Width = a.width
	m.vp.Height = max(3, a.height-1-lineCount(a.helpView(a.keys.viewHelp())))
	if r := a.byFP[m.fp]; r != nil && r.inv != nil {
		m.vp.SetContent(investigationText(a, *r.inv))
	}
}

func (m *investigateModel) update(a *App, msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, a.keys.Back) {
		a.inv = nil
		a.screen = detailScreen
		a.refreshDetail()
		return nil
	}
	var c tea.Cmd
	m.vp, c = m.vp.Update(msg)
	return c
}

func (m *investigateModel) view(a *App) string {
	title := a.st.Title.Render("keysweep triage") + a.st.Subtle.Render(" › ") + a.st.Bold.Render(m.keyID) + a.st.Subtle.Render(" › CloudTrail")
	return truncate(title, a.width) + "\n" + m.vp.View() + "\n" + a.helpView(a.keys.viewHelp())
}

// investigationText renders the summary a responder reads first: when,
// from where, what, and the abuse to clean up.
func investigationText(a *App, inv Investigation) string {
	var b strings.Builder
	field := func(label, value string) { b.WriteString(a.st.Label.Render(label) + value + "\n") }
	b.WriteString("\n")
	if inv.Events == 0 {
		b.WriteString(a.st.OK.Render("No CloudTrail events for this key in the lookup window (90 days).") + "\n")
		return b.String()
	}
	ts := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04:05 UTC") }
	field("First use", ts(inv.First.UTC()))
	field("Last use", ts(inv.Last.UTC()))
	n := fmt.Sprint(inv.Events)
	if inv.Truncated {
		n += a.st.Warn.Render(" (more exist; summary of the first ones read)")
	}
	field("Events", n)
	field("Source IPs", strings.Join(inv.SourceIPs, ", "))
	field("Regions", strings.Join(inv.Regions, ", "))
	for i, ua := range inv.UserAgents {
		label := ""
		if i == 0 {
			label = "User agents"
		}
		field(label, truncate(ua, a.width-13))
	}
	b.WriteString("\n" + a.st.Header.Render("Flagged") + "\n")
	if len(inv.Flags) == 0 {
		b.WriteString(a.st.OK.Render("  none of the classic abuse calls") + "\n")
	}
	for _, f := range inv.Flags {
		fmt.Fprintf(&b, "  %s %s %s %s\n", a.st.Subtle.Render(f.Time.UTC().Format("01-02 15:04")),
			a.st.Danger.Render(pad(f.Event, 18)), pad(f.Region, 15), f.SourceIP)
		if f.Resource != "" {
			b.WriteString("        → " + wrap(f.Resource, a.width-10, "\n          ") + "\n")
		}
		if f.Why != "" {
			b.WriteString("        " + a.st.Subtle.Render(wrap(f.Why, a.width-8, "\n        ")) + "\n")
		}
	}
	if len(inv.Eradicate) > 0 {
		b.WriteString("\n" + a.st.Header.Render("Eradicate") + "\n")
		for _, e := range inv.Eradicate {
			b.WriteString("  • " + wrap(e, a.width-6, "\n    ") + "\n")
		}
	}
	if len(inv.Problems) > 0 {
		b.WriteString("\n" + a.st.Header.Render("Not searched") + "\n")
		for _, p := range inv.Problems {
			b.WriteString("  " + a.st.Warn.Render(wrap(p, a.width-4, "\n  ")) + "\n")
		}
	}
	b.WriteString("\n" + a.st.Header.Render("Calls") + "\n")
	for _, c := range inv.EventNames {
		fmt.Fprintf(&b, "  %5d  %s\n", c.N, c.Name)
	}
	return b.String()
}
