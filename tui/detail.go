package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
)

// revealFor is how long `s` shows the secret.
const revealFor = 10 * time.Second

// maxSnippets bounds the locations whose surrounding lines are read.
const maxSnippets = 20

// detailModel is the detail screen of one credential.
type detailModel struct {
	fp        string
	vp        viewport.Model
	revealed  bool
	revealSeq int
}

// openDetail shows r and starts reading what the screen needs: the lines
// around each location, the owner and the journal.
func (a *App) openDetail(r *row) tea.Cmd {
	a.detail = &detailModel{fp: r.f.Fingerprint, vp: viewport.New(a.width, 10)}
	a.screen = detailScreen
	a.detail.resize(a)
	var cmds []tea.Cmd
	if s := a.cfg.Snippets; s != nil {
		for i, loc := range r.f.Locations {
			if i >= maxSnippets {
				break
			}
			if _, ok := r.snippets[i]; !ok {
				cmds = append(cmds, snippetCmd(a.ctx, s, r.f.Fingerprint, i, loc))
			}
		}
	}
	if resp := a.cfg.Responder; resp != nil && !r.f.Example {
		if r.owner == nil && r.ownerErr == nil {
			cmds = append(cmds, ownerCmd(a.ctx, resp, r.f.KeyID))
		}
		cmds = append(cmds, journalCmd(a.ctx, resp, r.f.KeyID))
	}
	return tea.Batch(cmds...)
}

func (m *detailModel) row(a *App) *row { return a.byFP[m.fp] }

// resize fits the viewport between the title and the panel and footer.
func (m *detailModel) resize(a *App) {
	m.vp.Width = a.width
	m.vp.Height = max(3, a.height-1-lineCount(m.panel(a))-lineCount(m.footer(a)))
	m.refresh(a)
}

func (m *detailModel) refresh(a *App) {
	if r := m.row(a); r != nil {
		y := m.vp.YOffset
		m.vp.SetContent(m.body(a, r))
		m.vp.SetYOffset(y)
	}
}

func (m *detailModel) update(a *App, msg tea.KeyMsg) tea.Cmd {
	r := m.row(a)
	k := a.keys
	if a.task != nil {
		if key.Matches(msg, k.Back) {
			a.task.cancel()
			return nil
		}
		var c tea.Cmd
		m.vp, c = m.vp.Update(msg)
		return c
	}
	switch {
	case key.Matches(msg, k.Back):
		a.detail = nil
		a.screen = listScreen
		a.list.refresh(a)
		return nil
	case key.Matches(msg, k.Reveal):
		m.revealed = true
		m.revealSeq++
		m.refresh(a)
		seq := m.revealSeq
		return tea.Tick(revealFor, func(time.Time) tea.Msg { return hideSecretMsg{seq: seq} })
	case key.Matches(msg, k.Investigate) && r.inv != nil:
		a.showInvestigation(r)
		return nil
	}
	for _, b := range []struct {
		k key.Binding
		a Action
	}{{k.Verify, ActVerify}, {k.Contain, ActContain}, {k.Investigate, ActInvestigate},
		{k.Rotate, ActRotate}, {k.Delete, ActDelete}, {k.Allow, ActAllow}, {k.Export, ActExport}} {
		if key.Matches(msg, b.k) {
			return a.askConfirm(b.a, r)
		}
	}
	var c tea.Cmd
	m.vp, c = m.vp.Update(msg)
	return c
}

func (m *detailModel) view(a *App) string {
	r := m.row(a)
	if r == nil {
		return ""
	}
	m.resize(a)
	text, st := a.st.badge(r)
	title := a.st.Title.Render("keysweep triage") + a.st.Subtle.Render(" › ") + a.st.Bold.Render(r.f.KeyID) + " " + st.Render(text)
	pos := ""
	if m.vp.TotalLineCount() > m.vp.Height {
		switch {
		case m.vp.AtTop():
			pos = "  ↓ more below"
		case m.vp.AtBottom():
			pos = "  ↑ more above"
		default:
			pos = fmt.Sprintf("  ↕ %d%%", int(m.vp.ScrollPercent()*100))
		}
		pos = a.st.Subtle.Render(pos)
	}
	parts := []string{truncate(title+pos, a.width), m.vp.View()}
	if p := m.panel(a); p != "" {
		parts = append(parts, p)
	}
	parts = append(parts, m.footer(a))
	return strings.Join(parts, "\n")
}

// footer is the playbook's keys (hidden while an action runs) over the
// help bar.
func (m *detailModel) footer(a *App) string {
	help := a.helpView(a.keys.detailHelp(a.task != nil))
	if a.task != nil || a.help.ShowAll {
		return help
	}
	var acts []string
	for _, b := range a.keys.actions() {
		acts = append(acts, a.st.Bold.Render(b.Help().Key)+" "+a.st.Subtle.Render(b.Help().Desc))
	}
	return truncate(strings.Join(acts, "  "), a.width) + "\n" + help
}
