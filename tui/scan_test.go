package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/keysweep/keysweep/scanner"
	"github.com/muesli/termenv"
)

// blockingScan returns a scan that runs until release is closed or its
// context ends, then returns res (Interrupted when cancelled).
func blockingScan(res scanner.Result, release chan struct{}) *Scan {
	return &Scan{
		Run: func(ctx context.Context) (scanner.Result, error) {
			select {
			case <-release:
				return res, nil
			case <-ctx.Done():
				res.Findings = res.Findings[:1]
				res.Interrupted = true
				return res, nil
			}
		},
		Progress: func() (int64, int64, int64) { return 1234, 5 << 20, 2 },
	}
}

func TestScanProgressThenList(t *testing.T) {
	k := fixtureKeys()
	release := make(chan struct{})
	v := newFakeVerifier(k)
	h := newHarness(t, Config{Target: "/src/shop", Scan: blockingScan(fixtureResult(k), release), Verifier: v, AutoVerify: true})
	if h.app.screen != scanScreen {
		t.Fatalf("screen %d, want the scan progress", h.app.screen)
	}
	h.send(scanProgressMsg{1234, 5 << 20, 2})
	h.contains("Scanning /src/shop", "objects    1234", "5.0 MiB", "keys       2", "esc stop, triage what was found")
	close(release)
	res := fixtureResult(k)
	h.send(ScanDoneMsg{Result: res})
	if h.app.screen != listScreen {
		t.Fatalf("screen %d after the scan, want the list", h.app.screen)
	}
	h.contains("LIVE", k.liveID)
}

func TestScanStoppedShowsPartial(t *testing.T) {
	k := fixtureKeys()
	release := make(chan struct{})
	sc := blockingScan(fixtureResult(k), release)
	done := make(chan ScanDoneMsg, 1)
	run := sc.Run
	sc.Run = func(ctx context.Context) (scanner.Result, error) {
		// The harness gives up on this slow command; the test takes its
		// result when esc has cancelled it.
		res, err := run(ctx)
		done <- ScanDoneMsg{Result: res, Err: err}
		return res, err
	}
	h := newHarness(t, Config{Target: "/src/shop", Scan: sc})
	h.keys("esc")
	h.contains("Stopping")
	h.send(<-done)
	h.contains("scan stopped early: partial results")
	if n := len(h.app.rows); n != 1 {
		t.Fatalf("%d rows, want the 1 found before the stop", n)
	}
}

func TestScanErrorStillShowsFindings(t *testing.T) {
	k := fixtureKeys()
	h := newHarness(t, Config{Target: "/src/shop", Scan: blockingScan(fixtureResult(k), make(chan struct{}))})
	h.send(ScanDoneMsg{Result: fixtureResult(k), Err: errors.New("scan history: 2 objects or refs could not be read")})
	h.contains("scan: scan history: 2 objects", k.liveID)
}

func TestResize(t *testing.T) {
	tests := []struct {
		name          string
		w, h          int
		want, notWant []string
	}{
		{"80x24", 80, 24, []string{"WHERE", "account 123456789012"}, []string{"ACCOUNT", "AUTHOR"}},
		{"96x30", 96, 30, []string{"ACCOUNT", "123456789012"}, []string{"AUTHOR"}},
		{"100x30", 100, 30, []string{"ACCOUNT", "123456789012", "AUTHOR", "alice"}, nil},
		{"140x40", 140, 40, []string{"ACCOUNT", "AUTHOR", "alice"}, nil},
		{"60x15", 60, 15, []string{"LIVE"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _, _ := newFixture(t, nil)
			h.send(tea.WindowSizeMsg{Width: tt.w, Height: tt.h})
			for _, screen := range []string{"list", "detail", "confirm"} {
				switch screen {
				case "detail":
					h.keys("enter")
				case "confirm":
					h.keys("c")
				}
				v := h.view()
				lines := strings.Split(v, "\n")
				if len(lines) > tt.h {
					t.Errorf("%s: %d lines, terminal has %d", screen, len(lines), tt.h)
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > tt.w {
						t.Errorf("%s: line %d is %d wide (> %d): %q", screen, i, w, tt.w, l)
					}
				}
				if screen == "list" {
					h.contains(tt.want...)
					h.lacks(tt.notWant...)
				}
			}
		})
	}
}

func TestNoColor(t *testing.T) {
	colour := lipgloss.NewRenderer(nil)
	colour.SetColorProfile(termenv.TrueColor)
	noColour := lipgloss.NewRenderer(nil, termenv.WithEnvironment(fakeEnv{"NO_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"}), termenv.WithTTY(true))
	tests := []struct {
		name   string
		r      *lipgloss.Renderer
		escape bool
	}{
		{"truecolor", colour, true},
		{"NO_COLOR", noColour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _, _ := newFixture(t, func(c *Config) { c.Renderer = tt.r })
			for _, screen := range []string{"list", "detail"} {
				if screen == "detail" {
					h.keys("enter")
				}
				v := h.view()
				if got := strings.Contains(v, "\x1b["); got != tt.escape {
					t.Fatalf("%s: escape sequences %v, want %v:\n%q", screen, got, tt.escape, v)
				}
				h.contains("LIVE") // the live badge reads without colour
			}
		})
	}
}

type fakeEnv map[string]string

func (e fakeEnv) Getenv(k string) string { return e[k] }
func (e fakeEnv) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
