package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/keysweep/keysweep/scanner"
)

func TestDetailShowsEverythingMasked(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	h.keys("enter")
	h.contains(k.liveID, "LIVE", "123456789012 (from STS)", "arn:aws:iam::123456789012:user/ci-deploy",
		"ci-deploy · key Active · created 2024-02-28", "2026-11-26 23:41 UTC · ec2 · ap-southeast-3",
		"deploy/prod.env:2", "commit 1a2b3c4d5e", "alice <alice@example.com>", "2024-03-01 10:00",
		"AWS_ACCESS_KEY_ID="+k.liveID, "scripts/ci.sh:14", "not in this checkout", "still in HEAD",
		k.liveSecret[:4]+"****")
	h.lacks(k.liveSecret)
}

func TestRevealForTenSeconds(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	h.keys("enter", "s")
	h.contains(k.liveSecret, "hides in 10s", "AWS_SECRET_ACCESS_KEY="+k.liveSecret)
	// A stale hide (an earlier reveal) does not hide the current one.
	h.send(hideSecretMsg{seq: h.app.detail.revealSeq - 1})
	h.contains(k.liveSecret)
	h.send(hideSecretMsg{seq: h.app.detail.revealSeq})
	h.lacks(k.liveSecret)
}

func TestMask(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY"
	tests := []struct {
		name, in string
		known    []string
		want     string
	}{
		{"env line", "SECRET=" + secret, nil, "SECRET=wJal" + strings.Repeat("*", 36)},
		{"known short", "pw=hunter2hunter2", []string{"hunter2hunter2"}, "pw=hunt**********"},
		{"key id kept", "AKIAIOSFODNN7EXAMPLE", nil, "AKIAIOSFODNN7EXAMPLE"},
		{"token capped", "t=" + strings.Repeat("A", 300), nil, "t=AAAA" + strings.Repeat("*", 36)},
		{"short known", "x=abc", []string{"abc"}, "x=***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mask(tt.in, tt.known...); got != tt.want {
				t.Fatalf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestContainConfirmThenVerdictUpdated(t *testing.T) {
	h, k, _, resp := newFixture(t, nil)
	h.keys("enter", "c")
	h.contains("Contain this key?", "Account     123456789012", "User        ci-deploy", "Key         "+k.liveID,
		"iam:UpdateAccessKey sets "+k.liveID+" to Inactive", "y/enter: contain")
	if len(resp.calls) != 0 {
		t.Fatalf("calls before confirming: %v", resp.calls)
	}
	h.keys("y")
	h.contains("✓ contain: key set Inactive", "sessions issued before now revoked", "contained", "key Inactive")
	h.keys(" ") // page down to the journal
	h.contains("Journal", "deactivated; sessions revoked")
	if got := h.app.byFP[scanner.Fingerprint(k.liveID, scanner.Secret(k.liveSecret))].f.Verification.Verdict; got != scanner.Invalid {
		t.Fatalf("verdict after contain = %s, want invalid (re-verified)", got)
	}
	if strings.Join(resp.calls, ",") != "contain "+k.liveID {
		t.Fatalf("calls = %v", resp.calls)
	}
}

func TestConfirmWarnsForeignKey(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	h.keys("enter")
	r := h.app.byFP[scanner.Fingerprint(k.liveID, scanner.Secret(k.liveSecret))]
	r.owner = &Owner{AccountID: "999999999999", Foreign: true, Note: "report it to the owner and to AWS."}
	h.keys("c")
	h.contains("this key is not in your account", "report it to the owner")
}

func TestConfirmDeclined(t *testing.T) {
	for _, key := range []string{"esc", "n"} {
		t.Run(key, func(t *testing.T) {
			h, _, _, resp := newFixture(t, nil)
			h.keys("enter", "c", key)
			if h.app.screen != detailScreen || len(resp.calls) != 0 {
				t.Fatalf("after %s: screen %d, calls %v", key, h.app.screen, resp.calls)
			}
			h.lacks("✓", "✗")
		})
	}
}

func TestAccessDeniedShownInPlace(t *testing.T) {
	h, k, _, resp := newFixture(t, nil)
	resp.containErr = accessDenied("contain " + k.liveID)
	h.keys("enter", "c", "y")
	if h.app.screen != detailScreen {
		t.Fatalf("screen %d, want the detail screen", h.app.screen)
	}
	h.contains("✗ contain:", "AccessDenied", "hint: the responder needs iam:UpdateAccessKey", "LIVE")
	h.lacks("contained")
	// The responder fixes the permission and retries from the same screen.
	resp.containErr = nil
	h.keys("c", "y")
	h.contains("✓ contain")
	h.lacks("AccessDenied")
}

func TestCancelRunningAction(t *testing.T) {
	h, _, _, resp := newFixture(t, nil)
	resp.block = true
	h.keys("enter", "c")
	// Run the confirmed action by hand: its command blocks until cancelled.
	_, cmd := h.app.Update(confirmedMsg{action: ActContain, fingerprint: h.app.detail.fp})
	done := make(chan ActionDoneMsg, 1)
	go func() {
		for _, m := range flatten(cmd) {
			if d, ok := m.(ActionDoneMsg); ok {
				done <- d
			}
		}
	}()
	h.contains("Contain", "esc cancels")
	h.keys("esc")
	if h.app.screen != detailScreen {
		t.Fatal("esc during a task left the screen instead of cancelling")
	}
	msg := <-done
	if !errors.Is(msg.Err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", msg.Err)
	}
	h.send(msg)
	h.contains("cancelled: nothing more was sent")
	h.lacks("esc cancels")
}

func TestStaleActionResultDropped(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	h.keys("enter")
	fp := scanner.Fingerprint(k.liveID, scanner.Secret(k.liveSecret))
	h.send(ActionDoneMsg{Task: 42, Action: ActContain, Fingerprint: fp, Result: Containment{Deactivated: true}})
	h.lacks("✓ contain")
	if h.app.byFP[fp].contained {
		t.Fatal("a result nobody waited for changed the row")
	}
}

func TestDeleteNeedsTypedKeyID(t *testing.T) {
	h, k, _, resp := newFixture(t, nil)
	h.keys("enter", "D")
	h.contains("Delete the old key for good?", "cannot be undone", "Type the key ID to confirm")
	h.keys("A", "K", "I", "A", "enter")
	h.contains("that is not the key ID; nothing was deleted")
	if len(resp.calls) != 0 {
		t.Fatalf("deleted on a wrong confirmation: %v", resp.calls)
	}
	for range 4 {
		h.keys("backspace")
	}
	for _, r := range k.liveID {
		h.keys(string(r))
	}
	h.keys("enter")
	h.contains("✓ delete: old key " + k.liveID + " deleted")
	if strings.Join(resp.calls, ",") != "delete "+k.liveID {
		t.Fatalf("calls = %v", resp.calls)
	}
}

func TestMarkFalsePositive(t *testing.T) {
	al := &fakeAllower{}
	h, k, _, _ := newFixture(t, func(c *Config) { c.Allower = al })
	h.keys("down", "enter", "f") // the wrong-secret key in the docs
	h.contains("Mark as a false positive?", ".keysweep.toml", "Reason (required):")
	h.keys("enter")
	h.contains("this needs a value")
	for _, r := range "docs sample" {
		h.keys(string(r))
	}
	h.keys("enter")
	h.contains("✓ false positive: recorded in /src/shop/.keysweep.toml")
	if got := al.reasons[scanner.Fingerprint(k.wrongID, scanner.Secret(k.wrongSecret))]; got != "docs sample" {
		t.Fatalf("reason = %q", got)
	}
	h.keys("esc")
	if ids := rowKeys(h.app); len(ids) != 2 || strings.Contains(strings.Join(ids, ","), k.wrongID) {
		t.Fatalf("allowed row still listed: %v", ids)
	}
}

func TestExportWritesPrivateReport(t *testing.T) {
	dir := t.TempDir()
	h, k, _, _ := newFixture(t, func(c *Config) { c.ExportDir = dir })
	h.keys("enter", "e")
	want := filepath.Join(dir, "incident-"+k.liveID+"-20261127.md")
	h.contains("Export the incident report?", "0600")
	if got := h.app.confirm.input.Value(); got != want {
		t.Fatalf("default path %q, want %q", got, want)
	}
	h.keys("enter")
	h.contains("✓ export: incident report written to")
	st, err := os.Stat(want)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(want)
	if !strings.Contains(string(b), "# Incident: "+k.liveID) || !strings.Contains(string(b), "/src/shop") {
		t.Fatalf("report:\n%s", b)
	}
}

func TestRotateSinks(t *testing.T) {
	h, k, _, _ := newFixture(t, nil)
	h.keys("enter", "r")
	h.contains("Rotate this key?", "iam:CreateAccessKey creates a new key for ci-deploy", "file:")
	h.keys("tab")
	h.contains("profile:" + strings.ToLower(k.liveID) + "-rotated")
	h.keys("tab")
	h.contains("secretsmanager:keysweep/" + k.liveID)
	h.keys("enter")
	h.contains("✓ rotate: new key AKIANEWKEYFORTESTS00 delivered to", "secretsmanager:keysweep/"+k.liveID)
}

func TestRotateRejectsStdoutSink(t *testing.T) {
	h, _, _, _ := newFixture(t, nil)
	h.keys("enter", "r")
	h.app.confirm.input.SetValue("stdout")
	h.keys("enter")
	h.contains("a sink is file:PATH, profile:NAME or secretsmanager:SECRET_ID")
}

func TestInvestigationView(t *testing.T) {
	h, _, _, _ := newFixture(t, nil)
	h.keys("enter", "i")
	h.contains("Investigate this key in CloudTrail?", "read-only")
	h.keys("y")
	if h.app.screen != investigateScreen {
		t.Fatalf("screen %d, want the investigation", h.app.screen)
	}
	h.contains("First use   2026-11-26 22:03:00 UTC", "203.0.113.66", "ap-southeast-3",
		"CreateUser", "AttachUserPolicy", "AdministratorAccess", "RunInstances", "i-0abc123def4567890")
	h.keys("esc")
	h.contains("✓ investigate: 6 events, 3 flagged")
	h.keys("i") // shown again without a second lookup
	if h.app.screen != investigateScreen {
		t.Fatal("i did not reopen the investigation")
	}
}

func TestWithoutResponder(t *testing.T) {
	h, _, _, _ := newFixture(t, func(c *Config) { c.Responder = nil })
	h.keys("enter")
	h.contains("Owner       ci-deploy") // from the verified ARN
	h.keys("c", "y")
	h.contains("✗ contain: contain: not available in this build", "hint: this keysweep was started without a responder")
}

func TestVerifyWithoutSecret(t *testing.T) {
	h, k, _, _ := newFixture(t, func(c *Config) {
		for i := range c.Result.Findings {
			c.Result.Findings[i].Secret = ""
		}
	})
	h.keys("enter", "v", "y")
	h.contains("none found next to the key", "✗ verify: verify: no secret for this key", "--show-secrets")
	_ = k
}

// flatten runs cmd and every command it batches, in order, returning
// their messages.
func flatten(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, flatten(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
