package scanner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
)

func TestFindPairsSecrets(t *testing.T) {
	g := testkeys.New(20)
	id1, id2 := g.AccessKeyID(), g.AccessKeyID()
	s1, s2, s3 := g.Secret(), g.Secret(), g.Secret()
	filler := func(n int) string { return strings.Repeat("some_code(a, b) // nothing here\n", n) }
	sha1 := "da39a3ee5e6b4b0d3255bfef95601890afd80709"
	tests := []struct {
		name  string
		text  string
		want  []want
		cands [][]string // Candidates per match, when checked
	}{
		{"credentials file", "[default]\naws_access_key_id = " + id1 + "\naws_secret_access_key = " + s1 + "\n",
			[]want{{id: id1, secret: s1, line: 2, col: 21}}, nil},
		{"secret before id", "aws_secret_access_key = " + s1 + "\naws_access_key_id = " + id1 + "\n",
			[]want{{id: id1, secret: s1}}, nil},
		{"csv row", "Access key ID,Secret access key\n" + id1 + "," + s1 + "\n",
			[]want{{id: id1, secret: s1, line: 2, col: 1}}, nil},
		{"50 lines apart", "id: " + id1 + "\n" + filler(50) + "secret: " + s1 + "\n",
			[]want{{id: id1, secret: s1}}, nil},
		{"keyword beats nearer", "id = " + id1 + "\nother = " + s2 + "\n" + filler(5) + "SecretAccessKey: " + s1 + "\n",
			[]want{{id: id1, secret: s1}}, [][]string{{s2}}},
		{"two profiles", "[a]\naws_access_key_id=" + id1 + "\naws_secret_access_key=" + s1 + "\n[b]\naws_access_key_id=" + id2 + "\naws_secret_access_key=" + s2 + "\n",
			[]want{{id: id1, secret: s1}, {id: id2, secret: s2}}, nil},
		{"two pairs secret first", "secret=" + s1 + "\nid=" + id1 + "\nsecret=" + s2 + "\nid=" + id2 + "\n",
			[]want{{id: id1, secret: s1}, {id: id2, secret: s2}}, nil},
		{"same id twice one secret", id1 + "\n" + id1 + "\nsecret: " + s1,
			[]want{{id: id1, secret: s1}, {id: id1, secret: s1}}, nil},
		{"sha1 is not a secret", "id=" + id1 + " commit " + sha1, []want{{id: id1}}, nil},
		{"lower only is not a secret", "id=" + id1 + " " + strings.Repeat("abcdefghij", 4), []want{{id: id1}}, nil},
		{"41 chars is not a secret", "id=" + id1 + " " + s1 + "A", []want{{id: id1}}, nil},
		{"placeholder secret", "id=" + id1 + " secret=" + s1[:20] + "zzzzzzzzzzzzzzzzzzzz", []want{{id: id1}}, nil},
		{"example secret with real id", "id=" + id1 + " secret=" + testkeys.ExampleSecret, []want{{id: id1}}, nil},
		{"candidates ranked", "id=" + id1 + "\nsecret=" + s1 + "\nx=" + s2 + "\n" + filler(3) + "y=" + s3,
			[]want{{id: id1, secret: s1}}, [][]string{{s2, s3}}},
		{"secret out of window", "id=" + id1 + "\n" + filler(700) + "secret=" + s1, []want{{id: id1}}, nil},
	}
	d := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.text)
			got := d.Find(b)
			checkMatches(t, b, got, tt.want)
			for i, cs := range tt.cands {
				var have []string
				for _, c := range got[i].Candidates {
					have = append(have, c.Reveal())
				}
				if fmt.Sprint(have) != fmt.Sprint(cs) {
					t.Errorf("match %d candidates %v, want %v", i, have, cs)
				}
			}
		})
	}
}

func TestLoneSecretNotReported(t *testing.T) {
	g := testkeys.New(21)
	b := []byte("aws_secret_access_key = " + g.Secret() + "\n")
	if got := New(Options{}).Find(b); len(got) != 0 {
		t.Fatalf("lone secret reported: %+v", got)
	}
}

