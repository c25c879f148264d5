// Package githubfake is a local GitHub for tests, benchmarks and demos: the
// REST pages go-github calls to list an organisation's repositories, members,
// gists and comments, served under the Enterprise prefix /api/v3/ with Link
// pagination and rate-limit headers (and, on demand, primary and secondary
// rate-limit errors, 404 and 451), plus git smart HTTP over local bare
// repositories through `git http-backend`.
//
// Repositories live on disk under Options.Root as OWNER/NAME.git; the test
// creates them (with the git binary) and registers them with AddRepo.
package githubfake

import (
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure a Fake.
type Options struct {
	Root       string           // directory holding OWNER/NAME.git bare repositories
	Token      string           // when set, API and git requests must carry it
	PerPage    int              // default page size (GitHub's is 30)
	MaxPerPage int              // largest page served whatever per_page asks (GitHub's is 100)
	Now        func() time.Time // the fake's clock for rate-limit windows; time.Now when nil
	Limit      int              // primary rate limit per Window; 0 = unlimited (headers say 5000)
	Window     time.Duration    // rate-limit window; default one hour
}

// Repo is one repository as listed by the API.
type Repo struct {
	Name          string
	Fork          bool
	Archived      bool
	Private       bool
	Visibility    string    // public, private, internal; derived from Private when ""
	DefaultBranch string    // default "main"
	PushedAt      time.Time // zero: from the mtime of the bare repository's refs
}

// Gist is a user's gist: file name → content.
type Gist struct {
	ID    string
	Files map[string]string
}

// Comment is an issue or pull-request comment (Review: a PR review comment).
type Comment struct {
	ID      int64
	Issue   int
	Body    string
	Review  bool
	Updated time.Time
}

// Fake is the local GitHub. It is an http.Handler; Start serves it on a
// loopback port. Its methods are safe for concurrent use.
type Fake struct {
	opts Options
	git  http.Handler
	srv  *httptest.Server
	URL  string // base URL after Start, e.g. http://127.0.0.1:41234

	mu         sync.Mutex
	owners     map[string]*owner
	status     map[string]int // "owner/name" → forced status (404, 451)
	secondary  int            // next API requests answered with a secondary limit
	retryAfter time.Duration
	reset      time.Time // end of the current rate-limit window
	used       int
	log        []string
}

type owner struct {
	org      bool
	repos    []Repo
	members  []string
	gists    []Gist
	comments map[string][]Comment // repo name → comments
}

// New returns a fake serving opts.Root.
func New(opts Options) *Fake {
	if opts.PerPage <= 0 {
		opts.PerPage = 30
	}
	if opts.MaxPerPage <= 0 || opts.MaxPerPage > 100 {
		opts.MaxPerPage = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Window <= 0 {
		opts.Window = time.Hour
	}
	f := &Fake{opts: opts, owners: map[string]*owner{}, status: map[string]int{}}
	f.git = f.gitHandler()
	return f
}

// Start serves the fake on a loopback port and sets URL. Call Close after.
func (f *Fake) Start() {
	f.srv = httptest.NewServer(f)
	f.URL = f.srv.URL
}

// Close stops the server started by Start.
func (f *Fake) Close() {
	if f.srv != nil {
		f.srv.Close()
	}
}

// APIURL is the REST base URL to give go-github's WithEnterpriseURLs.
func (f *Fake) APIURL() string { return f.URL + "/api/v3/" }

// RepoDir returns where the bare repository owner/name must be on disk.
func (f *Fake) RepoDir(ownerName, name string) string {
	return filepath.Join(f.opts.Root, ownerName, name+".git")
}

func (f *Fake) owner(name string, org bool) *owner {
	o := f.owners[name]
	if o == nil {
		o = &owner{org: org, comments: map[string][]Comment{}}
		f.owners[name] = o
	}
	return o
}

// AddOrg registers an organisation (also implied by AddRepo with org true).
func (f *Fake) AddOrg(name string, members ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.owner(name, true)
	o.org = true
	o.members = append(o.members, members...)
}

// AddRepo registers repository r of ownerName (an org when org is true,
// else a user); its bare repository is expected at RepoDir.
func (f *Fake) AddRepo(ownerName string, org bool, r Repo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.DefaultBranch == "" {
		r.DefaultBranch = "main"
	}
	o := f.owner(ownerName, org)
	o.repos = append(o.repos, r)
}

// AddGist registers a gist of user.
func (f *Fake) AddGist(user string, g Gist) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.owner(user, false).gists = append(f.owner(user, false).gists, g)
}

// AddComment registers a comment on owner/repo.
func (f *Fake) AddComment(ownerName, repo string, c Comment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.owner(ownerName, true)
	o.comments[repo] = append(o.comments[repo], c)
}

// SetStatus makes every API and git request about owner/name answer code
// (404: deleted, 451: blocked for legal reasons); 0 restores it.
func (f *Fake) SetStatus(fullName string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[fullName] = code
}

// SecondaryLimit makes the next n API requests fail with GitHub's secondary
// rate limit (403 with Retry-After: retryAfter, rounded up to seconds).
func (f *Fake) SecondaryLimit(n int, retryAfter time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secondary, f.retryAfter = n, retryAfter
}

// Requests returns the requests served so far, "METHOD /path?query", in order.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

// ServeHTTP routes /api/v3/ to the REST API and everything else to git.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.log = append(f.log, r.Method+" "+r.URL.RequestURI())
	f.mu.Unlock()
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v3/"); ok {
		f.serveAPI(w, r, rest)
		return
	}
	f.serveGit(w, r)
}

func (f *Fake) gitHandler() http.Handler {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "githubfake: no git binary: "+err.Error(), http.StatusInternalServerError)
		})
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	return &cgi.Handler{
		Path: backend,
		Env:  []string{"GIT_PROJECT_ROOT=" + f.opts.Root, "GIT_HTTP_EXPORT_ALL=1"},
	}
}

// serveGit serves /OWNER/NAME.git/... with git http-backend, after the
// token and forced-status checks.
func (f *Fake) serveGit(w http.ResponseWriter, r *http.Request) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
	if len(parts) < 3 || !strings.HasSuffix(parts[1], ".git") {
		http.NotFound(w, r)
		return
	}
	full := parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")
	if f.opts.Token != "" {
		if _, pw, ok := r.BasicAuth(); !ok || pw != f.opts.Token {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
	}
	f.mu.Lock()
	code := f.status[full]
	f.mu.Unlock()
	if code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	if _, err := os.Stat(filepath.Join(f.opts.Root, parts[0], parts[1])); err != nil {
		http.Error(w, "Repository not found.", http.StatusNotFound)
		return
	}
	f.git.ServeHTTP(w, r)
}

func pushedAt(dir string) time.Time {
	var t time.Time
	for _, p := range []string{"packed-refs", "refs"} {
		filepath.Walk(filepath.Join(dir, p), func(_ string, fi os.FileInfo, err error) error {
			if err == nil && fi.ModTime().After(t) {
				t = fi.ModTime()
			}
			return nil
		})
	}
	return t.UTC()
}

// sizeKB is the repository's size as GitHub reports it: kilobytes on disk.
func sizeKB(dir string) int64 {
	var n int64
	filepath.Walk(filepath.Join(dir, "objects"), func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return (n + 1023) >> 10
}

func (f *Fake) String() string { return fmt.Sprintf("githubfake(%s)", f.URL) }
