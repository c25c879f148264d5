package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

func newFixture(t *testing.T, mod func(*Config)) (*harness, keys, *fakeVerifier, *fakeResponder) {
	t.Helper()
	k := fixtureKeys()
	res := fixtureResult(k)
	v := newFakeVerifier(k)
	resp := newFakeResponder(v)
	cfg := Config{Target: "/src/shop", Result: &res, Verifier: v, Responder: resp, AutoVerify: true,
		Allower: &fakeAllower{},
		Snippets: fakeSnippets{"deploy/prod.env": {"# prod", "AWS_ACCESS_KEY_ID=" + k.liveID,
			"AWS_SECRET_ACCESS_KEY=" + k.liveSecret, "REGION=eu-west-1"}}}
	if mod != nil {
		mod(&cfg)
	}
	return newHarness(t, cfg), k, v, resp
}

// rowKeys returns the key IDs of the visible rows, in order.
func rowKeys(a *App) []string {
	var ids []string
	for _, r := range a.list.visible {
		ids = append(ids, r.f.KeyID)
	}
	return ids
}

func TestListLiveFirstExamplesHidden(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	got := rowKeys(h.app)
	want := []string{k.liveID, k.wrongID, k.goneID}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("rows = %v, want %v (live first, example hidden)", got, want)
	}
	h.contains("LIVE", "wrong-secret", "invalid", "1 hidden", "3 keys · 1 LIVE")
	h.lacks(testkeys.ExampleKeyID)
	h.keys("h")
	h.contains(testkeys.ExampleKeyID, "example", "showing 1 hidden")
	if n := len(h.app.list.visible); n != 4 {
		t.Fatalf("with hidden shown: %d rows, want 4", n)
	}
}

func TestListFilter(t *testing.T) {
	tests := []struct {
		name, query string
		want        int
	}{
		{"path", "setup", 1},
		{"author", "dave", 1},
		{"account", "123456789012", 2},
		{"verdict", "live", 1},
		{"nothing", "zzz", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _, _ := newFixture(t, nil)
			h.keys("/")
			for _, r := range tt.query {
				h.keys(string(r))
			}
			h.keys("enter")
			if n := len(h.app.list.visible); n != tt.want {
				t.Fatalf("filter %q: %d rows, want %d\n%s", tt.query, n, tt.want, h.view())
			}
			h.contains("/" + tt.query)
			if tt.want == 0 {
				h.contains("Nothing matches the filter")
			}
			h.keys("esc")
			if n := len(h.app.list.visible); n != 3 {
				t.Fatalf("after esc: %d rows, want 3", n)
			}
		})
	}
}

func TestListFilterTypingIsNotCommands(t *testing.T) {
	h, _, _, _ := newFixture(t, nil)
	h.keys("/", "q", "h", "o")
	if h.app.quitting || h.app.list.showHidden || h.app.list.sort != byVerdict {
		t.Fatalf("keys typed into the filter ran commands: quit=%v hidden=%v sort=%v",
			h.app.quitting, h.app.list.showHidden, h.app.list.sort)
	}
	if got := h.app.list.filter.Value(); got != "qho" {
		t.Fatalf("filter = %q, want qho", got)
	}
}

func TestListSortCycles(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	tests := []struct {
		mode  string
		first string
	}{
		{"first seen", k.liveID}, // 2024-03-01
		{"key ID", k.wrongID},    // AKIARZ…LF < AKIARZ…NR < AKIATC…
		{"locations", k.liveID},  // two locations
		{"verdict", k.liveID},
	}
	for _, tt := range tests {
		h.keys("o")
		h.contains("sort: " + tt.mode)
		if got := rowKeys(h.app)[0]; got != tt.first {
			t.Errorf("sort %s: first row %s, want %s", tt.mode, got, tt.first)
		}
	}
}

