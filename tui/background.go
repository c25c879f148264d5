package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/scanner"
)

// pumpVerify starts background verifications until VerifyConcurrency are
// in flight. Each command verifies a copy of the finding; its VerifiedMsg
// pumps the next one, so the queue drains without extra goroutines.
func (a *App) pumpVerify() tea.Cmd {
	var cmds []tea.Cmd
	for a.inflight < a.cfg.VerifyConcurrency && len(a.queue) > 0 {
		fp := a.queue[0]
		a.queue = a.queue[1:]
		r := a.byFP[fp]
		if r == nil {
			continue
		}
		a.inflight++
		cmds = append(cmds, verifyCmd(a.ctx, a.cfg.Verifier, r.f))
	}
	return tea.Batch(cmds...)
}

// verifyCmd verifies f (a copy) and reports the verdict.
func verifyCmd(ctx context.Context, v Verifier, f scanner.Finding) tea.Cmd {
	return func() tea.Msg {
		res := v.Verify(ctx, &f)
		return VerifiedMsg{Fingerprint: f.Fingerprint, Verification: res}
	}
}

// verified records a background verdict and keeps the queue moving.
func (a *App) verified(msg VerifiedMsg) tea.Cmd {
	if a.inflight > 0 {
		a.inflight--
	}
	if r := a.byFP[msg.Fingerprint]; r != nil {
		r.verifying = false
		if a.ctx.Err() == nil || msg.Verification.Verdict != scanner.VerifyError {
			a.setVerification(r, msg.Verification)
		}
	}
	return a.pumpVerify()
}

// setVerification stores v on r and re-sorts the list around the cursor.
func (a *App) setVerification(r *row, v scanner.Verification) {
	r.f.Verification = v
	if v.AccountID != "" && r.f.AccountID == "" {
		r.f.AccountID = v.AccountID
	}
	a.list.refresh(a)
	a.refreshDetail()
}

// pending returns how many background verifications have not reported.
func (a *App) pending() int { return len(a.queue) + a.inflight }

// ownerCmd looks up the owner of keyID.
func ownerCmd(ctx context.Context, resp Responder, keyID string) tea.Cmd {
	return func() tea.Msg {
		o, err := resp.Owner(ctx, keyID)
		return OwnerMsg{KeyID: keyID, Owner: o, Err: err}
	}
}

// journalCmd loads the journal of keyID.
func journalCmd(ctx context.Context, resp Responder, keyID string) tea.Cmd {
	return func() tea.Msg {
		es, err := resp.Journal(ctx, keyID)
		return JournalMsg{KeyID: keyID, Entries: es, Err: err}
	}
}

// snippetCmd reads the lines around loc.
func snippetCmd(ctx context.Context, s Snippets, fp string, i int, loc scanner.Location) tea.Cmd {
	return func() tea.Msg {
		sn, err := s.Snippet(ctx, loc, 2)
		return SnippetMsg{Fingerprint: fp, Index: i, Snippet: sn, Err: err}
	}
}
