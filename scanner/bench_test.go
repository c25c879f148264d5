package scanner

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sourceText returns about n bytes of realistic source text with no key:
// Go, JavaScript and YAML lines with identifiers, upper-case constants,
// hex digests, base64 blobs, UUIDs and words starting with AKIA/ASIA.
func sourceText(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	words := []string{"server", "handle", "request", "context", "token", "Access", "Key", "config",
		"region", "bucket", "Amazon", "ARN", "AWS", "IAM", "Account", "Auth", "user", "value", "index"}
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
	templates := []func() string{
		func() string {
			return fmt.Sprintf("func (s *%s) %s(ctx context.Context, req *http.Request) error {", id(), id())
		},
		func() string {
			return fmt.Sprintf("\tif err := s.%s(req.Header.Get(\"Authorization\")); err != nil {", id())
		},
		func() string { return fmt.Sprintf("\t\treturn fmt.Errorf(\"%s %s: %%w\", err)", id(), id()) },
		func() string { return fmt.Sprintf("const %s_%s_MAX = %d", strings.ToUpper(id()), "AWS", r.IntN(1000)) },
		func() string {
			return fmt.Sprintf("  image: registry.example.com/app@sha256:%s", hex.EncodeToString(rnd(32)))
		},
		func() string {
			return fmt.Sprintf("  integrity: sha512-%s", base64.StdEncoding.EncodeToString(rnd(64)))
		},
		func() string { return fmt.Sprintf("export const %s = process.env.AWS_REGION || \"us-east-1\";", id()) },
		func() string {
			return fmt.Sprintf("  %s: %q # AKIA ASIA ABIA ACCA prefixes", id(), base64.StdEncoding.EncodeToString(rnd(30)))
		},
		func() string {
			return fmt.Sprintf("  id: %X-%X-%X-%X-%X", rnd(4), rnd(2), rnd(2), rnd(2), rnd(6))
		},
		func() string { return fmt.Sprintf("// AKIAPREFIX %s: commit %s", id(), hex.EncodeToString(rnd(20))) },
		func() string { return fmt.Sprintf("    data: %s", base64.StdEncoding.EncodeToString(rnd(57))) },
		func() string { return "    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA== # ARRAY_A_A" },
		func() string { return "}" },
		func() string { return "" },
	}
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(templates[r.IntN(len(templates))]())
		sb.WriteByte('\n')
	}
	return []byte(sb.String()[:n])
}

const benchSize = 16 << 20

func BenchmarkFind(b *testing.B) {
	text := sourceText(1, benchSize)
	d := New(Options{})
	if ms := d.Find(text); len(ms) != 0 {
		b.Fatalf("corpus holds keys: %+v", ms[0])
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		d.Find(text)
	}
	reportCPU(b, c0, len(text))
}

// reportCPU adds "MB/cpu-s": bytes scanned per second of CPU time used by
// the process since c0 (the benchmark loop runs on one goroutine, so this
// is throughput per core even when other processes load the machine).
func reportCPU(b *testing.B, c0 time.Duration, size int) {
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/c.Seconds(), "MB/cpu-s")
	}
}

func BenchmarkScanBlob(b *testing.B) {
	text := sourceText(1, benchSize)
	d := New(Options{})
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := d.ScanBlob("bench", text); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0, len(text))
}

// BenchmarkScanBlobSmall is the history scanner's case: many small blobs.
func BenchmarkScanBlobSmall(b *testing.B) {
	text := sourceText(2, 4<<10)
	d := New(Options{})
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.ScanBlob("small", text)
	}
}

// goSource returns up to n bytes of the Go distribution's own source (real
// code, comments and test data); the benchmark is skipped without it.
func goSource(b *testing.B, n int) []byte {
	root := filepath.Join(runtime.GOROOT(), "src")
	var buf []byte
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(buf) >= n {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			if data, err := os.ReadFile(p); err == nil {
				buf = append(buf, data...)
			}
		}
		return nil
	})
	if len(buf) < n/2 {
		b.Skip("Go source tree not found")
	}
	return buf[:min(n, len(buf))]
}

// BenchmarkFindGoSource measures Find on real code: $GOROOT/src. The
// standard library's tests hold a few AWS documentation example keys,
// which are dropped as examples.
func BenchmarkFindGoSource(b *testing.B) {
	text := goSource(b, benchSize)
	d := New(Options{})
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		d.Find(text)
	}
	reportCPU(b, c0, len(text))
}

// BenchmarkScanBlobGoSource is BenchmarkScanBlob on $GOROOT/src.
func BenchmarkScanBlobGoSource(b *testing.B) {
	text := goSource(b, benchSize)
	d := New(Options{})
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		d.ScanBlob("go", text)
	}
	reportCPU(b, c0, len(text))
}
