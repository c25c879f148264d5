package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
)

const org = "bench"

// size classes: most repositories are small, a few are large.
type class struct {
	commits, mods, fileBytes int
}

func classOf(i int) class {
	switch {
	case i%20 == 0:
		return class{commits: 400, mods: 8, fileBytes: 8 << 10} // ~25 MB of blobs
	case i%5 == 0:
		return class{commits: 100, mods: 5, fileBytes: 6 << 10} // ~3 MB
	default:
		return class{commits: 12, mods: 3, fileBytes: 4 << 10} // ~150 KB
	}
}

// generate writes n bare repositories with git fast-import and meta.json.
func generate(root string, n int, scale float64) error {
	keys := testkeys.New(uint64(time.Now().UnixNano()))
	pool := textPool(1 << 20)
	m := meta{Org: org}
	var total int64
	for i := range n {
		name := fmt.Sprintf("repo-%03d", i)
		c := classOf(i)
		c.commits = max(1, int(float64(c.commits)*scale))
		var planted string
		if i%10 == 3 {
			id, secret := keys.AccessKeyID(), keys.Secret()
			planted = fmt.Sprintf("aws_access_key_id = %s\naws_secret_access_key = %s\n", id, secret)
			m.Keys = append(m.Keys, id)
		}
		bytes, err := fastImport(filepath.Join(root, org, name+".git"), name, c, pool, planted)
		if err != nil {
			return fmt.Errorf("generate %s: %w", name, err)
		}
		total += bytes
		m.Repos = append(m.Repos, githubfake.Repo{Name: name})
	}
	fmt.Fprintf(os.Stderr, "sweepbench: %d repositories, %.1f MB of blobs, %d planted keys\n", n, float64(total)/1e6, len(m.Keys))
	return writeMeta(root, m)
}

func textPool(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"func", "return", "config", "Handler", "AuthService", "value", "0x7f3a", "ACCOUNT", "Amazon",
		"AAAA", "import", "strings.Join", "err != nil", "{", "}", "=", "//", "deploy", "region", "us-east-1"}
	var b strings.Builder
	for b.Len() < n {
		for range 6 + r.IntN(8) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%016x\n", r.Uint64())
	}
	return []byte(b.String())
}

// fastImport creates the bare repository dir with c.commits commits on
// main, each rewriting c.mods files; planted (when not "") is added in the
// middle of the history and deleted two commits later. It returns the blob
// bytes written.
func fastImport(dir, name string, c class, pool []byte, planted string) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", dir).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("git init: %w: %s", err, out)
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(in, 1<<20)
	var total int64
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	r := rand.New(rand.NewPCG(uint64(len(name)), uint64(c.commits)))
	files := max(c.mods*3, 10)
	for k := range c.commits {
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter Dev <dev@example.com> %d +0000\n", when+int64(k)*3600)
		msg := fmt.Sprintf("change %d of %s", k, name)
		fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
		for j := range c.mods {
			off := r.IntN(len(pool) - c.fileBytes)
			body := fmt.Sprintf("// %s rev %d file %d\n%s", name, k, j, pool[off:off+c.fileBytes])
			fmt.Fprintf(w, "M 100644 inline src/f%03d.txt\ndata %d\n%s\n", r.IntN(files), len(body), body)
			total += int64(len(body))
		}
		if planted != "" && k == c.commits/2 {
			fmt.Fprintf(w, "M 100644 inline deploy/credentials\ndata %d\n%s\n", len(planted), planted)
		}
		if planted != "" && k == c.commits/2+2 {
			fmt.Fprintf(w, "D deploy/credentials\n")
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("git fast-import: %w", err)
	}
	// Pack with deltas and a bitmap, as GitHub keeps its repositories, so
	// serving a clone reuses the pack instead of recompressing it.
	if out, err := exec.Command("git", "-C", dir, "repack", "-q", "-a", "-d", "-b", "-f", "--window=10").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("git repack: %w: %s", err, out)
	}
	return total, nil
}

// pushCommits pushes one commit adding a new key (and deleting rm, when
// given) to the first n repositories.
func pushCommits(root string, n int, rm string) error {
	m, err := readMeta(root)
	if err != nil {
		return err
	}
	keys := testkeys.New(uint64(time.Now().UnixNano()))
	tmp, err := os.MkdirTemp("", "sweepbench-push")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for i, r := range m.Repos[:min(n, len(m.Repos))] {
		bare := filepath.Join(root, m.Org, r.Name+".git")
		wd := filepath.Join(tmp, fmt.Sprint(i))
		id := keys.AccessKeyID()
		content := fmt.Sprintf("aws_access_key_id = %s\naws_secret_access_key = %s\n", id, keys.Secret())
		steps := [][]string{
			{"clone", "-q", bare, wd},
			{"-C", wd, "config", "user.name", "Dev"},
			{"-C", wd, "config", "user.email", "dev@example.com"},
		}
		for _, s := range steps {
			if out, err := exec.Command("git", s...).CombinedOutput(); err != nil {
				return fmt.Errorf("git %v: %w: %s", s, err, out)
			}
		}
		if err := os.WriteFile(filepath.Join(wd, "new.env"), []byte(content), 0o644); err != nil {
			return err
		}
		if rm != "" {
			if err := os.Remove(filepath.Join(wd, filepath.FromSlash(rm))); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		for _, s := range [][]string{{"-C", wd, "add", "-A"}, {"-C", wd, "commit", "-qm", "add env"}, {"-C", wd, "push", "-q", "origin", "HEAD:main"}} {
			if out, err := exec.Command("git", s...).CombinedOutput(); err != nil {
				return fmt.Errorf("git %v: %w: %s", s, err, out)
			}
		}
		m.Keys = append(m.Keys, id)
		fmt.Fprintf(os.Stderr, "sweepbench: pushed %s to %s/%s\n", id, m.Org, r.Name)
	}
	return writeMeta(root, m)
}

func listen(h http.Handler, addr string) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
