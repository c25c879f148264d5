package scanner

import (
	"encoding/base64"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// corpusValues makes the credentials the corpus templates name: IDn (AKIA),
// SIDn (ASIA), SECRETn (with + and /), TOKENn, TAILn (16 base32 chars).
// They are generated at test time from a fixed seed: never real keys.
func corpusValues() map[string]string {
	g := testkeys.New(70)
	v := map[string]string{}
	for i := 1; i <= 4; i++ {
		n := fmt.Sprint(i)
		v["ID"+n] = g.AccessKeyID()
		v["SID"+n] = g.SessionKeyID()
		s := g.Secret()
		for !strings.Contains(s, "/") || !strings.Contains(s, "+") {
			s = g.Secret()
		}
		v["SECRET"+n] = s
		v["TOKEN"+n] = g.SessionToken()
		v["TAIL"+n] = g.AccessKeyID()[4:]
	}
	v["FILLER50"] = strings.Repeat("var _ = fmt.Sprintf(\"%d\", 42) // unrelated code\n", 50)
	return v
}

// expand fills a template's placeholders, {{B64:X}}, {{JSON:X}} and
// {{URL:X}} with X encoded.
func expand(t *testing.T, tmpl string, v map[string]string) string {
	placeholder := regexp.MustCompile(`\{\{(?:(B64|JSON|URL):)?([A-Z0-9]+)\}\}`)
	return placeholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		val, ok := v[sub[2]]
		if !ok {
			t.Fatalf("unknown placeholder %s", m)
		}
		switch sub[1] {
		case "B64":
			return base64.StdEncoding.EncodeToString([]byte(val))
		case "JSON":
			return strings.ReplaceAll(val, "/", `\/`)
		case "URL":
			return url.QueryEscape(val)
		}
		return val
	})
}

// describe prints matches with generated values named back.
func describe(ms []Match, v map[string]string) string {
	name := func(s string) string {
		for k, x := range v {
			if x == s {
				return k
			}
		}
		if s == "" {
			return "-"
		}
		return s
	}
	var sb strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&sb, "%d:%d %s secret=%s", m.Line, m.Column, name(m.KeyID), name(m.Secret.Reveal()))
		if m.SessionToken != "" {
			fmt.Fprintf(&sb, " token=%s", name(m.SessionToken.Reveal()))
		}
		for _, c := range m.Candidates {
			fmt.Fprintf(&sb, " candidate=%s", name(c.Reveal()))
		}
		if m.Encoding != "" {
			fmt.Fprintf(&sb, " encoding=%s", m.Encoding)
		}
		if m.Member != "" {
			fmt.Fprintf(&sb, " member=%s", m.Member)
		}
		if m.Example {
			sb.WriteString(" example")
		}
		sb.WriteByte('\n')
	}
	if sb.Len() == 0 {
		return "no matches\n"
	}
	return sb.String()
}

// TestCorpus runs ScanBlob over realistic files (testdata/corpus, keys
// filled in at test time) and compares with the .golden files; run with
// -update to rewrite them after a deliberate change, then review the diff.
func TestCorpus(t *testing.T) {
	v := corpusValues()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		for _, ex := range []bool{false, true} {
			name := filepath.Base(f)
			if ex {
				if name != "examples.md" {
					continue
				}
				name += "+examples"
			}
			t.Run(name, func(t *testing.T) {
				tmpl, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				data := []byte(expand(t, string(tmpl), v))
				ms, err := New(Options{IncludeExamples: ex}).ScanBlob(name, data)
				if err != nil {
					t.Fatal(err)
				}
				got := describe(ms, v)
				golden := filepath.Join("testdata", "corpus", name+".golden")
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s:\ngot:\n%swant:\n%s", name, got, want)
				}
			})
		}
	}
}
