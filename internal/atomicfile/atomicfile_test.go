package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		old  string // "" = no file before
		perm os.FileMode
	}{
		{name: "new private file", perm: 0o600},
		{name: "replaces a looser file", old: "old content", perm: 0o600},
		{name: "public file", old: "old", perm: 0o644},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f.json")
			if tc.old != "" {
				if err := os.WriteFile(p, []byte(tc.old), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(p, []byte("new"), tc.perm); err != nil {
				t.Fatalf("Write: %v", err)
			}
			b, err := os.ReadFile(p)
			if err != nil || string(b) != "new" {
				t.Fatalf("content = %q, %v; want %q", b, err, "new")
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tc.perm {
				t.Errorf("mode = %o, want %o", got, tc.perm)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want only the file (temporary left behind?)", len(entries))
			}
		})
	}
}

func TestWriteFailureKeepsOld(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to write
	}{
		{name: "missing directory", setup: func(t *testing.T, dir string) string {
			return filepath.Join(dir, "nope", "f")
		}},
		{name: "path is a directory", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "d")
			if err := os.MkdirAll(filepath.Join(p, "child"), 0o700); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := tc.setup(t, dir)
			if err := Write(p, []byte("x"), 0o600); err == nil {
				t.Fatal("Write succeeded, want an error")
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if filepath.Ext(e.Name()) == ".tmp" {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
}
