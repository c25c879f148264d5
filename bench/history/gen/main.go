// Command gen writes a git fast-import stream of a large synthetic history
// to stdout: by default 20,000 commits over 3,000 files with more than 1 GB
// of uncompressed blob data, side branches merged back, and a few planted
// fake AWS keys (generated at run time with internal/testkeys) whose key
// IDs it writes, one per line, to the file named by -keys.
//
// Every version of one file is emitted consecutively before the commits
// (fast-import deltas each blob against the previous one), so the pack
// deltas like a real repository's and generation stays fast.
//
//	go run ./bench/history/gen -keys keys.txt | git -C repo fast-import
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/keysweep/keysweep/internal/testkeys"
)

func main() {
	var cfg config
	flag.IntVar(&cfg.commits, "commits", 20000, "commits on main (merges included)")
	flag.IntVar(&cfg.files, "files", 3000, "files in the tree")
	flag.IntVar(&cfg.touch, "touch", 3, "files changed per commit")
	flag.IntVar(&cfg.minSize, "min-size", 4<<10, "smallest initial file, bytes")
	flag.IntVar(&cfg.maxSize, "max-size", 28<<10, "largest initial file, bytes")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed")
	keysPath := flag.String("keys", "", "write the planted key IDs to `FILE`")
	flag.Parse()
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	g := newGen(cfg)
	planted := g.run(w)
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gen: write stream:", err)
		os.Exit(1)
	}
	if *keysPath != "" {
		if err := writeKeys(*keysPath, planted); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	fmt.Fprintf(os.Stderr, "gen: %d commits, %d files, %d blobs, %.2f GB of blob data, %d planted keys\n",
		g.nCommits, cfg.files, g.nBlobs, float64(g.blobBytes)/1e9, len(planted))
}

func writeKeys(path string, ids []string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, id := range ids {
		fmt.Fprintln(f, id)
	}
	return f.Close()
}

type config struct {
	commits, files, touch, minSize, maxSize int
	seed                                    uint64
}

// gen plans the history, then writes blobs grouped by file and the commits.
type gen struct {
	cfg       config
	r         *rand.Rand
	keys      *testkeys.Gen
	versions  [][]int // per file: the commit index of each version
	mark0     []int   // per file: mark of its first version
	nBlobs    int
	nCommits  int
	blobBytes int64
	words     [][]byte
}

func newGen(cfg config) *gen {
	g := &gen{cfg: cfg, r: rand.New(rand.NewPCG(cfg.seed, 42)), keys: testkeys.New(cfg.seed)}
	for _, w := range []string{"alpha", "beta", "gamma", "delta", "config", "server", "return", "value",
		"func", "error", "nil", "if", "for", "range", "string", "int", "bytes", "buffer", "client",
		"request", "response", "handler", "context", "timeout", "retry", "cache", "index", "total"} {
		g.words = append(g.words, []byte(w))
	}
	return g
}

func (g *gen) line(dst []byte) []byte {
	n := 4 + g.r.IntN(8)
	for i := 0; i < n; i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, g.words[g.r.IntN(len(g.words))]...)
	}
	dst = append(dst, fmt.Sprintf(" %d", g.r.IntN(100000))...)
	return append(dst, '\n')
}

func path(f int) string { return fmt.Sprintf("pkg%02d/mod%03d/file%04d.txt", f%40, f%300, f) }

func data(w io.Writer, b []byte) {
	fmt.Fprintf(w, "data %d\n", len(b))
	w.Write(b)
	io.WriteString(w, "\n")
}
