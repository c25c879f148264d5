package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestExamplesUseRealFlags keeps the shipped CI and Kubernetes examples
// honest: every --flag they pass to `keysweep sweep github` or `keysweep
// merge` exists, and the shard matrix covers 0..N-1.
func TestExamplesUseRealFlags(t *testing.T) {
	root := NewRootCmd(&IO{Getenv: func(string) string { return "" }})
	cmds := map[string]map[string]bool{}
	for _, c := range root.Commands() {
		for _, path := range [][]string{{"sweep", "github"}, {"merge"}} {
			if c.Name() != path[0] {
				continue
			}
			cmd := c
			if len(path) == 2 {
				cmd, _, _ = c.Find(path[1:])
			}
			flags := map[string]bool{"help": true}
			cmd.Flags().VisitAll(func(f *pflag.Flag) { flags[f.Name] = true })
			cmds[strings.Join(path, " ")] = flags
		}
	}
	files, _ := filepath.Glob("../../examples/*/*.y*ml")
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	flagRe := regexp.MustCompile(`--([a-z][a-z-]*)`)
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// Join shell continuation lines, then check each keysweep command line.
		text := strings.ReplaceAll(string(b), "\\\n", " ")
		for _, line := range strings.Split(text, "\n") {
			for name, flags := range cmds {
				i := strings.Index(line, "keysweep "+name+" ")
				if i < 0 {
					continue
				}
				for _, m := range flagRe.FindAllStringSubmatch(line[i:], -1) {
					if !flags[m[1]] {
						t.Errorf("%s: keysweep %s has no flag --%s", filepath.Base(file), name, m[1])
					}
				}
			}
		}
	}
	wf, _ := os.ReadFile("../../examples/github-actions/keysweep-nightly.yml")
	if !strings.Contains(string(wf), "shard: [0, 1, 2, 3]") || !strings.Contains(string(wf), "SHARDS: 4") ||
		!strings.Contains(string(wf), "schedule:") || !strings.Contains(string(wf), "upload-sarif") {
		t.Error("workflow example lost its shard matrix, schedule or SARIF upload")
	}
	cj, _ := os.ReadFile("../../examples/kubernetes/keysweep-cronjob.yaml")
	for _, want := range []string{"kind: CronJob", "completionMode: Indexed", "completions: 4", `value: "4"`, "JOB_COMPLETION_INDEX"} {
		if !strings.Contains(string(cj), want) {
			t.Errorf("CronJob example lacks %q", want)
		}
	}
}