func TestFindSessionToken(t *testing.T) {
	g := testkeys.New(22)
	as, ak, sec, tok := g.SessionKeyID(), g.AccessKeyID(), g.Secret(), g.SessionToken()
	tests := []struct {
		name, text string
		token      bool
	}{
		{"ini", "aws_access_key_id=" + as + "\naws_secret_access_key=" + sec + "\naws_session_token=" + tok + "\n", true},
		{"json", `{"AccessKeyId":"` + as + `","SecretAccessKey":"` + sec + `","SessionToken":"` + tok + `"}`, true},
		{"security_token", "id=" + as + "\nsecurity_token = " + tok, true},
		{"no keyword but token prefix", "id=" + as + "\n" + tok, true},
		{"long blob without keyword", "id=" + as + "\nblob=" + strings.Repeat("QmFzZTY0", 30), false},
		{"AKIA gets no token", "id=" + ak + "\naws_session_token=" + tok, false},
	}
	d := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.Find([]byte(tt.text))
			if len(got) != 1 {
				t.Fatalf("got %d matches", len(got))
			}
			if has := got[0].SessionToken != ""; has != tt.token {
				t.Fatalf("token present %v, want %v", has, tt.token)
			}
			if tt.token && got[0].SessionToken.Reveal() != tok {
				t.Fatalf("token %q…, want the planted one", got[0].SessionToken.Reveal()[:20])
			}
		})
	}
}

func TestAccountAndCanary(t *testing.T) {
	g := testkeys.New(23)
	for _, acct := range []uint64{123456789012, 100000000000, 999999999999, 52310077262} {
		id := g.KeyID("AKIA", acct)
		got, ok := AccountID(id)
		if !ok || got != fmt.Sprintf("%012d", acct) {
			t.Errorf("AccountID(%s) = %q, %v; want %012d", id, got, ok, acct)
		}
	}
	if _, ok := AccountID(testkeys.ExampleKeyID); ok {
		t.Error("old-format ID decoded to an account")
	}
	if _, ok := AccountID("short"); ok {
		t.Error("short ID decoded")
	}
	canary, _ := AccountID(g.KeyID("AKIA", 52310077262))
	if !IsCanary(canary) {
		t.Errorf("%s not a canary account", canary)
	}
	if IsCanary("123456789012") || IsCanary("") {
		t.Error("ordinary account flagged as canary")
	}
}

func TestFindManyPairs(t *testing.T) {
	g := testkeys.New(24)
	var sb strings.Builder
	ids, secs := make([]string, 3000), make([]string, 3000)
	for i := range ids {
		ids[i], secs[i] = g.AccessKeyID(), g.Secret()
		fmt.Fprintf(&sb, "%s,%s\n", ids[i], secs[i])
	}
	b := []byte(sb.String())
	ms := New(Options{}).Find(b)
	if len(ms) != len(ids) {
		t.Fatalf("%d matches, want %d", len(ms), len(ids))
	}
	for i, m := range ms {
		if m.KeyID != ids[i] || m.Secret.Reveal() != secs[i] {
			t.Fatalf("row %d paired %s with the wrong secret", i+1, m.KeyID)
		}
	}
}

// TestDetectorConcurrent runs one Detector from many goroutines (go test
// -race checks it shares no mutable state).
func TestDetectorConcurrent(t *testing.T) {
	g := testkeys.New(25)
	d := New(Options{})
	texts := make([][]byte, 8)
	for i := range texts {
		texts[i] = []byte(fmt.Sprintf("id=%s\nsecret=%s\n", g.AccessKeyID(), g.Secret()))
	}
	done := make(chan error)
	for _, b := range texts {
		go func() {
			for k := 0; k < 50; k++ {
				if ms, err := d.ScanBlob("x", b); err != nil || len(ms) != 1 || ms[0].Secret == "" {
					done <- fmt.Errorf("got %v %+v", err, ms)
					return
				}
			}
			done <- nil
		}()
	}
	for range texts {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
