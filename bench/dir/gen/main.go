// Command gen writes a reproducible tree of realistic source text for the
// directory-scan benchmark: Go, JavaScript, YAML, JSON and Markdown files
// of a few KB to a few hundred KB, with identifiers, upper-case constants,
// hex digests, base64 blobs and UUIDs, plus a few planted key pairs made
// by internal/testkeys (fake, generated: never anybody's key). The planted
// key IDs are written to OUT.keys, one per line, outside the tree.
//
//	go run ./bench/dir/gen -out /tmp/tree -size 1GiB -keys 5 -seed 1
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/keysweep/keysweep/internal/testkeys"
)

func main() {
	out := flag.String("out", "", "directory to create (must not exist)")
	size := flag.String("size", "1GiB", "total size: N, NKiB, NMiB or NGiB")
	keys := flag.Int("keys", 5, "key pairs to plant")
	seed := flag.Uint64("seed", 1, "random seed: same seed, same tree")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -out DIR [-size 1GiB] [-keys 5] [-seed 1]")
		os.Exit(2)
	}
	if err := run(*out, n, *keys, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suf) {
			s, mult = strings.TrimSuffix(s, suf), m
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v * mult, err
}

func run(out string, total int64, nkeys int, seed uint64) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists", out)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	pool := linePool(r, 200_000)
	kg := testkeys.New(seed)
	// plant key k in the file being written when the tree passes
	// (k+1/2)/nkeys of its size: evenly spread, never past the end
	nextPlant := func(k int) int64 { return (2*int64(k) + 1) * total / (2 * int64(max(nkeys, 1))) }
	var ids []string
	exts := []string{".go", ".js", ".ts", ".yaml", ".json", ".md", ".py"}
	var written int64
	for i := 0; written < total; i++ {
		rel := filepath.Join(fmt.Sprintf("pkg%03d", i%211), fmt.Sprintf("mod%02d", (i/211)%37), fmt.Sprintf("file%06d%s", i, exts[i%len(exts)]))
		p := filepath.Join(out, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 64<<10)
		// sizes from 1 KiB to ~190 KiB, mean about 48 KiB
		want := int64(1<<10 + r.IntN(96<<10))
		if r.IntN(10) == 0 {
			want += int64(r.IntN(96 << 10))
		}
		want = min(want, total-written)
		var n int64
		plantLine := int64(-1)
		if len(ids) < nkeys && written+want > nextPlant(len(ids)) {
			plantLine = want / 2
		}
		for n < want {
			if plantLine >= 0 && n >= plantLine {
				id, sec := kg.AccessKeyID(), kg.Secret()
				ids = append(ids, id)
				k, _ := fmt.Fprintf(w, "aws_access_key_id = %s\naws_secret_access_key = %s\n", id, sec)
				n += int64(k)
				plantLine = -1
				continue
			}
			line := pool[r.IntN(len(pool))]
			k, _ := w.WriteString(line)
			w.WriteByte('\n')
			n += int64(k + 1)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		written += n
	}
	return os.WriteFile(filepath.Clean(out)+".keys", []byte(strings.Join(ids, "\n")+"\n"), 0o644)
}

// linePool makes n lines of source-like text with no key in them.
func linePool(r *rand.Rand, n int) []string {
	words := []string{"server", "handle", "request", "context", "token", "Access", "Key", "config", "region",
		"bucket", "Amazon", "ARN", "AWS", "IAM", "Account", "Auth", "user", "value", "index", "cache", "retry"}
	id := func() string {
		var sb strings.Builder
		for i := 0; i < 1+r.IntN(3); i++ {
			w := words[r.IntN(len(words))]
			if i > 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			sb.WriteString(w)
		}
		return sb.String()
	}
	rnd := func(k int) []byte {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	tmpl := []func() string{
		func() string {
			return fmt.Sprintf("func (s *%s) %s(ctx context.Context, req *http.Request) error {", id(), id())
		},
		func() string {
			return fmt.Sprintf("\tif err := s.%s(req.Header.Get(\"Authorization\")); err != nil {", id())
		},
		func() string { return fmt.Sprintf("\t\treturn fmt.Errorf(\"%s %s: %%w\", err)", id(), id()) },
		func() string { return fmt.Sprintf("const %s_MAX = %d", strings.ToUpper(id()), r.IntN(1000)) },
		func() string {
			return fmt.Sprintf("  image: registry.example.com/app@sha256:%s", hex.EncodeToString(rnd(32)))
		},
		func() string {
			return fmt.Sprintf("  integrity: sha512-%s", base64.StdEncoding.EncodeToString(rnd(64)))
		},
		func() string { return fmt.Sprintf("export const %s = process.env.AWS_REGION || \"us-east-1\";", id()) },
		func() string {
			return fmt.Sprintf("  %q: %q, // AKIA ASIA prefixes", id(), base64.StdEncoding.EncodeToString(rnd(30)))
		},
		func() string { return fmt.Sprintf("  id: %X-%X-%X-%X-%X", rnd(4), rnd(2), rnd(2), rnd(2), rnd(6)) },
		func() string { return fmt.Sprintf("// %s: see commit %s", id(), hex.EncodeToString(rnd(20))) },
		func() string { return fmt.Sprintf("def %s(self, %s):  # %s", id(), id(), id()) },
		func() string { return fmt.Sprintf("The %s option sets the %s used by the %s.", id(), id(), id()) },
		func() string { return "}" },
		func() string { return "" },
	}
	pool := make([]string, n)
	for i := range pool {
		pool[i] = tmpl[r.IntN(len(tmpl))]()
	}
	return pool
}
