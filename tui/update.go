package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// Update routes msg: keys go to the current screen, results go to the
// rows they belong to (whichever screen is showing).
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.Width = msg.Width
		a.resize()
		return a, nil
	case tea.KeyMsg:
		if msg.String() == "ctrl+c" {
			return a, a.quit()
		}
		return a, a.key(msg)
	case scanTickMsg, scanProgressMsg:
		if a.scan != nil && a.screen == scanScreen {
			return a, a.scan.update(a, msg)
		}
		return a, nil
	case ScanDoneMsg:
		return a, a.scanDone(msg)
	case VerifiedMsg:
		return a, a.verified(msg)
	case reverifiedMsg:
		if r := a.byFP[msg.Fingerprint]; r != nil {
			r.verifying = false
			a.applyVerified(r, msg.Finding)
		}
		return a, nil
	case OwnerMsg:
		a.ownerLoaded(msg)
		return a, nil
	case JournalMsg:
		for _, r := range a.rowsByKey(msg.KeyID) {
			if msg.Err == nil {
				r.journal = msg.Entries
				r.session = nil
			}
		}
		return a, nil
	case SnippetMsg:
		if r := a.byFP[msg.Fingerprint]; r != nil {
			r.snippets[msg.Index] = snippetState{s: msg.Snippet, err: msg.Err}
		}
		a.refreshDetail()
		return a, nil
	case ActionDoneMsg:
		return a, a.actionDone(msg)
	case hideSecretMsg:
		if a.detail != nil && a.detail.revealSeq == msg.seq {
			a.detail.revealed = false
			a.refreshDetail()
		}
		return a, nil
	case confirmedMsg:
		a.confirm = nil
		a.screen = detailScreen
		return a, a.startTask(msg.action, msg.fingerprint, msg.input)
	case cancelConfirmMsg:
		a.confirm = nil
		a.screen = detailScreen
		return a, nil
	case spinner.TickMsg:
		var cmds []tea.Cmd
		if a.task != nil {
			var c tea.Cmd
			a.task.spin, c = a.task.spin.Update(msg)
			cmds = append(cmds, c)
		}
		if a.scan != nil && a.screen == scanScreen {
			cmds = append(cmds, a.scan.update(a, msg))
		}
		return a, tea.Batch(cmds...)
	}
	if a.screen == confirmScreen && a.confirm != nil {
		return a, a.confirm.update(a, msg)
	}
	if a.screen == listScreen && a.list.filtering {
		return a, a.list.update(a, msg)
	}
	return a, nil
}

// key routes a key press to the current screen after the global keys.
func (a *App) key(msg tea.KeyMsg) tea.Cmd {
	typing := (a.screen == listScreen && a.list.filtering) || a.screen == confirmScreen
	if !typing {
		switch {
		case key.Matches(msg, a.keys.Quit):
			return a.quit()
		case key.Matches(msg, a.keys.Help):
			a.help.ShowAll = !a.help.ShowAll
			a.resize()
			return nil
		}
	}
	switch a.screen {
	case scanScreen:
		return a.scan.update(a, msg)
	case listScreen:
		return a.list.update(a, msg)
	case detailScreen:
		return a.detail.update(a, msg)
	case confirmScreen:
		return a.confirm.update(a, msg)
	case investigateScreen:
		return a.inv.update(a, msg)
	}
	return nil
}

// resize tells the screens with viewports about the new size.
func (a *App) resize() {
	if a.detail != nil {
		a.detail.resize(a)
	}
	if a.inv != nil {
		a.inv.resize(a)
	}
}

// View renders the current screen to the terminal's size; after quit it
// renders nothing, so the terminal is left clean.
func (a *App) View() string {
	if a.quitting {
		return ""
	}
	return a.Render()
}

// Render renders the current screen, also after quit (tests and captures).
func (a *App) Render() string {
	var s string
	switch a.screen {
	case scanScreen:
		s = a.scan.view(a)
	case listScreen:
		s = a.list.view(a)
	case detailScreen:
		s = a.detail.view(a)
	case confirmScreen:
		s = a.confirm.view(a)
	case investigateScreen:
		s = a.inv.view(a)
	}
	return lipgloss.NewStyle().MaxWidth(a.width).MaxHeight(a.height).Render(s)
}

// helpView renders the help bar for km.
func (a *App) helpView(km bindings) string {
	if len(km.full) == 0 {
		return a.help.ShortHelpView(km.short)
	}
	return a.help.View(km)
}

// rowsByKey returns every row (secret) for keyID.
func (a *App) rowsByKey(keyID string) []*row {
	var out []*row
	for _, r := range a.rows {
		if r.f.KeyID == keyID {
			out = append(out, r)
		}
	}
	return out
}

func (a *App) ownerLoaded(msg OwnerMsg) {
	for _, r := range a.rowsByKey(msg.KeyID) {
		if msg.Err != nil {
			r.ownerErr = msg.Err
			continue
		}
		o := msg.Owner
		r.owner, r.ownerErr = &o, nil
	}
	a.refreshDetail()
}

func (a *App) refreshDetail() {
	if a.detail != nil {
		a.detail.refresh(a)
	}
}
