package history

import (
	"fmt"
	"strings"
	"sync"

	"github.com/keysweep/keysweep/scanner"
)

// maxNotesPerKind caps the notes of one kind (submodules, LFS pointers) so a
// repository with thousands of them does not drown the report; the rest are
// counted in one summary note.
const maxNotesPerKind = 20

// noter forwards notes to the collector once per key, at most
// maxNotesPerKind per kind (the part of the key before ':'). Safe for
// concurrent use.
type noter struct {
	col     *scanner.Collector
	mu      sync.Mutex
	seen    map[string]bool
	perKind map[string]int
}

func newNoter(col *scanner.Collector) *noter {
	return &noter{col: col, seen: make(map[string]bool), perKind: make(map[string]int)}
}

// add records note under key; a key already noted is ignored.
func (n *noter) add(key, note string) {
	kind, _, _ := strings.Cut(key, ":")
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[key] {
		return
	}
	n.seen[key] = true
	n.perKind[kind]++
	if n.perKind[kind] <= maxNotesPerKind {
		n.col.Note(note)
	}
}

// flush adds one note per kind that went over the cap.
func (n *noter) flush() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for kind, c := range n.perKind {
		if c > maxNotesPerKind {
			n.col.Note(fmt.Sprintf("%d more %s notes not listed", c-maxNotesPerKind, kind))
		}
	}
}
