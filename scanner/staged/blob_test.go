package staged

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

// tokenScanner reports every "TOKEN" with its offsets, line and column,
// so that window arithmetic can be checked against a whole-buffer scan.
type tokenScanner struct{}

func (tokenScanner) ScanBlob(path string, data []byte) ([]scanner.Match, error) {
	var ms []scanner.Match
	off := 0
	for {
		i := bytes.Index(data[off:], []byte("TOKEN"))
		if i < 0 {
			return ms, nil
		}
		s := off + i
		line := bytes.Count(data[:s], []byte{'\n'}) + 1
		col := s - (bytes.LastIndexByte(data[:s], '\n') + 1) + 1
		ms = append(ms, scanner.Match{KeyID: "TOKEN", Start: s, End: s + 5, Line: line, Column: col})
		off = s + 5
	}
}

func TestScanWindows(t *testing.T) {
	var b bytes.Buffer
	// Tokens around every window edge and inside overlaps, on long and
	// short lines, so line and column carry across windows.
	line := strings.Repeat("x", 1000) + "\n"
	for b.Len() < 3*window {
		b.WriteString(line)
	}
	data := b.Bytes()
	for _, at := range []int{0, window - overlap - 3, window - overlap, window - 2, window + 7, 2*window - overlap - 1, 2*window - 2*overlap, len(data) - 6} {
		copy(data[at:], "TOKEN")
	}
	long := bytes.Repeat([]byte("y"), window+100) // one line across a whole window
	data = append(data, long...)
	copy(data[len(data)-50:], "TOKEN")

	want, _ := tokenScanner{}.ScanBlob("f", data)
	got, err := scanWindows(tokenScanner{}, "f", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("windowed scan differs:\n got %d matches %+v\nwant %d matches %+v", len(got), got, len(want), want)
	}
}

func TestIsArchive(t *testing.T) {
	tar := make([]byte, 512)
	copy(tar[257:], "ustar")
	tests := map[string]struct {
		head []byte
		want bool
	}{
		"zip":  {[]byte("PK\x03\x04rest"), true},
		"gzip": {[]byte{0x1f, 0x8b, 8, 0}, true},
		"tar":  {tar, true},
		"text": {[]byte("hello world"), false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := isArchive(tt.head); got != tt.want {
				t.Errorf("isArchive = %v", got)
			}
		})
	}
}
