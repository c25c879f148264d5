package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/keysweep/keysweep/scanner"
	"github.com/keysweep/keysweep/tui"
)

// maxSnippetBytes bounds what is read to show the lines around a key.
const maxSnippetBytes = 8 << 20

// snippets reads the lines around a location: from git (`git cat-file`)
// for a history location, else from the file under root.
type snippets struct {
	root string
	git  bool
}

func (s *snippets) Snippet(ctx context.Context, loc scanner.Location, radius int) (tui.Snippet, error) {
	switch {
	case loc.Repo != "":
		return tui.Snippet{}, errors.New("repository not checked out here")
	case loc.Member != "":
		return tui.Snippet{}, errors.New("inside an archive: not shown")
	case loc.Line <= 0:
		return tui.Snippet{}, errors.New("no line number")
	}
	var r io.Reader
	if s.git && loc.Commit != "" && (loc.Kind == "" || loc.Kind == "blob") {
		b, err := s.catFile(ctx, loc.Commit+":"+loc.Path)
		if err != nil {
			return tui.Snippet{}, err
		}
		r = bytes.NewReader(b)
	} else {
		if loc.Kind != "" && loc.Kind != "file" && loc.Kind != "blob" {
			return tui.Snippet{}, fmt.Errorf("%s: no file to show", loc.Kind)
		}
		f, err := os.Open(filepath.Join(s.root, filepath.FromSlash(loc.Path)))
		if err != nil {
			return tui.Snippet{}, fmt.Errorf("read %s: %w", loc.Path, errors.Unwrap(err))
		}
		defer f.Close()
		r = io.LimitReader(f, maxSnippetBytes)
	}
	return readSnippet(r, loc.Line, radius)
}

// catFile returns the blob named rev, refusing large ones.
func (s *snippets) catFile(ctx context.Context, rev string) ([]byte, error) {
	size, err := exec.CommandContext(ctx, "git", "-C", s.root, "cat-file", "-s", rev).Output()
	if err != nil {
		return nil, fmt.Errorf("git cat-file %s: not readable", rev)
	}
	var n int64
	fmt.Sscan(string(size), &n)
	if n > maxSnippetBytes {
		return nil, fmt.Errorf("blob of %d bytes: too large to show", n)
	}
	out, err := exec.CommandContext(ctx, "git", "-C", s.root, "cat-file", "blob", rev).Output()
	if err != nil {
		return nil, fmt.Errorf("git cat-file %s: %w", rev, err)
	}
	return out, nil
}

// readSnippet returns lines line-radius..line+radius of r, refusing
// binary content.
func readSnippet(r io.Reader, line, radius int) (tui.Snippet, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxSnippetBytes)
	first := max(1, line-radius)
	sn := tui.Snippet{First: first}
	for n := 1; sc.Scan() && n <= line+radius; n++ {
		if n < first {
			continue
		}
		t := sc.Text()
		if strings.IndexByte(t, 0) >= 0 {
			return tui.Snippet{}, errors.New("binary content: not shown")
		}
		if len(t) > 400 {
			t = t[:400] + "…"
		}
		sn.Lines = append(sn.Lines, t)
	}
	if err := sc.Err(); err != nil {
		return tui.Snippet{}, fmt.Errorf("read lines: %w", err)
	}
	if len(sn.Lines) == 0 {
		return tui.Snippet{}, fmt.Errorf("line %d: past the end of the file", line)
	}
	return sn, nil
}
