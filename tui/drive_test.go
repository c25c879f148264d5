package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// harness drives an App synchronously: send runs Update, then every
// command it returned (and theirs), feeding their messages back, until
// none is left. Commands that take longer than wait (ticks) are dropped.
type harness struct {
	t    *testing.T
	app  *App
	wait time.Duration
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.Renderer == nil {
		cfg.Renderer = asciiRenderer()
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return fixedNow }
	}
	if cfg.ExportDir == "" {
		cfg.ExportDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h := &harness{t: t, app: New(ctx, cfg), wait: 500 * time.Millisecond}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(h.app.Init())
	return h
}

func (h *harness) send(msgs ...tea.Msg) {
	h.t.Helper()
	for _, m := range msgs {
		_, cmd := h.app.Update(m)
		h.run(cmd)
	}
}

// keys sends each key: "enter", "esc", "ctrl+c", "tab" by name, anything
// else as typed runes.
func (h *harness) keys(ks ...string) {
	h.t.Helper()
	for _, k := range ks {
		h.send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	switch k {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func (h *harness) run(cmd tea.Cmd) {
	for _, m := range h.collect(cmd) {
		h.send(m)
	}
}

// collect runs cmd and returns its messages in order: a batch's commands
// run in parallel, each given h.wait to answer; ticks and other slow
// commands are dropped, and so are spinner ticks (they would never end).
func (h *harness) collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-ch:
	case <-time.After(h.wait):
		return nil
	}
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, scanTickMsg, tea.QuitMsg:
		return nil
	case tea.BatchMsg:
		parts := make([][]tea.Msg, len(msg))
		var wg sync.WaitGroup
		for i, c := range msg {
			wg.Add(1)
			go func() {
				defer wg.Done()
				parts[i] = h.collect(c)
			}()
		}
		wg.Wait()
		var out []tea.Msg
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	if strings.Contains(strings.ToLower(typeName(msg)), "blink") {
		return nil
	}
	return []tea.Msg{msg}
}

func typeName(v any) string { return strings.TrimPrefix(strings.TrimPrefix(fmtType(v), "*"), "") }

func (h *harness) view() string { return h.app.View() }

// contains fails the test unless the view holds every want.
func (h *harness) contains(want ...string) {
	h.t.Helper()
	v := h.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			h.t.Fatalf("view lacks %q:\n%s", w, v)
		}
	}
}

func (h *harness) lacks(not ...string) {
	h.t.Helper()
	v := h.view()
	for _, w := range not {
		if strings.Contains(v, w) {
			h.t.Fatalf("view shows %q:\n%s", w, v)
		}
	}
}

func fmtType(v any) string { return fmt.Sprintf("%T", v) }
