package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/keysweep/keysweep/internal/awsfake"
	"github.com/keysweep/keysweep/internal/githubfake"
	"github.com/keysweep/keysweep/internal/testkeys"
)

// generateDemo writes the small demonstration org "acme": a key at HEAD, a
// key deleted from HEAD but still in history, a key only in a pull
// request's head, a fork and an archived repository (skipped by default),
// a repository deleted after listing (404) and one blocked (451), a key in
// a member's gist and one in an issue comment.
func generateDemo(root string) error {
	g := testkeys.New(uint64(time.Now().UnixNano()))
	f := githubfake.New(githubfake.Options{Root: root})
	m := meta{Org: "acme", Members: []string{"alice"}, Status: map[string]int{},
		Gists: map[string][]githubfake.Gist{}, Comments: map[string][]githubfake.Comment{}}
	m.AWSSeed = 42
	_, live, err := demoAWS(m.AWSSeed)
	if err != nil {
		return err
	}
	m.Keys = append(m.Keys, live.ID)
	liveCreds := fmt.Sprintf("aws_access_key_id = %s\naws_secret_access_key = %s\n", live.ID, live.Secret)
	creds := func() string {
		id := g.AccessKeyID()
		m.Keys = append(m.Keys, id)
		return fmt.Sprintf("aws_access_key_id = %s\naws_secret_access_key = %s\n", id, g.Secret())
	}
	type step struct {
		files map[string]string
		ref   string
	}
	repos := []struct {
		repo  githubfake.Repo
		steps []step
	}{
		{githubfake.Repo{Name: "api"}, []step{{map[string]string{"README.md": "# api\n", "config/prod.env": creds()}, "main"}}},
		{githubfake.Repo{Name: "billing"}, []step{{map[string]string{"settings.py": "DEBUG = False\n" + liveCreds}, "main"}}},
		{githubfake.Repo{Name: "legacy"}, []step{
			{map[string]string{"deploy.sh": "#!/bin/sh\n" + creds()}, "main"},
			{map[string]string{"deploy.sh": "#!/bin/sh\necho uses the instance role\n"}, "main"}}},
		{githubfake.Repo{Name: "web"}, []step{
			{map[string]string{"index.html": "<h1>hi</h1>\n"}, "main"},
			{map[string]string{"ci/test.yml": creds()}, "refs/pull/12/head"}}},
		{githubfake.Repo{Name: "forked", Fork: true}, []step{{map[string]string{"k.env": creds()}, "main"}}},
		{githubfake.Repo{Name: "old", Archived: true}, []step{{map[string]string{"k.env": creds()}, "main"}}},
		{githubfake.Repo{Name: "gone"}, []step{{map[string]string{"README.md": "bye\n"}, "main"}}},
		{githubfake.Repo{Name: "blocked"}, []step{{map[string]string{"README.md": "dmca\n"}, "main"}}},
		{githubfake.Repo{Name: "docs", Private: true}, []step{{map[string]string{"guide.md": "no keys here\n"}, "main"}}},
	}
	for _, r := range repos {
		w, err := f.NewWork(m.Org, r.repo.Name)
		if err != nil {
			return err
		}
		for i, s := range r.steps {
			if s.ref != "main" {
				if _, err := w.Git("checkout", "-q", "-b", fmt.Sprintf("topic%d", i)); err != nil {
					return err
				}
			}
			if _, err := w.Commit(fmt.Sprintf("step %d", i), s.files); err != nil {
				return err
			}
			if err := w.Push(s.ref); err != nil {
				return err
			}
		}
		m.Repos = append(m.Repos, r.repo)
	}
	if err := os.RemoveAll(f.RepoDir(m.Org, "gone")); err != nil {
		return err
	}
	m.Status["acme/blocked"] = http.StatusUnavailableForLegalReasons
	m.Gists["alice"] = []githubfake.Gist{{ID: "a1b2c3", Files: map[string]string{"notes.txt": "temp creds\n" + creds()}}}
	m.Comments["api"] = []githubfake.Comment{{ID: 9001, Issue: 4, Body: "works with\n" + creds(), Updated: time.Now()}}
	return writeMeta(root, m)
}

// demoAWS returns the local AWS of the demo and its live key: the same seed
// gives the same key, so -demo and -serve agree without sharing state.
func demoAWS(seed uint64) (*awsfake.Fake, awsfake.Key, error) {
	f := awsfake.New(awsfake.Options{Seed: seed})
	k, err := f.AddAccessKey("123456789012", "deploy-bot")
	return f, k, err
}
