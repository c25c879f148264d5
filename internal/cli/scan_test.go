package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

func TestFinishScanExitPrecedence(t *testing.T) {
	g := testkeys.New(3)
	id, secret := g.AccessKeyID(), scanner.Secret(g.Secret())
	key := scanner.Finding{Fingerprint: scanner.Fingerprint(id, secret), KeyID: id, Secret: secret,
		Locations: []scanner.Location{{Path: "a.env", Line: 1}}}
	example := scanner.Finding{KeyID: testkeys.ExampleKeyID, Example: true, Locations: []scanner.Location{{Path: "README.md", Line: 1}}}
	unitErr := &ExitError{Code: ExitFailure, Err: errors.New("scan history: 1 object or ref could not be read")}
	tests := []struct {
		name        string
		findings    []scanner.Finding
		scanErr     error
		interrupted bool
		want        int
		wantStderr  string
	}{
		{"clean", nil, nil, false, ExitClean, ""},
		{"examples do not count", []scanner.Finding{example}, nil, false, ExitClean, ""},
		{"keys", []scanner.Finding{key}, nil, false, ExitFound, ""},
		{"unreadable units, no keys", nil, unitErr, false, ExitFailure, ""},
		{"keys and unreadable units: keys win, error still told", []scanner.Finding{key}, unitErr, false, ExitFound, "could not be read"},
		{"interrupted wins", []scanner.Finding{key}, unitErr, true, ExitInterrupted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errb := &lockedBuffer{}, &lockedBuffer{}
			opts := &ScanOptions{IO: &IO{Out: out, Err: errb, Getenv: func(string) string { return "" }},
				Path: t.TempDir(), Format: "json", Policy: policyFlags{NoAllowlist: true}}
			res := &scanner.Result{Findings: tt.findings, Interrupted: tt.interrupted}
			err := finishScan(context.Background(), opts, res, tt.scanErr)
			if got := exitCode(context.Background(), err); got != tt.want {
				t.Fatalf("exit %d, want %d (err %v)", got, tt.want, err)
			}
			if !jsonValid(out.String()) {
				t.Fatalf("no report written: %q", out.String())
			}
			if tt.wantStderr != "" && !strings.Contains(errb.String(), tt.wantStderr) {
				t.Fatalf("stderr %q lacks %q", errb.String(), tt.wantStderr)
			}
			if strings.Contains(out.String()+errb.String(), secret.Reveal()) {
				t.Fatal("secret printed")
			}
		})
	}
}
