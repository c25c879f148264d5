package cli

import (
	"os"

	"golang.org/x/term"
)

// StdIO returns the process's standard streams with terminal detection.
func StdIO() *IO {
	return &IO{
		In:       os.Stdin,
		Out:      os.Stdout,
		Err:      os.Stderr,
		OutIsTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrIsTTY: term.IsTerminal(int(os.Stderr.Fd())),
		InIsTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		Getenv:   os.Getenv,
	}
}
