package cli

import (
	"testing"
	"time"

	"github.com/keysweep/keysweep/scanner"
)

func TestMergeResults(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	loc := func(repo, path string) scanner.Location { return scanner.Location{Repo: repo, Path: path, Line: 1} }
	f := func(fp, status string, v scanner.Verification, ls ...scanner.Location) scanner.Finding {
		return scanner.Finding{Fingerprint: fp, KeyID: "AKIA" + fp, Status: status, Verification: v, Locations: ls}
	}
	unverified := scanner.Verification{Verdict: scanner.Unverified}
	live := scanner.Verification{Verdict: scanner.Live, VerifiedAt: t0}
	invalidLater := scanner.Verification{Verdict: scanner.Invalid, VerifiedAt: t0.Add(time.Hour)}
	tests := []struct {
		name      string
		in        []scanner.Result
		findings  int
		locs      map[string]int
		status    map[string]string
		verdict   map[string]scanner.Verdict
		errs      int
		notes     int
		files     int64
		interrupt bool
	}{
		{
			name: "disjoint shards",
			in: []scanner.Result{
				{Target: "s0", Findings: []scanner.Finding{f("A", "new", unverified, loc("o/a", "x"))}, Stats: scanner.Stats{Files: 2}},
				{Target: "s1", Findings: []scanner.Finding{f("B", "known", unverified, loc("o/b", "y"))}, Stats: scanner.Stats{Files: 3}},
			},
			findings: 2, locs: map[string]int{"A": 1, "B": 1}, status: map[string]string{"A": "new", "B": "known"}, files: 5,
		},
		{
			name: "same key in two shards: one finding, locations merged, repeated location once",
			in: []scanner.Result{
				{Findings: []scanner.Finding{f("A", "new", unverified, loc("o/a", "x"), loc("o/a", "y"))}},
				{Findings: []scanner.Finding{f("A", "known", unverified, loc("o/b", "x"), loc("o/a", "x"))}},
			},
			findings: 1, locs: map[string]int{"A": 3}, status: map[string]string{"A": "known"},
		},
		{
			name: "live wins over a later invalid",
			in: []scanner.Result{
				{Findings: []scanner.Finding{f("A", "new", live, loc("o/a", "x"))}},
				{Findings: []scanner.Finding{f("A", "new", invalidLater, loc("o/b", "x"))}},
			},
			findings: 1, locs: map[string]int{"A": 2}, status: map[string]string{"A": "new"},
			verdict: map[string]scanner.Verdict{"A": scanner.Live},
		},
		{
			name: "later verdict wins over unverified",
			in: []scanner.Result{
				{Findings: []scanner.Finding{f("A", "", unverified, loc("o/a", "x"))}},
				{Findings: []scanner.Finding{f("A", "", invalidLater, loc("o/a", "x"))}},
			},
			findings: 1, locs: map[string]int{"A": 1}, verdict: map[string]scanner.Verdict{"A": scanner.Invalid},
		},
		{
			name: "errors kept, notes deduplicated, interrupted carried",
			in: []scanner.Result{
				{Errors: []scanner.UnitError{{Unit: "o/x", Err: "404"}}, Notes: []string{"n1", "n2"}},
				{Errors: []scanner.UnitError{{Unit: "o/y", Err: "451"}}, Notes: []string{"n2"}, Interrupted: true},
			},
			errs: 2, notes: 2, interrupt: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mergeResults(tt.in)
			if len(got.Findings) != tt.findings || len(got.Errors) != tt.errs || len(got.Notes) != tt.notes ||
				got.Stats.Files != tt.files || got.Interrupted != tt.interrupt {
				t.Fatalf("got %d findings %d errors %d notes %d files interrupted=%v", len(got.Findings),
					len(got.Errors), len(got.Notes), got.Stats.Files, got.Interrupted)
			}
			for _, f := range got.Findings {
				if n, ok := tt.locs[f.Fingerprint]; ok && len(f.Locations) != n {
					t.Errorf("%s: %d locations, want %d", f.Fingerprint, len(f.Locations), n)
				}
				if s, ok := tt.status[f.Fingerprint]; ok && f.Status != s {
					t.Errorf("%s: status %q, want %q", f.Fingerprint, f.Status, s)
				}
				if v, ok := tt.verdict[f.Fingerprint]; ok && f.Verification.Verdict != v {
					t.Errorf("%s: verdict %q, want %q", f.Fingerprint, f.Verification.Verdict, v)
				}
			}
		})
	}
	// The inputs are not modified.
	in := []scanner.Result{{Findings: []scanner.Finding{f("A", "new", unverified, loc("o/a", "x"))}},
		{Findings: []scanner.Finding{f("A", "new", unverified, loc("o/b", "x"))}}}
	mergeResults(in)
	if len(in[0].Findings[0].Locations) != 1 {
		t.Error("mergeResults modified its input")
	}
}
