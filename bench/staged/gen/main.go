// Command gen is the staged-scan benchmark's helper. It writes a synthetic
// repository as a git fast-import stream, prints generated (fake) AWS
// credentials, and times commands.
//
//	gen repo -files 50000 -commits 10000 | git fast-import --quiet
//	gen key -seed 7
//	gen time -n 31 -warmup 3 -- git diff --cached -U0 -- keysweep scan --staged
//	gen rss -- keysweep scan --staged     (peak RSS in MiB, from wait4)
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/keysweep/keysweep/internal/testkeys"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gen repo|key|time|rss [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "repo":
		err = repo(os.Args[2:])
	case "key":
		err = key(os.Args[2:])
	case "time":
		err = timeCmd(os.Args[2:])
	case "rss":
		err = rss(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// repo writes a fast-import stream: one commit adding files files, then
// commits-1 commits each changing two of them.
func repo(args []string) error {
	fs := flag.NewFlagSet("repo", flag.ContinueOnError)
	files := fs.Int("files", 50000, "files in the tree")
	commits := fs.Int("commits", 10000, "commits in the history")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	ts := int64(1700000000)
	path := func(i int) string { return fmt.Sprintf("src/m%03d/p%02d/file%06d.go", i%500, i/500%20, i) }
	for c := 0; c < *commits; c++ {
		msg := fmt.Sprintf("change %d", c)
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n", ts+int64(c)*60, len(msg), msg)
		if c == 0 {
			for i := 0; i < *files; i++ {
				inline(w, path(i), body(r, i, 0))
			}
			continue
		}
		for j := 0; j < 2; j++ {
			i := r.IntN(*files)
			inline(w, path(i), body(r, i, c))
		}
	}
	return w.Flush()
}

func inline(w *bufio.Writer, path, content string) {
	fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path, len(content), content)
}

// body is a Go-looking file of 15-30 lines.
func body(r *rand.Rand, i, rev int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package m%03d\n\n// File %d, revision %d.\n", i%500, i, rev)
	for n := 15 + r.IntN(16); n > 0; n-- {
		fmt.Fprintf(&b, "func f%d_%d(x int) int { return x*%d + %d }\n", i, n, r.IntN(1000), r.IntN(1000))
	}
	return b.String()
}

func key(args []string) error {
	fs := flag.NewFlagSet("key", flag.ContinueOnError)
	seed := fs.Uint64("seed", 7, "generator seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	g := testkeys.New(*seed)
	fmt.Printf("AWS_ACCESS_KEY_ID = %q\nAWS_SECRET_ACCESS_KEY = %q\n", g.AccessKeyID(), g.Secret())
	return nil
}

// timeCmd runs one or more commands ("--" before each) n times each,
// round-robin so that load on the machine hits all alike, after warmup
// rounds; output is discarded and any exit status accepted. It prints
// "median_ms min_ms p90_ms cpu_median_ms" per command, one line each, in
// order. CPU time (user+system of the process and the git processes it
// waited for) is much less sensitive to a busy machine than wall time.
func timeCmd(args []string) error {
	fs := flag.NewFlagSet("time", flag.ContinueOnError)
	n := fs.Int("n", 31, "timed runs")
	warm := fs.Int("warmup", 3, "untimed runs first")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var cmds [][]string
	for _, a := range fs.Args() {
		if a == "--" || len(cmds) == 0 {
			cmds = append(cmds, nil)
			if a == "--" {
				continue
			}
		}
		cmds[len(cmds)-1] = append(cmds[len(cmds)-1], a)
	}
	for _, c := range cmds {
		if len(c) == 0 {
			return errors.New("time: empty command (a command cannot itself hold a \"--\" argument)")
		}
	}
	if len(cmds) == 0 {
		return errors.New("time: no command")
	}
	ds := make([][]time.Duration, len(cmds))
	cpu := make([][]time.Duration, len(cmds))
	for i := 0; i < *warm+*n; i++ {
		for c, argv := range cmds {
			cmd := exec.Command(argv[0], argv[1:]...)
			start := time.Now()
			err := cmd.Run()
			d := time.Since(start)
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				return err
			}
			if i >= *warm {
				ds[c] = append(ds[c], d)
				cpu[c] = append(cpu[c], cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
			}
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for c, d := range ds {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		u := cpu[c]
		sort.Slice(u, func(i, j int) bool { return u[i] < u[j] })
		fmt.Printf("%.2f %.2f %.2f %.2f\n", ms(d[len(d)/2]), ms(d[0]), ms(d[len(d)*9/10]), ms(u[len(u)/2]))
	}
	return nil
}

// rss runs a command once and prints its peak resident set in MiB and its
// exit status.
func rss(args []string) error {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return errors.New("rss: no command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return err
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return errors.New("rss: no rusage on this system")
	}
	fmt.Printf("%.1f %d\n", float64(ru.Maxrss)/1024, cmd.ProcessState.ExitCode())
	return nil
}
