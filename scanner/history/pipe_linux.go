package history

import (
	"io"
	"syscall"
)

// growPipe asks Linux for a 1 MiB pipe buffer (default 64 KiB) between git
// and us: fewer, larger reads and writes and fewer context switches. Best
// effort: failures are ignored.
func growPipe(r io.Reader) {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		const fSetPipeSz = 1031 // F_SETPIPE_SZ
		syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSz, 1<<20)
	})
}
