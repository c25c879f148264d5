package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/scanner"
)

// Action is one step of the playbook the detail screen offers.
type Action int

// Actions, in the order the detail screen lists them.
const (
	ActVerify Action = iota
	ActContain
	ActInvestigate
	ActRotate
	ActDelete
	ActAllow
	ActExport
)

// String names the action as the confirm screen and the journal do.
func (x Action) String() string {
	return [...]string{"verify", "contain", "investigate", "rotate", "delete", "false positive", "export"}[x]
}

// task is the one action running, with the cancel for its context.
type task struct {
	seq     int
	action  Action
	fp      string
	keyID   string
	cancel  context.CancelFunc
	started time.Time
	spin    spinner.Model
}

// outcome is what the last action on a credential produced, shown in place.
type outcome struct {
	action Action
	lines  []string
	err    error
}

// startTask runs a confirmed action in a command. The closure captures
// copies of everything it needs; the model only keeps the cancel func.
func (a *App) startTask(act Action, fp, input string) tea.Cmd {
	r := a.byFP[fp]
	if r == nil || a.task != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(a.ctx, a.cfg.ActionTimeout)
	a.taskSeq++
	a.task = &task{seq: a.taskSeq, action: act, fp: fp, keyID: r.f.KeyID, cancel: cancel, started: a.cfg.Now(),
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(a.st.Title))}
	delete(a.outcomes, fp)
	run := actionFunc(a.cfg, act, r.f, input)
	seq, now := a.taskSeq, a.cfg.Now
	a.refreshDetail()
	return tea.Batch(a.task.spin.Tick, func() tea.Msg {
		defer cancel()
		start := now()
		res, err := run(ctx)
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		return ActionDoneMsg{Task: seq, Action: act, Fingerprint: fp, Result: res, Err: err, Took: now().Sub(start)}
	})
}

// actionFunc binds an action to its implementation and plain arguments.
func actionFunc(cfg Config, act Action, f scanner.Finding, input string) func(context.Context) (any, error) {
	resp := cfg.Responder
	f = clone(f)
	need := func(what string, ok bool) error {
		if ok {
			return nil
		}
		return &hintError{err: fmt.Errorf("%s: %w", what, ErrUnavailable),
			hint: "this keysweep was started without a responder; see 'keysweep respond --help'"}
	}
	switch act {
	case ActVerify:
		v := cfg.reverifier()
		return func(ctx context.Context) (any, error) {
			if err := need("verify", v != nil); err != nil {
				return nil, err
			}
			if f.Secret == "" {
				return nil, &hintError{err: errors.New("verify: no secret for this key"),
					hint: "reports keep secrets only with --show-secrets; triage the path instead"}
			}
			f.Verification = v.Verify(ctx, &f)
			return f, nil
		}
	case ActAllow:
		al := cfg.Allower
		return func(ctx context.Context) (any, error) {
			if err := need("mark false positive", al != nil); err != nil {
				return nil, err
			}
			return al.Allow(ctx, f, input)
		}
	case ActExport:
		target := cfg.Target
		return func(ctx context.Context) (any, error) {
			if err := need("export report", resp != nil); err != nil {
				return nil, err
			}
			md, err := resp.Report(ctx, f, target)
			if err != nil {
				return nil, err
			}
			return input, writePrivate(input, []byte(md))
		}
	}
	return func(ctx context.Context) (any, error) {
		if err := need(act.String(), resp != nil); err != nil {
			return nil, err
		}
		switch act {
		case ActContain:
			return resp.Contain(ctx, f.KeyID)
		case ActInvestigate:
			return resp.Investigate(ctx, f.KeyID)
		case ActRotate:
			return resp.Rotate(ctx, f.KeyID, input)
		case ActDelete:
			return nil, resp.DeleteOld(ctx, f.KeyID)
		}
		return nil, fmt.Errorf("unknown action %d", act)
	}
}

// writePrivate writes b to path with mode 0600.
func writePrivate(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write report: %w", err)
	}
	return f.Close()
}

// hintError is an error with advice for people.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }
func (e *hintError) Hint() string  { return e.hint }
