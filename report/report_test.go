package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture builds a deterministic result covering every report feature:
// a live key with two locations in history, a session key with a token,
// an ID without a secret, an example key, a unit error and a note.
func fixture() scanner.Result {
	g := testkeys.New(42)
	liveID, liveSecret := g.KeyID("AKIA", 123456789012), scanner.Secret(g.Secret())
	sessID, sessSecret := g.KeyID("ASIA", 210987654321), scanner.Secret(g.Secret())
	loneID := g.KeyID("AKIA", 555555555555)
	t1 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	t2 := time.Date(2025, 6, 2, 8, 30, 0, 0, time.UTC)
	live := scanner.Finding{
		Fingerprint: scanner.Fingerprint(liveID, liveSecret), KeyID: liveID, KeyType: scanner.AccessKey,
		Secret: liveSecret, AccountID: "123456789012",
		Verification: scanner.Verification{Verdict: scanner.Live, VerifiedAt: t2, AccountID: "123456789012",
			ARN: "arn:aws:iam::123456789012:user/deploy", UserID: "AIDAEXAMPLEUSERID0001"},
		Locations: []scanner.Location{
			{Path: "config/prod.env", Line: 3, Column: 19, Commit: "0123456789abcdef0123456789abcdef01234567",
				Author: "Dev One", Email: "dev1@example.com", Date: t1, Kind: "blob"},
			{Path: "deploy/values.yaml", Line: 12, Column: 7, Commit: "89abcdef0123456789abcdef0123456789abcdef",
				Author: "=HYPERLINK(\"x\")", Email: "dev2@example.com", Date: t2, Encoding: "base64", Kind: "blob", InHead: true},
		},
	}
	sess := scanner.Finding{
		Fingerprint: scanner.Fingerprint(sessID, sessSecret), KeyID: sessID, KeyType: scanner.SessionKey,
		Secret: sessSecret, SessionToken: scanner.Secret(g.SessionToken()), AccountID: "210987654321",
		Verification: scanner.Verification{Verdict: scanner.Expired, VerifiedAt: t2},
		Locations:    []scanner.Location{{Path: "notes/creds.txt", Line: 1, Column: 1}},
	}
	lone := scanner.Finding{
		Fingerprint: scanner.Fingerprint(loneID, ""), KeyID: loneID, KeyType: scanner.AccessKey, AccountID: "555555555555",
		Verification: scanner.Verification{Verdict: scanner.Unverified},
		Locations:    []scanner.Location{{Path: "lib.jar", Member: "conf/app.properties", Line: 4, Column: 10, Encoding: "zip"}},
	}
	ex := scanner.Finding{
		Fingerprint: scanner.Fingerprint(testkeys.ExampleKeyID, testkeys.ExampleSecret), KeyID: testkeys.ExampleKeyID,
		KeyType: scanner.AccessKey, Secret: testkeys.ExampleSecret, Example: true,
		Verification: scanner.Verification{Verdict: scanner.Unverified},
		Locations:    []scanner.Location{{Path: "README.md", Line: 20, Column: 5}},
	}
	return scanner.Result{
		Target:   "/src/app",
		Findings: []scanner.Finding{sess, lone, ex, live},
		Errors:   []scanner.UnitError{{Unit: "big.zip", Err: "archive too large: zip bomb?"}},
		Notes:    []string{"shallow clone: history before 2024-01-01 is not present"},
		Stats:    scanner.Stats{Files: 42, Bytes: 3 << 20, Duration: 1500 * time.Millisecond},
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		opts Options
	}{
		{"text_tty.golden", Options{Format: "text", TTY: true}},
		{"text_color.golden", Options{Format: "text", TTY: true, Color: true}},
		{"text_plain.golden", Options{Format: "text"}},
		{"report.json.golden", Options{Format: "json", ToolVersion: "1.2.3"}},
		{"report_show.json.golden", Options{Format: "json", ToolVersion: "1.2.3", ShowSecrets: true}},
		{"report.sarif.golden", Options{Format: "sarif", ToolVersion: "1.2.3"}},
		{"report.csv.golden", Options{Format: "csv"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, fixture(), tc.opts); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got := buf.String(); got != string(want) {
				t.Errorf("output differs from %s (run with -update after checking):\n%s", path, got)
			}
		})
	}
}

