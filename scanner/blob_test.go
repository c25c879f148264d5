package scanner

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/keysweep/keysweep/internal/testkeys"
)

// zipOf makes a zip of name, body, name, body… in that order.
func zipOf(t *testing.T, files ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		w, err := zw.Create(files[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[i+1].([]byte))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func tarOf(t *testing.T, name string, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func utf16Of(s string, bigEndian bool) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestScanBlobViews(t *testing.T) {
	g := testkeys.New(30)
	id, sec := g.AccessKeyID(), g.Secret()
	for !strings.Contains(sec, "+") || !strings.Contains(sec, "/") { // exercise escaping
		sec = g.Secret()
	}
	creds := "aws_access_key_id = " + id + "\naws_secret_access_key = " + sec + "\n"
	b64 := base64.StdEncoding.EncodeToString
	jsonSec := strings.ReplaceAll(sec, "/", `\/`)
	uSec := strings.ReplaceAll(strings.ReplaceAll(sec, "/", `\u002F`), "+", `\u002b`)
	inner := zipOf(t, "conf/app.properties", []byte(creds))
	tests := []struct {
		name, enc, member string
		data              []byte
		line, col         int
	}{
		{"plain", "", "", []byte(creds), 1, 21},
		{"base64 blob", "base64", "", []byte("# header\nblob: " + b64([]byte(creds)) + "\n"), 2, 34},
		{"kubernetes secret", "base64", "", []byte("kind: Secret\ndata:\n  id: " + b64([]byte(id)) + "\n  key: " + b64([]byte(sec)) + "\n"), 3, 7},
		{"url", "url", "", []byte("https://x.test/?id=" + id + "&secret=" + url.QueryEscape(sec)), 1, 20},
		{"json slash", "json", "", []byte(`{"id":"` + id + `","secret":"` + jsonSec + `"}`), 1, 8},
		{"json unicode", "json", "", []byte(`{"id":"` + id + `","secret":"` + uSec + `"}`), 1, 8},
		{"utf16le bom", "utf16", "", append([]byte{0xff, 0xfe}, utf16Of(creds, false)...), 1, 43},
		{"utf16be", "utf16", "", utf16Of(creds, true), 1, 42},
		{"zip", "zip", "conf/app.properties", zipOf(t, "conf/app.properties", []byte(creds)), 1, 21},
		{"jar in zip", "zip>zip", "lib/app.jar!conf/app.properties", zipOf(t, "lib/app.jar", inner), 1, 21},
		{"tar.gz", "gzip>tar", "etc/creds", gzipOf(t, tarOf(t, "etc/creds", []byte(creds))), 1, 21},
		{"gzip of base64", "gzip>base64", "", gzipOf(t, []byte("x="+b64([]byte(creds)))), 1, 30},
	}
	d := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := d.ScanBlob("unit", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 {
				t.Fatalf("got %d matches: %+v", len(ms), ms)
			}
			m := ms[0]
			if m.KeyID != id || m.Secret.Reveal() != sec {
				t.Errorf("got %s / %q, want the planted pair", m.KeyID, m.Secret.Reveal())
			}
			if m.Encoding != tt.enc || m.Member != tt.member {
				t.Errorf("encoding %q member %q, want %q %q", m.Encoding, m.Member, tt.enc, tt.member)
			}
			if m.Line != tt.line || m.Column != tt.col {
				t.Errorf("at %d:%d, want %d:%d", m.Line, m.Column, tt.line, tt.col)
			}
		})
	}
}

func TestScanBlobLimits(t *testing.T) {
	g := testkeys.New(31)
	id := g.AccessKeyID()
	small := New(Options{MaxMemberSize: 1 << 20, MaxArchiveSize: 2 << 20})
	for _, order := range []string{"key first", "bomb first"} {
		t.Run("zip bomb "+order, func(t *testing.T) {
			bomb := zipOf(t, "a.txt", []byte("id="+id+"\n"), "zeros", make([]byte, 8<<20))
			if order == "bomb first" {
				bomb = zipOf(t, "zeros", make([]byte, 8<<20), "a.txt", []byte("id="+id+"\n"))
			}
			ms, err := small.ScanBlob("bomb.zip", bomb)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %v, want ErrLimit", err)
			}
			if !strings.Contains(err.Error(), "bomb.zip") || !strings.Contains(err.Error(), "zeros") {
				t.Errorf("error %q does not name the unit and member", err)
			}
			if len(ms) != 1 || ms[0].KeyID != id {
				t.Fatalf("other members' matches lost: %+v", ms)
			}
		})
	}
	t.Run("many members spend the budget", func(t *testing.T) {
		var files []any
		for i := 0; i < 5; i++ {
			files = append(files, fmt.Sprintf("m%d", i), make([]byte, 900<<10))
		}
		_, err := small.ScanBlob("many.zip", zipOf(t, files...))
		if !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v, want ErrLimit", err)
		}
	})
	t.Run("gzip bomb", func(t *testing.T) {
		_, err := small.ScanBlob("bomb.gz", gzipOf(t, make([]byte, 4<<20)))
		if !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v, want ErrLimit", err)
		}
	})
	t.Run("corrupt zip", func(t *testing.T) {
		data := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xee}, 100)...)
		if _, err := small.ScanBlob("bad.zip", data); err == nil {
			t.Fatal("no error for a corrupt zip")
		}
	})
	t.Run("truncated gzip keeps what was read", func(t *testing.T) {
		gz := gzipOf(t, []byte("id="+id+"\n"+strings.Repeat("filler line\n", 1000)))
		ms, err := small.ScanBlob("cut.gz", gz[:len(gz)-10])
		if err == nil {
			t.Fatal("no error for a truncated gzip")
		}
		if len(ms) != 1 {
			t.Fatalf("lost the key read before the cut: %+v", ms)
		}
	})
	t.Run("depth", func(t *testing.T) {
		data := []byte("id=" + id)
		for i := 0; i < 6; i++ {
			data = gzipOf(t, data)
		}
		ms, _ := New(Options{MaxDepth: 3}).ScanBlob("deep", data)
		if len(ms) != 0 {
			t.Fatalf("found beyond max depth: %+v", ms)
		}
	})
}