func TestListCursorFollowsRowOnResort(t *testing.T) {
	h, k, v, _ := newFixture(t, func(c *Config) { c.AutoVerify = false })
	h.keys("down") // the responder picks the second row
	sel := h.app.list.selected().f.KeyID
	// A verdict arrives that moves that row.
	r := h.app.byFP[scanner.Fingerprint(k.goneID, scanner.Secret(k.goneSecret))]
	f := r.f
	f.Verification = v.Verify(t.Context(), &f)
	f.Verification.Verdict = scanner.Live
	h.send(VerifiedMsg{Fingerprint: f.Fingerprint, Finding: f})
	if got := h.app.list.selected().f.KeyID; got != sel {
		t.Fatalf("cursor moved from %s to %s when rows re-sorted", sel, got)
	}
}

func TestVerdictsArriveAsMessages(t *testing.T) {
	k := fixtureKeys()
	v := newFakeVerifier(k)
	v.gate = make(chan struct{}) // answers wait: the harness drops them
	h, _, _, _ := newFixture(t, func(c *Config) { c.Verifier = v })
	h.contains("verifying…", "verifying 3…")
	if h.app.inflight != 3 {
		t.Fatalf("inflight = %d, want 3", h.app.inflight)
	}
	fp := scanner.Fingerprint(k.liveID, scanner.Secret(k.liveSecret))
	f := h.app.byFP[fp].f
	f.Verification = scanner.Verification{Verdict: scanner.Live, AccountID: "123456789012"}
	h.send(VerifiedMsg{Fingerprint: fp, Finding: f})
	h.contains("LIVE", "verifying 2…")
	if rowKeys(h.app)[0] != k.liveID {
		t.Fatalf("live row not first: %v", rowKeys(h.app))
	}
	close(v.gate)
}

func TestVerifyConcurrencyBounded(t *testing.T) {
	k := fixtureKeys()
	v := newFakeVerifier(k)
	v.gate = make(chan struct{})
	defer close(v.gate)
	h, _, _, _ := newFixture(t, func(c *Config) { c.Verifier, c.VerifyConcurrency = v, 2 })
	if h.app.inflight != 2 || len(h.app.queue) != 1 {
		t.Fatalf("inflight %d queued %d, want 2 and 1", h.app.inflight, len(h.app.queue))
	}
}

func TestPromotedSecretKeepsRow(t *testing.T) {
	h, k, _, _ := newFixture(t, func(c *Config) { c.AutoVerify = false })
	old := scanner.Fingerprint(k.liveID, scanner.Secret(k.liveSecret))
	f := h.app.byFP[old].f
	f.Secret = scanner.Secret(testkeys.New(9).Secret())
	f.Fingerprint = scanner.Fingerprint(f.KeyID, f.Secret)
	f.Verification = scanner.Verification{Verdict: scanner.Live}
	h.send(VerifiedMsg{Fingerprint: old, Finding: f})
	r := h.app.byFP[f.Fingerprint]
	if r == nil || r.f.Secret != f.Secret || h.app.byFP[old] != nil {
		t.Fatalf("promoted secret not taken: row %+v", r)
	}
	if len(h.app.rows) != 4 {
		t.Fatalf("%d rows, want 4", len(h.app.rows))
	}
}

func TestQuitCancelsContext(t *testing.T) {
	h, _, _, _ := newFixture(t, nil)
	_, cmd := h.app.Update(keyMsg("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
	if h.app.ctx.Err() == nil {
		t.Fatal("quitting left the app's context running")
	}
	if h.app.View() != "" {
		t.Fatal("view after quit is not empty: the terminal would keep the app's last frame")
	}
}

func TestEmptyResult(t *testing.T) {
	h := newHarness(t, Config{Result: &scanner.Result{Target: "/src/empty"}})
	h.contains("No AWS keys found.", "0 keys")
	h.keys("enter", "j", "k", "G", "g", "o", "h") // nothing to open, nothing panics
	h.contains("No AWS keys found.")
}
