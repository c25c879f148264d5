package githubfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	secondaryDoc = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
	primaryDoc   = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
)

// serveAPI answers one REST request; rest is the path after /api/v3/.
func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request, rest string) {
	if f.opts.Token != "" && r.Header.Get("Authorization") != "Bearer "+f.opts.Token &&
		r.Header.Get("Authorization") != "token "+f.opts.Token {
		writeError(w, http.StatusUnauthorized, "Requires authentication", "")
		return
	}
	if !f.admit(w) {
		return
	}
	p := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case len(p) == 3 && p[0] == "orgs" && p[2] == "repos":
		f.listRepos(w, r, p[1], true)
	case len(p) == 3 && p[0] == "users" && p[2] == "repos":
		f.listRepos(w, r, p[1], false)
	case len(p) == 3 && p[0] == "orgs" && p[2] == "members":
		f.listMembers(w, r, p[1])
	case len(p) == 3 && p[0] == "users" && p[2] == "gists":
		f.listGists(w, r, p[1])
	case len(p) == 2 && p[0] == "gists":
		f.getGist(w, p[1])
	case len(p) == 5 && p[0] == "repos" && p[4] == "comments" && (p[3] == "issues" || p[3] == "pulls"):
		f.listComments(w, r, p[1], p[2], p[3] == "pulls")
	case len(p) == 1 && p[0] == "rate_limit":
		writeJSON(w, map[string]any{})
	default:
		writeError(w, http.StatusNotFound, "Not Found", "")
	}
}

// admit applies the secondary and primary rate limits and writes the
// rate-limit headers; it answers the request itself (403) when limited.
func (f *Fake) admit(w http.ResponseWriter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.opts.Now()
	if !now.Before(f.reset) {
		f.reset, f.used = now.Add(f.opts.Window), 0
	}
	limit := f.opts.Limit
	if limit == 0 {
		limit = 5000
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(f.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	if f.secondary > 0 {
		f.secondary--
		h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-f.used, 1)))
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retryAfter.Seconds()))))
		writeError(w, http.StatusForbidden, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", secondaryDoc)
		return false
	}
	if f.opts.Limit > 0 && f.used >= f.opts.Limit {
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", strconv.Itoa(f.used))
		writeError(w, http.StatusForbidden, "API rate limit exceeded.", primaryDoc)
		return false
	}
	if f.opts.Limit > 0 || f.used < limit {
		f.used++
	}
	h.Set("X-RateLimit-Remaining", strconv.Itoa(limit-f.used))
	h.Set("X-RateLimit-Used", strconv.Itoa(f.used))
	return true
}

func (f *Fake) listRepos(w http.ResponseWriter, r *http.Request, name string, org bool) {
	f.mu.Lock()
	o := f.owners[name]
	if o == nil || o.org != org {
		f.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found", "")
		return
	}
	repos := append([]Repo(nil), o.repos...)
	status := make(map[string]int, len(f.status))
	for k, v := range f.status {
		status[k] = v
	}
	f.mu.Unlock()
	sort.Slice(repos, func(i, j int) bool { return repos[i].Name < repos[j].Name })
	var items []any
	for _, rp := range repos {
		if status[name+"/"+rp.Name] == http.StatusNotFound {
			continue
		}
		items = append(items, f.repoJSON(r, name, rp))
	}
	f.page(w, r, items)
}

func (f *Fake) repoJSON(r *http.Request, ownerName string, rp Repo) map[string]any {
	base := baseURL(r)
	vis := rp.Visibility
	if vis == "" {
		vis = "public"
		if rp.Private {
			vis = "private"
		}
	}
	pushed := rp.PushedAt
	if pushed.IsZero() {
		pushed = pushedAt(f.RepoDir(ownerName, rp.Name))
	}
	return map[string]any{
		"name":           rp.Name,
		"full_name":      ownerName + "/" + rp.Name,
		"owner":          map[string]any{"login": ownerName},
		"private":        rp.Private || vis == "private",
		"visibility":     vis,
		"fork":           rp.Fork,
		"archived":       rp.Archived,
		"default_branch": rp.DefaultBranch,
		"html_url":       base + "/" + ownerName + "/" + rp.Name,
		"clone_url":      base + "/" + ownerName + "/" + rp.Name + ".git",
		"pushed_at":      pushed.Format(time.RFC3339Nano),
		"size":           sizeKB(f.RepoDir(ownerName, rp.Name)),
	}
}

