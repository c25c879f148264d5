//go:build unix

package dir

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
)

func TestScanSpecialFile(t *testing.T) {
	root := t.TempDir()
	write(t, root, "a.txt", []byte(testkeys.New(65).AccessKeyID()))
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	res, err := scanT(t, Options{Root: root}) // would hang if the FIFO were opened
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || len(res.Errors) != 1 || res.Errors[0].Unit != "pipe" ||
		!strings.Contains(res.Errors[0].Err, "not a regular file") {
		t.Fatalf("findings %d errors %+v", len(res.Findings), res.Errors)
	}
}
