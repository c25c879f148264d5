package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/scanner"
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

// panelHeight is the lines under the viewport: task or outcome, help.
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

// body renders everything known about r, for the viewport.
func (m *detailModel) body(a *App, r *row) string {
	var b strings.Builder
	f := r.f
	field := func(label, value string) {
		b.WriteString(a.st.Label.Render(label) + value + "\n")
	}
	b.WriteString("\n")
	field("Key", f.KeyID+a.st.Subtle.Render(" ("+string(f.KeyType)+")"))
	field("Secret", m.secretText(a, f))
	if f.SessionToken != "" {
		field("Token", redact(f.SessionToken.Reveal())+a.st.Subtle.Render(" (session token)"))
	}
	acct := r.account()
	switch {
	case acct == "":
		acct = a.st.Subtle.Render("unknown")
	case f.Verification.AccountID != "":
		acct += a.st.Subtle.Render(" (from STS)")
	default:
		acct += a.st.Subtle.Render(" (decoded offline)")
	}
	if f.Canary {
		acct += a.st.Warn.Render("  canary-token account: verifying alerts whoever planted it")
	}
	field("Account", acct)
	if f.Verification.ARN != "" {
		field("ARN", f.Verification.ARN)
	}
	field("Verdict", m.verdictText(a, r))
	owner, last := m.ownerText(a, r)
	field("Owner", owner)
	if last != "" {
		field("Last use", last)
	}
	seen := fmt.Sprintf("%d location(s)", len(f.Locations))
	if f.InHead() {
		seen += ", still in HEAD"
	} else if len(f.Locations) > 0 && f.Locations[0].Commit != "" {
		seen += ", not in HEAD (in history or on another branch)"
	}
	field("Seen", seen)
	b.WriteString("\n" + a.st.Header.Render("Locations") + "\n")
	for i, l := range f.Locations {
		m.location(a, &b, r, i, l)
	}
	b.WriteString("\n" + a.st.Header.Render("Journal") + "\n")
	entries := append(append([]JournalEntry(nil), r.journal...), r.session...)
	if len(entries) == 0 {
		b.WriteString(a.st.Subtle.Render("  nothing done to this key yet") + "\n")
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "  %s  %s\n", a.st.Subtle.Render(e.Time.UTC().Format("2006-01-02 15:04:05")), a.st.Bold.Render(e.Action))
		b.WriteString("    " + wrap(e.Outcome, a.width-6, "\n    ") + "\n")
	}
	return b.String()
}

func (m *detailModel) secretText(a *App, f scanner.Finding) string {
	switch {
	case f.Secret == "":
		return a.st.Subtle.Render("none found next to the key (or not kept in this report)")
	case m.revealed:
		return a.st.Warn.Render(f.Secret.Reveal()) + a.st.Subtle.Render("  (hides in 10s)")
	}
	return f.Secret.Redacted() + a.st.Subtle.Render("  (s reveals for 10s)")
}