func TestScanBlobPlainText(t *testing.T) {
	ms, err := New(Options{}).ScanBlob("src.go", sourceText(3, 1<<20))
	if err != nil || len(ms) != 0 {
		t.Fatalf("false positives in plain source: %v %+v", err, ms)
	}
}

func TestScanBlobBase64Gate(t *testing.T) {
	g := testkeys.New(32)
	b64 := base64.StdEncoding.EncodeToString
	legacy := "A3T" + g.AccessKeyID()[3:]
	ak := g.AccessKeyID()
	// a long base64 blob of upper-case text (a chain of gate hits far
	// longer than the window) with the key at its very end
	long := strings.Repeat("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG ", 2000) + "id=" + ak
	tests := []struct{ name, text, id string }{
		{"legacy A3T", "v: " + b64([]byte("id="+legacy)), legacy},
		{"key past the window in a long blob", "blob: " + b64([]byte(long)) + "\n", ak},
		{"unpadded", "v: " + strings.TrimRight(b64([]byte(ak+" ")), "="), ak},
	}
	d := New(Options{Window: 4096})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := d.ScanBlob("x", []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].KeyID != tt.id || ms[0].Encoding != "base64" {
				t.Fatalf("got %+v", ms)
			}
		})
	}
}

func TestScanBlobWrappedBase64(t *testing.T) {
	g := testkeys.New(33)
	id, sec := g.AccessKeyID(), g.Secret()
	// the key ID (bytes 45..64) lands across the first line break of the
	// wrapped encoding (after 76 characters: 57 bytes)
	creds := strings.Repeat("#", 24) + "\naws_access_key_id = " + id + "\naws_secret_access_key = " + sec + "\n"
	enc := base64.StdEncoding.EncodeToString([]byte(creds))
	for _, eol := range []string{"\n", "\r\n"} {
		var wrapped strings.Builder
		for i := 0; i < len(enc); i += 76 {
			wrapped.WriteString(enc[i:min(i+76, len(enc))] + eol)
		}
		text := "-----BEGIN CREDS-----" + eol + wrapped.String() + "-----END CREDS-----" + eol
		ms, err := New(Options{}).ScanBlob("x", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].KeyID != id || ms[0].Secret.Reveal() != sec || ms[0].Encoding != "base64" || ms[0].Line < 2 || ms[0].Line > 3 {
			t.Fatalf("eol %q: got %+v", eol, ms)
		}
	}
}

// TestBase64GateEveryOffset moves a base64-encoded key across every offset
// (and alignment) behind fillers that stress the gate's skipping: the key
// is always found.
func TestBase64GateEveryOffset(t *testing.T) {
	g := testkeys.New(34)
	d := New(Options{})
	for pre := 0; pre < 80; pre++ {
		for _, fill := range []string{"x", "QUtJ", "R10 ", "\n", "Tk"} {
			id := g.AccessKeyID()
			payload := strings.Repeat("y", pre%3) + "id=" + id + " "
			text := strings.Repeat(fill, pre) + " " + base64.StdEncoding.EncodeToString([]byte(payload)) + " " + strings.Repeat(fill, 30+pre%7)
			ms, err := d.ScanBlob("x", []byte(text))
			if err != nil || len(ms) != 1 || ms[0].KeyID != id {
				t.Fatalf("offset %d after %q: %v %+v", pre, fill, err, ms)
			}
		}
	}
}
