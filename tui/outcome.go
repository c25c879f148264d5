package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/scanner"
)

// actionDone applies an action's result to its row and shows the outcome.
func (a *App) actionDone(msg ActionDoneMsg) tea.Cmd {
	if a.task == nil || a.task.seq != msg.Task {
		return nil // a result for a task nobody waits for any more
	}
	a.task = nil
	r := a.byFP[msg.Fingerprint]
	if r == nil {
		return nil
	}
	o := outcome{action: msg.Action, err: msg.Err}
	var cmds []tea.Cmd
	if msg.Err == nil {
		o.lines, cmds = a.applyResult(r, msg)
		r.session = append(r.session, JournalEntry{Time: a.cfg.Now(), Action: msg.Action.String(), Outcome: strings.Join(o.lines, "; ")})
	}
	a.outcomes[r.f.Fingerprint] = o
	if resp := a.cfg.Responder; resp != nil && msg.Action != ActVerify {
		cmds = append(cmds, journalCmd(a.ctx, resp, r.f.KeyID))
	}
	a.refreshDetail()
	return tea.Batch(cmds...)
}

// applyResult updates r with a successful result and returns the outcome
// lines and any follow-up commands (re-verify, owner refresh).
func (a *App) applyResult(r *row, msg ActionDoneMsg) ([]string, []tea.Cmd) {
	var cmds []tea.Cmd
	reverify := func() {
		if v := a.cfg.reverifier(); v != nil && r.f.Secret != "" {
			r.verifying = true
			cmds = append(cmds, verifyOneCmd(a.ctx, v, r.f))
		}
		if a.cfg.Responder != nil {
			cmds = append(cmds, ownerCmd(a.ctx, a.cfg.Responder, r.f.KeyID))
		}
	}
	switch res := msg.Result.(type) {
	case scanner.Finding:
		a.applyVerified(r, res)
		v := res.Verification
		line := "verdict: " + string(v.Verdict)
		if v.Error != "" {
			line += " (" + v.Error + ")"
		}
		return []string{line}, nil
	case Containment:
		r.contained = true
		reverify()
		lines := []string{"key set Inactive"}
		if !res.Deactivated {
			lines[0] = "key was already Inactive"
		}
		if res.SessionsRevoked {
			lines = append(lines, "sessions issued before now revoked")
		} else {
			lines = append(lines, "session-revoking policy already in place")
		}
		return lines, cmds
	case Investigation:
		r.inv = &res
		a.showInvestigation(r)
		return []string{fmt.Sprintf("%d events, %d flagged (i shows them)", res.Events, len(res.Flags))}, nil
	case Rotation:
		return []string{"new key " + res.NewKeyID + " " + res.Delivered, "delete the old key (D) once nothing uses it"}, nil
	case string:
		if msg.Action == ActAllow {
			r.allowed = true
			a.list.refresh(a)
			return []string{"recorded in " + res + "; hidden from the list (h shows it)"}, nil
		}
		abs, _ := filepath.Abs(res)
		return []string{"incident report written to " + abs + " (0600)"}, nil
	}
	if msg.Action == ActDelete {
		reverify()
		return []string{"old key " + r.f.KeyID + " deleted"}, cmds
	}
	return []string{"done"}, nil
}

// verifyOneCmd re-verifies f outside the background queue.
func verifyOneCmd(ctx context.Context, v Verifier, f scanner.Finding) tea.Cmd {
	f = clone(f)
	fp := f.Fingerprint
	return func() tea.Msg {
		f.Verification = v.Verify(ctx, &f)
		return reverifiedMsg{VerifiedMsg{Fingerprint: fp, Finding: f}}
	}
}

// reverifiedMsg is a verdict asked for after an action.
type reverifiedMsg struct{ VerifiedMsg }

// panel renders the running task or the last outcome for the detail screen.
func (m *detailModel) panel(a *App) string {
	if t := a.task; t != nil && t.fp == m.fp {
		el := a.cfg.Now().Sub(t.started).Round(time.Second)
		return fmt.Sprintf("%s %s %s… %s", t.spin.View(), capitalize(t.action.String()), t.keyID,
			a.st.Subtle.Render(fmt.Sprintf("%s · esc cancels", el)))
	}
	o, ok := a.outcomes[m.fp]
	if !ok {
		return ""
	}
	if o.err != nil {
		msg := o.err.Error()
		if errors.Is(o.err, context.Canceled) {
			msg = "cancelled: nothing more was sent (a call already in flight may have completed; see the journal)"
		} else if errors.Is(o.err, context.DeadlineExceeded) {
			msg = "timed out: " + msg
		}
		s := a.st.Error.Render("✗ "+o.action.String()+": ") + wrap(msg, a.width-4, "\n  ")
		if h := HintOf(o.err); h != "" {
			s += "\n" + a.st.Hint.Render("  hint: "+wrap(h, a.width-10, "\n        "))
		}
		return s
	}
	var lines []string
	for _, l := range o.lines {
		lines = append(lines, wrap(l, a.width-4, "\n  "))
	}
	return a.st.OK.Render("✓ "+o.action.String()+": ") + strings.Join(lines, "\n  ")
}

// wrap breaks s at spaces so that no line exceeds w cells, joining the
// lines with sep (a newline and the indent of the continuation lines).
func wrap(s string, w int, sep string) string {
	if w < 20 {
		w = 20
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && width(line)+1+width(word) > w {
				out = append(out, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		out = append(out, line)
	}
	return strings.Join(out, sep)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
