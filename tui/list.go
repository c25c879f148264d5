package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/scanner"
)

// listModel is the list screen: one row per credential.
type listModel struct {
	visible    []*row
	cursor     int
	offset     int
	sort       sortMode
	showHidden bool
	moved      bool // the responder moved the cursor: keep it on its row
	filter     textinput.Model
	filtering  bool
}

func newListModel(a *App) *listModel {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "key, account, path, author…"
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.CharLimit = 200
	return &listModel{filter: ti}
}

// refresh rebuilds the visible rows (filter, hidden, order) and keeps the
// cursor on the credential it was on.
func (m *listModel) refresh(a *App) {
	var at string
	if m.cursor < len(m.visible) {
		at = m.visible[m.cursor].f.Fingerprint
	}
	m.visible = m.visible[:0]
	q := m.filter.Value()
	for _, r := range a.rows {
		if (m.showHidden || !r.hidden()) && r.matches(q) {
			m.visible = append(m.visible, r)
		}
	}
	sortRows(m.visible, m.sort)
	m.cursor = 0
	for i, r := range m.visible {
		if r.f.Fingerprint == at && m.moved {
			m.cursor = i
		}
	}
	m.clamp(a)
}

// pageSize is how many rows fit between the header and the footer.
func (m *listModel) pageSize(a *App) int {
	return max(1, a.height-4-lineCount(a.helpView(a.keys.listHelp())))
}

func (m *listModel) clamp(a *App) {
	n := len(m.visible)
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	ps := m.pageSize(a)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+ps {
		m.offset = m.cursor - ps + 1
	}
	m.offset = min(max(m.offset, 0), max(n-ps, 0))
}

func (m *listModel) selected() *row {
	if m.cursor < len(m.visible) {
		return m.visible[m.cursor]
	}
	return nil
}

func (m *listModel) update(a *App, msg tea.Msg) tea.Cmd {
	km, isKey := msg.(tea.KeyMsg)
	if m.filtering {
		if isKey {
			switch km.Type {
			case tea.KeyEnter:
				m.filtering = false
				m.filter.Blur()
				return nil
			case tea.KeyEsc:
				m.filtering = false
				m.filter.Blur()
				m.filter.SetValue("")
				m.refresh(a)
				return nil
			}
		}
		var c tea.Cmd
		m.filter, c = m.filter.Update(msg)
		m.refresh(a)
		return c
	}
	if !isKey {
		return nil
	}
	k := a.keys
	m.moved = true
	switch {
	case key.Matches(km, k.Up):
		m.cursor--
	case key.Matches(km, k.Down):
		m.cursor++
	case key.Matches(km, k.PgUp):
		m.cursor -= m.pageSize(a)
	case key.Matches(km, k.PgDown):
		m.cursor += m.pageSize(a)
	case key.Matches(km, k.Top):
		m.cursor = 0
	case key.Matches(km, k.Bottom):
		m.cursor = len(m.visible) - 1
	case key.Matches(km, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(km, k.Back):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.refresh(a)
		}
	case key.Matches(km, k.Sort):
		m.sort = (m.sort + 1) % numSortModes
		m.refresh(a)
	case key.Matches(km, k.Hidden):
		m.showHidden = !m.showHidden
		m.refresh(a)
	case key.Matches(km, k.Open):
		if r := m.selected(); r != nil {
			return a.openDetail(r)
		}
	}
	m.clamp(a)
	return nil
}

// columns are the list's column widths for a terminal width; optional
// columns appear only when the terminal is wide enough.
type columns struct {
	key, account, where, date, author, in, n int
}

func layout(width int) columns {
	c := columns{key: 20, date: 10, in: 4, n: 3}
	fixed := 2 + badgeWidth + 1 + c.key + 1 + 1 + c.date + 1 + c.in + 1 + c.n
	if width >= 96 {
		c.account = 12
		fixed += c.account + 1
	}
	if width >= 100 {
		c.author = 10
		fixed += c.author + 1
	}
	c.where = max(8, width-fixed)
	return c
}

func (m *listModel) view(a *App) string {
	var b strings.Builder
	b.WriteString(m.titleLine(a) + "\n")
	if m.filtering || m.filter.Value() != "" {
		b.WriteString(m.filter.View())
	}
	b.WriteString("\n")
	c := layout(a.width)
	hdr := "  " + pad("VERDICT", badgeWidth) + " " + pad("KEY ID", c.key) + " "
	if c.account > 0 {
		hdr += pad("ACCOUNT", c.account) + " "
	}
	hdr += pad("WHERE", c.where) + " " + pad("FIRST SEEN", c.date) + " "
	if c.author > 0 {
		hdr += pad("AUTHOR", c.author) + " "
	}
	hdr += pad("IN", c.in) + " " + padLeft("#", c.n)
	b.WriteString(a.st.Header.Render(hdr) + "\n")
	ps := m.pageSize(a)
	for i := m.offset; i < len(m.visible) && i < m.offset+ps; i++ {
		b.WriteString(m.rowLine(a, m.visible[i], c, i == m.cursor) + "\n")
	}
	if len(m.visible) == 0 {
		b.WriteString(a.st.Subtle.Render(m.emptyText(a)) + "\n")
	}
	body := b.String()
	used := lineCount(body)
	help := a.helpView(a.keys.listHelp())
	if pad := a.height - used - 1 - lineCount(help); pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	return body + m.statusLine(a) + "\n" + help
}

