package cli

import (
	"bytes"
	"encoding/json"
	"sync"
)

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a
// progress goroutine and the command.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func jsonValid(s string) bool { return json.Valid([]byte(s)) && len(s) > 0 }
