package main

import (
	"bufio"
	"bytes"
	"fmt"
)

// Where the planted keys go, as fractions of the history.
const (
	sideEvery = 500 // a side branch of 3 commits merged back every this many commits
	sideLen   = 3
)

type fv struct{ file, version int }

// commitKind says where commit c goes in the branch layout.
func commitKind(c int) (side bool, merge bool) {
	k := c % sideEvery
	return c > 0 && k >= 1 && k <= sideLen, c > 0 && k == sideLen+1
}

// run plans which commit changes which files, writes every blob grouped by
// file, then the commits, and returns the planted key IDs.
func (g *gen) run(w *bufio.Writer) []string {
	n, nf := g.cfg.commits, g.cfg.files
	g.nCommits = n
	g.versions = make([][]int, nf)
	changes := make([][]fv, n)
	for f := 0; f < nf; f++ {
		g.versions[f] = []int{0}
		changes[0] = append(changes[0], fv{f, 0})
	}
	for c := 1; c < n; c++ {
		if _, merge := commitKind(c); merge {
			continue
		}
		for t := 0; t < g.cfg.touch; t++ {
			f := g.r.IntN(nf)
			if last := g.versions[f][len(g.versions[f])-1]; last == c {
				continue
			}
			changes[c] = append(changes[c], fv{f, len(g.versions[f])})
			g.versions[f] = append(g.versions[f], c)
		}
	}
	// Planted key 1 sits in the version of file 17 made at or after commit
	// n*15/100 and is gone from the next version.
	plantFile, plantVer := 17, -1
	for v, c := range g.versions[plantFile] {
		if c >= n*15/100 && v+1 < len(g.versions[plantFile]) {
			plantVer = v
			break
		}
	}
	g.mark0 = make([]int, nf)
	mark := 1
	var k1 string
	for f := 0; f < nf; f++ {
		g.mark0[f] = mark
		mark += len(g.versions[f])
		pv := -1
		if f == plantFile {
			pv = plantVer
		}
		if id := g.emitFile(w, f, pv); id != "" {
			k1 = id
		}
	}
	g.nBlobs = mark - 1
	return append([]string{k1}, g.emitCommits(w, changes, mark)...)
}

// emitFile writes every version of file f; version pv (if >= 0) also holds
// a planted key. It returns the planted key ID.
func (g *gen) emitFile(w *bufio.Writer, f, pv int) string {
	size := g.cfg.minSize + g.r.IntN(g.cfg.maxSize-g.cfg.minSize+1)
	var lines [][]byte
	for n := 0; n < size; {
		l := g.line(nil)
		lines = append(lines, l)
		n += len(l)
	}
	var planted string
	var buf bytes.Buffer
	for v := range g.versions[f] {
		if v > 0 {
			for i := 0; i < 3; i++ {
				lines[g.r.IntN(len(lines))] = g.line(nil)
			}
			if g.r.IntN(4) == 0 {
				lines = append(lines, g.line(nil))
			}
		}
		buf.Reset()
		for i, l := range lines {
			if v == pv && i == len(lines)/2 {
				id, text := g.keyText()
				planted = id
				buf.WriteString(text)
			}
			buf.Write(l)
		}
		fmt.Fprintf(w, "blob\nmark :%d\n", g.mark0[f]+v)
		data(w, buf.Bytes())
		g.blobBytes += int64(buf.Len())
	}
	return planted
}

// keyText returns a fresh fake key ID and a config snippet holding it.
func (g *gen) keyText() (string, string) {
	id, secret := g.keys.AccessKeyID(), g.keys.Secret()
	return id, "aws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"
}
