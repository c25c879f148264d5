package scanner

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
)

// want is what one test expects of one match.
type want struct {
	id, secret string
	line, col  int
	example    bool
}

func checkMatches(t *testing.T, b []byte, got []Match, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d matches, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		m := got[i]
		if m.KeyID != w.id {
			t.Errorf("match %d: key %q, want %q", i, m.KeyID, w.id)
		}
		if m.Secret.Reveal() != w.secret {
			t.Errorf("match %d: secret %q, want %q", i, m.Secret.Reveal(), w.secret)
		}
		if w.line != 0 && (m.Line != w.line || m.Column != w.col) {
			t.Errorf("match %d: at %d:%d, want %d:%d", i, m.Line, m.Column, w.line, w.col)
		}
		if m.Example != w.example {
			t.Errorf("match %d: example %v, want %v", i, m.Example, w.example)
		}
		if m.Encoding == "" && m.Member == "" && string(b[m.Start:m.End]) != m.KeyID {
			t.Errorf("match %d: b[%d:%d] = %q, not the key", i, m.Start, m.End, b[m.Start:m.End])
		}
	}
}

func TestFindKeyIDs(t *testing.T) {
	g := testkeys.New(10)
	ak, as, ab, ac := g.AccessKeyID(), g.SessionKeyID(), g.KeyID("ABIA", g.Account()), g.KeyID("ACCA", g.Account())
	legacy := "A3T" + g.AccessKeyID()[3:]
	legacyDigit := "A3T9" + ak[4:]
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"AKIA alone", "key = " + ak + "\n", []want{{id: ak, line: 1, col: 7}}},
		{"ASIA", "x\n  \"" + as + "\"", []want{{id: as, line: 2, col: 4}}},
		{"ABIA", ab, []want{{id: ab, line: 1, col: 1}}},
		{"ACCA", "(" + ac + ")", []want{{id: ac}}},
		{"legacy A3T", "id: " + legacy, []want{{id: legacy}}},
		{"legacy A3T digit", "id: " + legacyDigit, []want{{id: legacyDigit}}},
		{"two keys", ak + " " + as, []want{{id: ak}, {id: as}}},
		{"preceding alphanumeric", "X" + ak, nil},
		{"preceding lower", "x" + ak, nil},
		{"following alphanumeric", ak + "b", nil},
		{"21-char run", ak + "Q", nil},
		{"19-char run", ak[:19] + " ", nil},
		{"non-base32 tail", ak[:10] + "8" + ak[11:], nil},
		{"AIDA user id", "AIDA" + ak[4:], nil},
		{"AROA role id", "AROA" + ak[4:], nil},
		{"AGPA group id", "AGPA" + ak[4:], nil},
		{"ANPA policy id", "ANPA" + ak[4:], nil},
		{"placeholder X", "AKIAXXXXXXXXXXXXXXXX", nil},
		{"placeholder few chars", "AKIAABABABABABABABAB", nil},
		{"placeholder angle", "aws_access_key_id = <YOUR_ACCESS_KEY>", nil},
		{"placeholder var", "aws_access_key_id = ${AWS_ACCESS_KEY_ID}", nil},
		{"example id dropped", testkeys.ExampleKeyID, nil},
		{"allow marker", ak + " # keysweep:allow", nil},
		{"allow marker other line", "# keysweep:allow\n" + ak, []want{{id: ak, line: 2, col: 1}}},
		{"underscore boundary", "ID_" + ak + "_X", []want{{id: ak}}},
		{"at end of buffer", strings.Repeat("a ", 30) + ak, []want{{id: ak, line: 1, col: 61}}},
		{"invalid utf-8 around", "\xff\xfe\xc3(" + ak + "\x80\xbf", []want{{id: ak, line: 1, col: 5}}},
		{"NUL bytes around", "\x00\x00" + ak + "\x00", []want{{id: ak, line: 1, col: 3}}},
	}
	d := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.text)
			checkMatches(t, b, d.Find(b), tt.want)
		})
	}
}

func TestFindExamples(t *testing.T) {
	text := fmt.Sprintf("aws_access_key_id=%s\naws_secret_access_key=%s\n", testkeys.ExampleKeyID, testkeys.ExampleSecret)
	if got := New(Options{}).Find([]byte(text)); len(got) != 0 {
		t.Fatalf("example reported without IncludeExamples: %+v", got)
	}
	got := New(Options{IncludeExamples: true}).Find([]byte(text))
	checkMatches(t, []byte(text), got, []want{{id: testkeys.ExampleKeyID, secret: testkeys.ExampleSecret, example: true}})
	other := "AKIAI44QH8DHBEXAMPLE"
	got = New(Options{IncludeExamples: true}).Find([]byte(other))
	checkMatches(t, []byte(other), got, []want{{id: other, example: true}})
}

func TestScanBlobBase64(t *testing.T) {
	g := testkeys.New(11)
	id, sec := g.AccessKeyID(), g.Secret()
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	k8s := "apiVersion: v1\nkind: Secret\ndata:\n  AWS_ACCESS_KEY_ID: " + enc(id) + "\n  AWS_SECRET_ACCESS_KEY: " + enc(sec) + "\n"
	d := New(Options{})
	ms, err := d.ScanBlob("secret.yaml", []byte(k8s))
	if err != nil {
		t.Fatal(err)
	}
	checkMatches(t, []byte(k8s), ms, []want{{id: id, secret: sec, line: 4, col: 22}})
	if ms[0].Encoding != "base64" {
		t.Errorf("encoding %q", ms[0].Encoding)
	}
	for shift := 0; shift < 3; shift++ {
		payload := strings.Repeat("x", shift) + "aws_access_key_id=" + id + "\naws_secret_access_key=" + sec + "\n"
		text := "blob: " + enc(payload) + "\n"
		ms, err := d.ScanBlob("b", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		checkMatches(t, []byte(text), ms, []want{{id: id, secret: sec}})
	}
}
