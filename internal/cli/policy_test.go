package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

func TestApplyPolicy(t *testing.T) {
	g := testkeys.New(71)
	id1, s1 := g.AccessKeyID(), scanner.Secret(g.Secret())
	id2, s2 := g.AccessKeyID(), scanner.Secret(g.Secret())
	fp1 := scanner.Fingerprint(id1, s1)
	result := func() *scanner.Result {
		return &scanner.Result{Findings: []scanner.Finding{
			{KeyID: id1, Secret: s1, Fingerprint: fp1, Locations: []scanner.Location{{Path: "a.ini"}}},
			{KeyID: id2, Secret: s2, Fingerprint: scanner.Fingerprint(id2, s2), Locations: []scanner.Location{{Path: "testdata/b.ini"}}},
		}}
	}
	tests := []struct {
		name     string
		toml     string
		flags    policyFlags
		extra    string // --allowlist file content
		baseline string // --baseline file content
		keep     []string
		wantErr  bool
	}{
		{name: "no config", keep: []string{id1, id2}},
		{name: "config by fingerprint", toml: "[[allow]]\nfingerprint = \"" + fp1 + "\"\nreason = \"r\"\n", keep: []string{id2}},
		{name: "no-allowlist ignores it", toml: "[[allow]]\nfingerprint = \"" + fp1 + "\"\nreason = \"r\"\n",
			flags: policyFlags{NoAllowlist: true}, keep: []string{id1, id2}},
		{name: "extra allowlist by path", extra: "[[allow]]\npath = \"testdata/\"\nreason = \"r\"\n", keep: []string{id1}},
		{name: "baseline flag", baseline: `{"version":1,"findings":[{"fingerprint":"` + fp1 + `"}]}`, keep: []string{id2}},
		{name: "broken config is an error", toml: "[[allow]]\npath = \"x\"\n", wantErr: true},
		{name: "missing baseline is an error", flags: policyFlags{Baseline: "/nonexistent/base.json"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.toml != "" {
				os.WriteFile(filepath.Join(dir, ".keysweep.toml"), []byte(tt.toml), 0o644)
			}
			flags := tt.flags
			if tt.extra != "" {
				flags.Allowlist = filepath.Join(dir, "extra.toml")
				os.WriteFile(flags.Allowlist, []byte(tt.extra), 0o644)
			}
			if tt.baseline != "" {
				flags.Baseline = filepath.Join(dir, "base.json")
				os.WriteFile(flags.Baseline, []byte(tt.baseline), 0o644)
			}
			res := result()
			err := applyPolicy(&ScanOptions{Path: dir, Policy: flags}, res)
			if tt.wantErr {
				var ee *ExitError
				if !errors.As(err, &ee) || ee.Code != ExitFailure {
					t.Fatalf("err = %v, want exit %d", err, ExitFailure)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var kept []string
			for _, f := range res.Findings {
				kept = append(kept, f.KeyID)
			}
			if strings.Join(kept, ",") != strings.Join(tt.keep, ",") {
				t.Errorf("kept %v, want %v", kept, tt.keep)
			}
			if dropped := len(tt.keep) < 2; dropped != (len(res.Notes) == 1) {
				t.Errorf("notes = %v", res.Notes)
			}
		})
	}
}
