package staged

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestStagedBigBlob stages a file larger than window, with keys on both
// sides of chunk and window edges and after a line longer than a window:
// it is streamed, and every key is found once, at its line and column in
// the whole file.
func TestStagedBigBlob(t *testing.T) {
	r := newRepo(t)
	var b strings.Builder
	want := map[string][]string{}
	line := 1
	filler := func(until int) {
		for b.Len() < until {
			b.WriteString(strings.Repeat("x", 999) + "\n")
			line++
		}
	}
	plant := func(seed uint64, prefix string) {
		c := newCred(seed)
		want[c.id] = []string{fmt.Sprintf("big.ini:%d:false:staged", line+1)}
		b.WriteString("[default]\n" + prefix + "aws_access_key_id = " + c.id + "\naws_secret_access_key = " + c.secret + "\n")
		line += 3
	}
	plant(11, "")
	for _, edge := range []int{4 << 20, window, 2 * window} {
		filler(edge - 40) // the key ID straddles the edge
		plant(uint64(edge), "")
	}
	b.WriteString(strings.Repeat("y", window+100) + "\n") // one line across a whole window
	line++
	plant(99, "")
	r.Write("big.ini", b.String())
	r.Git("add", "big.ini")
	res := scanStaged(t, r.Dir)
	if got := summary(res); !reflect.DeepEqual(got, want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	for _, f := range res.Findings {
		if c := f.Locations[0].Column; c != len("aws_access_key_id = ")+1 {
			t.Errorf("%s: column %d, want %d", f.KeyID, c, len("aws_access_key_id = ")+1)
		}
	}
	if len(res.Errors) != 0 || len(res.Notes) != 0 {
		t.Errorf("errors %v, notes %v", res.Errors, res.Notes)
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
