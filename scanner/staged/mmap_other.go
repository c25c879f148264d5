//go:build !unix

package staged

import "os"

// mapFile reads path whole (no mapping on this system).
func mapFile(path string, whole bool) (b []byte, unmap func(), err error) {
	b, err = os.ReadFile(path)
	return b, func() {}, err
}
