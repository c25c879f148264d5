package dir

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/keysweep/keysweep/internal/testkeys"
	"github.com/keysweep/keysweep/scanner"
)

// write creates root/rel with body, making parent directories.
func write(t *testing.T, root, rel string, body []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

// paths returns "keyID path:line" for every location of res, sorted.
func paths(res scanner.Result) []string {
	var out []string
	for _, f := range res.Findings {
		for _, l := range f.Locations {
			out = append(out, f.KeyID[:8]+" "+l.Path)
		}
	}
	sort.Strings(out)
	return out
}

func scanT(t *testing.T, opts Options) (scanner.Result, error) {
	t.Helper()
	col := scanner.NewCollector(nil)
	err := Scan(context.Background(), scanner.New(scanner.Options{}), col, opts)
	return col.Result(), err
}

func TestScanTree(t *testing.T) {
	g := testkeys.New(60)
	ids := make([]string, 8)
	for i := range ids {
		ids[i] = g.AccessKeyID()
	}
	line := func(i int) []byte { return []byte("aws_access_key_id = " + ids[i] + "\n") }
	root, outside := t.TempDir(), t.TempDir()
	write(t, root, "app/config.yaml", append([]byte("name: x\n"), line(0)...))
	write(t, root, "app/deep/a/b/c/d.env", line(1))
	write(t, root, "bin/tool", append([]byte{0x7f, 'E', 'L', 'F', 0, 0, 1}, line(2)...))
	write(t, root, ".git/objects/xx", line(3))
	write(t, root, "node_modules/lib/index.js", line(4))
	write(t, root, "dist/app.min.js", line(5))
	write(t, root, "vendor/mod/x.go", line(7))
	write(t, outside, "secret.txt", line(6))
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "linkdir")); err != nil {
		t.Fatal(err)
	}
	res, err := scanT(t, Options{Root: root, Excludes: []string{"node_modules", "*.min.js", "vendor/**"}, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ids[0][:8] + " app/config.yaml", ids[1][:8] + " app/deep/a/b/c/d.env", ids[2][:8] + " bin/tool"}
	sort.Strings(want)
	if got := paths(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range res.Findings {
		l := f.Locations[0]
		if wantCol := map[bool]int{true: 28, false: 21}[l.Path == "bin/tool"]; l.Kind != "file" || l.Line == 0 || l.Column != wantCol {
			t.Errorf("location %+v", l)
		}
	}
	if res.Stats.Files != 3 || res.Stats.Bytes == 0 {
		t.Errorf("stats %+v, want 3 files", res.Stats)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors %+v", res.Errors)
	}
}

func TestScanSingleFileAndBadInput(t *testing.T) {
	g := testkeys.New(61)
	id := g.AccessKeyID()
	root := t.TempDir()
	write(t, root, "one.txt", []byte(id))
	t.Run("single file", func(t *testing.T) {
		res, err := scanT(t, Options{Root: filepath.Join(root, "one.txt")})
		if err != nil || len(res.Findings) != 1 || res.Findings[0].Locations[0].Path != "one.txt" {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("bad glob", func(t *testing.T) {
		if _, err := scanT(t, Options{Root: root, Excludes: []string{"[x"}}); err == nil {
			t.Fatal("bad glob accepted")
		}
	})
	t.Run("missing root", func(t *testing.T) {
		if _, err := scanT(t, Options{Root: filepath.Join(root, "nope")}); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestScanUnreadable(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("permissions do not stop this user from reading")
	}
	g := testkeys.New(62)
	root := t.TempDir()
	write(t, root, "ok.txt", []byte(g.AccessKeyID()))
	write(t, root, "locked.txt", []byte(g.AccessKeyID()))
	write(t, root, "lockeddir/x.txt", []byte(g.AccessKeyID()))
	os.Chmod(filepath.Join(root, "locked.txt"), 0)
	os.Chmod(filepath.Join(root, "lockeddir"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(root, "lockeddir"), 0o755) })
	res, err := scanT(t, Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Errorf("findings %d, want the readable one", len(res.Findings))
	}
	var units []string
	for _, e := range res.Errors {
		units = append(units, e.Unit)
		if !strings.Contains(e.Err, "permission denied") {
			t.Errorf("error %q does not say why", e.Err)
		}
	}
	if strings.Join(units, ",") != "locked.txt,lockeddir" {
		t.Errorf("error units %v", units)
	}
}

func TestScanLargeSingleLine(t *testing.T) {
	g := testkeys.New(63)
	id, sec := g.AccessKeyID(), g.Secret()
	root := t.TempDir()
	const size = 50 << 20
	body := bytes.Repeat([]byte("lorem ipsum dolor sit amet consectetur adipiscing "), size/50)
	at := size / 2
	copy(body[at:], " "+id+" secret="+sec+" ")
	write(t, root, "huge.min.js", body)
	body = nil
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := scanT(t, Options{Root: root, Workers: 1})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Secret.Reveal() != sec {
		t.Fatalf("findings %+v", res.Findings)
	}
	if l := res.Findings[0].Locations[0]; l.Line != 1 || l.Column != at+2 {
		t.Errorf("at %d:%d, want 1:%d", l.Line, l.Column, at+2)
	}
	if res.Stats.Bytes != size {
		t.Errorf("counted %d bytes, want %d", res.Stats.Bytes, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("allocated %d MB scanning a 50 MB file: not streamed", alloc>>20)
	}
}

func TestScanCancel(t *testing.T) {
	g := testkeys.New(64)
	root := t.TempDir()
	for i := 0; i < 200; i++ {
		write(t, root, filepath.Join("d", string(rune('a'+i%26)), g.Secret()[:8]+".txt"), []byte(g.AccessKeyID()))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	col := scanner.NewCollector(func(scanner.Finding) { cancel() })
	err := Scan(ctx, scanner.New(scanner.Options{}), col, Options{Root: root, Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	res := col.Result()
	if n := len(res.Findings); n == 0 || n == 200 {
		t.Fatalf("%d findings after cancelling at the first: kept nothing or did not stop", n)
	}
}

func TestScanArchives(t *testing.T) {
	g := testkeys.New(67)
	inZip, beside := g.AccessKeyID(), g.AccessKeyID()
	root := t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("conf/app.env")
	w.Write([]byte("AWS_ACCESS_KEY_ID=" + inZip + "\n"))
	w, _ = zw.Create("zeros.bin")
	w.Write(make([]byte, 3<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, root, "dist/app.jar", buf.Bytes())
	write(t, root, "beside.txt", []byte(beside))
	col := scanner.NewCollector(nil)
	det := scanner.New(scanner.Options{MaxMemberSize: 1 << 20})
	if err := Scan(context.Background(), det, col, Options{Root: root}); err != nil {
		t.Fatal(err)
	}
	res := col.Result()
	if len(res.Findings) != 2 {
		t.Fatalf("findings %+v", res.Findings)
	}
	for _, f := range res.Findings {
		if f.KeyID == inZip {
			if l := f.Locations[0]; l.Path != "dist/app.jar" || l.Member != "conf/app.env" || l.Encoding != "zip" || l.Line != 1 {
				t.Errorf("location %+v", l)
			}
		}
	}
	if len(res.Errors) != 1 || res.Errors[0].Unit != "dist/app.jar" || !strings.Contains(res.Errors[0].Err, "zeros.bin") {
		t.Fatalf("errors %+v: want the oversized member named", res.Errors)
	}
}
