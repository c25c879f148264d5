package tui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/keysweep/keysweep/scanner"
	"github.com/muesli/termenv"
)

// Flows run the real bubbletea program at 80×24 and compare screens with
// goldens under testdata/ (go test ./tui -run Flow -update rewrites them).

// captureMsg asks the probe for the current screen, from the program's
// own goroutine (reading the model from the test would race it).
type captureMsg struct{ ch chan string }

// probe wraps the app to answer captureMsg.
type probe struct{ *App }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if c, ok := msg.(captureMsg); ok {
		c.ch <- p.App.Render()
		return p, nil
	}
	_, cmd := p.App.Update(msg)
	return p, cmd
}

type flow struct {
	t  *testing.T
	tm *teatest.TestModel
}

func startFlow(t *testing.T, cfg Config) *flow {
	t.Helper()
	if cfg.Renderer == nil {
		cfg.Renderer = asciiRenderer()
	}
	cfg.Now = func() time.Time { return fixedNow }
	if cfg.ExportDir == "" {
		cfg.ExportDir = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	tm := teatest.NewTestModel(t, probe{New(ctx, cfg)}, teatest.WithInitialTermSize(80, 24))
	f := &flow{t: t, tm: tm}
	t.Cleanup(func() { tm.Quit() })
	return f
}

// waitFor waits until the program has printed every one of want since
// the last wait (in one frame or across several).
func (f *flow) waitFor(want ...string) {
	f.t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(f.t, f.tm.Output(), func(b []byte) bool {
		seen.Write(b)
		for _, s := range want {
			if !bytes.Contains(seen.Bytes(), []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// waitList waits until the list shows every verdict (none is still
// verifying).
func (f *flow) waitList() {
	f.t.Helper()
	f.waitFor("3 keys · 1 LIVE", "LIVE ", "wrong-secret", "invalid ")
}

// openLive opens the live key's detail and waits until everything it
// reads (owner, lines around each location) is on the screen.
func (f *flow) openLive() {
	f.t.Helper()
	f.keys("enter")
	f.waitFor("ci-deploy · key Active", "REGION=eu-west-1", "not in this checkout")
}

func (f *flow) keys(ks ...string) {
	for _, k := range ks {
		f.tm.Send(keyMsg(k))
	}
}

func (f *flow) typeText(s string) {
	for _, r := range s {
		f.tm.Send(keyMsg(string(r)))
	}
}

// screen returns what the program shows now.
func (f *flow) screen() string {
	f.t.Helper()
	ch := make(chan string, 1)
	f.tm.Send(captureMsg{ch})
	select {
	case s := <-ch:
		return s
	case <-time.After(5 * time.Second):
		f.t.Fatal("no screen from the program")
	}
	return ""
}

// golden compares the current screen with testdata/<test>/<name>.golden.
func (f *flow) golden(name string) {
	f.t.Helper()
	f.t.Run(name, func(t *testing.T) { golden.RequireEqual(t, []byte(f.screen())) })
}

// quit quits and checks that the program ended.
func (f *flow) quit() {
	f.t.Helper()
	f.keys("q")
	f.tm.WaitFinished(f.t, teatest.WithFinalTimeout(5*time.Second))
}

// scanOf is a scan that reports progress, then the fixture.
func scanOf(res scanner.Result) *Scan {
	return &Scan{
		Run: func(ctx context.Context) (scanner.Result, error) {
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
			}
			return res, nil
		},
		Progress: func() (int64, int64, int64) { return 18, 4096, 4 },
	}
}

func flowConfig(k keys, v *fakeVerifier, resp *fakeResponder) Config {
	return Config{Target: "/src/shop", Scan: scanOf(fixtureResult(k)), Verifier: v, Responder: resp,
		AutoVerify: true, Allower: &fakeAllower{},
		Snippets: fakeSnippets{"deploy/prod.env": {"# prod", "AWS_ACCESS_KEY_ID=" + k.liveID,
			"AWS_SECRET_ACCESS_KEY=" + k.liveSecret, "REGION=eu-west-1"}}}
}

func TestFlowScanListDetailContain(t *testing.T) {
	k := fixtureKeys()
	v := newFakeVerifier(k)
	resp := newFakeResponder(v)
	f := startFlow(t, flowConfig(k, v, resp))
	f.waitList()
	f.golden("list")
	f.openLive()
	f.golden("detail")
	f.keys("c")
	f.waitFor("Contain this key?")
	f.golden("confirm")
	f.keys("y")
	f.waitFor("invalid", "key Inactive", "✓ contain")
	f.golden("contained")
	f.keys("esc")
	f.waitFor("sort: verdict")
	f.golden("list-after")
	f.quit()
	if strings.Join(resp.calls, ",") != "contain "+k.liveID {
		t.Fatalf("responder calls: %v", resp.calls)
	}
}

func TestFlowCancel(t *testing.T) {
	k := fixtureKeys()
	v := newFakeVerifier(k)
	resp := newFakeResponder(v)
	resp.block = true
	f := startFlow(t, flowConfig(k, v, resp))
	f.waitList()
	f.openLive()
	f.keys("c", "y")
	f.waitFor("esc cancels")
	f.keys("esc")
	f.waitFor("cancelled")
	f.golden("cancelled")
	f.quit()
}

func TestFlowAccessDenied(t *testing.T) {
	k := fixtureKeys()
	v := newFakeVerifier(k)
	resp := newFakeResponder(v)
	resp.containErr = accessDenied("contain " + k.liveID)
	f := startFlow(t, flowConfig(k, v, resp))
	f.waitList()
	f.openLive()
	f.keys("c", "y")
	f.waitFor("AccessDenied", "hint:")
	f.golden("denied")
	f.quit()
}

func TestFlowFilter(t *testing.T) {
	k := fixtureKeys()
	v := newFakeVerifier(k)
	f := startFlow(t, flowConfig(k, v, newFakeResponder(v)))
	f.waitList()
	f.keys("/")
	f.typeText("docs")
	f.keys("enter")
	f.waitFor("1/1")
	f.golden("filtered")
	f.quit()
}

func TestFlowNoColor(t *testing.T) {
	sgrColour := []string{"\x1b[38;", "\x1b[48;", "\x1b[31m", "\x1b[97;41m"}
	tests := []struct {
		name   string
		env    fakeEnv
		colour bool
	}{
		{"colour", fakeEnv{"TERM": "xterm-256color", "COLORTERM": "truecolor"}, true},
		{"NO_COLOR", fakeEnv{"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := fixtureKeys()
			v := newFakeVerifier(k)
			cfg := flowConfig(k, v, newFakeResponder(v))
			cfg.Renderer = lipgloss.NewRenderer(nil, termenv.WithEnvironment(tt.env), termenv.WithTTY(true))
			f := startFlow(t, cfg)
			var out bytes.Buffer
			teatest.WaitFor(t, f.tm.Output(), func(b []byte) bool {
				out.Write(b)
				return bytes.Contains(out.Bytes(), []byte("LIVE"))
			}, teatest.WithDuration(5*time.Second))
			got := false
			for _, c := range sgrColour {
				got = got || bytes.Contains(out.Bytes(), []byte(c))
			}
			if got != tt.colour {
				t.Fatalf("colour escapes in the output: %v, want %v", got, tt.colour)
			}
			f.quit()
		})
	}
}

func TestRunRestoresTerminal(t *testing.T) {
	k := fixtureKeys()
	res := fixtureResult(k)
	var out bytes.Buffer
	err := Run(context.Background(), Config{Result: &res, Renderer: asciiRenderer()},
		tea.WithInput(strings.NewReader("q")), tea.WithOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"\x1b[?1049h", "\x1b[?1049l", "\x1b[?25h"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q (alt screen left / cursor shown)", want)
		}
	}
	if i, j := strings.LastIndex(s, "\x1b[?1049l"), strings.LastIndex(s, "LIVE"); j > i {
		t.Error("the app drew after leaving the alternate screen")
	}
}

func TestRunCancelledContext(t *testing.T) {
	k := fixtureKeys()
	res := fixtureResult(k)
	ctx, cancel := context.WithCancel(context.Background())
	// An io.Pipe, not an *os.File: bubbletea's epoll reader races its own
	// Close on files (inside cancelreader), which -race reports.
	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Result: &res, Renderer: asciiRenderer()}, tea.WithInput(pr), tea.WithOutput(&bytes.Buffer{}))
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Run returned nil after its context was cancelled")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}