func (m *detailModel) verdictText(a *App, r *row) string {
	v := r.f.Verification
	plain := *r
	plain.contained = false // the verdict itself; "contained" follows it
	text, st := a.st.badge(&plain)
	s := st.Render(text)
	if !v.VerifiedAt.IsZero() {
		s += a.st.Subtle.Render(" at " + v.VerifiedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if v.Error != "" {
		s += "  " + a.st.Error.Render(v.Error)
	}
	if r.contained {
		s += "  " + a.st.OK.Render("contained")
	}
	return s
}

// ownerText returns the owner line and the last-use line.
func (m *detailModel) ownerText(a *App, r *row) (string, string) {
	indent := "\n" + strings.Repeat(" ", 12)
	switch {
	case r.ownerErr != nil:
		s := a.st.Error.Render(wrap(r.ownerErr.Error(), a.width-14, indent))
		if h := HintOf(r.ownerErr); h != "" {
			s += indent + a.st.Hint.Render(wrap("hint: "+h, a.width-14, indent))
		}
		return s, ""
	case r.owner == nil && a.cfg.Responder != nil && !r.f.Example:
		return a.st.Subtle.Render("looking up…"), ""
	case r.owner == nil:
		if u := r.user(); u != "" {
			return u, ""
		}
		return a.st.Subtle.Render("unknown"), ""
	}
	o := r.owner
	var parts []string
	if o.UserName != "" {
		parts = append(parts, o.UserName)
	}
	if o.Status != "" {
		parts = append(parts, "key "+o.Status)
	}
	if !o.Created.IsZero() {
		parts = append(parts, "created "+o.Created.UTC().Format("2006-01-02"))
	}
	last := "never used"
	if !o.LastUsed.IsZero() {
		last = o.LastUsed.UTC().Format("2006-01-02 15:04 UTC")
		if o.LastService != "" {
			last += " · " + o.LastService
		}
		if o.LastRegion != "" {
			last += " · " + o.LastRegion
		}
		if ownCall(o, r.f.Verification) {
			last += a.st.Subtle.Render(" (keysweep's own verification)")
		}
	}
	s := strings.Join(parts, " · ")
	if o.Foreign {
		s += indent + a.st.Warn.Render(wrap("not your account: "+o.Note, a.width-14, indent))
	}
	return s, last
}

func (m *detailModel) location(a *App, b *strings.Builder, r *row, i int, l scanner.Location) {
	where := l.Path
	if l.Repo != "" {
		where = l.Repo + ":" + where
	}
	if l.Member != "" {
		where += "!" + l.Member
	}
	if l.Line > 0 {
		where += fmt.Sprintf(":%d", l.Line)
	}
	fmt.Fprintf(b, "%3d. %s", i+1, a.st.Bold.Render(where))
	if l.Encoding != "" {
		b.WriteString(a.st.Subtle.Render(" [" + l.Encoding + "]"))
	}
	if l.InHead {
		b.WriteString(a.st.Warn.Render(" HEAD"))
	}
	b.WriteString("\n")
	var meta []string
	if l.Commit != "" {
		meta = append(meta, "commit "+shortHash(l.Commit))
	}
	if l.Author != "" {
		who := l.Author
		if l.Email != "" {
			who += " <" + l.Email + ">"
		}
		meta = append(meta, who)
	}
	if !l.Date.IsZero() {
		meta = append(meta, l.Date.UTC().Format("2006-01-02 15:04"))
	}
	if len(meta) > 0 {
		b.WriteString("     " + a.st.Subtle.Render(strings.Join(meta, " · ")) + "\n")
	}
	sn, ok := r.snippets[i]
	switch {
	case i >= maxSnippets || a.cfg.Snippets == nil:
	case !ok:
		b.WriteString(a.st.Subtle.Render("     reading…") + "\n")
	case sn.err != nil:
		b.WriteString(a.st.Subtle.Render("     ("+sn.err.Error()+")") + "\n")
	default:
		known := []string{r.f.Secret.Reveal(), r.f.SessionToken.Reveal()}
		for _, c := range r.f.Candidates {
			known = append(known, c.Reveal())
		}
		for j, line := range sn.s.Lines {
			n := sn.s.First + j
			if !m.revealed {
				line = mask(line, known...)
			}
			mark := "  "
			if n == l.Line {
				mark = "> "
			}
			text := fmt.Sprintf("     %s%4d │ %s", mark, n, strings.ReplaceAll(line, "\t", "    "))
			text = truncate(text, a.width)
			if n == l.Line {
				text = a.st.Bold.Render(text)
			}
			b.WriteString(text + "\n")
		}
	}
}

// ownCall reports whether the key's last use is likely the verification
// call keysweep itself made (STS, within two minutes of the verdict).
func ownCall(o *Owner, v scanner.Verification) bool {
	if o.LastService != "sts" || v.VerifiedAt.IsZero() {
		return false
	}
	d := o.LastUsed.Sub(v.VerifiedAt)
	return d > -2*time.Minute && d < 2*time.Minute
}

func shortHash(h string) string {
	if len(h) > 10 {
		return h[:10]
	}
	return h
}
