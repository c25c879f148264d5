package scanner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/keysweep/keysweep/internal/testkeys"
)

// streamed collects ScanReader's matches with a small chunk size.
func streamed(t *testing.T, d *Detector, data []byte, chunk int) []Match {
	t.Helper()
	var got []Match
	err := d.scanReader(context.Background(), "x", bytes.NewReader(data), chunk, func(m Match) { got = append(got, m) })
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestScanReaderMatchesFind(t *testing.T) {
	g := testkeys.New(40)
	var sb strings.Builder
	for i := 0; i < 40; i++ {
		sb.Write(sourceText(uint64(i), 3000+i*17))
		sb.WriteString("\naws_access_key_id=" + g.AccessKeyID() + "\n")
		sb.WriteString("aws_secret_access_key=" + g.Secret() + " ")
	}
	data := []byte(sb.String())
	d := New(Options{Window: 1024})
	want := d.Find(data)
	if len(want) != 40 {
		t.Fatalf("Find found %d keys, want 40", len(want))
	}
	for _, chunk := range []int{4200, 5000, 9999, 1 << 20} {
		got := streamed(t, d, data, chunk)
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d matches, want %d", chunk, len(got), len(want))
		}
		for i := range want {
			w, m := want[i], got[i]
			if m.KeyID != w.KeyID || m.Secret != w.Secret || m.Line != w.Line || m.Column != w.Column || m.Start != w.Start {
				t.Fatalf("chunk %d match %d: got %s %d:%d@%d, want %s %d:%d@%d", chunk, i,
					m.KeyID, m.Line, m.Column, m.Start, w.KeyID, w.Line, w.Column, w.Start)
			}
		}
	}
}

func TestScanReaderLongLine(t *testing.T) {
	g := testkeys.New(41)
	id := g.AccessKeyID()
	data := bytes.Repeat([]byte("abcdefgh "), 600_000) // 5.4 MB, one line
	copy(data[3_000_001:], " "+id+" ")
	d := New(Options{})
	var got []Match
	if err := d.ScanReader(context.Background(), "long", bytes.NewReader(data), func(m Match) { got = append(got, m) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].KeyID != id || got[0].Line != 1 || got[0].Column != 3_000_003 {
		t.Fatalf("got %+v", got)
	}
}

func TestScanReaderErrors(t *testing.T) {
	g := testkeys.New(42)
	data := []byte("id=" + g.AccessKeyID() + "\n" + strings.Repeat("x", 100_000))
	d := New(Options{Window: 1024})
	t.Run("read error keeps earlier matches", func(t *testing.T) {
		boom := errors.New("disk on fire")
		r := io.MultiReader(bytes.NewReader(data), iotest.ErrReader(boom))
		var got []Match
		err := d.scanReader(context.Background(), "f", r, 8192, func(m Match) { got = append(got, m) })
		if !errors.Is(err, boom) || !strings.Contains(err.Error(), "read f") {
			t.Fatalf("err = %v", err)
		}
		if len(got) != 1 {
			t.Fatalf("lost the match: %+v", got)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := d.ScanReader(ctx, "f", bytes.NewReader(data), func(Match) {})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}
