package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// confirmModel is the confirm screen every action goes through: it names
// the account, user and key, says what will change, and for some actions
// asks for input (the sink, a reason, the typed key ID, a path).
type confirmModel struct {
	action   Action
	fp       string
	keyID    string
	title    string
	facts    [][2]string
	changes  []string
	prompt   string
	input    textinput.Model
	hasInput bool
	must     string   // the input must equal this (typed confirmation)
	sinks    []string // rotate: presets tab cycles through
	sinkIdx  int
	problem  string
}

// askConfirm opens the confirm screen for act on r.
func (a *App) askConfirm(act Action, r *row) tea.Cmd {
	user := r.user()
	if user == "" {
		user = "unknown (owner lookup has not answered)"
	}
	acct := r.account()
	if acct == "" {
		acct = "unknown"
	}
	text, _ := a.st.badge(r)
	m := &confirmModel{action: act, fp: r.f.Fingerprint, keyID: r.f.KeyID,
		facts: [][2]string{{"Account", acct}, {"User", user}, {"Key", r.f.KeyID + "  (" + text + ")"}}}
	ti := textinput.New()
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.CharLimit = 400
	ti.Width = max(20, a.width-8)
	ti.Prompt = "> "
	m.input = ti
	id := r.f.KeyID
	switch act {
	case ActVerify:
		m.title = "Verify this key with AWS STS?"
		m.changes = []string{"one sts:GetCallerIdentity call signed with the found key pair",
			"the call shows in the key owner's CloudTrail; nothing is changed"}
	case ActContain:
		m.title = "Contain this key?"
		m.changes = []string{"iam:UpdateAccessKey sets " + id + " to Inactive",
			"an inline deny-all policy for sessions issued before now revokes temporary credentials minted from it",
			"applications using the key stop working; running it twice changes nothing more"}
	case ActInvestigate:
		m.title = "Investigate this key in CloudTrail?"
		m.changes = []string{"read-only cloudtrail:LookupEvents by AccessKeyId in every region (≤2 requests/s)",
			"sessions minted by the key are followed one level; nothing is changed"}
	case ActRotate:
		m.title = "Rotate this key?"
		m.changes = []string{"iam:CreateAccessKey creates a new key for " + user,
			"the new key is delivered once to the sink below, never shown here",
			"the old key stays until you delete it (D)"}
		m.prompt = "Sink (file:PATH, profile:NAME, secretsmanager:SECRET_ID; tab cycles):"
		m.sinks = []string{"file:" + filepath.Join(a.cfg.ExportDir, id+".new-key.txt"), "profile:" + strings.ToLower(id) + "-rotated", "secretsmanager:keysweep/" + id}
		m.hasInput = true
		m.input.SetValue(m.sinks[0])
	case ActDelete:
		m.title = "Delete the old key for good?"
		m.changes = []string{"iam:DeleteAccessKey deletes " + id + " of " + user,
			"this cannot be undone; anything still using the key breaks"}
		m.prompt = "Type the key ID to confirm:"
		m.hasInput, m.must = true, id
	case ActAllow:
		m.title = "Mark as a false positive?"
		m.changes = []string{"adds fingerprint " + r.f.Fingerprint + " with your reason to .keysweep.toml",
			"scans and hooks will skip it from now on; AWS is not called"}
		m.prompt = "Reason (required):"
		m.hasInput = true
	case ActExport:
		m.title = "Export the incident report?"
		m.changes = []string{"writes the Markdown incident report (detection, containment, investigation, eradication) from the journal",
			"the file is created with mode 0600"}
		m.prompt = "Path:"
		m.hasInput = true
		m.input.SetValue(filepath.Join(a.cfg.ExportDir, "incident-"+id+"-"+a.cfg.Now().UTC().Format("20060102")+".md"))
	}
	if r.owner != nil && r.owner.Foreign && (act == ActContain || act == ActRotate || act == ActDelete) {
		m.problem = "this key is not in your account: AWS will refuse; " + r.owner.Note
	}
	a.confirm = m
	a.screen = confirmScreen
	if m.hasInput {
		return m.input.Focus()
	}
	return nil
}

func (m *confirmModel) update(a *App, msg tea.Msg) tea.Cmd {
	if km, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(km, a.keys.Cancel):
			return func() tea.Msg { return cancelConfirmMsg{} }
		case key.Matches(km, a.keys.Confirm):
			return m.accept()
		case len(m.sinks) > 0 && key.Matches(km, a.keys.NextSink):
			m.sinkIdx = (m.sinkIdx + 1) % len(m.sinks)
			m.input.SetValue(m.sinks[m.sinkIdx])
			m.input.CursorEnd()
			return nil
		case !m.hasInput && (km.String() == "y" || km.String() == "n"):
			if km.String() == "y" {
				return m.accept()
			}
			return func() tea.Msg { return cancelConfirmMsg{} }
		}
	}
	if !m.hasInput {
		return nil
	}
	var c tea.Cmd
	m.input, c = m.input.Update(msg)
	m.problem = ""
	return c
}

// accept checks the input and confirms.
func (m *confirmModel) accept() tea.Cmd {
	v := strings.TrimSpace(m.input.Value())
	switch {
	case m.must != "" && v != m.must:
		m.problem = "that is not the key ID; nothing was deleted"
		return nil
	case m.hasInput && v == "":
		m.problem = "this needs a value"
		return nil
	case m.action == ActRotate && !validSink(v):
		m.problem = "a sink is file:PATH, profile:NAME or secretsmanager:SECRET_ID"
		return nil
	}
	c := confirmedMsg{action: m.action, fingerprint: m.fp, input: v}
	return func() tea.Msg { return c }
}

func validSink(s string) bool {
	for _, p := range []string{"file:", "profile:", "secretsmanager:"} {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return true
		}
	}
	return false
}

func (m *confirmModel) view(a *App) string {
	var b strings.Builder
	w := a.width - 4
	b.WriteString(a.st.Title.Render("keysweep triage") + a.st.Subtle.Render(" › confirm") + "\n\n")
	danger := m.action == ActContain || m.action == ActDelete || m.action == ActRotate
	title := a.st.Bold.Render(m.title)
	if danger {
		title = a.st.Danger.Render(m.title)
	}
	b.WriteString("  " + title + "\n\n")
	for _, f := range m.facts {
		b.WriteString("  " + a.st.Label.Render(f[0]) + truncate(f[1], w-12) + "\n")
	}
	b.WriteString("\n  " + a.st.Bold.Render("What will happen:") + "\n")
	for _, c := range m.changes {
		b.WriteString("  • " + wrap(c, w-2, "\n    ") + "\n")
	}
	if m.hasInput {
		b.WriteString("\n  " + m.prompt + "\n  " + m.input.View() + "\n")
	}
	if m.problem != "" {
		b.WriteString("\n  " + a.st.Error.Render(wrap(m.problem, w-2, "\n  ")) + "\n")
	}
	if m.hasInput {
		b.WriteString(fmt.Sprintf("\n  enter: %s · esc: cancel", m.action))
	} else {
		b.WriteString(fmt.Sprintf("\n  y/enter: %s · n/esc: cancel", m.action))
	}
	body := b.String()
	help := a.helpView(a.keys.confirmHelp(len(m.sinks) > 0))
	if pad := a.height - lineCount(body) - lineCount(help); pad > 0 {
		body += strings.Repeat("\n", pad)
	} else {
		body += "\n"
	}
	return body + help
}
