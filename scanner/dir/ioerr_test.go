package dir

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// failingFile reads the real file but fails with err after n bytes.
type failingFile struct {
	*os.File
	n   int64
	err error
}

func (f *failingFile) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	k, err := f.File.Read(p)
	f.n -= int64(k)
	return k, err
}

// TestScanIOErrors covers files that cannot be opened or fail mid-read,
// small (read whole) and large (streamed): each is a unit error, the other
// files are scanned, keys read before a streaming failure are kept. (It
// stands in for chmod 000 files, which do not stop root.)
func TestScanIOErrors(t *testing.T) {
	g := testkeys.New(66)
	root := t.TempDir()
	okID, bigID := g.AccessKeyID(), g.AccessKeyID()
	write(t, root, "ok.txt", []byte(okID))
	write(t, root, "denied.txt", []byte(g.AccessKeyID()))
	write(t, root, "eio-small.txt", []byte(strings.Repeat("x", 100)+g.AccessKeyID()))
	write(t, root, "eio-big.txt", []byte(bigID+strings.Repeat(" filler", 2<<20)))
	open := func(p string) (file, error) {
		switch filepath.Base(p) {
		case "denied.txt":
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrPermission}
		case "eio-small.txt":
			f, err := os.Open(p)
			return &failingFile{File: f, n: 10, err: syscall.EIO}, err
		case "eio-big.txt":
			f, err := os.Open(p)
			return &failingFile{File: f, n: 12 << 20, err: syscall.EIO}, err
		}
		return os.Open(p)
	}
	col := scanner.NewCollector(nil)
	err := scan(context.Background(), scanner.New(scanner.Options{}), col, Options{Root: root, MaxBlob: 1 << 20}, open)
	if err != nil {
		t.Fatal(err)
	}
	res := col.Result()
	var found []string
	for _, f := range res.Findings {
		found = append(found, f.KeyID)
	}
	all := strings.Join(found, " ")
	if len(found) != 2 || !strings.Contains(all, okID) || !strings.Contains(all, bigID) {
		t.Errorf("found %v, want the readable key and the one read before the failure", found)
	}
	want := map[string]string{"denied.txt": "permission denied", "eio-small.txt": "input/output error", "eio-big.txt": "input/output error"}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if !strings.Contains(e.Err, want[e.Unit]) || !strings.Contains(e.Err, e.Unit) {
			t.Errorf("error for %s: %q", e.Unit, e.Err)
		}
	}
}
