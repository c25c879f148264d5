package staged

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// RunGit runs the git binary o.Git (default "git") in o.Dir with o.Env
// added to the environment, and returns its standard output. A failure is
// "run git SUBCOMMAND: ERR: STDERR" (the trimmed standard error, when any);
// errors.As finds the *exec.ExitError of a non-zero exit.
func (o *Options) RunGit(ctx context.Context, args ...string) ([]byte, error) {
	cmd := o.command(ctx, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	out := stdout.Bytes()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return out, fmt.Errorf("run git %s: %w: %s", args[0], err, msg)
		}
		return out, fmt.Errorf("run git %s: %w", args[0], err)
	}
	return out, nil
}

func (o *Options) command(ctx context.Context, args ...string) *exec.Cmd {
	bin := o.Git
	if bin == "" {
		bin = "git"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = o.Dir
	if len(o.Env) > 0 {
		cmd.Env = append(cmd.Environ(), o.Env...)
	}
	return cmd
}

// exitCode returns the exit status of a failed git run, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// catFile is one long-running `git cat-file --batch`. Requests are written
// by a goroutine while the caller reads the answers in order, so any number
// of objects can be asked for without the two pipes filling up.
type catFile struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr lockedBuffer
	closed bool
	err    error
}

// lockedBuffer collects a child's standard error; it may be read while the
// child still runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (o *Options) startCatFile(ctx context.Context) (*catFile, error) {
	c := &catFile{cmd: o.command(ctx, "cat-file", "--batch")}
	c.cmd.Stderr = &c.stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start git cat-file: %w", err)
	}
	c.out = bufio.NewReaderSize(stdout, 64<<10)
	return c, nil
}

// object is one answer of cat-file: its id, type and size, and a reader
// of exactly size bytes of content (valid only inside the callback).
type object struct {
	ID   string
	Type string
	Size int64
	R    io.Reader
}

// fetch asks for ids and calls fn for each answer, in order. fn need not
// read the whole content; the rest is skipped. A missing object is an error
// for that object only: fn sees Type "missing".
func (c *catFile) fetch(ids []string, fn func(obj object) error) error {
	if len(ids) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := bufio.NewWriterSize(c.stdin, 32<<10)
		for _, id := range ids {
			if _, werr = w.WriteString(id + "\n"); werr != nil {
				return
			}
		}
		werr = w.Flush()
	}()
	err := c.readAnswers(len(ids), fn)
	if err != nil {
		// The writer may be blocked on a full pipe: end git so it returns.
		c.cmd.Process.Kill()
	}
	wg.Wait()
	if err == nil && werr != nil {
		err = fmt.Errorf("write to git cat-file: %w", werr)
	}
	return err
}

func (c *catFile) readAnswers(n int, fn func(obj object) error) error {
	for i := 0; i < n; i++ {
		line, err := c.out.ReadString('\n')
		if err != nil {
			return c.fail(fmt.Errorf("read git cat-file header: %w", err))
		}
		fields := strings.Fields(line)
		if len(fields) == 2 && fields[1] == "missing" {
			if err := fn(object{ID: fields[0], Type: "missing", R: strings.NewReader("")}); err != nil {
				return err
			}
			continue
		}
		if len(fields) != 3 {
			return c.fail(fmt.Errorf("read git cat-file header: unexpected %q", strings.TrimSpace(line)))
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil || size < 0 {
			return c.fail(fmt.Errorf("read git cat-file header: bad size in %q", strings.TrimSpace(line)))
		}
		lr := &io.LimitedReader{R: c.out, N: size}
		ferr := fn(object{ID: fields[0], Type: fields[1], Size: size, R: lr})
		if _, err := io.Copy(io.Discard, lr); err != nil {
			return c.fail(fmt.Errorf("read git cat-file object %s: %w", fields[0], err))
		}
		if lr.N != 0 {
			return c.fail(fmt.Errorf("read git cat-file object %s: short read", fields[0]))
		}
		if b, err := c.out.ReadByte(); err != nil || b != '\n' {
			return c.fail(fmt.Errorf("read git cat-file object %s: missing terminator", fields[0]))
		}
		if ferr != nil {
			return ferr
		}
	}
	return nil
}

func (c *catFile) fail(err error) error {
	if msg := strings.TrimSpace(c.stderr.String()); msg != "" {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

// close ends the process and reports how it exited. Calling it again
// returns the first result.
func (c *catFile) close() error {
	if c.closed {
		return c.err
	}
	c.closed = true
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		c.err = c.fail(fmt.Errorf("git cat-file: %w", err))
	}
	return c.err
}
