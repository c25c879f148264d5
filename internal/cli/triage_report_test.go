package cli

import (
	"strings"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

// Exporting before any action still gives a report: detection, and empty
// containment and investigation sections to fill in.
func TestReportBeforeAnyAction(t *testing.T) {
	env := startDemo(t)
	p := demoResponder(t, env)
	k := env.Keys.Deleted
	md, err := p.Report(t.Context(), scanner.Finding{KeyID: k.KeyID,
		Locations: []scanner.Location{{Path: "scripts/deploy.sh", Line: 3, Commit: "21c748fd85"}}}, env.Repo)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if !strings.Contains(md, k.KeyID) || !strings.Contains(md, "scripts/deploy.sh") {
		t.Fatalf("report:\n%s", md)
	}
}
