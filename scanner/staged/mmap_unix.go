//go:build unix

package staged

import (
	"os"
	"syscall"
)

// mapFile maps path read-only (git replaces index and pack files by
// renaming new ones into place, never rewrites them, so the mapping stays
// valid); unmap releases it. An empty file gives no bytes. With whole, a
// file that will be read through is mapped in one go where the system can
// (a fault per page costs more than the parse of a 50,000-entry index).
func mapFile(path string, whole bool) (b []byte, unmap func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := fi.Size()
	if size == 0 || size != int64(int(size)) {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	flags := syscall.MAP_SHARED
	if whole {
		flags |= mapPopulate
	}
	b, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, flags)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}
