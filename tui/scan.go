package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/internal/bytesize"
)

// scanProgressMsg carries the scan's counters, polled by a tick.
type scanProgressMsg struct{ units, bytes, found int64 }

// scanModel is the progress screen shown while the app's scan runs.
type scanModel struct {
	spin    spinner.Model
	started time.Time
	cancel  context.CancelFunc
	units   int64
	bytes   int64
	found   int64
	stopped bool // esc: the scan was asked to stop
}

func newScanModel(a *App) *scanModel {
	sp := spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(a.st.Title))
	return &scanModel{spin: sp}
}

// init starts the scan in a command with its own cancel, so esc can stop
// the scan and still show what was found.
func (m *scanModel) init(a *App) tea.Cmd {
	ctx, cancel := context.WithCancel(a.ctx)
	m.cancel = cancel
	m.started = a.cfg.Now()
	run := a.cfg.Scan.Run
	return tea.Batch(m.spin.Tick, scanTick(), func() tea.Msg {
		res, err := run(ctx)
		return ScanDoneMsg{Result: res, Err: err}
	})
}

func scanTick() tea.Cmd {
	return tea.Tick(150*time.Millisecond, func(time.Time) tea.Msg { return scanTickMsg{} })
}

func (m *scanModel) update(a *App, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case scanTickMsg:
		poll := a.cfg.Scan.Progress
		if poll == nil {
			return scanTick()
		}
		return func() tea.Msg {
			u, b, f := poll()
			return scanProgressMsg{u, b, f}
		}
	case scanProgressMsg:
		m.units, m.bytes, m.found = msg.units, msg.bytes, msg.found
		return scanTick()
	case spinner.TickMsg:
		var c tea.Cmd
		m.spin, c = m.spin.Update(msg)
		return c
	case tea.KeyMsg:
		if key.Matches(msg, a.keys.Back) && !m.stopped {
			m.stopped = true
			m.cancel()
		}
	}
	return nil
}

// scanDone shows the list with whatever the scan found, even when it
// failed or was stopped; the error stays visible in the list's status.
func (a *App) scanDone(msg ScanDoneMsg) tea.Cmd {
	if a.scan != nil && a.scan.cancel != nil {
		a.scan.cancel()
	}
	a.scanErr = msg.Err
	if a.scan != nil && a.scan.stopped {
		msg.Result.Interrupted = true
		if msg.Err != nil && a.ctx.Err() == nil {
			a.scanErr = nil // the stop we asked for, not a failure
		}
	}
	a.load(msg.Result)
	return a.pumpVerify()
}

func (m *scanModel) view(a *App) string {
	var b strings.Builder
	b.WriteString(a.st.Title.Render("keysweep triage") + "  " + a.st.Subtle.Render(a.target) + "\n\n")
	state := "Scanning"
	if m.stopped {
		state = "Stopping"
	}
	fmt.Fprintf(&b, "  %s %s %s\n\n", m.spin.View(), state, a.target)
	fmt.Fprintf(&b, "  %-10s %d\n", "objects", m.units)
	fmt.Fprintf(&b, "  %-10s %s\n", "read", bytesize.Format(m.bytes))
	fmt.Fprintf(&b, "  %-10s %d\n", "keys", m.found)
	fmt.Fprintf(&b, "  %-10s %s\n", "elapsed", a.cfg.Now().Sub(m.started).Round(time.Second))
	body := b.String()
	pad := a.height - strings.Count(body, "\n") - 1
	if pad > 0 {
		body += strings.Repeat("\n", pad)
	}
	return body + a.helpView(a.keys.scanHelp())
}
