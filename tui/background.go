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

// clone returns f with its own copies of the slices, so a command may
// hand it to code that changes it while Update reads the row's.
func clone(f scanner.Finding) scanner.Finding {
	f.Locations = append([]scanner.Location(nil), f.Locations...)
	f.Candidates = append([]scanner.Secret(nil), f.Candidates...)
	return f
}

// verifyCmd verifies a copy of f and reports the verdict.
func verifyCmd(ctx context.Context, v Verifier, f scanner.Finding) tea.Cmd {
	f = clone(f)
	fp := f.Fingerprint
	return func() tea.Msg {
		f.Verification = v.Verify(ctx, &f)
		return VerifiedMsg{Fingerprint: fp, Finding: f}
	}
}

// verified records a background verdict and keeps the queue moving.
func (a *App) verified(msg VerifiedMsg) tea.Cmd {
	if a.inflight > 0 {
		a.inflight--
	}
	if r := a.byFP[msg.Fingerprint]; r != nil {
		r.verifying = false
		if a.ctx.Err() == nil {
			a.applyVerified(r, msg.Finding)
		}
	}
	return a.pumpVerify()
}

// applyVerified takes the verdict of a verified copy of r's finding, and
// the secret the verifier found live when it was another candidate.
func (a *App) applyVerified(r *row, v scanner.Finding) {
	if v.Fingerprint != "" && v.Fingerprint != r.f.Fingerprint && v.KeyID == r.f.KeyID {
		old := r.f.Fingerprint
		r.f.Secret, r.f.Candidates, r.f.Fingerprint = v.Secret, v.Candidates, v.Fingerprint
		delete(a.byFP, old)
		a.byFP[v.Fingerprint] = r
		if a.detail != nil && a.detail.fp == old {
			a.detail.fp = v.Fingerprint
		}
		if o, ok := a.outcomes[old]; ok {
			delete(a.outcomes, old)
			a.outcomes[v.Fingerprint] = o
		}
		if a.task != nil && a.task.fp == old {
			a.task.fp = v.Fingerprint
		}
	}
	a.setVerification(r, v.Verification)
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
