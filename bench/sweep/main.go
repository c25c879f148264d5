// Command sweepbench builds and serves a local GitHub organisation for the
// sweep benchmark (bench/sweep/run.sh) and the demonstration sweep:
//
//	sweepbench -root DIR -gen 200            # 200 repositories of mixed sizes (git fast-import)
//	sweepbench -root DIR -demo               # a small org with every special case
//	sweepbench -root DIR -serve -urlfile F   # serve DIR's org with githubfake until killed
//	sweepbench -root DIR -push 5 [-rm PATH]  # push one commit (with a new key) to 5 repositories
//
// Keys are generated at run time with internal/testkeys; none is real.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/keysweep/keysweep/internal/githubfake"
)

// meta is what -gen and -demo write to ROOT/meta.json for -serve.
type meta struct {
	Org      string                          `json:"org"`
	Members  []string                        `json:"members,omitempty"`
	Repos    []githubfake.Repo               `json:"repos"`
	Status   map[string]int                  `json:"status,omitempty"` // full name → HTTP status
	Gists    map[string][]githubfake.Gist    `json:"gists,omitempty"`
	Comments map[string][]githubfake.Comment `json:"comments,omitempty"` // repo → comments
	Keys     []string                        `json:"keys"`               // planted key IDs
	AWSSeed  uint64                          `json:"aws_seed,omitempty"` // serve a local AWS where the demo's live key exists
}

func main() {
	root := flag.String("root", "", "directory for the bare repositories")
	gen := flag.Int("gen", 0, "generate this many repositories of mixed sizes")
	scale := flag.Float64("scale", 1, "size factor for -gen")
	demo := flag.Bool("demo", false, "generate the small demonstration org")
	serve := flag.Bool("serve", false, "serve the org until interrupted")
	addr := flag.String("addr", "127.0.0.1:0", "listen address for -serve")
	urlFile := flag.String("urlfile", "", "write the fake's base URL here once it listens")
	push := flag.Int("push", 0, "push one new commit to this many repositories")
	rm := flag.String("rm", "", "with -push: also delete this file in the commit")
	flag.Parse()
	if *root == "" {
		log.Fatal("sweepbench: -root is required")
	}
	var err error
	switch {
	case *gen > 0:
		err = generate(*root, *gen, *scale)
	case *demo:
		err = generateDemo(*root)
	case *push > 0:
		err = pushCommits(*root, *push, *rm)
	case *serve:
		err = serveOrg(*root, *addr, *urlFile)
	default:
		err = fmt.Errorf("give one of -gen, -demo, -push, -serve")
	}
	if err != nil {
		log.Fatalf("sweepbench: %v", err)
	}
}

func readMeta(root string) (meta, error) {
	var m meta
	b, err := os.ReadFile(filepath.Join(root, "meta.json"))
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

func writeMeta(root string, m meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "meta.json"), b, 0o644)
}

func serveOrg(root, addr, urlFile string) error {
	m, err := readMeta(root)
	if err != nil {
		return err
	}
	f := githubfake.New(githubfake.Options{Root: root})
	f.AddOrg(m.Org, m.Members...)
	for _, r := range m.Repos {
		f.AddRepo(m.Org, true, r)
	}
	for full, code := range m.Status {
		f.SetStatus(full, code)
	}
	for user, gs := range m.Gists {
		for _, g := range gs {
			f.AddGist(user, g)
		}
	}
	for repo, cs := range m.Comments {
		for _, c := range cs {
			f.AddComment(m.Org, repo, c)
		}
	}
	url, stop, err := listen(f, addr)
	if err != nil {
		return err
	}
	defer stop()
	urls := url + "\n"
	if m.AWSSeed != 0 {
		aws, _, err := demoAWS(m.AWSSeed)
		if err != nil {
			return err
		}
		awsURL, stopAWS, err := listen(aws, "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer stopAWS()
		urls += awsURL + "\n"
		fmt.Fprintf(os.Stderr, "sweepbench: local AWS (STS) at %s\n", awsURL)
	}
	if urlFile != "" {
		if err := os.WriteFile(urlFile, []byte(urls), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "sweepbench: serving org %s (%d repositories) at %s\n", m.Org, len(m.Repos), url)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}
