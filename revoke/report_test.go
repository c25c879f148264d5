package revoke_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/revoke"
	"github.com/keysweep/keysweep/scanner"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", name, got)
	}
}

// TestReportGolden runs the whole playbook on one leaked key and checks
// the incident report made from its journal.
func TestReportGolden(t *testing.T) {
	e := newEnv(t)
	e.plantTrail(3)
	ctx := context.Background()
	step := func(d time.Duration) *revoke.Responder { e.clock.add(d); return e.responderWith(nil) }
	if _, err := step(0).Owner(ctx, e.leaked.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := step(time.Minute).Contain(ctx, e.leaked.ID, revoke.ContainOptions{Quarantine: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := step(time.Minute).Investigate(ctx, e.leaked.ID, revoke.InvestigateOptions{Regions: testRegions, Rate: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, err := step(10*time.Minute).Rotate(ctx, e.leaked.ID, revoke.RotateOptions{Sink: mustSink(t, "stdout")}); err != nil {
		t.Fatal(err)
	}
	es, err := revoke.ReadJournal(revoke.JournalPath(e.dir, e.leaked.ID))
	if err != nil {
		t.Fatal(err)
	}
	det := revoke.Detection{Source: "findings.json", Target: "/src/shop", Locations: []scanner.Location{
		{Path: "deploy/settings.env", Line: 3, Column: 19, Commit: "4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a4f1c2a9e",
			Author: "Dev One", Date: time.Date(2026, 10, 2, 9, 30, 0, 0, time.UTC), Kind: "blob"},
		{Path: "deploy/settings.env", Line: 3, Column: 19, InHead: true, Kind: "file"},
	}}
	var b bytes.Buffer
	if err := revoke.WriteReport(&b, e.leaked.ID, "journal.jsonl", es, revoke.ReportOptions{Detection: det, Now: e.clock.now()}); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md", b.Bytes())
	out := b.String()
	for _, want := range []string{"## 1. Detection", "## 2. Containment", "## 3. Investigation", "## 4. Eradication",
		"## 5. Recovery", "## 6. Lessons learned", "2026-10-02T09:30:00Z", "- [ ] delete IAM user backup-svc"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if k, _ := e.fake.Key(e.newKeyOf("alice")); strings.Contains(out, k.Secret) {
		t.Error("the report holds the new secret")
	}
}

func TestReportWithoutJournal(t *testing.T) {
	e := newEnv(t)
	var b bytes.Buffer
	if err := e.responderWith(nil).Report(&b, e.leaked.ID, revoke.ReportOptions{}); err == nil {
		t.Error("report without a journal succeeded")
	}
}

func TestReportEmptySections(t *testing.T) {
	e := newEnv(t)
	if _, err := e.responderWith(nil).Owner(context.Background(), e.leaked.ID); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := e.responderWith(nil).Report(&b, e.leaked.ID, revoke.ReportOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No scan report given", "No containment recorded", "No investigation recorded", "No rotation recorded"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