func (m *listModel) emptyText(a *App) string {
	switch {
	case len(a.rows) == 0:
		return "  No AWS keys found."
	case m.filter.Value() != "":
		return "  Nothing matches the filter (esc clears it)."
	}
	return "  Only hidden findings (h shows allowed and example keys)."
}

func (m *listModel) titleLine(a *App) string {
	live, hidden := 0, 0
	for _, r := range a.rows {
		if r.hidden() {
			hidden++
		} else if r.f.Verification.Verdict == scanner.Live {
			live++
		}
	}
	right := fmt.Sprintf("%d keys", len(a.rows)-hidden)
	if len(a.rows)-hidden == 1 {
		right = "1 key"
	}
	if live > 0 {
		right += " · " + a.st.Danger.Render(fmt.Sprintf("%d LIVE", live))
	}
	if n := a.pending(); n > 0 {
		right += a.st.Subtle.Render(fmt.Sprintf(" · verifying %d…", n))
	}
	left := a.st.Title.Render("keysweep triage") + " "
	room := a.width - width(left) - width(right) - 1
	return left + a.st.Subtle.Render(pad(truncLeft(a.target, room), room)) + " " + right
}

func (m *listModel) statusLine(a *App) string {
	parts := []string{"sort: " + m.sort.String()}
	hidden := 0
	for _, r := range a.rows {
		if r.hidden() {
			hidden++
		}
	}
	if m.showHidden {
		parts = append(parts, fmt.Sprintf("showing %d hidden", hidden))
	} else if hidden > 0 {
		parts = append(parts, fmt.Sprintf("%d hidden", hidden))
	}
	if len(a.rows) > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d", min(m.cursor+1, len(m.visible)), len(m.visible)))
	}
	if r := m.selected(); r != nil && layout(a.width).account == 0 && r.account() != "" {
		acct := "account " + r.account()
		if u := r.user(); u != "" {
			acct += " " + u
		}
		if who := r.firstSeen().Author; who != "" {
			acct += " · by " + who
		}
		parts = append(parts, acct)
	}
	s := a.st.Subtle.Render(strings.Join(parts, " · "))
	// A problem with the scan comes first: it is what the responder must
	// not miss.
	switch {
	case a.scanErr != nil:
		s = a.st.Error.Render("scan: "+a.scanErr.Error()) + "  " + s
	case a.res.Interrupted:
		s = a.st.Warn.Render("scan stopped early: partial results") + "  " + s
	case len(a.res.Errors) > 0:
		s = a.st.Warn.Render(fmt.Sprintf("%d units could not be read", len(a.res.Errors))) + "  " + s
	}
	return truncate(s, a.width)
}

func (m *listModel) rowLine(a *App, r *row, c columns, sel bool) string {
	text, st := a.st.badge(r)
	badge := st.Render(text) + strings.Repeat(" ", badgeWidth-width(text))
	first := r.firstSeen()
	where := first.Path
	if where == "" && first.Kind != "" {
		where = "(" + strings.ReplaceAll(first.Kind, "-", " ") + ")"
	}
	if first.Repo != "" {
		where = first.Repo + ":" + where
	}
	if first.Line > 0 {
		where += fmt.Sprintf(":%d", first.Line)
	}
	date := "-"
	if !first.Date.IsZero() {
		date = first.Date.UTC().Format("2006-01-02")
	}
	in := "hist"
	if r.f.InHead() {
		in = "HEAD"
	}
	if first.Commit == "" && first.Kind != "blob" {
		in = "file"
	}
	rest := pad(r.f.KeyID, c.key) + " "
	if c.account > 0 {
		rest += pad(r.account(), c.account) + " "
	}
	rest += pad(truncLeft(where, c.where), c.where) + " " + pad(date, c.date) + " "
	if c.author > 0 {
		rest += pad(truncate(first.Author, c.author), c.author) + " "
	}
	rest += pad(in, c.in) + " " + padLeft(fmt.Sprint(len(r.f.Locations)), c.n)
	if sel {
		return a.st.Bold.Render("▸ ") + badge + " " + a.st.Selected.Render(rest)
	}
	return "  " + badge + " " + rest
}
