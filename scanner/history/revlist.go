package history

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// revList returns the commits reachable from tips and not from excl, as
// `git rev-list --stdin` computes them.
func (s *scan) revList(ctx context.Context, tips []tip, excl []plumbing.Hash) (map[plumbing.Hash]bool, error) {
	var in strings.Builder
	for _, t := range tips {
		in.WriteString(t.hash.String() + "\n")
	}
	in.WriteString("--not\n")
	for _, h := range excl {
		in.WriteString(h.String() + "\n")
	}
	cmd := exec.CommandContext(ctx, s.gitBin, "-C", s.opts.Path, "rev-list", "--stdin")
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4096}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git rev-list: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	inc := make(map[plumbing.Hash]bool)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if line := sc.Text(); plumbing.IsHash(line) {
			inc[plumbing.NewHash(line)] = true
		}
	}
	return inc, nil
}
