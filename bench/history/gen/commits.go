package main

import (
	"bufio"
	"fmt"
)

// emitCommits writes the commits (marks from first on) and plants keys 2
// to 5: in a commit message, on a branch never merged, only in a merge
// commit's resolution, and in a file still present at HEAD.
func (g *gen) emitCommits(w *bufio.Writer, changes [][]fv, first int) []string {
	n := len(changes)
	cm := func(c int) int { return first + c }
	msgAt, branchAt, mergeAt, headAt := n*35/100, n*50/100, n*60/100, n*75/100
	for mergeAt < n {
		if _, merge := commitKind(mergeAt); merge {
			break
		}
		mergeAt++
	}
	var ids []string
	mainTip := -1
	var sideFiles []fv
	for c := 0; c < n; c++ {
		side, merge := commitKind(c)
		ref := "refs/heads/main"
		if side {
			ref = fmt.Sprintf("refs/heads/side-%d", c/sideEvery)
		}
		msg := fmt.Sprintf("change %d", c)
		if c == msgAt {
			id, text := g.keyText()
			ids = append(ids, id)
			msg += "\n\ndebug creds:\n" + text
		}
		fmt.Fprintf(w, "commit %s\nmark :%d\n", ref, cm(c))
		fmt.Fprintf(w, "author Dev %d <dev%d@example.com> %d +0000\n", c%7, c%7, 1500000000+c*600)
		fmt.Fprintf(w, "committer Dev %d <dev%d@example.com> %d +0000\n", c%7, c%7, 1500000000+c*600)
		data(w, []byte(msg))
		switch {
		case side && c%sideEvery == 1:
			fmt.Fprintf(w, "from :%d\n", cm(mainTip))
		case merge:
			fmt.Fprintf(w, "from :%d\nmerge :%d\n", cm(mainTip), cm(c-1))
		case c > 0 && !side:
			fmt.Fprintf(w, "from :%d\n", cm(c-1))
		}
		list := changes[c]
		if merge {
			list = sideFiles
			sideFiles = nil
		}
		for _, ch := range list {
			fmt.Fprintf(w, "M 100644 :%d %s\n", g.mark0[ch.file]+ch.version, path(ch.file))
			if side {
				sideFiles = append(sideFiles, ch)
			}
		}
		if c == mergeAt {
			id, text := g.keyText()
			ids = append(ids, id)
			fmt.Fprintf(w, "M 100644 inline deploy/merge-only.env\n")
			data(w, []byte(text))
		}
		if c == headAt {
			id, text := g.keyText()
			ids = append(ids, id)
			fmt.Fprintf(w, "M 100644 inline deploy/prod.env\n")
			data(w, []byte(text))
		}
		blank(w)
		if !side {
			mainTip = c
		}
		if c == branchAt && !side {
			id, text := g.keyText()
			ids = append(ids, id)
			fmt.Fprintf(w, "commit refs/heads/abandoned\nmark :%d\n", first+n)
			fmt.Fprintf(w, "author Dev 9 <dev9@example.com> %d +0000\ncommitter Dev 9 <dev9@example.com> %d +0000\n", 1500000000+c*600+1, 1500000000+c*600+1)
			data(w, []byte("try another config"))
			fmt.Fprintf(w, "from :%d\nM 100644 inline experimental/creds.env\n", cm(c))
			data(w, []byte(text))
			blank(w)
		}
	}
	return ids
}

func blank(w *bufio.Writer) { w.WriteString("\n") }