func (f *Fake) listMembers(w http.ResponseWriter, r *http.Request, org string) {
	f.mu.Lock()
	o := f.owners[org]
	var items []any
	if o != nil {
		for _, m := range o.members {
			items = append(items, map[string]any{"login": m})
		}
	}
	f.mu.Unlock()
	if o == nil || !o.org {
		writeError(w, http.StatusNotFound, "Not Found", "")
		return
	}
	f.page(w, r, items)
}

func (f *Fake) listGists(w http.ResponseWriter, r *http.Request, user string) {
	f.mu.Lock()
	var items []any
	if o := f.owners[user]; o != nil {
		for _, g := range o.gists {
			items = append(items, gistJSON(r, user, g, false))
		}
	}
	f.mu.Unlock()
	f.page(w, r, items)
}

func (f *Fake) getGist(w http.ResponseWriter, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, o := range f.owners {
		for _, g := range o.gists {
			if g.ID == id {
				writeJSON(w, gistJSON(nil, name, g, true))
				return
			}
		}
	}
	writeError(w, http.StatusNotFound, "Not Found", "")
}

func gistJSON(r *http.Request, user string, g Gist, content bool) map[string]any {
	files := map[string]any{}
	for name, c := range g.Files {
		fj := map[string]any{"filename": name, "size": len(c)}
		if content {
			fj["content"] = c
		}
		files[name] = fj
	}
	return map[string]any{"id": g.ID, "files": files, "owner": map[string]any{"login": user},
		"html_url": "https://gist.github.invalid/" + user + "/" + g.ID}
}

func (f *Fake) listComments(w http.ResponseWriter, r *http.Request, ownerName, repo string, review bool) {
	f.mu.Lock()
	code := f.status[ownerName+"/"+repo]
	var cs []Comment
	if o := f.owners[ownerName]; o != nil {
		cs = append(cs, o.comments[repo]...)
	}
	f.mu.Unlock()
	if code != 0 {
		writeError(w, code, http.StatusText(code), "")
		return
	}
	var since time.Time
	if s := r.URL.Query().Get("since"); s != "" {
		since, _ = time.Parse(time.RFC3339, s)
	}
	base := baseURL(r) + "/" + ownerName + "/" + repo
	var items []any
	for _, c := range cs {
		if c.Review != review || (!since.IsZero() && c.Updated.Before(since)) {
			continue
		}
		kind := "issues"
		if review {
			kind = "pull"
		}
		items = append(items, map[string]any{"id": c.ID, "body": c.Body,
			"html_url":   fmt.Sprintf("%s/%s/%d#issuecomment-%d", base, kind, c.Issue, c.ID),
			"updated_at": c.Updated.UTC().Format(time.RFC3339)})
	}
	f.page(w, r, items)
}

// page writes the slice of items that per_page and page select, with a
// Link header as GitHub's (next, last, first, prev).
func (f *Fake) page(w http.ResponseWriter, r *http.Request, items []any) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = f.opts.PerPage
	}
	per = min(per, f.opts.MaxPerPage)
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = max(pg, 1)
	last := max((len(items)+per-1)/per, 1)
	link := func(n int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		qq := r.URL.Query()
		qq.Set("page", strconv.Itoa(n))
		qq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"), link(pg-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo, hi := min((pg-1)*per, len(items)), min(pg*per, len(items))
	out := items[lo:hi]
	if out == nil {
		out = []any{}
	}
	writeJSON(w, out)
}

func baseURL(r *http.Request) string {
	if r == nil {
		return ""
	}
	return "http://" + r.Host
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg, doc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	body := map[string]any{"message": msg}
	if doc != "" {
		body["documentation_url"] = doc
	}
	json.NewEncoder(w).Encode(body)
}