func TestSecretsRedactedUnlessShown(t *testing.T) {
	res := fixture()
	var plain []string
	for _, f := range res.Findings {
		if f.Secret != "" && !f.Example {
			plain = append(plain, f.Secret.Reveal())
		}
		if f.SessionToken != "" {
			plain = append(plain, f.SessionToken.Reveal())
		}
	}
	for _, format := range Formats {
		for _, show := range []bool{false, true} {
			var buf bytes.Buffer
			if err := Write(&buf, res, Options{Format: format, ShowSecrets: show, TTY: true}); err != nil {
				t.Fatal(err)
			}
			for _, s := range plain {
				leaked := strings.Contains(buf.String(), s)
				wantLeak := show && format != "sarif" && (format == "json" || len(s) == 40)
				if leaked != wantLeak {
					t.Errorf("%s show=%v: secret %.4s… present=%v, want %v", format, show, s, leaked, wantLeak)
				}
			}
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	res := fixture()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, res, Options{ShowSecrets: true}); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != len(res.Findings) {
		t.Fatalf("findings: got %d want %d", len(back.Findings), len(res.Findings))
	}
	for i, f := range res.Findings {
		b := back.Findings[i]
		if b.Fingerprint != f.Fingerprint || b.Secret != f.Secret || b.SessionToken != f.SessionToken ||
			b.Verification.Verdict != f.Verification.Verdict || len(b.Locations) != len(f.Locations) {
			t.Errorf("finding %d changed in round trip: %+v", i, b)
		}
		for j, l := range f.Locations {
			if !b.Locations[j].Date.Equal(l.Date) || b.Locations[j].Path != l.Path || b.Locations[j].Line != l.Line {
				t.Errorf("location %d/%d changed: %+v", i, j, b.Locations[j])
			}
		}
	}
	if back.Errors[0] != res.Errors[0] || back.Target != res.Target {
		t.Errorf("errors/target changed: %+v", back)
	}
}

func TestReadJSONRejects(t *testing.T) {
	for name, in := range map[string]string{
		"not json":       "hello",
		"future version": `{"version": 99, "findings": []}`,
		"no version":     `{"findings": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadJSON(strings.NewReader(in)); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestSARIFLevels(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	var doc sarifLog
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, r := range doc.Runs[0].Results {
		levels[r.Locations[0].PhysicalLocation.ArtifactLocation.URI] = r.Level
		if r.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("startLine < 1 in %+v", r)
		}
	}
	want := map[string]string{"config/prod.env": "error", "README.md": "note", "notes/creds.txt": "warning", "lib.jar": "warning"}
	for uri, lvl := range want {
		if levels[uri] != lvl {
			t.Errorf("%s: level %q, want %q", uri, levels[uri], lvl)
		}
	}
	if len(doc.Runs[0].Results) != 5 {
		t.Errorf("want one result per location (5), got %d", len(doc.Runs[0].Results))
	}
}

func TestCSVFormulaInjection(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, fixture(), Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), ",=HYPERLINK") || strings.Contains(buf.String(), ",\"=HYPERLINK") {
		t.Fatalf("formula cell not neutralised:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "'=HYPERLINK") {
		t.Fatalf("author cell missing:\n%s", buf.String())
	}
}

func TestTextLiveFirstAndColor(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, fixture(), Options{TTY: true, Color: true}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if !strings.Contains(lines[0], "VERDICT") || !strings.Contains(lines[1], "LIVE") || !strings.Contains(lines[1], ansiRed) {
		t.Fatalf("live key not first and red:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteText(&buf, fixture(), Options{TTY: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "\033[") {
		t.Fatal("escape codes without Color")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, fixture(), Options{Format: "xml"}); err == nil {
		t.Fatal("no error for unknown format")
	}
}
