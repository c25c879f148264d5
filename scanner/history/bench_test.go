package history

import (
	"context"
	"os"
	"testing"

	"github.com/keysweep/keysweep/scanner"
)

// BenchmarkScanRepo scans the repository named by $KEYSWEEP_BENCH_REPO
// (e.g. one made by bench/history/gen.sh) with each blob reader.
//
//	KEYSWEEP_BENCH_REPO=/tmp/bench-repo go test -run - -bench ScanRepo ./scanner/history
func BenchmarkScanRepo(b *testing.B) {
	dir := os.Getenv("KEYSWEEP_BENCH_REPO")
	if dir == "" {
		b.Skip("set KEYSWEEP_BENCH_REPO to a repository")
	}
	det := scanner.New(scanner.Options{})
	for _, reader := range []string{ReaderAuto, ReaderGit, ReaderGoGit, ReaderPack} {
		b.Run(readerName(reader), func(b *testing.B) {
			for b.Loop() {
				col := scanner.NewCollector(nil)
				sum, err := Scan(context.Background(), Options{Path: dir, Reader: reader}, det, col)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(sum.BlobBytes)
			}
		})
	}
}
