// Package prestart starts the one git query a pre-commit check needs,
// `git diff-index --cached`, while the Go runtime is still initialising the
// rest of the program.
//
// The keysweep binary links the AWS SDK, go-git, go-github and the terminal
// UI; their package initialisation alone takes about as long as git takes to
// compare a 50,000-file index with HEAD. A pre-commit check must feel
// instant, so when the command line asks for a staged scan this package's
// init starts git at once, and the scan collects git's answer (Take) instead
// of starting git only when it gets there. The two costs then overlap
// instead of adding up.
//
// diff-index --cached only reads (it does not refresh or write the index),
// so a query whose answer is never collected costs some CPU and nothing
// else; Discard kills it. The query runs in the directory and environment
// the process started with, which is what a staged scan without a PATH
// argument uses; Take hands the answer over only when dir, binary and
// environment match, and the caller runs git itself otherwise.
//
// The package imports only os, runtime and sync, packages initialised first
// of all, so that its own init runs right after os's (Go initialises the
// first ready package in import-path order; a dependency such as strings or
// path/filepath would hold it back behind most of the program). It does
// nothing unless the command line matches (Wanted) and KEYSWEEP_NO_PRESTART
// is unset, and nothing on Windows.
package prestart

import (
	"os"
	"runtime"
	"sync"
)

// DiffIndexArgs returns the query's git arguments, a new slice each call:
// the staged changes against HEAD, rename detection on, NUL-separated raw
// output with full object ids.
func DiffIndexArgs() []string {
	return []string{"diff-index", "--cached", "-z", "--raw", "--no-abbrev", "-M", "--ignore-submodules=all", "HEAD", "--"}
}

// Result is what the prestarted git printed and how it ended.
type Result struct {
	Stdout []byte
	Stderr []byte
	State  *os.ProcessState // nil when the wait failed (Err)
	Err    error
}

type query struct {
	proc *os.Process
	dir  string
	done chan struct{}
	res  Result
}

var (
	mu      sync.Mutex
	pending *query
)

func init() {
	if runtime.GOOS == "windows" || len(os.Args) == 0 || os.Getenv("KEYSWEEP_NO_PRESTART") != "" ||
		!Wanted(base(os.Args[0]), os.Args[1:]) {
		return
	}
	pending = start()
}

// Wanted reports whether a command line asks for a staged scan:
// `keysweep scan --staged …`, `keysweep hook run pre-commit` or
// `keysweep-hook [flags] pre-commit`.
func Wanted(prog string, args []string) bool {
	if len(prog) >= 13 && prog[:13] == "keysweep-hook" {
		for _, a := range args {
			if a == "pre-commit" {
				return true
			}
		}
		return false
	}
	if len(args) >= 3 && args[0] == "hook" && args[1] == "run" && args[2] == "pre-commit" {
		return true
	}
	if len(args) == 0 || args[0] != "scan" {
		return false
	}
	for _, a := range args[1:] {
		if a == "--" {
			return false
		}
		if a == "--staged" || a == "--staged=true" {
			return true
		}
	}
	return false
}

// start runs git with DiffIndexArgs and collects its output in the
// background; nil when git cannot be started (the caller will then run it
// itself and report the error properly).
func start() *query {
	bin := lookGit()
	if bin == "" {
		return nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		for _, f := range []*os.File{outR, outW, errR, errW} {
			f.Close()
		}
		return nil
	}
	argv := append([]string{"git"}, DiffIndexArgs()...)
	p, err := os.StartProcess(bin, argv, &os.ProcAttr{Dir: dir, Files: []*os.File{devnull, outW, errW}})
	devnull.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil
	}
	q := &query{proc: p, dir: dir, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); q.res.Stdout = readAll(outR) }()
	go func() { defer wg.Done(); q.res.Stderr = readAll(errR) }()
	go func() {
		wg.Wait()
		q.res.State, q.res.Err = p.Wait()
		close(q.done)
	}()
	return q
}

func readAll(f *os.File) []byte {
	defer f.Close()
	buf := make([]byte, 0, 4096)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf
		}
	}
}

// base is the last element of a slash-separated path.
func base(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// lookGit finds git in the absolute directories of PATH (a relative entry
// such as "." could name a git binary planted in the repository).
func lookGit() string {
	path := os.Getenv("PATH")
	for path != "" {
		d, rest := path, ""
		for i := 0; i < len(path); i++ {
			if path[i] == os.PathListSeparator {
				d, rest = path[:i], path[i+1:]
				break
			}
		}
		path = rest
		if len(d) == 0 || d[0] != '/' {
			continue
		}
		p := d + "/git"
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Take returns the prestarted query's answer when one is pending and
// sameDir approves the directory it ran in, waiting for git to finish or
// for cancel to be closed (then git is killed and ok is false). It hands
// the answer over once; later calls return ok == false, and so does a
// query for another directory (which is killed): the caller then runs git
// itself.
func Take(sameDir func(startDir string) bool, cancel <-chan struct{}) (res Result, ok bool) {
	mu.Lock()
	q := pending
	pending = nil
	mu.Unlock()
	if q == nil {
		return Result{}, false
	}
	if !sameDir(q.dir) {
		q.kill()
		return Result{}, false
	}
	select {
	case <-q.done:
		return q.res, true
	case <-cancel:
		q.kill()
		return Result{}, false
	}
}

// Discard kills a query nobody took.
func Discard() {
	mu.Lock()
	q := pending
	pending = nil
	mu.Unlock()
	if q != nil {
		q.kill()
	}
}

func (q *query) kill() {
	_ = q.proc.Kill()
	<-q.done
}
