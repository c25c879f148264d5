package githubfake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
)

func start(t *testing.T, opts Options) *Fake {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	f := New(opts)
	f.Start()
	t.Cleanup(f.Close)
	return f
}

func client(t *testing.T, f *Fake, token string) *gh.Client {
	t.Helper()
	c := gh.NewClient(nil)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	c, err := c.WithEnterpriseURLs(f.URL, f.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListPaginationAndHeaders(t *testing.T) {
	f := start(t, Options{MaxPerPage: 2})
	for i := range 5 {
		f.AddRepo("acme", true, Repo{Name: fmt.Sprintf("r%d", i), Fork: i == 3, Archived: i == 4, Private: i == 1})
	}
	c := client(t, f, "")
	var names []string
	pages := 0
	opt := &gh.RepositoryListByOrgOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		repos, resp, err := c.Repositories.ListByOrg(context.Background(), "acme", opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if resp.Rate.Limit != 5000 || resp.Rate.Remaining != 5000-pages {
			t.Errorf("page %d: rate %+v", pages, resp.Rate)
		}
		for _, r := range repos {
			names = append(names, r.GetFullName())
			if r.GetName() == "r1" && (!r.GetPrivate() || r.GetVisibility() != "private") {
				t.Errorf("r1 not private: %+v", r)
			}
			if r.GetName() == "r3" && !r.GetFork() || r.GetName() == "r4" && !r.GetArchived() {
				t.Errorf("%s: fork/archived flags lost", r.GetName())
			}
			if r.GetCloneURL() != f.URL+"/acme/"+r.GetName()+".git" {
				t.Errorf("clone url %s", r.GetCloneURL())
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	if pages != 3 || strings.Join(names, ",") != "acme/r0,acme/r1,acme/r2,acme/r3,acme/r4" {
		t.Errorf("pages %d names %v", pages, names)
	}
	if _, _, err := c.Repositories.ListByOrg(context.Background(), "nope", nil); err == nil {
		t.Error("unknown org listed")
	}
}

func TestRateLimitErrors(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := start(t, Options{Limit: 2, Now: func() time.Time { return now }})
	f.AddOrg("acme")
	c := client(t, f, "")
	ctx := context.Background()
	f.SecondaryLimit(1, 30*time.Second)
	_, _, err := c.Repositories.ListByOrg(ctx, "acme", nil)
	var ab *gh.AbuseRateLimitError
	if !errors.As(err, &ab) || ab.RetryAfter == nil || *ab.RetryAfter != 30*time.Second {
		t.Fatalf("secondary: err = %v", err)
	}
	for i := range 2 {
		if _, _, err := client(t, f, "").Repositories.ListByOrg(ctx, "acme", nil); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	_, _, err = client(t, f, "").Repositories.ListByOrg(ctx, "acme", nil)
	var rl *gh.RateLimitError
	if !errors.As(err, &rl) || !rl.Rate.Reset.Time.Equal(now.Add(time.Hour)) {
		t.Fatalf("primary: err = %v", err)
	}
	now = now.Add(time.Hour)
	if _, _, err := client(t, f, "").Repositories.ListByOrg(ctx, "acme", nil); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestGitSmartHTTPAndStatuses(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	f := start(t, Options{Token: "s3cret"})
	w, err := f.NewWork("acme", "app")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit("first", map[string]string{"README": "hello\n"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Push("main"); err != nil {
		t.Fatal(err)
	}
	f.AddRepo("acme", true, Repo{Name: "app"})
	authed := strings.Replace(f.URL, "http://", "http://x-access-token:s3cret@", 1)
	tests := []struct {
		name   string
		url    string
		status int
		ok     bool
	}{
		{"with token", authed + "/acme/app.git", 0, true},
		{"without token", f.URL + "/acme/app.git", 0, false},
		{"deleted", authed + "/acme/app.git", http.StatusNotFound, false},
		{"blocked", authed + "/acme/app.git", http.StatusUnavailableForLegalReasons, false},
		{"never existed", authed + "/acme/none.git", 0, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.SetStatus("acme/app", tt.status)
			dst := filepath.Join(t.TempDir(), fmt.Sprint(i))
			cmd := exec.Command("git", "-c", "credential.helper=", "clone", "-q", "--bare", tt.url, dst)
			cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_GLOBAL=/dev/null")
			out, err := cmd.CombinedOutput()
			if (err == nil) != tt.ok {
				t.Fatalf("clone ok=%v, want %v: %s", err == nil, tt.ok, out)
			}
		})
	}
	f.SetStatus("acme/app", 0)
	if _, _, err := client(t, f, "").Repositories.ListByOrg(context.Background(), "acme", nil); err == nil {
		t.Error("API answered without the token")
	}
	if repos, _, err := client(t, f, "s3cret").Repositories.ListByOrg(context.Background(), "acme", nil); err != nil || len(repos) != 1 {
		t.Errorf("API with token: %v %v", repos, err)
	}
}
